"""The profiler kind: torch.profiler traces read from a logdir and recorded by nbboard's handler,
and their analysis checked against torch (`key_averages()`) and torch-tb-profiler's parser."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import time

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

import nbboard  # noqa: E402
from nbboard.kinds.profiler import NAME  # noqa: E402
from nbboard.kinds.profiler.analysis import ROLES, analyse, of  # noqa: E402
from nbboard.kinds.profiler.compare import FIELDS, compare, op_table  # noqa: E402
from nbboard.kinds.profiler.feed import encode  # noqa: E402
from nbboard.kinds.profiler.record import CAT, FLOW_KINDS  # noqa: E402
from nbboard.kinds.profiler.trace import (  # noqa: E402
    TraceError,
    bind_points,
    parse_trace,
    read_trace,
    worker_of,
)
from tests.profiler_model import profile_training  # noqa: E402


@pytest.fixture(scope="module")
def profiled(tmp_path_factory):
    """A real profiled run (a CNN on digits, 2 cycles of 2 active steps) through nbboard's
    handler, with torch's key_averages() of each cycle; its traces gzipped into another logdir
    under another worker's name (a trace is exported once: these are the bytes torch's
    `tensorboard_trace_handler(use_gzip=True)` would write)."""
    root = tmp_path_factory.mktemp("prof")
    store = nbboard.Store()
    writer = nbboard.SummaryWriter(str(root / "nb"), store=store)
    handler = writer.profiler_handler(worker_name="w0")
    averages = []

    def on_ready(prof):
        averages.append({e.key: e for e in prof.key_averages()})
        handler(prof)

    profile_training(on_ready)
    writer.close()
    (root / "torch" / "run").mkdir(parents=True)
    for f in sorted(os.listdir(root / "nb")):
        if f.endswith(".pt.trace.json"):
            data = (root / "nb" / f).read_bytes()
            (root / "torch" / "run" / ("w1" + f[2:] + ".gz")).write_bytes(gzip.compress(data))
    return {"root": root, "store": store, "writer": writer, "handler": handler, "averages": averages}


def _series(p):
    store = p["store"]
    run = store.runs()[0]
    return store.profiles(run, "w0")


def test_handler_records_each_cycle_and_writes_torchs_file(profiled):
    s = _series(profiled)
    assert s.steps.tolist() == [3, 7]  # the last ProfilerStep of each cycle
    names = sorted(os.listdir(profiled["root"] / "nb"))
    traces = [n for n in names if n.endswith(".pt.trace.json")]
    assert len(traces) == 2 and all(n.startswith("w0.") and n.split(".")[1].isdigit() for n in traces)
    assert profiled["handler"].errors == []
    # the file is kineto's JSON as torch writes it: its own loader reads it
    with open(profiled["root"] / "nb" / traces[0]) as fh:
        doc = json.load(fh)
    assert doc["traceEvents"] and doc["profile_memory"] == 1


def test_operators_equal_key_averages(profiled):
    """Every host op group: calls, self and total CPU time and self CPU memory equal torch's
    key_averages() for the same cycle (1 µs or 0.5 %)."""
    for rec, avg in zip(_series(profiled).values, profiled["averages"]):
        a = of(rec)
        assert len(a.operators) > 40
        seen = 0
        for o in a.operators:
            k = avg[o["name"]]
            assert k.count == o["calls"], o["name"]
            for mine, theirs in ((o["host_self"], k.self_cpu_time_total), (o["host_total"], k.cpu_time_total)):
                assert abs(mine - theirs) <= max(1.0, 0.005 * abs(theirs)), (o["name"], mine, theirs)
            assert o["self_memory"] == k.self_cpu_memory_usage, o["name"]
            seen += 1
        ops = {k for k, e in avg.items() if k.startswith("aten::")}
        assert ops <= {o["name"] for o in a.operators}
        assert seen == len(a.operators)


def test_by_shape_groups_add_up(profiled):
    a = of(_series(profiled).values[-1])
    for o in a.operators:
        parts = [x for x in a.operators_by_shape if x["name"] == o["name"]]
        assert sum(x["calls"] for x in parts) == o["calls"]
        assert abs(sum(x["host_total"] for x in parts) - o["host_total"]) < 1e-6
    conv = [x for x in a.operators_by_shape if x["name"] == "aten::conv2d"]
    assert {x["shape"] for x in conv} >= {"[[32, 1, 8, 8], [16, 1, 3, 3], [16], [], [], [], []]"}


def _tb_normalised(path, out):
    """The trace with kineto's current category names as torch-tb-profiler 0.4.3 reads them: it
    drops `user_annotation` events (record_function, the DataLoader's __next__) and does not know
    `cuda_runtime`, which it reads as `Runtime` and `cpu_op`."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as fh:
        doc = json.load(fh)
    for e in doc["traceEvents"]:
        if e.get("cat") == "user_annotation" and not e["name"].startswith("ProfilerStep#"):
            e["cat"] = "cpu_op"
        elif e.get("cat") in ("cuda_runtime", "cuda_driver"):
            e["cat"] = "Runtime"
    with open(out, "w") as fh:
        json.dump(doc, fh)
    return str(out)


def _tb_breakdown(path, tmp_path):
    from torch_tb_profiler.profiler.data import RunProfileData
    from torch_tb_profiler.profiler.event_parser import ProfileRole

    data = RunProfileData.parse("w", None, path, str(tmp_path))
    out = []
    for name, c in zip(data.steps_names, data.steps_costs):
        row = {r: c.costs[i] for i, r in enumerate(ROLES)}
        row["duration"] = c.costs[ProfileRole.Total]
        row["name"] = name
        out.append(row)
    return out


def _close(mine, theirs):
    assert [s["name"] for s in mine] == [s["name"] for s in theirs]
    for m, t in zip(mine, theirs):
        for r in (*ROLES, "duration"):
            assert abs(m[r] - t[r]) <= max(1.0, 0.005 * abs(t[r])), (m["name"], r, m[r], t[r])


def test_step_breakdown_equals_torch_tb_profiler(profiled, tmp_path):
    pytest.importorskip("torch_tb_profiler")
    run = profiled["root"] / "torch" / "run"
    for f in sorted(os.listdir(run)):
        src = run / f
        mine = analyse(read_trace(str(src))).steps
        theirs = _tb_breakdown(_tb_normalised(src, tmp_path / "n.pt.trace.json"), tmp_path)
        for s in mine:  # ours are relative to the trace start; compare the figures
            s.pop("start")
        _close(mine, theirs)
        assert all(s["dataloader"] > 0 and s["cpu_exec"] > 0 for s in mine)


def test_load_and_board_read_torchs_trace_files(profiled):
    store = nbboard.load(str(profiled["root"] / "torch"))
    assert store.runs() == ["run"]
    assert store.tags("run") == {NAME: ["w1"]}
    s = store.profiles("run", "w1")
    assert s.steps.tolist() == [3, 7] and s.values[0].file.endswith(".pt.trace.json.gz")


def test_torchs_own_handler_is_read(tmp_path):
    """Unchanged torch code: tensorboard_trace_handler's files are read by nbboard.load."""
    profile_training(torch.profiler.tensorboard_trace_handler(str(tmp_path / "exp")), repeat=1,
                     with_stack=False)
    store = nbboard.load(str(tmp_path))
    (tag,) = store.tags("exp")[NAME]
    rec = store.profiles("exp", tag).values[0]
    assert store.profiles("exp", tag).steps.tolist() == [3] and of(rec).steps[-1]["name"] == "3"
    assert of(rec).operators and not of(rec).span["recorded"]["with_stack"]


def test_the_same_profile_both_ways(profiled):
    """nbboard's handler and torch's handler give the same record for the same cycle."""
    store = nbboard.load(str(profiled["root"] / "torch"))
    for mine, theirs in zip(_series(profiled).values, store.profiles("run", "w1").values):
        assert mine.names == theirs.names and np.array_equal(mine.dur, theirs.dur)
        assert of(mine).steps == of(theirs).steps


def test_tailing_picks_up_a_trace_written_later(profiled, tmp_path):
    run = tmp_path / "logs" / "exp"
    run.mkdir(parents=True)
    store = nbboard.load(str(tmp_path / "logs"), follow=True)
    try:
        src = next((profiled["root"] / "torch" / "run").iterdir())
        shutil.copy(src, run / "other_1.123.pt.trace.json.gz")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if "exp" in store.runs() and NAME in store.tags("exp"):
                break
            time.sleep(0.1)
        assert store.tags("exp") == {NAME: ["other_1"]}
    finally:
        store.stop_following()


def test_memory_modules_and_recommendations(profiled):
    a = of(_series(profiled).values[-1])
    cpu = a.memory["CPU"]
    assert cpu["peak"] > 0 and len(cpu["t"]) == cpu["events"] and max(cpu["allocated"]) == cpu["peak"]
    assert a.top_allocators[0]["bytes"] >= a.top_allocators[-1]["bytes"] > 0
    paths = [m["path"] for m in a.modules]
    assert "Net_0/Sequential_0/Conv2d_0" in paths and "Net_0/Sequential_1/Linear_0" in paths
    net = next(m for m in a.modules if m["path"] == "Net_0")
    assert net["calls"] == 2 and net["host_total"] > 0
    ids = {r["id"] for r in a.recommendations}
    assert "cpu_bound" in ids and ("dataloader" in ids) == (a.average["dataloader"] / a.average["duration"] > 0.05)
    assert all(r["figure"] for r in a.recommendations)
    conv = next(o for o in a.operators if o["name"] == "aten::conv2d")
    assert conv["module"].startswith("Net_0 › Sequential_0 › Conv2d_")
    assert any("profiler_model.py" in f for f in conv["stack"])


def test_feed_is_json(profiled):
    rec = _series(profiled).values[0]
    meta, parts = encode(rec)
    assert json.loads(json.dumps(meta))["worker"] == "w0"
    assert {"steps", "operators", "memory", "modules", "recommendations", "timeline"} <= set(meta)
    # the timeline: every duration event but the profiler's own span, as columns
    n = meta["timeline"]["n"]
    assert n == len(rec.name) - 1
    start = np.frombuffer(parts[0], np.float64)
    dur = np.frombuffer(parts[1], np.float32)
    names = np.frombuffer(parts[2], np.int32)
    depth = np.frombuffer(parts[4], np.int32)
    assert len(start) == len(dur) == len(names) == n and start.min() == 0
    steps = [i for i, k in enumerate(names) if meta["timeline"]["names"][k].startswith("ProfilerStep#")]
    assert len(steps) == 2 and depth.max() > 3


def test_memory_per_event(profiled):
    rec = _series(profiled).values[0]
    per = rec.nbytes / len(rec)
    assert per < 56  # 49 bytes per duration event, 38 per memory event (record.py)


def test_recommendations_name_their_figure():
    from nbboard.kinds.profiler.analysis import recommendations

    avg = {"duration": 1000.0, "dataloader": 300.0, "cpu_exec": 600.0, "runtime": 50.0, "kernel": 100.0,
           "memcpy": 150.0, "memset": 0.0}
    kern = [{"calls": 5000, "mean": 4.0, "total": 20000.0, "tensor_cores": False}]
    ops = [{"name": "aten::mm", "device_total": 15000.0, "types": '["float", "float"]'}]
    recs = {r["id"]: r["figure"] for r in recommendations(avg, kern, ops, 10, True)}
    assert recs == {
        "dataloader": "30.0% of the step in DataLoader",
        "utilisation": "device busy 25.0% of the step",
        "tiny_kernels": "5000 of 5000 kernels under 10 µs (500 per step)",
        "memcpy": "15.0% of the step in memcpy",
        "fp32_matmul": "75.0% of kernel time in float32 matmuls/convolutions, 0.0% on tensor cores",
        "cpu_bound": "host 65.0% vs kernels 10.0% of the step",
    }
    assert [r["id"] for r in recommendations({"duration": 100.0, "cpu_exec": 90.0}, [], [], 1, False)] == ["cpu_bound"]


# ---- bad input ---------------------------------------------------------------------------------
def test_bad_trace_files_say_what_is_wrong(tmp_path):
    with pytest.raises(TraceError, match="empty"):
        parse_trace(b"")
    with pytest.raises(TraceError, match="not JSON or truncated"):
        parse_trace(b'{"traceEvents": [{"ph": "X", "name": "a"')
    with pytest.raises(TraceError, match="not a PyTorch profiler trace"):
        parse_trace(b'{"traceEvents": {"not": "a list"}}')
    with pytest.raises(TraceError, match="not a PyTorch profiler trace"):
        parse_trace(b'{"events": []}')
    p = tmp_path / "w.1.pt.trace.json.gz"
    p.write_bytes(gzip.compress(b'{"traceEvents": []}')[:10])
    with pytest.raises(TraceError, match="gzip"):
        read_trace(str(p))


def _good_bad_empty(profiled, tmp_path):
    """Run folder `run` under tmp_path: a good gzipped trace, a cut-off one and an empty profile;
    returns the good trace's source file."""
    run = tmp_path / "run"
    run.mkdir()
    src = next((profiled["root"] / "torch" / "run").iterdir())
    shutil.copy(src, run / "good.1.pt.trace.json.gz")
    (run / "bad.2.pt.trace.json").write_text('{"traceEvents": [')
    (run / "empty.3.pt.trace.json").write_text('{"traceEvents": []}')
    return src


def test_a_bad_file_loses_nothing_else(profiled, tmp_path, caplog):
    _good_bad_empty(profiled, tmp_path)
    store = nbboard.load(str(tmp_path))
    assert store.tags("run") == {NAME: ["good"]}
    text = caplog.text
    assert "bad.2.pt.trace.json: not JSON or truncated" in text and "empty profile" in text


def test_unreadable_traces_reach_inspect_and_the_page_until_fixed(profiled, tmp_path):
    """Each unreadable trace file is a problem of its run (Store.problems): `nbboard inspect`
    lists it, the profiler's feed sends it to the page; rewritten whole and read again, it is
    gone from both and its profile arrives."""
    import io

    from nbboard.cli import inspect_logdir
    from nbboard.logdir import read_logdir
    from nbboard.widgets.feeds import RecordFeed

    good = _good_bad_empty(profiled, tmp_path)
    reader = read_logdir(str(tmp_path), progress=False)
    store = reader.store
    assert [(p["run"], p["file"], p["kind"]) for p in store.problems()] == [
        ("run", "bad.2.pt.trace.json", NAME), ("run", "empty.3.pt.trace.json", NAME)]
    assert "not JSON or truncated" in store.problems()[0]["message"]
    assert "an empty profile" in store.problems()[1]["message"]
    out = io.StringIO()
    inspect_logdir(str(tmp_path), out, progress=False)
    assert "unreadable: 2 file(s)" in out.getvalue()
    assert "run/bad.2.pt.trace.json (pytorch_profiler): bad.2.pt.trace.json: not JSON or truncated" in out.getvalue()
    feed = RecordFeed(store, (NAME,))
    content, _ = feed.poll()
    assert [p["file"] for p in content["problems"]] == ["bad.2.pt.trace.json", "empty.3.pt.trace.json"]
    assert feed.poll() is None  # sent once
    assert RecordFeed(store, ("images",)).poll() is None  # not the images view's business

    with gzip.open(good) as fh:
        (tmp_path / "run" / "bad.2.pt.trace.json").write_bytes(fh.read())
    reader.poll()
    assert [p["file"] for p in store.problems()] == ["empty.3.pt.trace.json"]
    content, _ = feed.poll()
    assert [p["file"] for p in content["problems"]] == ["empty.3.pt.trace.json"]
    assert sorted(len(r[6]) for r in content["series"]) == [1]  # the fixed file's profile


def test_worker_names():
    assert worker_of("/x/host_12.1796469192275276392.pt.trace.json") == "host_12"
    assert worker_of("host_12.1796469192275276392.pt.trace.json.gz") == "host_12"
    assert worker_of("rank0.pt.trace.json") == "rank0"


# ---- CUDA, in kineto's documented format (no GPU on this machine) ------------------------------
def _ac2g(corr: int, launch: tuple, device: tuple) -> list[dict]:
    """The flow pair kineto writes for one launch: "s" at the runtime call, "f" (bp "e") at the
    device work it launched, both with the correlation id as the flow's id."""
    return [{"ph": "s", "id": corr, "pid": launch[0], "tid": launch[1], "ts": launch[2], "cat": "ac2g", "name": "ac2g"},
            {"ph": "f", "id": corr, "pid": device[0], "tid": device[1], "ts": device[2], "cat": "ac2g",
             "name": "ac2g", "bp": "e"}]


def cuda_trace() -> dict:
    """Two steps of a CUDA trace as kineto writes one: host ops launching kernels and a copy
    through cuda_runtime calls (linked by correlation and External id, and by ac2g flows), on
    stream 7 of GPU 0."""
    ev: list[dict] = [{"ph": "M", "name": "process_name", "pid": 0, "tid": 0, "args": {"name": "GPU 0"}}]
    t = 1000.0
    corr = 1
    ext = 1
    for step in (1, 2):
        ev.append({"ph": "X", "cat": "user_annotation", "name": f"ProfilerStep#{step}", "pid": 9, "tid": 9,
                   "ts": t, "dur": 400.0, "args": {"External id": ext}})
        ext += 1
        ev.append({"ph": "X", "cat": "cpu_op", "name": "aten::copy_", "pid": 9, "tid": 9, "ts": t + 10,
                   "dur": 40.0, "args": {"External id": ext, "Input Dims": [[64, 64], [64, 64], []],
                                         "Input type": ["float", "float", "Scalar"]}})
        ev.append({"ph": "X", "cat": "cuda_runtime", "name": "cudaMemcpyAsync", "pid": 9, "tid": 9,
                   "ts": t + 15, "dur": 20.0, "args": {"External id": ext, "correlation": corr}})
        ev.append({"ph": "X", "cat": "gpu_memcpy", "name": "Memcpy HtoD (Pageable -> Device)", "pid": 0,
                   "tid": 7, "ts": t + 30, "dur": 50.0,
                   "args": {"External id": ext, "correlation": corr, "device": 0, "stream": 7}})
        ev += _ac2g(corr, (9, 9, t + 15), (0, 7, t + 30))
        corr += 1
        ext += 1
        ev.append({"ph": "X", "cat": "cpu_op", "name": "aten::mm", "pid": 9, "tid": 9, "ts": t + 100,
                   "dur": 60.0, "args": {"External id": ext, "Input Dims": [[64, 64], [64, 64]],
                                         "Input type": ["float", "float"]}})
        for k in range(3):
            ev.append({"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 9, "tid": 9,
                       "ts": t + 105 + 15 * k, "dur": 10.0, "args": {"External id": ext, "correlation": corr}})
            ev.append({"ph": "X", "cat": "kernel", "name": "volta_sgemm_128x64_nn", "pid": 0, "tid": 7,
                       "ts": t + 140 + 30 * k, "dur": 25.0,
                       "args": {"External id": ext, "correlation": corr, "device": 0, "stream": 7,
                                "grid": [8, 1, 1], "block": [256, 1, 1], "registers per thread": 128,
                                "shared memory": 32768, "blocks per SM": 0.1, "warps per SM": 0.8,
                                "est. achieved occupancy %": 12}})
            ev += _ac2g(corr, (9, 9, t + 105 + 15 * k), (0, 7, t + 140 + 30 * k))
            corr += 1
        ext += 1
        t += 500.0
    return {"schemaVersion": 1, "deviceProperties": [{"id": 0, "name": "NVIDIA H100", "numSms": 132}],
            "traceEvents": ev}


def test_cuda_views_on_kinetos_format(tmp_path):
    data = json.dumps(cuda_trace()).encode()
    prof = parse_trace(data)
    a = analyse(prof)
    assert [k["name"] for k in a.kernels] == ["volta_sgemm_128x64_nn"]
    k = a.kernels[0]
    assert k["calls"] == 6 and k["total"] == 150 and k["op"] == "aten::mm" and k["occupancy"] == 12
    assert k["grid"] == [8, 1, 1] and k["block"] == [256, 1, 1] and k["tensor_cores"] is False
    mm = next(o for o in a.operators if o["name"] == "aten::mm")
    assert mm["device_self"] == mm["device_total"] == 150
    step = next(o for o in a.operators if o["name"] == "aten::copy_")
    assert step["device_total"] == 100
    s = a.steps[0]
    assert s["kernel"] == 75 and s["memcpy"] == 50 and s["runtime"] > 0
    assert [g["device"] for g in a.device["gpus"]] == [0] and a.device["gpus"][0]["utilisation"] > 0
    ids = {r["id"] for r in a.recommendations}
    assert {"utilisation", "fp32_matmul"} <= ids
    # and torch-tb-profiler's parser agrees on the breakdown
    pytest.importorskip("torch_tb_profiler")
    raw = tmp_path / "c.pt.trace.json"
    raw.write_bytes(data)
    theirs = _tb_breakdown(_tb_normalised(raw, tmp_path / "cn.pt.trace.json"), tmp_path)
    for x in a.steps:
        x.pop("start")
    _close(a.steps, theirs)


def two_gpu_trace() -> dict:
    """Three steps on the host launching kernels on two GPUs (pids 0 and 1, two streams on GPU 0)
    that overlap, with blocks per SM below and above 1, occupancy figures, a kernel without
    either, and kernels before the first step and after the last one."""
    ev: list[dict] = [{"ph": "M", "name": "process_name", "pid": g, "tid": 0, "args": {"name": f"GPU {g}"}} for g in (0, 1)]
    corr = 0
    rng = np.random.default_rng(7)
    for step in (1, 2, 3):
        t = 1000.0 * step
        ev.append({"ph": "X", "cat": "user_annotation", "name": f"ProfilerStep#{step}", "pid": 9, "tid": 9,
                   "ts": t, "dur": 900.0, "args": {"External id": corr}})
        for k in range(12):
            corr += 1
            gpu, stream = (0, 7 + k % 2) if k % 3 else (1, 7)
            launch = t + 10 + 60 * k
            ev.append({"ph": "X", "cat": "cpu_op", "name": ["aten::mm", "aten::add"][k % 2], "pid": 9, "tid": 9,
                       "ts": launch - 2, "dur": 10.0, "args": {"External id": corr}})
            ev.append({"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 9, "tid": 9,
                       "ts": launch, "dur": 5.0, "args": {"External id": corr, "correlation": corr}})
            args = {"External id": corr, "correlation": corr, "device": gpu, "stream": stream}
            if k != 5:
                args |= {"blocks per SM": float(rng.choice([0.25, 0.6, 1.5])),
                         "est. achieved occupancy %": int(rng.integers(5, 90))}
            ev.append({"ph": "X", "cat": "kernel", "name": f"kernel_{k % 4}", "pid": gpu, "tid": stream,
                       "ts": launch + 20, "dur": float(rng.integers(30, 140)), "args": args})
            ev += _ac2g(corr, (9, 9, launch), (gpu, stream, launch + 20))
    for ts in (400.0, 3950.0):  # outside every step: kept out of the figures (the latter in part)
        corr += 1
        ev.append({"ph": "X", "cat": "kernel", "name": "stray", "pid": 0, "tid": 7, "ts": ts, "dur": 100.0,
                   "args": {"External id": corr, "correlation": corr, "device": 0, "stream": 7,
                            "blocks per SM": 2.0, "est. achieved occupancy %": 50}})
    return {"schemaVersion": 1, "deviceProperties": [
        {"id": 0, "name": "NVIDIA H100", "totalGlobalMem": 85_000_000_000, "computeMajor": 9, "computeMinor": 0},
        {"id": 1, "name": "NVIDIA H100", "totalGlobalMem": 85_000_000_000, "computeMajor": 9, "computeMinor": 0}],
        "traceEvents": ev}


def test_gpu_summary_equals_torch_tb_profiler(tmp_path):
    """Per GPU: utilisation, est. SM efficiency and est. achieved occupancy over the steps' span,
    as torch-tb-profiler's GPU metrics parser computes them on the same trace."""
    data = json.dumps(two_gpu_trace()).encode()
    gpus = analyse(parse_trace(data)).device["gpus"]
    assert [g["device"] for g in gpus] == [0, 1]
    assert gpus[0]["name"] == "NVIDIA H100" and gpus[0]["compute"] == "9.0" and gpus[0]["memory"] == 85_000_000_000
    assert all(0 < g["sm_efficiency"] <= g["utilisation"] <= 1 for g in gpus)
    pytest.importorskip("torch_tb_profiler")
    from torch_tb_profiler.profiler.data import RunProfileData

    raw = tmp_path / "g.pt.trace.json"
    raw.write_bytes(data)
    theirs = RunProfileData.parse("w", None, _tb_normalised(raw, tmp_path / "gn.pt.trace.json"), str(tmp_path)).gpu_metrics_parser
    for g in gpus:
        d = g["device"]
        assert g["utilisation"] == pytest.approx(theirs.gpu_utilization[d], rel=1e-6)
        assert g["sm_efficiency"] == pytest.approx(theirs.avg_approximated_sm_efficiency_per_device[d], rel=1e-6)
        assert g["occupancy"] == pytest.approx(theirs.avg_occupancy_per_device[d], rel=1e-6)


def test_ac2g_flows_bind_each_launch_to_its_device_work():
    """Each cudaLaunchKernel / cudaMemcpyAsync is bound to the kernel / copy with its correlation
    (the flow's "s" end lies inside aten::mm and the step too: the innermost event takes it)."""
    prof = parse_trace(json.dumps(cuda_trace()).encode())
    assert len(prof.flow_src) == 8 and set(prof.flow_kind.tolist()) == {FLOW_KINDS.index("ac2g")}
    for s, d in zip(prof.flow_src.tolist(), prof.flow_dst.tolist()):
        assert prof.names[prof.name[s]] in ("cudaLaunchKernel", "cudaMemcpyAsync")
        assert prof.cat[d] in (CAT["kernel"], CAT["gpu_memcpy"]) and prof.corr[s] == prof.corr[d]
    # the page gets them as indices into the timeline's events
    meta, parts = encode(prof)
    src, dst, kind = (np.frombuffer(p, np.int32) for p in parts[6:9])
    names = np.frombuffer(parts[2], np.int32)
    assert meta["timeline"]["flows"] == 8 and meta["timeline"]["flow_kinds"][kind[0]] == "ac2g"
    assert {meta["timeline"]["names"][names[i]] for i in dst} == {"volta_sgemm_128x64_nn", "Memcpy HtoD (Pageable -> Device)"}


def test_flow_ends_bind_to_the_innermost_enclosing_event():
    """A hand case: a parent [0, 100] holding children [10, 20] and [30, 40]; a point at 25 binds
    to the parent (the last child started has ended), at 35 to the second child, at 100 to the
    parent, at 150 to nothing; a "next" point (an "f" without bp "e") at 21 to the child at 30."""
    lane = np.array([0, 0, 0, 1])
    ts = np.array([0.0, 10.0, 30.0, 0.0])
    dur = np.array([100.0, 10.0, 10.0, 5.0])
    p_lane = np.array([0, 0, 0, 0, 0, 1, 2])
    p_ts = np.array([25.0, 35.0, 100.0, 150.0, 21.0, 2.0, 2.0])
    enc = np.array([True, True, True, True, False, True, True])
    assert bind_points(lane, ts, dur, p_lane, p_ts, enc).tolist() == [0, 2, 0, -1, 2, 3, -1]


def test_fwdbwd_flows_on_a_real_trace(profiled):
    """torch's CPU trace links each forward op to its backward op (fwdbwd flows): every flow is
    bound to the innermost event enclosing its end (checked by brute force on the file), the
    forward end is an aten op and the backward end a `...Backward0` node, later in the step."""
    path = next(p for p in sorted((profiled["root"] / "nb").iterdir()) if p.name.endswith(".pt.trace.json"))
    doc = json.loads(path.read_bytes())
    prof = read_trace(str(path))
    xs = [e for e in doc["traceEvents"] if e.get("ph") == "X"]

    def innermost(e):
        hold = [x for x in xs if (x["pid"], x["tid"]) == (e["pid"], e["tid"]) and x["ts"] <= e["ts"] <= x["ts"] + x["dur"]]
        best = max(hold, key=lambda x: (x["ts"], -x["dur"]))
        return best["name"], best["ts"]

    ends: dict = {}
    for e in doc["traceEvents"]:
        if e.get("ph") in ("s", "f"):
            ends.setdefault((e["cat"], e["id"]), {})[e["ph"]] = e
    want = sorted((innermost(v["s"]), innermost(v["f"])) for v in ends.values())
    got = sorted(((prof.names[prof.name[s]], prof.ts[s]), (prof.names[prof.name[d]], prof.ts[d]))
                 for s, d in zip(prof.flow_src.tolist(), prof.flow_dst.tolist()))
    assert len(got) >= 20 and got == want
    assert set(prof.flow_kind.tolist()) == {FLOW_KINDS.index("fwdbwd")}
    for (fwd, t_f), (bwd, t_b) in got:
        assert fwd.startswith("aten::") and bwd.endswith("Backward0") and t_b > t_f
    assert {"aten::convolution", "aten::addmm", "aten::relu"} <= {f for (f, _), _ in got}


# ---- a big trace read by two processes -----------------------------------------------------------
def _same_profile(a, b) -> None:
    for f in ("names", "lanes", "shapes", "meta"):
        assert getattr(a, f) == getattr(b, f), f
    for f in ("name", "cat", "lane", "ts", "dur", "ext", "corr", "shape", "dtype", "mem_ts", "mem_bytes",
              "mem_allocated", "mem_reserved", "mem_device", "mem_lane", "kernel_row", "kernel_info",
              "flow_src", "flow_dst", "flow_kind"):
        x, y = getattr(a, f), getattr(b, f)
        assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f


def _halves_trace() -> bytes:
    """Its second half uses names, shapes and lanes the first half does not, and first-half ones in
    another order (so a half's own numbering differs from the whole's), kernels with launch figures,
    memory events, and flows that start in one half and end in the other."""
    ev: list[dict] = []
    for i in range(300):
        first = i < 150
        tid = 1 if first else (2 if i % 2 else 1)
        dims = [[i % 2 + 1]] if first else [[[5], [2]][i % 2]]
        ev.append({"ph": "X", "cat": "cpu_op", "name": f"a{i % 3}" if first else ["a2", f"b{i % 3}"][i % 2],
                   "pid": 9, "tid": tid, "ts": 10.0 * i, "dur": 8.0,
                   "args": {"External id": i, "Input Dims": dims, "Input type": ["float" if i % 4 else "int"]}})
        ev.append({"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 9, "tid": tid,
                   "ts": 10.0 * i + 1, "dur": 2.0, "args": {"External id": i, "correlation": i}})
        ev.append({"ph": "s", "id": i, "pid": 9, "tid": tid, "ts": 10.0 * i + 1, "cat": "ac2g", "name": "ac2g"})
        ev.append({"ph": "i", "name": "[memory]", "pid": 9, "tid": tid, "ts": 10.0 * i + 2, "s": "t",
                   "args": {"Total Reserved": 4096, "Total Allocated": 64 * i, "Bytes": 64, "Device Id": 0,
                            "Device Type": 1 if first else 0}})
    for i in range(300):
        ev.insert(2 * i + 600, {"ph": "X", "cat": "kernel", "name": f"k{i % 2}", "pid": 0, "tid": 7,
                                "ts": 10.0 * i + 5, "dur": 3.0,
                                "args": {"External id": i, "correlation": i, "grid": [i % 7 + 1, 1, 1], "block": [128],
                                         "registers per thread": 32, "est. achieved occupancy %": i % 50}})
        ev.insert(2 * i + 601, {"ph": "f", "id": i, "pid": 0, "tid": 7, "ts": 10.0 * i + 5, "cat": "ac2g",
                                "name": "ac2g", "bp": "e"})
    for i in range(160, 290, 10):  # string ids (forward → backward) in the second half only
        ev.append({"ph": "s", "id": f"b{i}", "pid": 9, "tid": 1, "ts": 10.0 * i + 0.5, "cat": "fwdbwd", "name": "fwdbwd"})
        ev.append({"ph": "f", "id": f"b{i}", "pid": 9, "tid": 1, "ts": 10.0 * i + 20.5, "cat": "fwdbwd",
                   "name": "fwdbwd", "bp": "e"})
    return json.dumps({"schemaVersion": 1, "traceEvents": ev, "traceName": "halves]"}).encode()


def _two_traces(profiled) -> list[bytes]:
    real = next(p for p in sorted(os.listdir(profiled["root"] / "nb")) if p.endswith(".pt.trace.json"))
    return [(profiled["root"] / "nb" / real).read_bytes(), json.dumps(cuda_trace()).encode(), _halves_trace()]


def test_a_trace_read_in_two_processes_equals_it_read_whole(profiled, monkeypatch):
    """Split at an event boundary mid-way, the second half decoded in a forked child: the same
    columns, names, lanes, shapes, memory events, kernels, flows and metadata as one pass gives."""
    import nbboard.kinds.profiler.trace as tr

    for data in _two_traces(profiled):
        whole = parse_trace(data)
        monkeypatch.setattr(tr, "PARALLEL_BYTES", 0)
        assert tr._parse_split(data) is not None  # the split path ran
        _same_profile(parse_trace(data, parallel=True), whole)
        monkeypatch.setattr(tr, "PARALLEL_BYTES", 48 << 20)


def test_a_split_that_fails_reads_the_trace_whole(profiled, monkeypatch, tmp_path):
    """A cut inside a string (names holding `}, {`), a child that fails, a child that hangs (killed
    after CHILD_TIMEOUT_S), a truncated trace: the profile is what one pass gives, or its error;
    an interrupt leaves no child behind."""
    import nbboard.kinds.profiler.trace as tr

    monkeypatch.setattr(tr, "PARALLEL_BYTES", 0)
    ev = [{"ph": "X", "cat": "cpu_op", "name": n, "pid": 1, "tid": 1, "ts": i, "dur": 1}
          for i, n in enumerate(["a", "x" * 5500 + "}, {" + "x" * 4500, "b"])]  # mid-file: in the name
    odd = json.dumps({"traceEvents": ev}).encode()
    assert tr._parse_split(odd) is None
    _same_profile(parse_trace(odd, parallel=True), parse_trace(odd))

    data = _two_traces(profiled)[0]
    whole = parse_trace(data)
    parent = os.getpid()
    real_columns = tr._columns

    def failing(events):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return real_columns(events)

    monkeypatch.setattr(tr, "_columns", failing)
    assert tr._parse_split(data) is None
    _same_profile(parse_trace(data, parallel=True), whole)

    def hanging(events):
        if os.getpid() != parent:
            time.sleep(120)
        return real_columns(events)

    monkeypatch.setattr(tr, "_columns", hanging)
    monkeypatch.setattr(tr, "CHILD_TIMEOUT_S", 1.0)
    t0 = time.monotonic()
    _same_profile(parse_trace(data, parallel=True), whole)
    assert time.monotonic() - t0 < 30
    # interrupted while reading its half: the parent kills and reaps its child, and goes on raising
    pids = []
    real_fork = tr._fork_part

    def recorded(*args):
        child = real_fork(*args)
        pids.append(child[0])
        return child

    def interrupted(events):
        if os.getpid() == parent:
            raise KeyboardInterrupt
        return real_columns(events)

    monkeypatch.setattr(tr, "_fork_part", recorded)
    monkeypatch.setattr(tr, "_columns", interrupted)
    with pytest.raises(KeyboardInterrupt):
        parse_trace(data, parallel=True)
    with pytest.raises(ChildProcessError):
        os.waitpid(pids[0], os.WNOHANG)  # gone and waited for
    monkeypatch.setattr(tr, "_columns", real_columns)

    with pytest.raises(TraceError, match="not JSON or truncated"):
        parse_trace(data[: len(data) // 2 + 7], parallel=True)


# ---- the call tree and id lookups, against the walks they replace ------------------------------
def _stack_parents(events: list[dict]) -> list[int]:
    """torch's `_populate_cpu_children` walk, event by event: per thread, sorted by start (longest
    first), pop what ended or only partly holds the event; the top left is its parent."""
    rows = sorted(range(len(events)), key=lambda i: (events[i]["tid"], events[i]["ts"], -(events[i]["ts"] + events[i]["dur"])))
    out = [-1] * len(events)
    stack: list[int] = []
    lane = None
    for i in rows:
        e = events[i]
        if e["tid"] != lane:
            stack, lane = [], e["tid"]
        s, end = e["ts"], e["ts"] + e["dur"]
        while stack and (s >= events[stack[-1]]["ts"] + events[stack[-1]]["dur"]
                         or end > events[stack[-1]]["ts"] + events[stack[-1]]["dur"]):
            stack.pop()
        if stack:
            out[i] = stack[-1]
        stack.append(i)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_call_tree_equals_the_stack_walk(seed):
    """Random host events on three threads: nested, partly overlapping, zero-length, equal starts;
    `parents` (range maxima, all events at once) gives torch's stack walk's parent for each."""
    from nbboard.kinds.profiler.analysis import parents

    rng = np.random.default_rng(seed)
    ev = []
    for _ in range(3000):
        ts = float(rng.integers(0, 400))
        dur = float(rng.choice([0, 1, 2, 5, 20, 80, 300]) if rng.random() < 0.8 else rng.integers(0, 50))
        ev.append({"ph": "X", "cat": "cpu_op", "name": f"op{rng.integers(0, 9)}", "pid": 1,
                   "tid": int(rng.integers(0, 3)), "ts": ts, "dur": dur})
    prof = parse_trace(json.dumps({"traceEvents": ev}).encode())
    assert parents(prof).tolist() == _stack_parents(ev)


def test_points_covered_by_ranges():
    """`covered`, sorted points (a slice per range) and unsorted (a search per point), equals a
    brute-force check of s <= p < e, range ends and touching points included."""
    from nbboard.kinds.profiler.spans import covered, merge

    rng = np.random.default_rng(3)
    s = rng.integers(0, 1000, 60).astype(float)
    s, e = merge(s, s + rng.integers(0, 30, 60))
    pts = np.sort(np.r_[rng.uniform(-5, 1040, 500), s, e])
    want = ((pts[:, None] >= s[None, :]) & (pts[:, None] < e[None, :])).any(axis=1)
    assert covered(pts, s, e).tolist() == want.tolist()
    shuffled = rng.permutation(len(pts))
    assert covered(pts[shuffled], s, e).tolist() == want[shuffled].tolist()


def test_id_lookup_is_a_dict_get():
    """`lookup` on arrays answers as `dict(zip(keys, values)).get(q, -1)`: the last of repeated keys."""
    from nbboard.kinds.profiler.analysis import lookup

    rng = np.random.default_rng(1)
    keys = rng.integers(-3, 50, 400)
    values = rng.integers(0, 10_000, 400)
    queries = rng.integers(-5, 60, 300)
    want = [dict(zip(keys.tolist(), values.tolist())).get(q, -1) for q in queries.tolist()]
    assert lookup(keys, values, queries).tolist() == want
    assert lookup(keys[:0], values[:0], queries).tolist() == [-1] * 300


# ---- comparing profiles ----------------------------------------------------------------------
def _x(name, ts, dur, cat="cpu_op"):
    return {"ph": "X", "cat": cat, "name": name, "pid": 1, "tid": 1, "ts": ts, "dur": dur}


def test_compare_two_steps_by_hand():
    """Step 1: aten::mm 10 µs holding aten::t 4 µs. Step 2: aten::mm 30 µs holding aten::t 4 µs, and
    aten::relu 5 µs. Step 1 → step 2: mm's self time 6 → 26 (+20), relu 0 → 5 (+5, a new op), t
    unchanged; sorted by the size of the change."""
    ev = [_x("ProfilerStep#1", 0, 100, "user_annotation"), _x("aten::mm", 10, 10), _x("aten::t", 12, 4),
          _x("ProfilerStep#2", 100, 100, "user_annotation"), _x("aten::mm", 110, 30), _x("aten::t", 112, 4),
          _x("aten::relu", 150, 5)]
    a = analyse(parse_trace(json.dumps({"traceEvents": ev}).encode()))
    per = a.step_operators
    assert [s["name"] for s in per["steps"]] == ["1", "2"]
    one, two = op_table(per, ["1"]), op_table(per, ["2"])
    assert one == {"aten::mm": {"calls": 1, "host_self": 6, "host_total": 10, "device_self": 0, "device_total": 0},
                   "aten::t": {"calls": 1, "host_self": 4, "host_total": 4, "device_self": 0, "device_total": 0}}
    rows = compare(one, two)
    assert [r["name"] for r in rows] == ["aten::mm", "aten::relu", "aten::t"]
    assert rows[0]["host_self"] == {"base": 6, "other": 26, "delta": 20}
    assert rows[0]["host_total"] == {"base": 10, "other": 30, "delta": 20}
    assert rows[1]["calls"] == {"base": 0, "other": 1, "delta": 1} and rows[1]["host_self"]["delta"] == 5
    assert rows[2]["host_self"]["delta"] == 0
    # the whole cycle is its steps' mean per step
    both = op_table(per)
    assert both["aten::mm"]["host_self"] == 16 and both["aten::relu"]["calls"] == 0.5
    assert [r["name"] for r in compare(two, one, key="calls")][:1] == ["aten::relu"]


def test_compare_two_models(profiled, tmp_path):
    """A real CNN profile against a real MLP profile: the per-step tables add up to the profile's
    operators (key_averages' figures), an op of one model only counts 0 on the other side, every
    delta is other − baseline, and the rows are sorted by |Δ host self|."""
    store = nbboard.Store()
    w = nbboard.SummaryWriter(str(tmp_path / "mlp"), store=store)
    profile_training(w.profiler_handler(worker_name="mlp"), repeat=1, with_stack=False, model="mlp")
    w.close()
    mlp = of(store.profiles(store.runs()[0], "mlp").values[0])
    cnn = of(_series(profiled).values[-1])
    for a in (cnn, mlp):
        n = len(a.step_operators["steps"])
        assert n == 2
        table = op_table(a.step_operators)
        assert {o["name"] for o in a.operators} == set(table)
        for o in a.operators:
            for f in FIELDS:
                assert abs(table[o["name"]][f] * n - o[f]) < 0.01 * n, (o["name"], f)
    base, other = op_table(cnn.step_operators), op_table(mlp.step_operators)
    rows = compare(base, other)
    assert {r["name"] for r in rows} == set(base) | set(other)
    by = {r["name"]: r for r in rows}
    assert by["aten::conv2d"]["calls"]["other"] == 0 and by["aten::conv2d"]["host_self"]["delta"] < 0
    assert by["aten::tanh"]["calls"]["base"] == 0 and by["aten::tanh"]["calls"]["other"] == 1
    assert by["aten::addmm"]["calls"]["base"] == by["aten::addmm"]["calls"]["other"] == 2
    for r in rows:
        for f in FIELDS:
            assert r[f]["delta"] == r[f]["other"] - r[f]["base"]
    d = [abs(r["host_self"]["delta"]) for r in rows]
    assert d == sorted(d, reverse=True)
    total = sum(r["host_self"]["delta"] for r in rows)
    assert abs(total - (sum(x["host_self"] for x in other.values()) - sum(x["host_self"] for x in base.values()))) < 1e-6


def test_handler_on_a_logdir_and_no_double_read_by_this_kernels_follower(tmp_path):
    """`nbboard.profiler_handler(logdir)` records into the kernel's Store under that run; a
    follower tailing the same Store in this kernel does not read the handler's files again."""
    from nbboard.kinds.profiler.handler import profiler_handler
    from nbboard.logdir.follow import follow_into
    from nbboard.store import default_store

    run = tmp_path / "logs" / "exp"
    h = profiler_handler(str(run), worker_name="solo")
    follower = follow_into(default_store(), str(tmp_path / "logs"), interval=0.05)
    try:
        profile_training(h, repeat=2, with_stack=False)
        h.wait()
        time.sleep(0.3)  # the follower polls a few times meanwhile
        store = default_store().select(str(tmp_path / "logs"))
        assert store.tags("exp") == {NAME: ["solo"]}
        assert store.profiles("exp", "solo").steps.tolist() == [3, 7]
        assert sorted(os.listdir(run))[0].startswith("solo.") and len(os.listdir(run)) == 2
    finally:
        follower.stop()


def test_a_cycle_that_cannot_be_recorded_warns_once_and_training_goes_on(tmp_path):
    """The handler's background read fails (here: the exported file is not a trace): one warning
    naming the file, the failures listed in `errors`, and the handler keeps taking cycles."""
    import warnings

    import nbboard
    from nbboard.kinds.profiler.handler import ProfilerHandler

    class Prof:  # what the handler asks of torch's profiler: export the trace to a path
        def export_chrome_trace(self, path):
            with open(path, "w") as f:
                f.write("{not json")

    h = ProfilerHandler(nbboard.Store(), str(tmp_path / "run"), "run", worker_name="w")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h(Prof())
        h(Prof())
        h.wait()
    said = [str(c.message) for c in caught if "could not be recorded" in str(c.message)]
    assert len(said) == 1 and "w." in said[0] and ".pt.trace.json" in said[0]
    assert len(h.errors) == 2 and h.cycles == 2
