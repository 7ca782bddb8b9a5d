"""Helpers reading event files with TensorBoard's own loaders (the format's reference)."""

from __future__ import annotations

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def accumulator(path: str) -> EventAccumulator:
    """An EventAccumulator over `path` keeping every event (size_guidance 0)."""
    ea = EventAccumulator(str(path), size_guidance={
        "compressedHistograms": 0, "images": 0, "audio": 0, "scalars": 0, "histograms": 0,
        "tensors": 0})
    ea.Reload()
    return ea
