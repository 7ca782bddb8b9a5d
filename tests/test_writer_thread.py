"""The event writer thread and event files: what a process that exits without close() leaves,
where a new remote file's first upload happens, and how one file's failure stays its own."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import fsspec
import numpy as np
import pytest

from nbboard.logdir import load
from nbboard.tfevents import filewriter as fw
from nbboard.tfevents.reader import scan_records
from nbboard.tfevents.remote import RollingObjectFile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

EXIT_WITHOUT_CLOSE = textwrap.dedent("""
    import sys
    import nbboard
    from nbboard.store import Store

    w = nbboard.SummaryWriter(sys.argv[1], store=Store())
    for i in range(200):
        w.add_scalar("loss", float(i), i)
""")


def run_and_exit_without_close(url: str, env: dict[str, str] | None = None) -> None:
    """Log 200 scalars to `url` in a fresh interpreter that exits without close()/flush()."""
    env = dict(os.environ if env is None else env, NBBOARD_REMOTE_ROLL_SECS="1000")
    r = subprocess.run([sys.executable, "-c", EXIT_WITHOUT_CLOSE, url], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "failed" not in r.stderr, r.stderr


def test_remote_records_survive_exit_without_close(tmp_path):
    (tmp_path / "run").mkdir()  # a local:// "object store" (fsspec's LocalFileSystem) outlives the child
    run_and_exit_without_close(f"local://{tmp_path}/run")
    parts = sorted(os.listdir(tmp_path / "run"))
    assert parts and all(".part" in p for p in parts)
    s = load(str(tmp_path), progress=False)
    assert s.scalars("run", "loss").steps.tolist() == list(range(200))


def test_new_remote_file_is_uploaded_by_the_writer_thread(tmp_path):
    fs = fsspec.filesystem("memory")
    root = f"/nbb-fresh-{os.getpid()}"
    t = fw.EventWriterThread(interval=1000)
    f = fw.EventFileWriter(root, opener=lambda p: RollingObjectFile(fs, p, roll_secs=1000), owner=t)
    try:
        assert fs.find(root) == []  # nothing uploaded on the caller's thread
        t.queue.append((f.index, 1.0, 3, "loss", 0.5, None))
        t.flush()  # the first drain uploads the header together with the records
        (part,) = fs.find(root)
        assert scan_records(fs.cat_file(part), final=True).starts.size == 2
        t.flush()  # nothing new: no header-only or empty part follows
        assert len(fs.find(root)) == 1
    finally:
        t.close()
        f.close()
        fs.rm(root, recursive=True)


def test_new_remote_file_without_records_is_uploaded_by_a_drain():
    fs = fsspec.filesystem("memory")
    root = f"/nbb-empty-{os.getpid()}"
    t = fw.EventWriterThread(interval=1000)
    f = fw.EventFileWriter(root, opener=lambda p: RollingObjectFile(fs, p, roll_secs=0), owner=t)
    try:
        assert fs.find(root) == []
        t.drain()
        assert len(fs.find(root)) == 1  # the run shows up although nothing was logged yet
    finally:
        t.close()
        f.close()
        fs.rm(root, recursive=True)


def test_new_local_file_holds_its_header_at_once(tmp_path):
    f = fw.EventFileWriter(str(tmp_path))
    try:
        (path,) = tmp_path.iterdir()
        assert scan_records(path.read_bytes(), final=True).starts.size == 1
    finally:
        f.close()


def test_close_forgets_the_thread_even_when_its_flush_raises():
    t = fw.EventWriterThread(interval=1000)
    t._error = OSError("disk full")
    with pytest.raises(RuntimeError, match="disk full"):
        t.close()
    assert t not in fw._live


class _Broken:
    """A file object whose writes fail (a full disk, a lost mount)."""

    def write(self, data: bytes) -> int:
        raise OSError("broken file")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_one_files_write_error_keeps_the_other_files_records(tmp_path):
    good = fw.EventFileWriter(str(tmp_path / "good"))
    bad = fw.EventFileWriter(str(tmp_path / "bad"))
    bad._fh = _Broken()
    t = fw.EventWriterThread(interval=1000)
    try:
        for i in range(5):
            for f in (bad, good):  # the broken file comes first in the drain
                t.queue.append((f.index, 1.0, i, "loss", float(i), None))
        with pytest.raises(RuntimeError, match="broken file"):
            t.flush()
        t.queue.append((good.index, 1.0, 5, "loss", 5.0, None))
        t.flush()  # the error was reported once; the next drains carry on
    finally:
        t.close()
        good.close()
        bad.close()
    s = load(str(tmp_path / "good"), progress=False)
    np.testing.assert_array_equal(s.scalars(".", "loss").steps, np.arange(6))
