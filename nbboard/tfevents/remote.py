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
and a killed process loses at most that much.

The object store going away (a network fault, the endpoint restarting) never reaches the
training loop: a failed upload keeps its records in memory, one warning says so, and the upload
is retried at most once per `roll_secs` (≥ 1 s) until it succeeds, in order; a second warning
says when uploading resumed. While failing, up to `BACKLOG_BYTES` (256 MiB) of records are kept;
what comes beyond is dropped (the Store still has it) and counted in the resume warning.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from typing import Any

from nbboard.tfevents.messages import event
from nbboard.tfevents.record import frame

PART_BYTES = 4 << 20
BACKLOG_BYTES = 256 << 20  # records kept while uploads fail


def _roll_secs() -> float:
    try:
        return float(os.environ.get("NBBOARD_REMOTE_ROLL_SECS", "5"))
    except ValueError:
        return 5.0


class RollingObjectFile:
    """A write-only file-like that uploads its content as ordered, standalone part objects."""

    def __init__(self, fs: Any, path: str, part_bytes: int = PART_BYTES,
                 roll_secs: float | None = None, backlog_bytes: int = BACKLOG_BYTES) -> None:
        self.fs = fs
        self.path = path
        self.part_bytes = part_bytes
        self.roll_secs = _roll_secs() if roll_secs is None else roll_secs
        self.backlog_bytes = backlog_bytes
        self._buf: list[bytes] = []
        self._size = 0
        self._part = 0
        self._last = 0.0  # time of the last upload (0: none yet, so the first flush uploads)
        self._failing = False  # the last upload failed (warned); retried from `_retry_at`
        self._retry_at = 0.0
        self._dropped = 0  # bytes dropped over the backlog while failing
        self.closed = False

    def write(self, data: bytes) -> int:
        if self.closed:
            raise ValueError("write to a closed remote event file")
        if data:
            if self._failing and self._size + len(data) > self.backlog_bytes:
                self._dropped += len(data)  # whole records: the file stays readable
                return len(data)
            self._buf.append(bytes(data))
            self._size += len(data)
            if self._size >= self.part_bytes:
                self._try_upload()
        return len(data)

    def flush(self) -> None:
        """Upload a part if enough time has passed since the last one."""
        if self._size and time.monotonic() - self._last >= self.roll_secs:
            self._try_upload()

    @property
    def url(self) -> str:
        proto = getattr(self.fs, "protocol", "")
        proto = proto[0] if isinstance(proto, tuple | list) else proto
        return f"{proto}://{self.path}" if proto else self.path

    def _try_upload(self) -> bool:
        """Upload the buffer as the next part; on failure keep it, warn once, and pace retries."""
        now = time.monotonic()
        if self._failing and now < self._retry_at:
            return False
        try:
            self._upload()
        except Exception as e:
            self._retry_at = now + max(self.roll_secs, 1.0)
            if not self._failing:
                self._failing = True
                warnings.warn(f"nbboard: cannot upload {self.url}: {e}. Training goes on: its records are "
                              f"kept in memory (up to {self.backlog_bytes >> 20} MiB) and uploaded, in order, "
                              "once the object store answers again.", RuntimeWarning, stacklevel=2)
            return False
        if self._failing:
            self._failing = False
            lost = (f"; {self._dropped} bytes of records over the {self.backlog_bytes >> 20} MiB buffer "
                    "were dropped (the Store has them)") if self._dropped else ""
            self._dropped = 0
            warnings.warn(f"nbboard: uploading {self.url} resumed{lost}", RuntimeWarning, stacklevel=2)
        return True

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
        """Upload whatever is left (one last try if uploads were failing; what still cannot be
        uploaded is reported, not raised: the Store has it)."""
        if self.closed:
            return
        self._retry_at = 0.0
        if self._size and not self._try_upload():
            warnings.warn(f"nbboard: closing {self.url} with {self._size} bytes of records not uploaded "
                          "(the object store does not answer); the Store has them", RuntimeWarning, stacklevel=2)
        self.closed = True


def remote_opener(run_dir: str) -> Callable[[str], RollingObjectFile]:
    """An opener for EventFileWriter: path (a URL under `run_dir`) → a RollingObjectFile."""
    import fsspec

    fs, _ = fsspec.core.url_to_fs(run_dir)

    def open_remote(path: str) -> RollingObjectFile:
        return RollingObjectFile(fs, fs._strip_protocol(path))

    return open_remote
