"""Where a logdir's files are: listing event files (and the side files kinds read) and ranged
reads, on the local disk or through fsspec (s3://, gs://, memory://, file://)."""

from __future__ import annotations

import fnmatch
import logging
import os
from typing import TYPE_CHECKING

from nbboard.tfevents.journal import is_journal, recover

if TYPE_CHECKING:
    from nbboard.tfevents.reader import Buffers

log = logging.getLogger("nbboard.logdir")


class LogdirError(OSError):
    """The logdir does not exist or cannot be listed (the one error `load` raises)."""


def is_event_file(name: str) -> bool:
    """TensorBoard's rule: an event file's name contains 'tfevents'."""
    return "tfevents" in name


class LocalFS:
    """Listing and ranged reads on the local disk; `side` holds the files beside the event files
    that match a kind's patterns (path -> (run relative dir, pattern, mtime, size))."""

    def __init__(self, root: str, side_patterns: tuple[str, ...] = ()) -> None:
        self.root = os.path.abspath(os.path.expanduser(root))
        self.side_patterns = side_patterns
        self.side: dict[str, tuple[str, str, float, int]] = {}
        self._unreadable: set[str] = set()  # folders reported as unreadable (once each)

    def check(self) -> None:
        if not os.path.isdir(self.root):
            if os.path.exists(self.root):
                raise LogdirError(f"nbboard: logdir {self.root!r} is not a directory")
            raise LogdirError(f"nbboard: logdir {self.root!r} does not exist")
        try:
            os.listdir(self.root)
        except OSError as e:
            raise LogdirError(f"nbboard: cannot list logdir {self.root!r}: {e}") from e

    def list(self) -> list[tuple[str, str, int]]:
        """(run relative dir, file path, size) of every event file under the root."""
        out = []
        side = {}
        journals = []
        stack = [self.root]
        while stack:
            d = stack.pop()
            try:
                it = os.scandir(d)
            except OSError as e:  # no read permission, or gone: its runs are left out, said once
                if d not in self._unreadable and os.path.exists(d):
                    self._unreadable.add(d)
                    log.warning("nbboard: cannot read the folder %s (%s); the runs in it are left out",
                                d, e.strerror or e)
                continue
            self._unreadable.discard(d)
            with it:
                for e in it:
                    try:
                        if e.is_dir(follow_symlinks=False):
                            stack.append(e.path)
                        elif is_event_file(e.name) and e.is_file():
                            rel = os.path.relpath(d, self.root).replace(os.sep, "/")
                            out.append((rel, e.path, e.stat().st_size))
                        elif is_journal(e.name):
                            journals.append(e.path)
                        elif self.side_patterns:
                            pattern = _side_pattern(e.name, self.side_patterns)
                            if pattern is not None and e.is_file():
                                rel = os.path.relpath(d, self.root).replace(os.sep, "/")
                                stt = e.stat()
                                side[e.path] = (rel, pattern, stt.st_mtime, stt.st_size)
                    except OSError:
                        continue
        for j in journals:  # a crashed writer's journal: its points the files lack, recovered
            for path in recover(j):
                rel = os.path.relpath(os.path.dirname(path), self.root).replace(os.sep, "/")
                out.append((rel, path, os.path.getsize(path)))
        self.side = side
        return out

    def run_key(self, rel: str) -> str:
        return self.root if rel == "." else os.path.normpath(os.path.join(self.root, rel))

    def full(self, path: str) -> str:
        return os.path.abspath(path)

    @staticmethod
    def read_range(path: str, start: int, length: int) -> bytes:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            f.seek(start)
            return f.read(max(min(length, size - start), 0))  # read(n) would allocate all n

    @staticmethod
    def read_into(path: str, start: int, length: int, buffers: Buffers) -> memoryview:
        """`read_range` into a buffer of `buffers` (reused: no fresh pages to fault in)."""
        with open(path, "rb") as f:
            n = max(min(length, os.fstat(f.fileno()).st_size - start), 0)
            view = memoryview(buffers.take(n))[:n]
            f.seek(start)
            got = 0
            while got < n:
                k = f.readinto(view[got:])
                if not k:
                    break
                got += k
            return view[:got]


class RemoteFS:
    """Listing and ranged reads through fsspec (object stores, memory://, ...)."""

    side: dict[str, tuple[str, str, float, int]] = {}  # side files are read from local runs only
    read_into = None  # fsspec's ranged reads return bytes: no buffers to read into

    def __init__(self, url: str) -> None:
        import fsspec

        self.url = url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self.root = self.root.rstrip("/")
        self.protocol = self.url.split("://", 1)[0]
        self._failing = False  # the last listing failed (warned)

    def check(self) -> None:
        try:
            self.fs.invalidate_cache()
            if not self.fs.isdir(self.root):
                raise LogdirError(f"nbboard: logdir {self.url!r} does not exist")
        except LogdirError:
            raise
        except Exception as e:
            raise LogdirError(f"nbboard: cannot list logdir {self.url!r}: {e!r}") from e

    def list(self) -> list[tuple[str, str, int]]:
        try:
            self.fs.invalidate_cache()
            found = self.fs.find(self.root, detail=True)
        except Exception as e:  # a flaky listing or a bucket gone: said once, tried at each poll
            if not self._failing:
                self._failing = True
                log.warning("nbboard: cannot list %s (%s); what was read stays, and listing is "
                            "retried at each poll", self.url, e)
            return []
        if self._failing:
            self._failing = False
            log.warning("nbboard: listing %s works again", self.url)
        out = []
        for path, info in found.items():
            base = path.rsplit("/", 1)[-1]
            if not is_event_file(base) or info.get("type") == "directory":
                continue
            d = path.rsplit("/", 1)[0] if "/" in path else ""
            rel = "." if d == self.root else d[len(self.root) + 1 :] if d.startswith(self.root + "/") else None
            if rel is None:
                continue
            out.append((rel, path, int(info.get("size") or 0)))
        return out

    def run_key(self, rel: str) -> str:
        return self.url if rel == "." else self.url + "/" + rel

    def full(self, path: str) -> str:
        return self.fs._strip_protocol(path)

    def read_range(self, path: str, start: int, length: int) -> bytes:
        try:
            return self.fs.cat_file(path, start=start, end=start + length)
        except FileNotFoundError:
            return b""


def _side_pattern(name: str, patterns: tuple[str, ...]) -> str | None:
    for p in patterns:
        if fnmatch.fnmatchcase(name, p):
            return p
    return None


def filesystem(logdir: str, side_patterns: tuple[str, ...] = ()) -> LocalFS | RemoteFS:
    """The file system a logdir (path or URL) is on; local ones also list the side files that
    match `side_patterns`."""
    if logdir.startswith("file://"):
        return LocalFS(logdir[len("file://") :], side_patterns)
    if "://" in logdir:
        return RemoteFS(logdir)
    return LocalFS(logdir, side_patterns)


def store_root(logdir: str) -> str:
    """The Store logdir for `logdir` (file:// URLs become local paths)."""
    logdir = os.fspath(logdir)
    return logdir[len("file://") :] if logdir.startswith("file://") else logdir
