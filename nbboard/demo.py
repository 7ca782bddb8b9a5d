"""The bundled example: a small CNN trained on scikit-learn's `load_digits`, logged with
nbboard's SummaryWriter exactly as the PyTorch TensorBoard tutorial logs with torch's."""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from nbboard import SummaryWriter


def digits() -> tuple[Any, Any, Any, Any]:
    """load_digits as (N, 1, 8, 8) float tensors in [0, 1] with a fixed train/validation split."""
    import torch
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(d.target, dtype=torch.long)
    g = torch.Generator().manual_seed(0)
    perm = torch.randperm(len(y), generator=g)
    n_val = len(y) // 5
    val, train = perm[:n_val], perm[n_val:]
    return x[train], y[train], x[val], y[val]


def make_model() -> Any:
    """A small CNN for 8×8 digits."""
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 64), nn.ReLU(), nn.Linear(64, 10),
    )


def train(logdir: str, lr: float, epochs: int = 8, batch_size: int = 64,
          seed: int = 0) -> dict[str, float]:
    """Train one run, logging scalars, images, histograms, PR curves, text and hparams."""
    import torch
    import torch.nn.functional as F

    torch.manual_seed(seed)
    xtr, ytr, xva, yva = digits()
    model = make_model()
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    writer = SummaryWriter(logdir)
    writer.add_images("samples", xtr[:32], 0)
    writer.add_text("about", f"**load_digits** CNN, lr=`{lr}`, {len(ytr)} train / {len(yva)} val")
    step = 0
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(ytr))
        for i in range(0, len(ytr), batch_size):
            idx = perm[i : i + batch_size]
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            writer.add_scalar("Loss/train", loss, step)
            step += 1
        model.eval()
        with torch.no_grad():
            logits = model(xva)
            val_loss = F.cross_entropy(logits, yva).item()
            probs = F.softmax(logits, dim=1)
            acc = (logits.argmax(1) == yva).float().mean().item()
            train_acc = (model(xtr).argmax(1) == ytr).float().mean().item()
        writer.add_scalar("Loss/validation", val_loss, step)
        writer.add_scalars("Accuracy", {"train": train_acc, "validation": acc}, step)
        for name, p in model.named_parameters():
            writer.add_histogram(f"weights/{name}", p, epoch)
    for cls in range(10):
        writer.add_pr_curve(f"pr/digit_{cls}", yva == cls, probs[:, cls], epochs)
    metrics = {"hparam/accuracy": acc, "hparam/loss": val_loss}
    writer.add_hparams({"lr": lr, "batch_size": batch_size, "epochs": epochs}, metrics,
                       run_name="hparams")
    writer.close()
    return metrics


def summarize(logdir: str) -> str:
    """What was logged under `logdir`, read back from the event files: runs, tags, counts."""
    import nbboard

    store = nbboard.load(logdir)
    lines = []
    for run in store.runs():
        tags = store.tags(run)
        lines.append(f"  run {run}")
        for plugin, names in sorted(tags.items()):
            for tag in names:
                s = store.series(run, tag)
                extra = ""
                if plugin == "scalars" and len(s):
                    extra = f", last {s.values[-1]:.4f} at step {int(s.steps[-1])}"
                lines.append(f"    {plugin:<11} {tag:<28} {len(s):>5} points{extra}")
            if not names:
                lines.append(f"    {plugin}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """`nbboard demo`: train two learning rates on load_digits and print what was logged."""
    ap = argparse.ArgumentParser(prog="nbboard demo", description=main.__doc__)
    ap.add_argument("--logdir", default=os.path.join("build", "demo-runs"))
    ap.add_argument("--epochs", type=int, default=8)
    args = ap.parse_args(argv)
    t0 = time.time()
    for lr in (0.01, 0.1):
        m = train(os.path.join(args.logdir, f"lr_{lr}"), lr, epochs=args.epochs)
        print(f"trained lr={lr}: validation accuracy {m['hparam/accuracy']:.3f}")
    print(f"\nlogged to {os.path.abspath(args.logdir)} in {time.time() - t0:.1f}s:")
    print(summarize(args.logdir))
    print(f"\nLook at it: tensorboard --logdir {args.logdir}  (or, with nbboard's views, `make lab`)")


if __name__ == "__main__":
    main()
