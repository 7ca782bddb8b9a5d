"""The progress bar of a long logdir load: tqdm's when installed, else a line on stderr."""

from __future__ import annotations

import sys
import time
from typing import Any


class _TextProgress:
    """A minimal progress line on stderr (works in a terminal and in a notebook cell)."""

    def __init__(self, total: int, delay: float) -> None:
        self.total = max(total, 1)
        self.n = 0
        self.start = time.monotonic()
        self.delay = delay
        self.last = 0.0
        self.shown = False

    def update(self, k: int) -> None:
        self.n += k
        now = time.monotonic()
        if now - self.start < self.delay or now - self.last < 0.2:
            return
        self.last = now
        self._draw()

    def _draw(self) -> None:
        self.shown = True
        frac = min(self.n / self.total, 1.0)
        bar = "#" * int(frac * 30)
        sys.stderr.write(f"\rnbboard: reading logdir [{bar:<30}] {frac:4.0%} "
                         f"{self.n / 1e6:.1f}/{self.total / 1e6:.1f} MB")
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            self._draw()
            sys.stderr.write("\n")
            sys.stderr.flush()


def progress_bar(total: int, progress: bool | None) -> Any:
    """A progress bar for reading `total` bytes (tqdm's if installed), or None when `progress` is False."""
    if progress is False:
        return None
    delay = 0.0 if progress else 0.5  # auto: only loads slower than half a second show a bar
    try:
        from tqdm.auto import tqdm

        return tqdm(total=total, unit="B", unit_scale=True, desc="nbboard: reading logdir",
                    delay=delay, leave=False)
    except ImportError:
        return _TextProgress(total, delay)
