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
