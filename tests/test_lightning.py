"""A real Lightning Trainer logging through nbboard: scalars, hparams with hp_metric and the graph
reach the Store while fitting (hparams the Board's feed; the graph nbboard.Graph), and files
TensorBoard reads."""

from __future__ import annotations

import json
import logging

import pytest
import torch

lightning = pytest.importorskip("lightning")

import nbboard  # noqa: E402
from nbboard import Store  # noqa: E402
from nbboard.lightning import TensorBoardLogger  # noqa: E402
from tests.tb import accumulator  # noqa: E402

logging.getLogger("lightning").setLevel(logging.ERROR)
logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)


class Tiny(lightning.LightningModule):
    def __init__(self, lr: float = 0.05, hidden: int = 16) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(torch.nn.Linear(8, hidden), torch.nn.ReLU(),
                                       torch.nn.Linear(hidden, 1))
        self.example_input_array = torch.zeros(4, 8)
        self.seen_in_store: list[int] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", torch.nn.functional.mse_loss(self(x), y))

    def on_train_epoch_end(self) -> None:  # the Store is live during the fit
        w = self.logger.experiment  # its own run (the default Store holds other tests' runs too)
        self.seen_in_store.append(len(w.store.series_for(w._key, "train_loss", "scalars")))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def _loader(seed: int) -> torch.utils.data.DataLoader:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(256, 8, generator=g)
    y = x.sum(1, keepdim=True)
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32)


def test_a_lightning_fit_reaches_the_store_the_board_and_the_files(tmp_path):
    torch.manual_seed(0)
    store = Store()
    logger = TensorBoardLogger(str(tmp_path), name="exp", log_graph=True, store=store)
    model = Tiny()
    trainer = lightning.Trainer(max_epochs=2, logger=logger, enable_checkpointing=False,
                                enable_progress_bar=False, enable_model_summary=False,
                                accelerator="cpu", log_every_n_steps=2)
    trainer.fit(model, _loader(0), _loader(1))
    assert isinstance(logger.experiment, nbboard.SummaryWriter)
    run = store.runs()[0]
    assert model.seen_in_store[0] > 0 and model.seen_in_store[1] > model.seen_in_store[0]
    tags = store.tags(run)
    assert {"train_loss", "val_loss", "epoch", "hp_metric"} <= set(tags["scalars"])
    hp = store.hparams(run)
    assert hp.hparams == {"lr": 0.05, "hidden": 16.0} and "hp_metric" in hp.metrics
    graph = store.graph(run)
    assert graph is not None and graph.params == sum(p.numel() for p in model.parameters())
    assert any("net" in json.dumps(n) for n in graph.nodes)

    from nbboard.widgets.feeds import board_feeds

    msg = board_feeds(store)[0].poll()[0]  # what the Board's tabs are fed
    assert [p["hparams"]["hparams"] for p in msg["plugins"].values()] == [{"lr": 0.05, "hidden": 16.0}]

    logdir = logger.log_dir
    again = nbboard.load(logdir, progress=False)  # the files say the same
    assert again.hparams(".").hparams == hp.hparams
    ea = accumulator(logdir)
    assert len(ea.Scalars("train_loss")) == len(store.scalars(run, "train_loss"))
    assert ea.PluginTagToContent("hparams")  # TensorBoard's hparams plugin finds the session


def test_lightnings_own_logger_with_an_injected_or_patched_writer(tmp_path):
    """The ways users inject a writer into Lightning's own TensorBoardLogger work too (they
    crashed in log_hyperparams before the writer had _get_file_writer)."""
    from lightning.pytorch.loggers import TensorBoardLogger as Theirs

    injected = Theirs(str(tmp_path / "a"), name="exp")
    injected._experiment = nbboard.SummaryWriter(injected.log_dir, store=Store())
    with nbboard.patch():
        patched = Theirs(str(tmp_path / "b"), name="exp")
        for logger in (injected, patched):
            trainer = lightning.Trainer(max_epochs=1, logger=logger, enable_checkpointing=False,
                                        enable_progress_bar=False, enable_model_summary=False,
                                        accelerator="cpu", log_every_n_steps=2)
            trainer.fit(Tiny(), _loader(0))
    for logger in (injected, patched):
        w = logger.experiment
        assert isinstance(w, nbboard.SummaryWriter)
        run = w.store._name(w._key)
        assert w.store.hparams(run).hparams == {"lr": 0.05, "hidden": 16.0}
        assert "train_loss" in w.store.tags(run)["scalars"]
