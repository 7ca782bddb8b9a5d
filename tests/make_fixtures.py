"""Generate the small fixture logdirs in tests/fixtures/ from real writers.

    python tests/make_fixtures.py nbboard torch tensorboardX   # with the project's venv
    /path/to/tf-venv/bin/python tests/make_fixtures.py tf2       # a throwaway venv with TensorFlow 2
    /path/to/pl-venv/bin/python tests/make_fixtures.py lightning # one with pytorch-lightning

Each writer gets tests/fixtures/<writer>/ (replaced). The tests read them without TensorFlow.
Keep them small: a few steps, tiny images and clips (all fixtures together < 200 KB).
"""

from __future__ import annotations

import os
import shutil
import sys

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
STEPS = 4


def _fresh(name: str) -> str:
    d = os.path.join(HERE, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def _torch_like(w, rng: np.random.Generator, video: bool = True, audio: bool = True) -> None:
    """The same calls through any torch-compatible SummaryWriter."""
    for i in range(STEPS):
        w.add_scalar("train/loss", 1.0 / (i + 1), i)
        w.add_scalar("lr", 0.1 * 0.9**i, i)
        w.add_histogram("weights", rng.normal(size=100), i, bins="tensorflow" if i == 0 else 10)
        w.add_image("sample", rng.random((3, 6, 6)), i)
        w.add_text("notes", f"step **{i}**", i)
    w.add_scalars("compare", {"train": 1.0, "val": 2.0}, 0)
    if audio:
        w.add_audio("clip", np.sin(np.linspace(0, 20, 400)), 0, sample_rate=8000)
    w.add_pr_curve("pr", rng.integers(0, 2, 40), rng.random(40), 0, num_thresholds=9)
    w.add_mesh("cloud", rng.random((1, 6, 3)).astype(np.float32),
               colors=rng.integers(0, 255, (1, 6, 3)).astype(np.uint8), global_step=0)
    if video:
        w.add_video("vid", rng.random((1, 2, 3, 4, 4)), 0)
    try:
        w.add_hparams({"lr": 0.1, "opt": "sgd"}, {"hp/score": 0.5}, run_name="hp")
    except TypeError:  # tensorboardX has no run_name
        w.add_hparams({"lr": 0.1, "opt": "sgd"}, {"hp/score": 0.5}, name="hp")


def make_nbboard() -> None:
    import nbboard

    d = _fresh("nbboard")
    with nbboard.SummaryWriter(os.path.join(d, "run"), store=nbboard.Store()) as w:
        _torch_like(w, np.random.default_rng(0))
        w.add_custom_scalars({"losses": {"loss": ["Multiline", ["train/loss"]]}})


def make_torch() -> None:
    from torch.utils.tensorboard import SummaryWriter

    d = _fresh("torch")
    with SummaryWriter(os.path.join(d, "run")) as w:
        _torch_like(w, np.random.default_rng(1), video=False)  # torch's add_video needs moviepy
        w.add_scalar("double", 0.25, 0, new_style=True, double_precision=True)
        w.add_custom_scalars({"losses": {"loss": ["Multiline", ["train/loss"]]}})
    with SummaryWriter(os.path.join(d, "run"), purge_step=2) as w:  # a restart: purges steps ≥ 2
        w.add_scalar("train/loss", 9.0, 2)


def make_tensorboardx() -> None:
    from tensorboardX import SummaryWriter

    d = _fresh("tensorboardX")
    with SummaryWriter(os.path.join(d, "run")) as w:
        _torch_like(w, np.random.default_rng(2), video=False, audio=False)  # needs soundfile


def make_tf2() -> None:
    import tensorflow as tf

    d = _fresh("tf2")
    rng = np.random.default_rng(3)
    w = tf.summary.create_file_writer(os.path.join(d, "run"))
    with w.as_default():
        for i in range(STEPS):
            tf.summary.scalar("loss", 1.0 / (i + 1), step=i)
            tf.summary.histogram("weights", rng.normal(size=100), step=i, buckets=10)
            tf.summary.image("imgs", rng.random((2, 5, 4, 3)), step=i, max_outputs=2)
            tf.summary.text("notes", f"step {i}", step=i)
        tf.summary.audio("clip", (rng.random((1, 400, 1)) * 2 - 1).astype(np.float32), 8000, step=0)
    w.close()


def make_lightning() -> None:
    import torch
    from pytorch_lightning.loggers import TensorBoardLogger

    d = _fresh("lightning")
    logger = TensorBoardLogger(d, name="exp", version=0, default_hp_metric=False)
    logger.log_hyperparams({"lr": 0.01, "layers": 2}, metrics={"hp_metric": 0.5})
    for i in range(STEPS):
        logger.log_metrics({"train_loss": 1.0 / (i + 1), "epoch": 0}, step=i)
    logger.experiment.add_histogram("w", torch.randn(50), 0, bins=10)
    logger.finalize("success")


WRITERS = {"nbboard": make_nbboard, "torch": make_torch, "tensorboardX": make_tensorboardx,
           "tf2": make_tf2, "lightning": make_lightning}


if __name__ == "__main__":
    names = sys.argv[1:] or ["nbboard", "torch", "tensorboardX"]
    for n in names:
        WRITERS[n]()
        print("wrote", os.path.join(HERE, n))
