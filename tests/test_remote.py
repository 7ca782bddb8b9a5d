"""Remote logdirs against a real S3 API (moto's server on 127.0.0.1, s3fs as the client):
reading, tailing, and SummaryWriter writing rolled part files to s3://; memory:// too."""

from __future__ import annotations

import os
import socket
import time

import numpy as np
import pytest

import nbboard
from nbboard.logdir import LogdirError, follow_into, load
from nbboard.store import Store
from nbboard.tfevents.messages import event, summary, summary_value
from nbboard.tfevents.record import frame

pytest.importorskip("moto.server")
s3fs = pytest.importorskip("s3fs")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    """A moto S3 server on a free local port; s3fs (and nbboard's fsspec calls) talk to it."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint,
           "AWS_ENDPOINT_URL_S3": endpoint, "NBBOARD_REMOTE_ROLL_SECS": "0"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    s3fs.S3FileSystem.clear_instance_cache()
    fs = s3fs.S3FileSystem(anon=False, client_kwargs={"endpoint_url": endpoint})
    fs.mkdir("bucket")
    try:
        yield fs
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        s3fs.S3FileSystem.clear_instance_cache()
        server.stop()


def _wait(cond, timeout=5.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            if cond():
                return
        except KeyError:
            pass
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_read_a_logdir_uploaded_to_s3(s3, tmp_path):
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    with TorchWriter(str(tmp_path / "a")) as w:
        for i in range(20):
            w.add_scalar("loss", 1.0 / (i + 1), i)
        w.add_image("img", np.zeros((3, 4, 4)), 3)
    s3.put(str(tmp_path) + "/", "bucket/uploaded/", recursive=True)
    store = load("s3://bucket/uploaded")
    assert store.runs() == ["a"]
    assert store.scalars("a", "loss").steps.tolist() == list(range(20))
    assert len(store.images("a", "img")) == 1
    with pytest.raises(LogdirError):
        load("s3://bucket/missing")


def test_summary_writer_to_s3_then_load_and_tail(s3, tmp_path):
    mine = Store()
    w = nbboard.SummaryWriter("s3://bucket/runs/x", store=mine)
    for i in range(10):
        w.add_scalar("loss", float(i), i)
    w.add_text("t", "hello", 1)
    w.flush()
    parts = [p for p in s3.find("bucket/runs/x") if "tfevents" in p]
    assert parts and all(".part" in p for p in parts)
    store = load("s3://bucket/runs", follow=True, interval=0.1)
    try:
        assert store.runs() == ["x"]
        assert store.scalars("x", "loss").steps.tolist() == list(range(10))
        for i in range(10, 15):
            w.add_scalar("loss", float(i), i)
        w.flush()  # a new part object
        _wait(lambda: len(store.scalars("x", "loss")) == 15)
    finally:
        store.stop_following()
        w.close()
    np.testing.assert_array_equal(store.scalars("x", "loss").values, np.arange(15.0))
    assert store.texts("x", "t")[0].text == "hello"
    parts = sorted(p for p in s3.find("bucket/runs/x") if "tfevents" in p)
    assert len(parts) >= 2  # one per flush (the header rides in the first); close had nothing left
    for p in parts:  # TensorBoard's own loader reads the parts, in name order, as one run
        s3.get(p, str(tmp_path / p.rsplit("/", 1)[-1]))
    from tests.tb import accumulator

    assert [e.step for e in accumulator(str(tmp_path)).Scalars("loss")] == list(range(15))


def test_summary_writer_to_s3_keeps_its_last_records_at_exit(s3):
    """A process that never calls close() still uploads its last part at exit (while s3fs's
    executors still take work)."""
    from tests.test_writer_thread import run_and_exit_without_close

    run_and_exit_without_close("s3://bucket/atexit/x")
    assert load("s3://bucket/atexit").scalars("x", "loss").steps.tolist() == list(range(200))


def test_follow_into_skips_this_kernels_remote_files(s3):
    store = Store("s3://bucket/mixed")
    w = nbboard.SummaryWriter("s3://bucket/mixed/mine", store=store)
    for i in range(5):
        w.add_scalar("v", float(i), i)
    w.flush()
    f = follow_into(store, "s3://bucket/mixed", interval=0.1)
    try:  # "another process" uploads an event file of its own
        data = frame(event(1.0, 0, file_version="brain.Event:2")) + frame(
            event(2.0, 0, summary_bytes=summary(summary_value("v", simple_value=1.0))))
        s3.pipe_file("bucket/mixed/other/events.out.tfevents.1.other", data)
        _wait(lambda: "other" in store.runs() and len(store.scalars("other", "v")) == 1)
        time.sleep(0.3)
    finally:
        f.stop()
        w.close()
    assert store.scalars("mine", "v").steps.tolist() == list(range(5))


def test_memory_filesystem_logdir():
    import fsspec

    fs = fsspec.filesystem("memory")
    data = frame(event(1.0, 0, file_version="brain.Event:2")) + b"".join(
        frame(event(2.0, i, summary_bytes=summary(summary_value("m", simple_value=i)))) for i in range(3))
    fs.pipe_file("/nbb-mem/r/events.out.tfevents.1.x", data)
    s = load("memory://nbb-mem")
    assert s.runs() == ["r"] and s.scalars("r", "m").values.tolist() == [0, 1, 2]


def test_file_url_logdir_is_a_local_path(tmp_path):
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    with TorchWriter(str(tmp_path / "r")) as w:
        w.add_scalar("x", 2.0, 1)
    s = load("file://" + str(tmp_path))
    assert s.runs() == ["r"] and s.scalars("r", "x").values.tolist() == [2.0]


def test_an_object_store_outage_keeps_training_and_loses_nothing(s3, monkeypatch):
    """The S3 endpoint goes away mid-run and comes back: logging calls never raise or block, one
    warning says uploads fail, one says they resumed, and every point is in the bucket, in order."""
    import warnings

    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # fail fast while down (botocore's own retries)
    s3fs.S3FileSystem.clear_instance_cache()
    fs = s3fs.S3FileSystem(anon=False, client_kwargs={"endpoint_url": endpoint})
    fs.mkdir("outage")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            w = nbboard.SummaryWriter("s3://outage/run", store=Store())
            for i in range(100):
                w.add_scalar("loss", float(i), i)
            w.flush()
            server.stop()  # the endpoint is gone: uploads fail, training goes on
            for i in range(100, 200):
                w.add_scalar("loss", float(i), i)
            w.flush()  # no exception: the records wait in memory
            for i in range(200, 300):
                w.add_scalar("loss", float(i), i)
            w.flush()
            server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
            server.start()  # back (moto keeps its buckets in this process)
            time.sleep(1.1)  # retries are paced at one per second at most
            w.flush()
            w.close()
        texts = [str(c.message) for c in caught if "nbboard" in str(c.message)]
        assert sum("cannot upload s3://outage/run/" in t for t in texts) == 1, texts
        assert sum("uploading s3://outage/run/" in t and "resumed" in t for t in texts) == 1, texts
        s3fs.S3FileSystem.clear_instance_cache()
        assert load("s3://outage").scalars("run", "loss").steps.tolist() == list(range(300))
    finally:
        server.stop()
        s3fs.S3FileSystem.clear_instance_cache()


def test_the_backlog_of_a_failing_upload_is_bounded():
    """While uploads fail, records past the backlog are dropped and counted, never half-kept."""
    import warnings

    from nbboard.tfevents.remote import RollingObjectFile

    class Flaky:
        protocol = ("s3",)
        down = True
        parts: dict[str, bytes] = {}

        def pipe_file(self, name, body):
            if self.down:
                raise ConnectionError("endpoint down")
            self.parts[name] = body

    fs = Flaky()
    f = RollingObjectFile(fs, "b/run/events.out.tfevents.1.h", part_bytes=100, roll_secs=0, backlog_bytes=250)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(5):
            f.write(b"x" * 100)  # 100 B records: two fit the 250 B backlog, three are dropped
        f.flush()
        fs.down = False
        f._retry_at = 0.0
        f.flush()
        f.close()
    texts = [str(c.message) for c in caught]
    assert len(texts) == 2 and "cannot upload s3://b/run/" in texts[0]
    assert "resumed; 300 bytes of records over the 0 MiB buffer were dropped" in texts[1]
    assert list(fs.parts) == ["b/run/events.out.tfevents.1.h.part000000"]
    assert fs.parts["b/run/events.out.tfevents.1.h.part000000"] == b"x" * 200


WRITER = """
import sys, time
import nbboard
rank = int(sys.argv[1])
w = nbboard.SummaryWriter(f"s3://bucket/eight/rank{rank}", store=nbboard.Store())
for i in range(60):
    w.add_scalar("loss", rank * 1000 + i, i)
    if i % 10 == 9:
        w.flush()
        time.sleep(0.2)
