"""A real profiled training run for the profiler tests: a small CNN on scikit-learn's digits with a
DataLoader, profiled (CPU) with shapes, memory, stacks and modules on a schedule of cycles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def digits_loader(batch_size: int = 32) -> Any:
    """scikit-learn's 8x8 digits as a shuffled DataLoader of (N, 1, 8, 8) float images."""
    import torch
    from sklearn.datasets import load_digits
    from torch.utils.data import DataLoader, TensorDataset

    x, y = load_digits(return_X_y=True)
    ds = TensorDataset(torch.tensor(x, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0,
                       torch.tensor(y, dtype=torch.long))
    g = torch.Generator().manual_seed(0)
    return DataLoader(ds, batch_size=batch_size, shuffle=True, generator=g)


def small_cnn() -> Any:
    import torch
    from torch import nn

    torch.manual_seed(0)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
                                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
            self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10))

        def forward(self, x: Any) -> Any:
            return self.head(self.features(x))

    return Net()


def small_mlp() -> Any:
    """Another model for comparisons: a two-layer perceptron on the flattened digits."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.Tanh(), nn.Linear(128, 10))


def profile_training(on_trace_ready: Callable[[Any], None] | None, *, wait: int = 1, warmup: int = 1,
                     active: int = 2, repeat: int = 2, record_shapes: bool = True,
                     profile_memory: bool = True, with_stack: bool = True,
                     with_modules: bool = True, model: str = "cnn") -> Any:
    """Train the CNN (or `model="mlp"`, the perceptron) on digits under torch.profiler with a
    schedule; returns the profiler (its last cycle's `key_averages()` is what the last
    `on_trace_ready` call saw)."""
    import torch
    from torch.profiler import ProfilerActivity, profile, schedule

    net = small_mlp() if model == "mlp" else small_cnn()
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    loss_fn = torch.nn.CrossEntropyLoss()
    steps = (wait + warmup + active) * repeat
    loader = digits_loader()
    with profile(activities=[ProfilerActivity.CPU],
                 schedule=schedule(wait=wait, warmup=warmup, active=active, repeat=repeat),
                 on_trace_ready=on_trace_ready, record_shapes=record_shapes,
                 profile_memory=profile_memory, with_stack=with_stack,
                 with_modules=with_modules) as prof:
        it = iter(loader)
        for _ in range(steps):
            try:
                x, y = next(it)
            except StopIteration:
                it = iter(loader)
                x, y = next(it)
            opt.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
            prof.step()
    return prof
