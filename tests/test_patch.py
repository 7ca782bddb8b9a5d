"""nbboard.patch(): libraries that make torch's SummaryWriter themselves (accelerate's tracker
here, for real) log through nbboard; unpatch() puts torch's class back."""

from __future__ import annotations

import pytest
import torch.utils.tensorboard as torch_tb

import nbboard
from tests.tb import accumulator

accelerate = pytest.importorskip("accelerate")


def test_accelerate_tracker_logs_through_nbboard_while_patched(tmp_path):
    original = torch_tb.SummaryWriter
    with nbboard.patch():
        assert torch_tb.SummaryWriter is nbboard.SummaryWriter
        acc = accelerate.Accelerator(log_with="tensorboard", project_dir=str(tmp_path), cpu=True)
        acc.init_trackers("proj", config={"lr": 0.1, "layers": 2})
        for step in range(3):
            acc.log({"loss": 1.0 / (step + 1)}, step=step)
        writer = acc.get_tracker("tensorboard", unwrap=True)
        assert isinstance(writer, nbboard.SummaryWriter)
        acc.end_training()
    assert torch_tb.SummaryWriter is original
    store = writer.store.select(str(tmp_path))  # the default Store: this test's runs only
    run = store._name(writer._key)
    assert store.scalars(run, "loss").steps.tolist() == [0, 1, 2]
    hp_runs = [r for r in store.runs() if store.hparams(r) is not None]
    assert [store.hparams(r).hparams for r in hp_runs] == [{"lr": 0.1, "layers": 2.0}]
    assert [e.step for e in accumulator(writer.get_logdir()).Scalars("loss")] == [0, 1, 2]
