"""The PyTorch TensorBoard tutorials' logging code runs unchanged with only the import swapped,
and TensorBoard's loader reads the same things from nbboard's files as from torch's."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.tb import accumulator


def tutorial(SummaryWriter: type, logdir: str) -> None:  # noqa: N803 (the class under test)
    """The tutorials' calls: Loss/train + Loss/test, add_scalars, an image grid, weight
    histograms, one PR curve per class, add_hparams — on data generated here."""
    torch.manual_seed(0)
    writer = SummaryWriter(logdir)
    # "How to use TensorBoard with PyTorch": a linear fit logged per epoch
    x = torch.arange(-5, 5, 0.1).view(-1, 1)
    y = -5 * x + 0.1 * torch.randn(x.size())
    model = torch.nn.Linear(1, 1)
    criterion = torch.nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(10):
        y1 = model(x)
        loss = criterion(y1, y)
        writer.add_scalar("Loss/train", loss, epoch)
        writer.add_scalar("Loss/test", loss.item() * 1.1, epoch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    writer.flush()
    # "Visualizing Models, Data, and Training": images, a CNN, running loss, PR curves
    images = torch.rand(4, 1, 28, 28)
    writer.add_images("four_fashion_mnist_images", images)
    img_grid = torch.cat([images[i] for i in range(4)], dim=2)  # a grid made by hand
    writer.add_image("four_fashion_mnist_images_grid", img_grid)
    net = nn.Sequential(nn.Conv2d(1, 4, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(4 * 12 * 12, 10))
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    data = torch.rand(64, 1, 28, 28)
    labels = torch.randint(0, 10, (64,))
    running_loss = 0.0
    for i in range(20):
        loss = F.cross_entropy(net(data), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running_loss += loss.item()
        if i % 5 == 4:
            writer.add_scalar("training loss", running_loss / 5, i)
            writer.add_scalars("run_14h", {"xsinx": i * np.sin(i / 5), "xcosx": i * np.cos(i / 5),
                                           "tanx": np.tan(i / 5)}, i)
            running_loss = 0.0
    for name, param in net.named_parameters():
        writer.add_histogram(name, param, 0)
        writer.add_histogram(name + "/grad", param.grad, 0)
    probs = F.softmax(net(data), dim=1)
    for class_index in range(10):
        tensorboard_truth = labels == class_index
        tensorboard_probs = probs[:, class_index]
        writer.add_pr_curve(str(class_index), tensorboard_truth, tensorboard_probs, global_step=0)
    for i in range(3):
        writer.add_hparams({"lr": 0.1 * i, "bsize": i}, {"hparam/accuracy": 10 * i, "hparam/loss": 10 * i},
                           run_name=f"hp{i}")
    writer.add_text("notes", "A **markdown** note", 0)
    writer.close()


def summarize(logdir: str) -> dict:
    """Everything TensorBoard reads from a logdir, per run, comparable across writers."""
    out = {}
    for root, _dirs, files in os.walk(logdir):
        if not any(f.startswith("events.") for f in files):
            continue
        run = os.path.relpath(root, logdir)
        ea = accumulator(root)
        tags = ea.Tags()
        r = {"scalars": {t: [(e.step, round(e.value, 4)) for e in ea.Scalars(t)]
                         for t in tags["scalars"]},
             "histograms": {t: [(e.step, e.histogram_value.num, round(e.histogram_value.sum, 3))
                                for e in ea.Histograms(t)] for t in tags["histograms"]},
             "images": {t: [(e.step, e.width, e.height) for e in ea.Images(t)] for t in tags["images"]},
             "tensors": {t: [e.step for e in ea.Tensors(t)] for t in tags["tensors"]}}
        out[run] = r
    return out


def test_tutorial_runs_unchanged_and_matches_torch(tmp_path):
    pytest.importorskip("tensorboard")
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    from nbboard import SummaryWriter

    tutorial(TorchWriter, str(tmp_path / "torch"))
    tutorial(SummaryWriter, str(tmp_path / "nbboard"))
    theirs = summarize(str(tmp_path / "torch"))
    ours = summarize(str(tmp_path / "nbboard"))
    assert sorted(ours) == sorted(theirs)
    for run in theirs:
        assert ours[run] == theirs[run], run
