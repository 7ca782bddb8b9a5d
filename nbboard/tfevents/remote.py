"""Writing event files to object stores and other fsspec URLs (s3://, gs://, memory://, ...).

Object stores cannot append, so a remote event file is written as a sequence of *part*
objects: ``<event file name>.part000000``, ``.part000001``, ... Each part is a standalone,
valid event file (it starts with its own ``file_version`` record and holds only whole
records), and the names sort in writing order, so TensorBoard and nbboard read a run's parts
one after another as if they were one file.

A part is uploaded when the buffered records reach `part_bytes` (4 MiB) or when a flush comes
at least `roll_secs` seconds (5 s; environment variable ``NBBOARD_REMOTE_ROLL_SECS``) after
the previous upload; `close()` always uploads what is left, and so does a normal interpreter
exit without close(). So a remote run lags the training loop by at most about `roll_secs`,
and a killed process loses at most that much. If an upload fails, the records stay buffered
and the next flush retries (the error is raised to the writer, which reports it on
`flush()`/`close()`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from nbboard.tfevents.messages import event
from nbboard.tfevents.record import frame

PART_BYTES = 4 << 20


def _roll_secs() -> float:
    try:
        return float(os.environ.get("NBBOARD_REMOTE_ROLL_SECS", "5"))
    except ValueError:
        return 5.0


class RollingObjectFile:
    """A write-only file-like that uploads its content as ordered, standalone part objects."""

    def __init__(self, fs: Any, path: str, part_bytes: int = PART_BYTES,
                 roll_secs: float | None = None) -> None:
        self.fs = fs
        self.path = path
        self.part_bytes = part_bytes
        self.roll_secs = _roll_secs() if roll_secs is None else roll_secs
        self._buf: list[bytes] = []
        self._size = 0
        self._part = 0
        self._last = 0.0  # time of the last upload (0: none yet, so the first flush uploads)
        self.closed = False

    def write(self, data: bytes) -> int:
        if self.closed:
            raise ValueError("write to a closed remote event file")
        if data:
            self._buf.append(bytes(data))
            self._size += len(data)
            if self._size >= self.part_bytes:
                self._upload()
        return len(data)

    def flush(self) -> None:
        """Upload a part if enough time has passed since the last one."""
        if self._size and time.monotonic() - self._last >= self.roll_secs:
            self._upload()

    def _upload(self) -> None:
        body = b"".join(self._buf)
        if self._part > 0:  # each part is a standalone event file: give it a version record
            body = frame(event(time.time(), 0, file_version="brain.Event:2")) + body
        name = f"{self.path}.part{self._part:06d}"
        self.fs.pipe_file(name, body)
        self._part += 1
        self._buf = []
        self._size = 0
        self._last = time.monotonic()

    def close(self) -> None:
        """Upload whatever is left."""
        if self.closed:
            return
        if self._size:
            self._upload()
        self.closed = True


def remote_opener(run_dir: str) -> Callable[[str], RollingObjectFile]:
    """An opener for EventFileWriter: path (a URL under `run_dir`) → a RollingObjectFile."""
    import fsspec

    fs, _ = fsspec.core.url_to_fs(run_dir)

    def open_remote(path: str) -> RollingObjectFile:
        return RollingObjectFile(fs, fs._strip_protocol(path))

    return open_remote
