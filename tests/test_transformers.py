"""A real transformers Trainer (a random 2-layer BERT built from a config: no downloads) logging
through transformers' own TensorBoardCallback given an nbboard writer, and through
nbboard.transformers.TensorBoardCallback, which also keeps a later evaluate() in the Store."""

from __future__ import annotations

import logging

import pytest
import torch

transformers = pytest.importorskip("transformers")

import nbboard  # noqa: E402
from nbboard import Store, SummaryWriter  # noqa: E402
from tests.tb import accumulator  # noqa: E402

logging.getLogger("transformers").setLevel(logging.ERROR)


class Tokens(torch.utils.data.Dataset):
    def __init__(self, n: int, seed: int) -> None:
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(5, 100, (n, 16), generator=g)
        self.labels = (self.ids[:, 0] > 50).long()

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> dict:
        return {"input_ids": self.ids[i], "attention_mask": torch.ones(16, dtype=torch.long),
                "labels": self.labels[i]}


def _trainer(tmp_path, callback) -> transformers.Trainer:
    torch.manual_seed(0)
    cfg = transformers.BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2,
                                  num_attention_heads=2, intermediate_size=37, num_labels=2)
    model = transformers.BertForSequenceClassification(cfg)
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path / "out"), max_steps=8, logging_steps=2, per_device_train_batch_size=8,
        per_device_eval_batch_size=8, report_to="none", save_strategy="no", use_cpu=True,
        disable_tqdm=True, learning_rate=1e-3)
    return transformers.Trainer(model=model, args=args, train_dataset=Tokens(64, 0),
                                eval_dataset=Tokens(16, 1), callbacks=[callback])


def test_transformers_own_callback_with_an_nbboard_writer(tmp_path):
    from transformers.integrations import TensorBoardCallback

    store = Store()
    w = SummaryWriter(str(tmp_path / "tb"), store=store)
    _trainer(tmp_path, TensorBoardCallback(tb_writer=w)).train()
    run = store.runs()[0]
    tags = store.tags(run)
    assert {"train/loss", "train/learning_rate", "train/grad_norm"} <= set(tags["scalars"])
    assert {"args", "model_config"} <= set(tags["text"])
    assert store.scalars(run, "train/loss").steps.tolist() == [2, 4, 6, 8]
    assert [e.step for e in accumulator(tmp_path / "tb").Scalars("train/loss")] == [2, 4, 6, 8]


def test_nbboards_callback_keeps_evaluate_in_the_store(tmp_path):
    from nbboard.transformers import TensorBoardCallback

    store = Store()
    cb = TensorBoardCallback(store=store)
    trainer = _trainer(tmp_path, cb)
    trainer.train()
    trainer.evaluate()  # after training: transformers' own callback would open a torch writer
    run = store.runs()[0]
    assert "eval/loss" in store.tags(run)["scalars"]
    assert store.scalars(run, "train/loss").steps.tolist() == [2, 4, 6, 8]
    cb.close()
    again = nbboard.load(str(tmp_path / "out" / "runs"), progress=False)  # transformers' logging_dir
    (name,) = again.runs()
    assert "eval/loss" in again.tags(name)["scalars"]
