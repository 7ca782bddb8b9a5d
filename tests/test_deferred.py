"""Values logged from a device: copied behind the device's queued work, resolved off the training
thread, in order, waited for by flush/close, never read by a synchronising call.

Here (no GPU) CPU tensors are routed through the same path with `route_cpu_tensors`, whose
"device" completes when the test opens a gate: that drives the queue, the holds that keep a
tag's order, flush/close, bad input and the on-device histogram/image code (torch ops that run
on any device) against the host path. The CUDA tests at the end run where a GPU is present.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest
import torch

from nbboard import InputError, Store, SummaryWriter
from nbboard import deferred as dm
from nbboard.kinds.histograms import write as hw
from nbboard.kinds.images import write as iw
from tests.tb import accumulator

CUDA = torch.cuda.is_available()


def _scalars(store: Store, w: SummaryWriter, tag: str, run_dir: str | None = None) -> list[tuple[int, float]]:
    key = w._key if run_dir is None else __import__("nbboard").store.run_key(run_dir)
    s = store.series_for(key, tag, "scalars")
    with store.lock:
        return list(zip(map(int, s.steps), map(float, s.values)))


@pytest.fixture
def gate():
    g = threading.Event()
    with dm.route_cpu_tensors(g) as backend:
        yield g, backend


def test_nothing_lands_before_the_copy_and_later_updates_do_not_change_it(tmp_path, gate):
    g, backend = gate
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    x = torch.tensor(1.5)
    w.add_scalar("loss", x, 0)
    x.add_(10)  # an in-place update after the call: the copy was enqueued before it
    time.sleep(0.05)
    assert _scalars(store, w, "loss") == []  # the "device" has not finished: nothing yet
    assert backend.copies == 1 and backend.records == 1
    g.set()
    w.flush()
    assert _scalars(store, w, "loss") == [(0, 1.5)]
    w.close()
    ea = accumulator(tmp_path)
    assert [(e.step, e.value) for e in ea.Scalars("loss")] == [(0, 1.5)]


def test_a_tags_order_is_kept_across_device_and_host_values(tmp_path, gate):
    g, _ = gate
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_scalar("a", torch.tensor(0.0), 0)
    w.add_scalar("a", 1.0, 1)  # host value queued behind the device one
    w.add_scalar("b", 7.0, 0)  # another tag: not held, lands at once
    w.add_histogram("h", torch.arange(10.0), 0)
    w.add_histogram("h", np.arange(5.0), 1)  # host histogram behind the device one
    assert _scalars(store, w, "b") == [(0, 7.0)]
    assert _scalars(store, w, "a") == []
    g.set()
    w.close()
    assert _scalars(store, w, "a") == [(0, 0.0), (1, 1.0)]
    assert [int(s) for s in store.series(w._key, "h").steps] == [0, 1]
    ea = accumulator(tmp_path)
    assert [e.step for e in ea.Scalars("a")] == [0, 1]
    assert [e.step for e in ea.Histograms("h")] == [0, 1]
    assert not dm.DEFERRED.holds


def test_add_scalars_makes_one_copy_per_call(tmp_path, gate):
    g, backend = gate
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    losses = {f"l{i}": torch.tensor(float(i)) for i in range(20)}
    losses["host"] = 99.0
    w.add_scalars("loss", losses, 3)
    assert backend.copies == 1
    g.set()
    w.close()
    for k, v in losses.items():
        assert _scalars(store, w, "loss", str(tmp_path / f"loss_{k}")) == [(3, float(v))]


def test_one_event_per_step_and_an_idle_group_is_closed_by_the_resolver(tmp_path, gate):
    g, backend = gate
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    g.set()
    for k in range(3):
        w.add_scalar(f"m{k}", torch.tensor(float(k)), 0)
    w.add_histogram("h", torch.randn(100), 0)
    assert backend.records == 0  # step 0's group is still open
    w.add_scalar("m0", torch.tensor(5.0), 1)  # a new step closes it
    assert backend.records == 1
    deadline = time.monotonic() + 5
    while not _scalars(store, w, "m0")[1:] and time.monotonic() < deadline:
        time.sleep(0.005)  # nobody logs again: the resolver closes step 1's group itself
    assert _scalars(store, w, "m0") == [(0, 0.0), (1, 5.0)]
    assert backend.records == 2
    w.close()


def test_pinned_memory_is_allocated_once_and_reused(tmp_path, gate):
    g, backend = gate
    g.set()
    w = SummaryWriter(str(tmp_path), store=Store())
    for i in range(3 * dm.SLOTS):
        w.add_scalar("x", torch.tensor(float(i)), i)
    for i in range(400):  # ~12 KB of counts each: ~5 MB through 1 MiB chunks
        w.add_histogram("h", torch.randn(64), i)
        w.add_image("img", torch.rand(3, 64, 64), i)
    w.close()
    assert backend.allocs <= 6, backend.allocs
    ea = accumulator(tmp_path)
    assert len(ea.Scalars("x")) == 3 * dm.SLOTS and len(ea.Histograms("h")) == 400


def test_flush_and_close_wait_for_what_is_in_flight(tmp_path, gate):
    g, _ = gate
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    for i in range(100):
        w.add_scalar("x", torch.tensor(float(i)), i)
    opener = threading.Timer(0.2, g.set)
    opener.start()
    t0 = time.perf_counter()
    w.close()  # waits for the gate (the copies), then writes
    assert time.perf_counter() - t0 >= 0.15
    assert [s for s, _ in _scalars(store, w, "x")] == list(range(100))
    assert [e.step for e in accumulator(tmp_path).Scalars("x")] == list(range(100))


@pytest.mark.parametrize("call, words", [
    (lambda w: w.add_scalar("x", torch.ones(3)), "scalar_value must be a number or a one-element"),
    (lambda w: w.add_scalar("x", torch.ones(1, dtype=torch.complex64)), "scalar_value must be real"),
    (lambda w: w.add_scalar("x", torch.ones(1, device="meta")), "meta device"),
    (lambda w: w.add_scalars("m", {"a": torch.ones(2)}), "tag_scalar_dict['a']"),
    (lambda w: w.add_scalar("x", torch.ones(()), global_step=1 << 70), "global_step"),
    (lambda w: w.add_image("i", torch.ones(5, 4, 4)), "5 channels"),
    (lambda w: w.add_image("i", torch.ones(3, 4, 4), dataformats="XYZ"), "dataformats"),
    (lambda w: w.add_images("i", torch.ones(2, 2, 4, 4)), "2 channels"),
    (lambda w: w.add_histogram("h", torch.ones(0)), "values is empty"),
    (lambda w: w.add_histogram("h", torch.ones(3), bins="nope"), "bins='nope'"),
    (lambda w: w.add_histogram("h", torch.ones(3), max_bins=0), "max_bins"),
])
def test_bad_device_input_is_refused_on_the_caller(tmp_path, gate, call, words):
    g, backend = gate
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_scalar("ok", torch.tensor(1.0), 0)
    with pytest.raises(InputError, match=None) as e:
        call(w)
    assert words in str(e.value)
    assert backend.copies == 1  # nothing was enqueued for the refused call
    g.set()
    w.add_scalar("ok", torch.tensor(2.0), 1)
    w.close()
    assert [e.value for e in accumulator(tmp_path).Scalars("ok")] == [1.0, 2.0]


def test_a_value_found_bad_when_it_lands_is_dropped_with_one_warning(tmp_path, gate):
    g, _ = gate
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    g.set()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w.add_histogram("h", torch.tensor([1.0, float("nan")]), 0)
        w.add_histogram("h", torch.tensor([1.0, float("nan")]), 1)
        w.add_histogram("h", torch.tensor([1.0, 2.0]), 2)
        w.close()
    msgs = [str(c.message) for c in caught if "NaN" in str(c.message)]
    assert len(msgs) == 1 and "add_histogram" in msgs[0]
    assert [e.step for e in accumulator(tmp_path).Histograms("h")] == [2]


HIST_CASES = [
    ("normal", lambda: torch.randn(5000, dtype=torch.float32), "tensorflow", None),
    ("normal-maxbins", lambda: torch.randn(5000), "tensorflow", 40),
    ("int-bins", lambda: torch.rand(3000) * 7 - 2, 30, None),
    ("int-bins-equal", lambda: torch.full((10,), 3.25), 5, None),
    ("edges", lambda: torch.randn(1000), [-1.0, -0.5, 0.0, 0.25, 2.0], None),
    ("edges-outside", lambda: torch.randn(1000) * 3, [-1.0, 0.0, 1.0], None),
    ("ints", lambda: torch.randint(-50, 50, (2000,)), "tensorflow", None),
    ("bool", lambda: torch.rand(100) > 0.3, 4, None),
    ("half", lambda: torch.randn(700).half(), 16, None),
    ("bf16-rule", lambda: torch.randn(700).bfloat16(), "auto", None),
    ("rule-fd", lambda: torch.randn(700), "fd", 10),
    ("on-an-edge", lambda: torch.tensor([0.0, 1.0, 2.0, 3.0, 4.0]), [0.0, 2.0, 4.0], None),
]


@pytest.mark.parametrize("name, make, bins, max_bins", HIST_CASES, ids=[c[0] for c in HIST_CASES])
def test_device_histogram_equals_the_host_one(name, make, bins, max_bins):
    torch.manual_seed(len(name))
    v = make()
    packed, build = hw.device_histogram(v, bins, max_bins)
    got = build(packed.clone())
    host = v.float().numpy() if v.dtype == torch.bfloat16 else v.numpy()
    want = hw.make_histogram(host, bins, max_bins)
    np.testing.assert_array_equal(got.bucket_limit, want.bucket_limit)
    np.testing.assert_array_equal(got.bucket, want.bucket)
    assert (got.min, got.max, got.num) == (want.min, want.max, want.num)
    assert got.sum == pytest.approx(want.sum, rel=1e-12, abs=1e-9)
    assert got.sum_squares == pytest.approx(want.sum_squares, rel=1e-12)
    if isinstance(bins, str) and bins != "tensorflow":
        assert packed.numel() == v.numel()  # a numpy rule needs the values themselves
    else:
        n_edges = len(hw.TENSORFLOW_BINS) if bins == "tensorflow" else (
            len(bins) if isinstance(bins, list) else bins + 1)
        assert packed.numel() < 5 + 2 * n_edges  # counts (and int-bin edges) only


IMAGE_CASES = [
    ("float", lambda: torch.rand(3, 9, 7), "CHW"),
    ("float-out-of-range", lambda: torch.randn(3, 9, 7) * 2, "CHW"),
    ("nan-inf", lambda: torch.tensor([[float("nan"), float("inf")], [-float("inf"), 0.5]]), "HW"),
    ("uint8", lambda: torch.randint(0, 256, (9, 7, 3), dtype=torch.uint8), "HWC"),
    ("bool", lambda: torch.rand(1, 5, 5) > 0.5, "CHW"),
    ("double", lambda: torch.rand(4, 6, dtype=torch.float64), "HW"),
    ("bf16", lambda: torch.rand(3, 5, 5).bfloat16(), "CHW"),
    ("int", lambda: torch.randint(0, 3, (3, 5, 5)), "CHW"),
    ("grid", lambda: torch.rand(11, 3, 4, 5), "NCHW"),
    ("grid-nhwc-grey", lambda: torch.rand(3, 4, 5, 1), "NHWC"),
]


@pytest.mark.parametrize("name, make, fmt", IMAGE_CASES, ids=[c[0] for c in IMAGE_CASES])
def test_device_image_equals_the_host_one(name, make, fmt):
    torch.manual_seed(len(name))
    v = make()
    method = "add_images" if len(fmt) == 4 else "add_image"
    src, build = iw.device_image(v, fmt, method=method)
    assert src.dtype == torch.uint8 and tuple(src.shape) == tuple(v.shape)
    got = build(src.clone())
    want = iw.make_image(v, fmt, method=method)
    np.testing.assert_array_equal(got._array, want._array)


def test_device_tensor_and_image_reach_the_files(tmp_path, gate):
    g, _ = gate
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    t = torch.arange(6, dtype=torch.int32).reshape(2, 3)
    w.add_tensor("t", t, 0)
    t.zero_()
    img = torch.rand(3, 8, 8)
    w.add_image("img", img, 0)
    g.set()
    w.close()
    ea = accumulator(tmp_path)
    from tensorboard.util import tensor_util

    np.testing.assert_array_equal(tensor_util.make_ndarray(ea.Tensors("t")[0].tensor_proto),
                                  np.arange(6, dtype=np.int32).reshape(2, 3))
    assert ea.Images("img")[0].width == 8
    rec = store.series(w._key, "img").values[0]
    np.testing.assert_array_equal(rec.array, iw.make_image(img).array)


def test_a_forked_child_starts_with_nothing_in_flight(tmp_path, gate):
    g, _ = gate
    w = SummaryWriter(str(tmp_path), store=Store())
    w.add_scalar("x", torch.tensor(1.0), 0)
    r, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.write(wfd, f"{len(dm.DEFERRED.queue)} {len(dm.DEFERRED.holds)}".encode())
        os._exit(0)
    os.close(wfd)
    got = os.read(r, 100).decode()
    os.waitpid(pid, 0)
    assert got == "0 0"
    g.set()
    w.close()
    assert [e.value for e in accumulator(tmp_path).Scalars("x")] == [1.0]


def test_values_in_flight_at_exit_reach_the_file(tmp_path):
    script = (
        "import threading, torch\n"
        "from nbboard import SummaryWriter, deferred as dm\n"
        "g = threading.Event()\n"
        "cm = dm.route_cpu_tensors(g); cm.__enter__()\n"
        f"w = SummaryWriter({str(tmp_path)!r})\n"
        "for i in range(50): w.add_scalar('x', torch.tensor(float(i)), i)\n"
        "threading.Timer(0.3, g.set).start()\n"  # the copies land after the script's end
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert [e.step for e in accumulator(tmp_path).Scalars("x")] == list(range(50))


# ---- on a GPU ---------------------------------------------------------------------------------
cuda = pytest.mark.skipif(not CUDA, reason="needs a CUDA device")


@cuda
def test_cuda_logging_never_synchronises_and_logs_the_value_at_call_time(tmp_path):
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    dev = torch.device("cuda")
    x = torch.randn(256, 256, device=dev)
    lin = torch.nn.Linear(64, 64, device=dev)

    def calls(step: int, loss: torch.Tensor, want: torch.Tensor) -> None:
        w.add_scalar("loss", loss, step)
        loss.add_(100.0)  # in place, after the call: must not change what was logged
        w.add_scalars("many", {f"m{i}": want * i for i in range(20)}, step)
        w.add_histogram("weight", lin.weight, step)
        w.add_histogram("weight-int-bins", lin.weight, step, bins=17)
        w.add_image("img", torch.rand(3, 16, 16, device=dev), step)
        w.add_images("imgs", torch.rand(4, 3, 8, 8, device=dev), step)
        w.add_tensor("t", lin.bias, step)

    # once first: pinned pool, and CUDA's lazy loading of each kernel's module (which can wait
    # for the device once per kernel, in any program)
    calls(0, torch.ones((), device=dev), torch.ones((), device=dev))
    w.flush()
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        torch.cuda._sleep(200_000_000)  # keep the stream busy (~0.1 s): the copies wait behind it
        loss = (x @ x).mean()
        want = loss.clone()
        calls(1, loss, want)
        returned = time.perf_counter()
        assert _scalars(store, w, "loss") == [(0, 1.0)]  # step 1: not before the device got there
    finally:
        torch.cuda.set_sync_debug_mode(0)
    w.flush()
    resolved = time.perf_counter() - returned
    assert _scalars(store, w, "loss")[1:] == [(1, pytest.approx(float(want.cpu()), rel=1e-6))]
    for i in range(20):
        got = _scalars(store, w, "many", str(tmp_path / f"many_m{i}"))[1:]
        assert got == [(1, pytest.approx(float(want.cpu()) * i, rel=1e-6))]
    h = store.series(w._key, "weight").values[1]
    ref = hw.make_histogram(lin.weight.detach().cpu().numpy())
    np.testing.assert_array_equal(h.bucket, ref.bucket)
    np.testing.assert_array_equal(h.bucket_limit, ref.bucket_limit)
    h17 = store.series(w._key, "weight-int-bins").values[1]
    np.testing.assert_array_equal(h17.bucket, hw.make_histogram(lin.weight.detach().cpu().numpy(), 17).bucket)
    w.close()
    ea = accumulator(tmp_path)
    assert [e.step for e in ea.Scalars("loss")] == [0, 1]
    assert len(ea.Images("imgs")) == 2
    print(f"cuda: resolved {resolved * 1e3:.1f} ms after the calls returned (stream busy ~100 ms)")


@cuda
def test_cuda_order_and_flush_under_a_busy_stream(tmp_path):
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    dev = torch.device("cuda")
    for i in range(500):
        if i % 100 == 0:
            torch.cuda._sleep(5_000_000)
        w.add_scalar("x", torch.tensor(float(i), device=dev) if i % 3 else float(i), i)
    w.flush()
    assert _scalars(store, w, "x") == [(i, float(i)) for i in range(500)]
    w.close()
