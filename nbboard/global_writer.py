"""tensorboardX's GlobalSummaryWriter: log without counting steps; each tag's step counts up.

    from nbboard import GlobalSummaryWriter
    writer = GlobalSummaryWriter.getSummaryWriter()   # one per process, made on first use
    writer.add_scalar("loss", 0.3)                    # step 0, then 1, 2, ... for this tag

One difference: tensorboardX shares the step counters between processes through a
multiprocessing Manager (a server process); here they are per process and thread-safe, and a
forked child logs into its own event file (nbboard's fork rule).
"""

from __future__ import annotations

import threading
from typing import Any

from nbboard import store as st
from nbboard.writer import FileWriter, SummaryWriter

_writer: GlobalSummaryWriter | None = None
_made = threading.Lock()


class GlobalSummaryWriter:
    """A SummaryWriter (`.smw`) whose add_scalar/add_image/add_text/add_histogram/add_audio take
    no global_step: each (method, tag) counts its own steps from 0."""

    def __init__(self, logdir: str | None = None, comment: str = "", purge_step: int | None = None,
                 max_queue: int = 10, flush_secs: int = 120, filename_suffix: str = "",
                 write_to_disk: bool = True, log_dir: str | None = None,
                 coalesce_process: bool = True, *, store: st.Store | None = None,
                 **kwargs: Any) -> None:
        self.smw = SummaryWriter(log_dir if log_dir is not None else logdir, comment, purge_step,
                                 max_queue, flush_secs, filename_suffix, write_to_disk, store=store)
        self._steps: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def _next(self, kind: str, tag: str) -> int:
        with self._lock:
            n = self._steps.get((kind, tag), -1) + 1
            self._steps[(kind, tag)] = n
            return n

    def add_scalar(self, tag: str, scalar_value: Any, walltime: Any = None) -> None:
        """Log a scalar at this tag's next step."""
        self.smw.add_scalar(tag, scalar_value, self._next("scalar", tag), walltime)

    def add_image(self, tag: str, img_tensor: Any, walltime: Any = None, dataformats: str = "CHW") -> None:
        """Log an image at this tag's next step."""
        self.smw.add_image(tag, img_tensor, self._next("image", tag), walltime, dataformats)

    def add_text(self, tag: str, text_string: str, walltime: Any = None) -> None:
        """Log text at this tag's next step."""
        self.smw.add_text(tag, text_string, self._next("text", tag), walltime)

    def add_histogram(self, tag: str, values: Any, bins: Any = "tensorflow", walltime: Any = None,
                      max_bins: int | None = None) -> None:
        """Log a histogram at this tag's next step."""
        self.smw.add_histogram(tag, values, self._next("histogram", tag), bins, walltime, max_bins)

    def add_audio(self, tag: str, snd_tensor: Any, sample_rate: int = 44100, walltime: Any = None) -> None:
        """Log audio at this tag's next step."""
        self.smw.add_audio(tag, snd_tensor, self._next("audio", tag), sample_rate, walltime)

    @property
    def file_writer(self) -> FileWriter:
        """The writer's main FileWriter (reopened if closed), like tensorboardX's."""
        return self.smw._get_file_writer()

    @property
    def store(self) -> st.Store:
        return self.smw.store

    def flush(self) -> None:
        self.smw.flush()

    def close(self) -> None:
        self.smw.close()

    def show(self, **options: Any) -> Any:
        """A live Board of this writer's runs."""
        return self.smw.show(**options)

    @staticmethod
    def getSummaryWriter() -> GlobalSummaryWriter:  # noqa: N802  (tensorboardX's name)
        """The process's global writer, made on first use (default log_dir)."""
        global _writer
        with _made:
            if _writer is None:
                _writer = GlobalSummaryWriter()
            return _writer