w.close()
"""


def test_eight_processes_write_one_prefix_while_a_notebook_tails_it(s3):
    """8 writer processes on one bucket prefix (each its run), a follower tailing the prefix:
    every point arrives, in order per process; new runs are picked up as they appear."""
    import subprocess
    import sys

    s3.pipe_file("bucket/eight/README", b"runs of 8 writers")  # the prefix exists before any run
    store = load("s3://bucket/eight", follow=True, interval=0.1)
    assert store.runs() == []
    try:
        procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(r)]) for r in range(8)]
        for p in procs:
            assert p.wait(timeout=240) == 0
        want = {f"rank{r}" for r in range(8)}
        _wait(lambda: want <= set(store.runs())
              and all(len(store.scalars(f"rank{r}", "loss")) == 60 for r in range(8)), timeout=30)
    finally:
        store.stop_following()
    for r in range(8):
        s = store.scalars(f"rank{r}", "loss")
        assert s.steps.tolist() == list(range(60))
        assert s.values.tolist() == [r * 1000 + i for i in range(60)]


def test_a_bucket_that_disappears_is_said_once_and_what_was_read_stays(s3, caplog):
    from nbboard.logdir.reader import LogdirReader

    s3.mkdir("goes")
    w = nbboard.SummaryWriter("s3://goes/run", store=Store())
    for i in range(5):
        w.add_scalar("loss", float(i), i)
    w.close()
    store = Store("s3://goes")
    reader = LogdirReader("s3://goes", store)
    reader.poll()
    assert store.scalars("run", "loss").steps.tolist() == list(range(5))
    s3.rm("goes", recursive=True)
    s3.invalidate_cache()
    with caplog.at_level("WARNING", logger="nbboard"):
        for _ in range(3):
            assert reader.poll() is False
    said = [r.getMessage() for r in caplog.records if "cannot list s3://goes" in r.getMessage()]
    assert len(said) == 1, said
    assert store.scalars("run", "loss").steps.tolist() == list(range(5))
