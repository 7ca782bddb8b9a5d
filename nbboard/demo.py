"""The demo: the quickstart notebook run headless and exported to one offline HTML file, plus the
bundled example it uses (a small CNN on scikit-learn's `load_digits`, logged like the PyTorch tutorial)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import time
from pathlib import Path
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
    """A small CNN for 8×8 digits, in two named blocks (`features`, `classifier`) the graph
    view can expand."""
    from collections import OrderedDict

    from torch import nn

    return nn.Sequential(OrderedDict(
        features=nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)),
        classifier=nn.Sequential(nn.Flatten(), nn.Linear(32 * 2 * 2, 64), nn.ReLU(),
                                 nn.Linear(64, 10)),
    ))


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


#: The notebooks shipped with the package (package data: `nbboard demo` works from a wheel).
NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
KERNEL = "nbboard-demo"
#: What the demo imports beyond nbboard's own dependencies (the `demo` extra brings them).
DEMO_NEEDS = ("torch", "sklearn", "nbclient", "nbconvert", "nbformat", "ipykernel")


def checkout() -> Path | None:
    """The repository root when nbboard runs from a clone (an editable install), else None."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "hatch_build.py").is_file() else None


def default_out() -> Path:
    """Where `nbboard demo` writes: build/ of the clone it runs from, else ./nbboard-demo."""
    root = checkout()
    return root / "build" if root is not None else Path.cwd() / "nbboard-demo"


def run_notebook(src: str | os.PathLike, dest: str | os.PathLike | None = None, *,
                 cwd: str | os.PathLike | None = None, timeout: float = 600) -> Any:
    """Execute a notebook headless (nbclient) in a kernel running this interpreter; returns it (and saves to `dest`).

    The kernel spec is written to a temporary JUPYTER_PATH, so whatever kernels are installed,
    the notebook runs with the packages of this environment. `cwd` is the kernel's working directory.
    """
    import json
    import sys
    import tempfile

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(os.fspath(src), as_version=4)
    kernelspec = dict(nb.metadata.get("kernelspec", {}))
    with tempfile.TemporaryDirectory(prefix="nbboard-kernel-") as tmp:
        spec = Path(tmp) / "kernels" / KERNEL
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "nbboard (this environment)", "language": "python"}))
        old = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = tmp + (os.pathsep + old if old else "")
        try:
            client = NotebookClient(nb, timeout=int(timeout), kernel_name=KERNEL,
                                    resources={"metadata": {"path": os.fspath(cwd or Path(src).parent)}})
            client.execute()
        finally:
            if old is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = old
    if kernelspec:
        nb.metadata["kernelspec"] = kernelspec
    if dest is not None:
        nbformat.write(nb, os.fspath(dest))
    return nb


def main(argv: list[str] | None = None) -> None:
    """`nbboard demo`: run the quickstart notebook headless and export it, with its logs, to one HTML file."""
    ap = argparse.ArgumentParser(prog="nbboard demo", description=main.__doc__)
    ap.add_argument("--out", default=None,
                    help="directory for the executed notebook, its logs and the HTML "
                         "(default: build/ in a clone of the repository, else ./nbboard-demo)")
    ap.add_argument("--notebook", default=str(NOTEBOOKS / "quickstart.ipynb"))
    ap.add_argument("--timeout", type=float, default=600, help="seconds a cell may run")
    args = ap.parse_args(argv)
    from nbboard.export import export_notebook

    src = Path(args.notebook)
    if not src.exists():
        raise SystemExit(f"nbboard demo: {src} not found")
    missing = [m for m in DEMO_NEEDS if importlib.util.find_spec(m) is None]
    if missing:
        raise SystemExit(f"nbboard demo needs {', '.join(missing)}: pip install 'nbboard[demo]'")
    out = (Path(args.out) if args.out is not None else default_out()).resolve()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    print(f"running {src.name} headless in {out} ...", flush=True)
    executed = out / src.name
    run_notebook(src, executed, cwd=out, timeout=args.timeout)
    t1 = time.time()
    print(f"  ran in {t1 - t0:.1f}s; logs in {out / 'runs'}", flush=True)
    res = export_notebook(executed, executed.with_suffix(".html"))
    print(f"  exported {res.views} interactive views in {time.time() - t1:.1f}s "
          f"({res.bytes / 1e6:.2f} MB, works offline)")
    if res.missing:
        print("  left out: " + "; ".join(res.missing))
    print(f"\nOpen it: {res.path}")
    if checkout() is not None:
        print("Run the notebooks yourself: make lab")
    else:
        print(f"Run it yourself: open {executed} in Jupyter (its logs are next to it)")


if __name__ == "__main__":
    main()
