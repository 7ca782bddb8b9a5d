"""The logdir reader: every kind round-trips from nbboard's and torch's writers, files of a run
merge in order, TensorBoard's purge semantics, corrupt and truncated files, the scalar fast
path, TF2-style tensor summaries, fixtures from real writers, and `nbboard inspect`."""

from __future__ import annotations

import glob
import io
import os
import struct
import warnings

import numpy as np
import pytest
import torch
from torch.utils.tensorboard import SummaryWriter as TorchWriter

import nbboard
from nbboard.logdir import LogdirError, LogdirReader, load, read_logdir
from nbboard.logdir import decode as dec
from nbboard.store import Store
from nbboard.tfevents.messages import event, session_log_start, summary, summary_value
from nbboard.tfevents.reader import fast_scalars, scan_records
from nbboard.tfevents.record import frame
from nbboard.tfevents.wire import DecodeError
from tests.tb import accumulator

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def event_files(logdir: str) -> list[str]:
    return sorted(glob.glob(os.path.join(logdir, "**", "*tfevents*"), recursive=True))


def log_everything(w, steps: int = 3) -> None:
    """One call of (nearly) every SummaryWriter method, at a few steps."""
    rng = np.random.default_rng(0)
    for i in range(steps):
        w.add_scalar("loss", 1.0 / (i + 1), i)
        w.add_scalar("x/very_long_tag_name_that_is_over_sixteen_bytes", i * 0.5, i)
        w.add_histogram("hist", rng.normal(size=200), i)
        w.add_image("img", rng.random((3, 8, 6)), i)
        w.add_images("imgs", rng.random((2, 3, 4, 4)), i)
        w.add_text("note", f"hello *{i}*", i)
        w.add_pr_curve("pr", rng.integers(0, 2, 64), rng.random(64), i, num_thresholds=11)
        w.add_audio("sound", rng.random(800) * 2 - 1, i, sample_rate=8000)
        w.add_mesh("mesh", torch.rand(1, 5, 3), colors=torch.randint(0, 255, (1, 5, 3)),
                   faces=torch.randint(0, 5, (1, 4, 3)), global_step=i)
        w.add_tensor("tens", torch.arange(6.0).reshape(2, 3) * i, i)
    w.add_scalars("grp", {"a": 1.0, "b": 2.0}, 0)
    w.add_custom_scalars({"cat": {"chart": ["Multiline", ["loss"]]}})
    w.add_hparams({"lr": 0.1, "opt": "adam"}, {"hp/acc": 0.75}, run_name="hp")


def assert_records_equal(kind: str, a, b) -> None:
    """Compare a record written by the writer (`a`) with the one read back (`b`)."""
    if kind in ("images",):
        assert (a.height, a.width, a.channels) == (b.height, b.width, b.channels)
        np.testing.assert_array_equal(a.array, b.array)
    elif kind == "videos":
        assert b.format == "gif" and a.encoded == b.encoded
    elif kind == "histograms":
        for f in ("min", "max", "num", "sum", "sum_squares"):
            assert getattr(a, f) == pytest.approx(getattr(b, f)), f
        np.testing.assert_allclose(a.bucket_limit, b.bucket_limit)
        np.testing.assert_allclose(a.bucket, b.bucket)
    elif kind == "audio":
        assert (a.sample_rate, a.num_channels, a.length_frames) == (
            b.sample_rate, b.num_channels, b.length_frames)
        assert a.encoded == b.encoded
    elif kind == "text":
        assert a.text == b.text
    elif kind == "pr_curves":
        np.testing.assert_allclose(a.data, b.data, rtol=1e-6)
    elif kind == "mesh":
        np.testing.assert_allclose(a.vertices, b.vertices, rtol=1e-6)
        np.testing.assert_array_equal(a.faces, b.faces)
        np.testing.assert_array_equal(a.colors, b.colors)
        assert a.config == b.config
    elif kind == "tensor":
        assert a.array.dtype == b.array.dtype
        np.testing.assert_array_equal(a.array, b.array)
    elif kind == "nbboard_plotly":
        assert a.json == b.json
    else:
        raise AssertionError(f"no comparison for {kind}")


def assert_store_matches(written: Store, loaded: Store) -> None:
    """Everything in the writer's Store is in the loaded Store, point for point."""
    assert written.runs() == loaded.runs()
    for run in written.runs():
        wt, lt = written.tags(run), loaded.tags(run)
        assert {k: sorted(v) for k, v in wt.items()} == {k: sorted(v) for k, v in lt.items()}, run
        for kind, tags in wt.items():
            for tag in tags:
                a, b = written.series(run, tag), loaded.series(run, tag)
                np.testing.assert_array_equal(a.steps, b.steps)
                np.testing.assert_array_equal(a.wall_times, b.wall_times)
                if kind == "scalars":
                    np.testing.assert_allclose(a.values, b.values, rtol=1e-7)
                else:
                    for ra, rb in zip(a.values, b.values):
                        assert_records_equal(kind, ra, rb)
        ha, hb = written.hparams(run), loaded.hparams(run)
        assert (ha is None) == (hb is None)
        if ha is not None:
            assert ha.hparams == hb.hparams
            assert ha.metrics == pytest.approx(hb.metrics, rel=1e-7)
        ca, cb = written.custom_scalars(run), loaded.custom_scalars(run)
        assert (ca is None) == (cb is None)
        if ca is not None:
            assert ca.categories == cb.categories


def test_every_kind_round_trips_from_nbboard_writer(tmp_path):
    logdir = str(tmp_path)
    store = Store()
    with nbboard.SummaryWriter(os.path.join(logdir, "run"), store=store) as w:
        log_everything(w)
        w.add_video("vid", np.random.default_rng(1).random((1, 3, 3, 8, 8)), 0)
        w.add_figure("fig", {"data": [{"type": "scatter", "x": [1, 2], "y": [3, 4]}]}, 0)
        w.add_custom_scalars_marginchart(["loss", "loss", "loss"], category="cat", title="m")
    loaded = nbboard.load(logdir)
    assert loaded.runs() == ["run", "run/grp_a", "run/grp_b", "run/hp"]
    assert_store_matches(store.select(logdir), loaded)


def test_every_kind_from_torch_writer_matches_tensorboard(tmp_path):
    logdir = str(tmp_path)
    with TorchWriter(os.path.join(logdir, "run")) as w:
        log_everything(w)
    s = nbboard.load(logdir)
    ea = accumulator(os.path.join(logdir, "run"))
    tags = s.tags("run")
    assert sorted(tags["scalars"]) == sorted(ea.Tags()["scalars"])
    for tag in ea.Tags()["scalars"]:
        ref = ea.Scalars(tag)
        ser = s.scalars("run", tag)
        assert ser.steps.tolist() == [e.step for e in ref]
        assert ser.values.tolist() == [e.value for e in ref]
        assert ser.wall_times.tolist() == [e.wall_time for e in ref]
    for tag in ea.Tags()["histograms"]:
        for e, h in zip(ea.Histograms(tag), s.histograms("run", tag)):
            assert (e.histogram_value.min, e.histogram_value.num) == (h.min, h.num)
            assert list(e.histogram_value.bucket) == h.bucket.tolist()
    for tag in ea.Tags()["images"]:
        for e, im in zip(ea.Images(tag), s.images("run", tag)):
            assert e.encoded_image_string == im.encoded and (e.height, e.width) == (im.height, im.width)
    for tag in ea.Tags()["audio"]:
        for e, a in zip(ea.Audio(tag), s.audio("run", tag)):
            assert e.encoded_audio_string == a.encoded and e.sample_rate == a.sample_rate
    assert s.texts("run", "note")[2].text == "hello *2*"
    pr = s.pr_curves("run", "pr")
    assert len(pr) == 3 and pr[0].data.shape == (6, 11)
    np.testing.assert_allclose(pr[1].data, torch_tensor(ea, "pr")[1], rtol=1e-6)
    mesh = s.meshes("run", "mesh")
    assert len(mesh) == 3 and mesh[0].vertices.shape == (1, 5, 3) and mesh[0].faces.dtype == np.int32
    np.testing.assert_array_equal(s.tensors("run", "tens")[2].array, np.arange(6.0).reshape(2, 3) * 2)
    hp = s.hparams("run/hp")
    assert hp.hparams == {"lr": 0.1, "opt": "adam"} and hp.metrics == {"hp/acc": pytest.approx(0.75)}
    assert s.custom_scalars("run").categories == [
        {"title": "cat", "charts": [{"title": "chart", "kind": "Multiline", "tags": ["loss"]}]}]


def torch_tensor(ea, tag):
    from tensorboard.util import tensor_util

    return [tensor_util.make_ndarray(e.tensor_proto) for e in ea.Tensors(tag)]


def test_files_of_a_run_merge_in_order_and_runs_are_named_relative(tmp_path):
    logdir = str(tmp_path)
    a = TorchWriter(logdir, filename_suffix=".rank0")
    b = TorchWriter(os.path.join(logdir, "sub", "deep"))
    for i in range(5):
        a.add_scalar("x", i, i)
        b.add_scalar("y", -i, i)
    a.close()
    b.close()
    c = TorchWriter(logdir, filename_suffix=".rank1")  # a later file in the same run
    for i in range(5, 8):
        c.add_scalar("x", i, i)
    c.close()
    s = load(logdir)
    assert s.runs() == [".", "sub/deep"]
    assert s.scalars(".", "x").steps.tolist() == list(range(8))
    assert s.scalars("sub/deep", "y").values.tolist() == [0, -1, -2, -3, -4]


def test_session_log_start_purges_orphaned_steps_like_tensorboard(tmp_path):
    logdir = str(tmp_path)
    with TorchWriter(logdir) as w:
        for i in range(10):
            w.add_scalar("x", i, i)
            w.add_text("t", str(i), i)
    with TorchWriter(logdir, purge_step=5) as w:  # restart from a checkpoint at step 5
        for i in range(5, 8):
            w.add_scalar("x", 100 + i, i)
    s = load(logdir)
    ea = accumulator(logdir)
    assert s.scalars(".", "x").steps.tolist() == [e.step for e in ea.Scalars("x")]
    assert s.scalars(".", "x").values.tolist() == [e.value for e in ea.Scalars("x")]
    assert s.scalars(".", "x").steps.tolist() == [0, 1, 2, 3, 4, 5, 6, 7]
    assert s.texts(".", "t").steps.tolist() == [0, 1, 2, 3, 4]


def test_legacy_files_without_version_purge_out_of_order_steps(tmp_path):
    recs = [event(1.0, i, summary_bytes=summary(summary_value("a", simple_value=i))) for i in range(6)]
    recs += [event(2.0, 3, summary_bytes=summary(summary_value("a", simple_value=-1.0)))]
    recs += [event(3.0, 7, summary_bytes=summary(summary_value("b", simple_value=7.0)))]
    (tmp_path / "events.out.tfevents.1.legacy").write_bytes(b"".join(frame(r) for r in recs))
    s = load(str(tmp_path))
    assert s.scalars(".", "a").steps.tolist() == [0, 1, 2, 3]
    assert s.scalars(".", "a").values.tolist() == [0, 1, 2, -1]
    assert s.scalars(".", "b").steps.tolist() == [7]


def _torch_file(tmp_path, n=50, **kw) -> str:
    d = str(tmp_path / "run")
    with TorchWriter(d) as w:
        for i in range(n):
            w.add_scalar("x", float(i), i)
    return event_files(d)[0]


def test_corrupt_records_are_skipped_counted_and_reported_once(tmp_path):
    path = _torch_file(tmp_path)
    data = bytearray(open(path, "rb").read())
    recs = scan_records(bytes(data))
    # break a data byte of record 10 and the length header of record 20, and splice garbage
    data[int(recs.starts[10]) + 3] ^= 0xFF
    data[int(recs.starts[20]) - 12] ^= 0x01
    cut = int(recs.starts[30]) - 12
    data[cut:cut] = b"\x00garbage" * 7
    open(path, "wb").write(bytes(data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader = read_logdir(str(tmp_path))
    msgs = [str(w.message) for w in caught if "corrupt" in str(w.message)]
    assert len(msgs) == 1 and path in msgs[0]
    steps = reader.store.scalars("run", "x").steps.tolist()
    assert steps == [i for i in range(50) if i not in (9, 19)]  # records 10, 20 hold steps 9, 19
    (d,) = reader.damage
    assert d.corrupt_records == 3
    assert reader.poll() is False  # nothing new: no second report


def test_truncated_tail_waits_for_completion(tmp_path):
    path = _torch_file(tmp_path, n=20)
    data = open(path, "rb").read()
    open(path, "wb").write(data[:-7])
    store = Store(str(tmp_path))
    reader = LogdirReader(str(tmp_path), store)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an incomplete last record is no damage
        reader.poll()
    assert store.scalars("run", "x").steps.tolist() == list(range(19))
    open(path, "ab").write(data[-7:])
    assert reader.poll()
    assert store.scalars("run", "x").steps.tolist() == list(range(20))
    assert reader.damage == []


def test_fast_path_equals_generic_decoding(tmp_path):
    tags = ["a", "b" * 8, "c" * 9, "d" * 16, "e" * 17, "long/" * 10, "ü名"]
    steps = [0, 1, 127, 128, 2**21, 2**40, 2**49 - 1, 2**49, 2**56, 2**62, -1, -(2**40)]
    recs, want = [], []
    for k, step in enumerate(steps):
        for j, tag in enumerate(tags):
            v = float(np.float32(k * 10 + j + 0.5))
            recs.append(frame(event(1000.0 + k, step, summary_bytes=summary(summary_value(tag, simple_value=v)))))
            want.append((tag, step, v, 1000.0 + k))
    data = frame(event(1.0, 0, file_version="brain.Event:2")) + b"".join(recs)
    scan = scan_records(data)
    fast = fast_scalars(data, scan.starts, scan.lengths)
    assert fast["ok"].sum() == len(want) - 5 * len(tags)  # ≥ 2^49 and negative: generic path
    got = [(fast["tags"][t], int(s), float(v), float(w)) for t, s, v, w in zip(
        fast["tag_index"], fast["steps"], fast["values"], fast["wall_times"])]
    assert got == [w for w, ok in zip(want, fast["ok"][1:]) if ok]
    d = str(tmp_path)
    open(os.path.join(d, "events.out.tfevents.x"), "wb").write(data)
    s = load(d)
    for tag in tags:
        ser = s.scalars(".", tag)
        assert [(tag, int(a), float(b), float(c)) for a, b, c in zip(ser.steps, ser.values, ser.wall_times)] == [
            w for w in want if w[0] == tag]


def _tf2_events() -> bytes:
    """Events the way TF2's tf.summary writes them (tensor values, metadata on first write only)."""
    from PIL import Image
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.plugins.audio import metadata as audio_md
    from tensorboard.plugins.histogram import metadata as hist_md
    from tensorboard.plugins.image import metadata as image_md
    from tensorboard.plugins.scalar import metadata as scalar_md
    from tensorboard.plugins.text import metadata as text_md
    from tensorboard.util import tensor_util

    png = io.BytesIO()
    Image.fromarray(np.full((4, 5, 3), 200, np.uint8)).save(png, format="PNG")
    wav = io.BytesIO()
    import wave

    with wave.open(wav, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(16000)
        wf.writeframes(np.zeros(100, "<i2").tobytes())
    out = [event_pb2.Event(wall_time=1.0, file_version="brain.Event:2")]
    for step in range(3):
        vals = [
            ("loss", scalar_md.create_summary_metadata("", ""), np.float32(0.5 * step)),
            ("img", image_md.create_summary_metadata("", ""),
             np.array([b"5", b"4", png.getvalue(), png.getvalue()], dtype=object)),
            ("h", hist_md.create_summary_metadata("", ""),
             np.array([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0 + step]], dtype=np.float64)),
            ("snd", audio_md.create_summary_metadata("", "", encoding=audio_md.Encoding.Value("WAV")),
             np.array([[wav.getvalue(), b""]], dtype=object)),
            ("txt", text_md.create_summary_metadata("", ""), np.array(b"hi %d" % step, dtype=object)),
        ]
        values = []
        for tag, md, arr in vals:
            v = summary_pb2.Summary.Value(tag=tag, tensor=tensor_util.make_tensor_proto(arr))
            if step == 0:
                v.metadata.CopyFrom(md)
            values.append(v)
        out.append(event_pb2.Event(wall_time=10.0 + step, step=step, summary=summary_pb2.Summary(value=values)))
    return b"".join(frame(e.SerializeToString()) for e in out)


def test_tf2_tensor_summaries(tmp_path):
    (tmp_path / "events.out.tfevents.1.tf2").write_bytes(_tf2_events())
    s = load(str(tmp_path))
    tags = s.tags(".")
    assert tags["scalars"] == ["loss"] and tags["images"] == ["img"]
    assert s.scalars(".", "loss").values.tolist() == [0.0, 0.5, 1.0]
    imgs = s.images(".", "img")
    assert len(imgs) == 6 and imgs[0].array.shape == (4, 5, 3) and (imgs[0].width, imgs[0].height) == (5, 4)
    h = s.histograms(".", "h")[2]
    assert h.num == 7 and h.bucket.tolist() == [2.0, 5.0] and h.min == 0.0 and h.max == 2.0
    a = s.audio(".", "snd")[0]
    assert a.sample_rate == 16000 and a.length_frames == 100
    assert s.texts(".", "txt")[1].text == "hi 1"


@pytest.mark.parametrize("writer", ["nbboard", "torch", "tensorboardX", "tf2", "lightning"])
def test_fixture_logdirs_from_real_writers(writer):
    d = os.path.join(FIXTURES, writer)
    if not os.path.isdir(d):
        pytest.skip(f"no {writer} fixture (tests/make_fixtures.py could not run that writer)")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # fixtures have no damage
        s = load(d)
    runs = s.runs()
    assert runs
    scalars = [(r, t) for r in runs for t in s.tags(r).get("scalars", [])]
    assert scalars, "every fixture logs scalars"
    for r, t in scalars:
        ser = s.scalars(r, t)
        assert len(ser) > 0 and np.all(np.isfinite(ser.wall_times))
    if writer != "tf2":  # every torch-style writer logged hparams (Lightning into its own run)
        hp = [s.hparams(r) for r in runs if s.hparams(r) is not None]
        assert len(hp) == 1 and set(hp[0].hparams) in ({"lr", "opt"}, {"lr", "layers"})
        assert len(hp[0].metrics) == 1
    ea_runs = {r: accumulator(os.path.join(d, r)) for r in runs}
    for r, ea in ea_runs.items():
        for tag in ea.Tags()["scalars"]:
            assert s.scalars(r, tag).values.tolist() == [e.value for e in ea.Scalars(tag)]
        for tag in ea.Tags()["images"]:
            assert [im.encoded for im in s.series(r, tag)] == [e.encoded_image_string for e in ea.Images(tag)]
        for tag in ea.Tags()["histograms"]:
            assert len(s.histograms(r, tag)) == len(ea.Histograms(tag))
        for tag in ea.Tags()["tensors"]:
            md = ea.SummaryMetadata(tag).plugin_data.plugin_name
            if md == "scalars":
                assert len(s.scalars(r, tag)) == len(ea.Tensors(tag))


def test_unreadable_logdir_raises_logdir_error(tmp_path):
    with pytest.raises(LogdirError):
        load(str(tmp_path / "missing"))
    (tmp_path / "f").write_text("x")
    with pytest.raises(LogdirError):
        load(str(tmp_path / "f"))
    assert load(str(tmp_path)).runs() == []
    assert isinstance(LogdirError("x"), OSError)


def test_decode_rejects_absurd_tensor_shapes():
    from nbboard.tfevents.messages import tensor_shape
    from nbboard.tfevents.wire import field_bytes, field_varint

    proto = field_varint(1, 1) + field_bytes(2, tensor_shape((1 << 20, 1 << 20)))
    with pytest.raises(DecodeError):
        dec.parse_tensor(proto)


def test_session_log_in_generic_records_splits_fast_batches(tmp_path):
    recs = [event(1.0, 0, file_version="brain.Event:2")]
    recs += [event(1.0, i, summary_bytes=summary(summary_value("a", simple_value=i))) for i in range(10)]
    recs += [event(2.0, 4, session_log=session_log_start())]
    recs += [event(3.0, i, summary_bytes=summary(summary_value("a", simple_value=-i))) for i in range(4, 6)]
    (tmp_path / "events.out.tfevents.1.x").write_bytes(b"".join(frame(r) for r in recs))
    s = load(str(tmp_path))
    assert s.scalars(".", "a").steps.tolist() == [0, 1, 2, 3, 4, 5]
    assert s.scalars(".", "a").values.tolist() == [0, 1, 2, 3, -4, -5]


def test_progress_bar_text(tmp_path, capsys, monkeypatch):
    """tqdm's bar (a widget in a notebook) when tqdm is installed, else a plain line on stderr."""
    import sys

    with TorchWriter(str(tmp_path)) as w:
        w.add_scalar("x", 1.0, 0)
    size = sum(f.stat().st_size for f in tmp_path.iterdir())
    load(str(tmp_path), progress=True)  # tqdm (a test dependency)
    err = capsys.readouterr().err
    assert "nbboard: reading logdir" in err and f"/{size}" in err
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "tqdm.auto", None)  # as if tqdm were not installed
        load(str(tmp_path), progress=True)
        err = capsys.readouterr().err
        assert "nbboard: reading logdir [" in err and "100%" in err
    load(str(tmp_path), progress=False)
    assert capsys.readouterr().err == ""


def test_cli_inspect(tmp_path, capsys):
    from nbboard.cli import main

    with TorchWriter(str(tmp_path / "r1")) as w:
        for i in range(4):
            w.add_scalar("loss", 4 - i, i)
        w.add_histogram("h", np.arange(10), 2)
    path = event_files(str(tmp_path))[0]
    data = bytearray(open(path, "rb").read())
    data[-5] ^= 0xFF  # damage the last record's data
    open(path, "wb").write(bytes(data))
    assert main(["inspect", str(tmp_path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "run: r1" in out and "loss: 4 point(s), steps 0..3, last 1" in out
    assert "histograms: 0 tag(s)" not in out
    assert "1 corrupt record(s)" in out
    assert main(["inspect", str(tmp_path / "nope")]) == 2


def test_bad_header_crc_in_fresh_buffer_then_resync():
    good = frame(event(1.0, 1, summary_bytes=summary(summary_value("a", simple_value=1.0))))
    data = b"\x01" * 5 + good + good[:-1] + b"\x00" + good
    scan = scan_records(data, final=True)
    assert len(scan.starts) == 2 and scan.corrupt == 2
    assert struct.unpack_from("<Q", data, int(scan.starts[0]) - 12)[0] == len(good) - 16


def test_tf2_scalar_tensors_take_the_fast_path_only_for_scalar_plugins(tmp_path):
    from nbboard.tfevents.messages import plugin_metadata, tensor_proto

    def val(tag, x, md=None):
        return summary(summary_value(tag, tensor=tensor_proto(np.array(x, dtype=np.float32)),
                                     metadata=md))

    recs = [event(1.0, 0, file_version="brain.Event:2")]
    for i in range(300):
        first = i == 0
        recs.append(event(2.0 + i, i, summary_bytes=val("loss", i * 0.5, plugin_metadata("scalars") if first else None)))
        recs.append(event(2.0 + i, i, summary_bytes=val("raw", -i, plugin_metadata("tensor") if first else None)))
    (tmp_path / "events.out.tfevents.1.tf2").write_bytes(b"".join(frame(r) for r in recs))
    data = (tmp_path / "events.out.tfevents.1.tf2").read_bytes()
    scan = scan_records(data)
    assert fast_scalars(data, scan.starts, scan.lengths)["from_tensor"].sum() == 2 * 299
    s = load(str(tmp_path))
    assert s.tags(".") == {"scalars": ["loss"], "tensor": ["raw"]}
    assert s.scalars(".", "loss").values.tolist() == [i * 0.5 for i in range(300)]
    raw = s.tensors(".", "raw")
    assert raw.steps.tolist() == list(range(300)) and float(raw[299].array) == -299.0


def test_purge_step_round_trips_from_nbboard_writer(tmp_path):
    store = Store()
    d = str(tmp_path / "run")
    with nbboard.SummaryWriter(d, store=store) as w:
        for i in range(10):
            w.add_scalar("x", float(i), i)
            w.add_text("t", str(i), i)
    with nbboard.SummaryWriter(d, store=store, purge_step=5) as w:
        for i in range(5, 8):
            w.add_scalar("x", 10.0 * i, i)
    loaded = load(str(tmp_path))
    assert loaded.scalars("run", "x").steps.tolist() == [0, 1, 2, 3, 4, 5, 6, 7]
    assert_store_matches(store.select(str(tmp_path)), loaded)


def test_graphs_and_embeddings_are_read(tmp_path):
    from nbboard.logdir import follow_into

    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    with TorchWriter(str(tmp_path / "torch")) as t:
        t.add_embedding(torch.rand(10, 4), metadata=list(range(10)), tag="e", global_step=1)
        t.add_graph(model, torch.rand(1, 3))
    store = Store(str(tmp_path))
    with nbboard.SummaryWriter(str(tmp_path / "mine"), store=store) as w:
        w.add_embedding(np.random.rand(6, 3), tag="m", global_step=0)
        w.add_graph(model, torch.rand(1, 3))
    s = load(str(tmp_path))
    emb = s.series("torch", "e")
    assert emb.kind == "projector" and emb[0].mat.shape == (10, 4) and emb.steps.tolist() == [1]
    assert s.plugin_record("torch", "graphs") is not None
    assert s.plugin_record("mine", "graphs") is not None
    assert s.series("mine", "m")[0].mat.shape == (6, 3)
    f = follow_into(store, str(tmp_path), interval=0.05)  # the writer's own files are skipped
    try:
        import time

        t0 = time.monotonic()
        while "torch" not in store.runs() or "e" not in store.tags("torch").get("projector", []):
            assert time.monotonic() - t0 < 30
            time.sleep(0.02)
        time.sleep(0.2)
    finally:
        f.stop()
    assert len(store.series("mine", "m")) == 1


def test_purge_after_a_batch_boundary_drops_buffered_points(tmp_path, monkeypatch):
    import nbboard.logdir.reader as ld

    monkeypatch.setattr(ld, "PROCESS_BATCH", 7)  # the real _process, in batches of 7 records
    recs = [event(1.0, 0, file_version="brain.Event:2")]
    recs += [event(1.0, i, summary_bytes=summary(summary_value("a", simple_value=i))) for i in range(13)]
    recs += [event(2.0, 4, session_log=session_log_start())]
    recs += [event(3.0, 4, summary_bytes=summary(summary_value("a", simple_value=-4.0)))]
    (tmp_path / "events.out.tfevents.1.x").write_bytes(b"".join(frame(r) for r in recs))
    s = load(str(tmp_path))
    assert s.scalars(".", "a").steps.tolist() == [0, 1, 2, 3, 4]
    assert s.scalars(".", "a").values.tolist() == [0, 1, 2, 3, -4]


def test_grouped_crc_check_finds_each_damaged_record(tmp_path):
    """Short records are CRC-checked in groups of one length (check_crcs); damage in one record,
    in two records of the same group, in a CRC footer, and in records of several lengths is each
    found exactly as the record-by-record check finds it."""
    from nbboard.tfevents.reader import _crcs_one_by_one, check_crcs
    from nbboard.tfevents.record import unmask_crcs

    w = nbboard.SummaryWriter(str(tmp_path / "run"), store=Store())
    for i in range(6000):
        w.add_scalar("a" if i % 3 else "a_longer_tag", float(i), i)  # two record lengths
        if i % 100 == 0:
            w.add_text("t", "x" * (i % 700), i)  # many lengths, some over the group limit
    w.close()
    (path,) = glob.glob(str(tmp_path / "run" / "*tfevents*"))
    data = bytearray(open(path, "rb").read())
    recs = scan_records(bytes(data), final=True)
    rng = np.random.default_rng(0)
    hit = sorted({int(x) for x in rng.choice(len(recs.starts), 12, replace=False)} | {500, 501, 503})
    for r in hit:
        pos = int(recs.starts[r]) + int(rng.integers(0, int(recs.lengths[r])))
        data[pos] ^= 1 << int(rng.integers(0, 8))
    foot = int(recs.starts[2000] + recs.lengths[2000])  # a damaged footer
    data[foot] ^= 0x40
    buf = bytes(data)
    footer = np.ndarray((len(buf) - 3,), dtype="<u4", buffer=buf, strides=(1,))[recs.starts + recs.lengths]
    ok = check_crcs(buf, memoryview(buf), recs.starts, recs.lengths, footer)
    ref = _crcs_one_by_one(memoryview(buf), recs.starts, recs.lengths) == unmask_crcs(footer)
    np.testing.assert_array_equal(ok, ref)
    assert sorted(np.flatnonzero(~ok).tolist()) == sorted([*hit, 2000])
    # and through a load: the damaged records are dropped, every other point is read
    open(path, "wb").write(buf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = load(str(tmp_path), progress=False)
    assert len(s.scalars("run", "a")) + len(s.scalars("run", "a_longer_tag")) + len(s.texts("run", "t")) == \
        6000 + 60 - sum(1 for r in [*hit, 2000] if r > 0)


def test_small_files_read_in_groups_keep_order_damage_and_tailing(tmp_path, monkeypatch):
    """Small files are read in groups (framed each, CRCs and scalar decoding shared) and bigger
    ones alone; in any mix each run gets its points in order, damage is counted in its own file,
    and a file that grows is tailed from where it was."""
    import nbboard.logdir.reader as lr

    monkeypatch.setattr(lr, "GROUP_FILE_BYTES", 30_000)  # files of ~20 KB group, ~60 KB ones do not
    monkeypatch.setattr(lr, "GROUP_BYTES", 50_000)
    writers = {}
    for r in range(9):
        w = nbboard.SummaryWriter(str(tmp_path / f"run{r}"), store=Store())
        for i in range(1500 if r % 4 == 3 else 500):
            w.add_scalar("x", float(r * 10_000 + i), i)
            if i % 50 == 0:
                w.add_text("t", f"r{r} i{i}", i)
        w.flush()
        writers[r] = w
    (bad,) = glob.glob(str(tmp_path / "run4" / "*tfevents*"))
    data = bytearray(open(bad, "rb").read())
    recs = scan_records(bytes(data))
    data[int(recs.starts[100]) + 2] ^= 0x10  # one damaged record in a grouped file
    open(bad, "wb").write(bytes(data))
    store = Store(str(tmp_path))
    reader = LogdirReader(str(tmp_path), store)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader.poll()
    assert [str(c.message) for c in caught if "corrupt" in str(c.message)] == [
        f"nbboard: {bad}: skipped 1 corrupt record(s) ({int(recs.lengths[100]) + 16} bytes) and 0 undecodable event(s); read on past the damage"]
    for r in range(9):
        n = 1500 if r % 4 == 3 else 500
        s = store.scalars(f"run{r}", "x")
        assert np.all(np.diff(s.steps) > 0) and np.all(s.values == r * 10_000 + s.steps)
        # every point but the damaged record's (a scalar or a text) in run4
        assert len(s) + len(store.texts(f"run{r}", "t")) == n + n // 50 - (r == 4)
    assert {d.path for d in reader.damage if d.total} == {bad}
    for w in writers.values():  # every file grows; the next poll reads only what is new
        w.add_scalar("x", -1.0, 10_000)
        w.close()
    reader.poll()
    for r in range(9):
        assert store.scalars(f"run{r}", "x").steps[-1] == 10_000


def test_big_files_read_in_chunks_into_buffers_used_again(tmp_path, monkeypatch):
    """Big files are read a chunk at a time into buffers that a later chunk uses again once
    nothing views them: every record of every kind reads as the writer logged it (scalars in
    rows, images, audio, meshes... between them), as a read into plain bytes reads it; a
    damaged record in a middle chunk is reported once, after the file's last chunk; a small
    file between big ones keeps its place; and the buffers are in fact used again."""
    import nbboard.logdir.reader as lr
    from nbboard.logdir.fs import LocalFS
    from nbboard.tfevents import reader as tr

    monkeypatch.setattr(lr, "GROUP_FILE_BYTES", 30_000)  # run1's ~20 KB file groups, the others do not
    monkeypatch.setattr(tr.EventFileReader, "chunk", 64_000)  # the big files in several chunks
    monkeypatch.setattr(lr, "PROCESS_BATCH", 500)
    store = Store()
    for r in range(4):
        with nbboard.SummaryWriter(str(tmp_path / f"run{r}"), store=store) as w:
            n = 300 if r == 1 else 4000
            for i in range(n):
                w.add_scalar("loss", 1.0 / (i + 1) + r, i)
                w.add_scalar("acc", float(i % 7) * r, i)
                if i == n // 2:
                    log_everything(w, steps=2)  # records the Store keeps, inside a middle chunk
    (bad,) = glob.glob(str(tmp_path / "run2" / "*tfevents*"))
    data = bytearray(open(bad, "rb").read())
    recs = scan_records(bytes(data))
    r_bad = 3000  # a scalar record in a middle chunk
    data[int(recs.starts[r_bad]) + 20] ^= 0x04
    open(bad, "wb").write(bytes(data))
    taken: list[int] = []
    take = tr.Buffers.take
    monkeypatch.setattr(tr.Buffers, "take", lambda self, k: taken.append(id(b := take(self, k))) or b)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = load(str(tmp_path), progress=False)
    assert [str(c.message) for c in caught if "corrupt" in str(c.message)] == [
        f"nbboard: {bad}: skipped 1 corrupt record(s) ({int(recs.lengths[r_bad]) + 16} bytes) and 0 undecodable event(s); read on past the damage"]
    assert len(taken) > 12 and len(set(taken)) <= 3  # many chunks, three buffers at most
    monkeypatch.setattr(LocalFS, "read_into", None)  # the same files through plain bytes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = load(str(tmp_path), progress=False)
    assert_store_matches(plain, loaded)
    written = store.select(str(tmp_path))  # and as logged: the damage took one scalar of run2
    assert loaded.runs() == written.runs()
    lost = 0
    for run in written.runs():
        assert loaded.tags(run) == written.tags(run)
        for tag in ("loss", "acc") if run in ("run0", "run1", "run2", "run3") else ():
            a, b = written.scalars(run, tag), loaded.scalars(run, tag)
            keep = np.isin(a.steps, b.steps)
            lost += int((~keep).sum())
            np.testing.assert_array_equal(a.values[keep].astype(np.float32), b.values)
    assert lost == 1


def test_ahead_runs_tasks_a_few_ahead_with_arguments_made_by_the_caller():
    """`pool.Ahead` keeps at most `depth` tasks beyond the one taken, hands each result back in
    order, and makes each task's arguments in the taking thread (their arrays live in its heap)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from nbboard.tfevents.pool import Ahead

    made: list[tuple[int, int]] = []  # (task, thread that made its arguments)

    def make(k: int) -> tuple[int]:
        made.append((k, threading.get_ident()))
        return (k,)

    with ThreadPoolExecutor(2) as pool:
        ahead = Ahead(pool, lambda k: k * k, [lambda k=k: make(k) for k in range(10)], depth=3)
        assert len(ahead) == 10 and made == []  # nothing runs before the first is taken
        got = []
        for k in range(10):
            got.append(ahead[k].result())
            assert len(made) == min(10, k + 4)  # the one taken and at most 3 beyond it
    assert got == [k * k for k in range(10)]
    assert {t for _, t in made} == {threading.get_ident()}


def test_decoded_points_live_in_columns_the_loading_thread_made(tmp_path, monkeypatch):
    """A big file's batches are decoded on the pool into columns the loading thread made (so the
    results live in its heap, which a load's trim hands back, not in a decode thread's)."""
    import threading

    import nbboard.logdir.reader as lr
    from nbboard.tfevents import reader as tr

    if tr.workers() is None:
        pytest.skip("one core: no decode pool")
    monkeypatch.setattr(lr, "PROCESS_BATCH", 4096)
    monkeypatch.setattr(lr, "GROUP_FILE_BYTES", 100_000)  # the ~0.9 MB file is read as a big one
    with TorchWriter(str(tmp_path / "run")) as w:
        for i in range(6000):
            for t in ("a", "b", "c"):
                w.add_scalar(t, float(i), i)
    made: list[str] = []
    make = tr.scalar_columns

    def recording(m: int):
        made.append(threading.current_thread().name)
        return make(m)

    monkeypatch.setattr(tr, "scalar_columns", recording)  # fast_scalars' own fallback
    monkeypatch.setattr(lr, "scalar_columns", recording)  # the loader's
    decoded_on: set[str] = set()
    fast = tr.fast_scalars
    monkeypatch.setattr(lr, "fast_scalars", lambda *a: decoded_on.add(threading.current_thread().name) or fast(*a))
    s = load(str(tmp_path), progress=False)
    assert s.scalars("run", "b").values.tolist() == [float(i) for i in range(6000)]
    assert len(made) >= 4 and set(made) == {threading.current_thread().name}
    assert decoded_on and threading.current_thread().name not in decoded_on  # decoded on the pool


def test_buffers_are_used_again_only_when_nothing_views_them():
    """A read buffer is handed out again only once no memoryview or numpy array views it."""
    from nbboard.tfevents.reader import Buffers

    bufs = Buffers(keep=2)
    a = bufs.take(100)
    view = memoryview(a)[:10]
    b = bufs.take(50)
    assert b is not a  # `a` is still viewed
    del view
    assert bufs.take(100) is a  # nothing views it now; it is big enough
    arr = np.frombuffer(b, dtype=np.uint8)
    assert bufs.take(50) is a and bufs.take(200) is not b  # `b` is viewed by a numpy array
    del arr
    c = bufs.take(300)  # bigger than both: a new one, and only the two biggest are kept
    assert c is not a and c is not b and bufs.take(250) is c
    assert [len(x) for x in bufs._bufs] == [200, 300]


def test_fast_path_tells_long_tags_apart_by_their_middle(tmp_path):
    """Tags of one length that share their first and last 8 bytes differ only in the middle:
    each keeps its own points (the fast path compares the words between)."""
    tags = ["abcdefgh_one_12345678", "abcdefgh_two_12345678", "abcdefgh/one_12345678",
            "abcdefgh_one_1234567812345678", "abcdefgh_one_9234567812345678"]
    w = nbboard.SummaryWriter(str(tmp_path / "run"), store=Store())
    for i in range(3000):
        w.add_scalar(tags[i % len(tags)], float(i), i)
    w.close()
    s = load(str(tmp_path), progress=False)
    assert sorted(s.tags("run")["scalars"]) == sorted(tags)
    for k, t in enumerate(tags):
        assert s.scalars("run", t).values.tolist() == [float(i) for i in range(k, 3000, len(tags))]


def _frame_one_by_one(data: bytes) -> tuple[list[int], list[int]]:
    """Reference framing: each record's payload offset and length, header by header, with the
    payload's CRC checked record by record (records whose CRC fails are left out)."""
    from crc32c import crc32c

    from nbboard.tfevents.record import unmask_crcs

    starts, lengths, pos = [], [], 0
    while pos + 12 <= len(data):
        (ln,) = struct.unpack_from("<Q", data, pos)
        end = pos + 12 + ln
        if end + 4 > len(data):
            break
        (stored,) = struct.unpack_from("<I", data, end)
        if crc32c(data[pos + 12:end]) == int(unmask_crcs(np.array([stored], np.uint32))[0]):
            starts.append(pos + 12)
            lengths.append(ln)
        pos = end + 4
    return starts, lengths


def _scalar_truth(data: bytes, fast, starts, lengths) -> None:
    """Every point the fast path decoded is what TensorBoard's own Event proto says."""
    from tensorboard.compat.proto import event_pb2

    for j, r in enumerate(fast["records"].tolist()):
        ev = event_pb2.Event.FromString(data[starts[r]:starts[r] + lengths[r]])
        (v,) = ev.summary.value
        x = v.simple_value if v.HasField("simple_value") else float(np.frombuffer(v.tensor.tensor_content, np.float32)[0])
        got = (fast["tags"][fast["tag_index"][j]], int(fast["steps"][j]), float(fast["values"][j]), float(fast["wall_times"][j]))
        assert got == (v.tag, ev.step, float(np.float32(x)), ev.wall_time)


def test_regular_stretches_are_read_as_rows_like_record_by_record(monkeypatch):
    """Framing finds the regular stretches a training loop leaves (one tag's points back to back,
    or a record per tag per step) as Rows; their headers, CRCs and scalar points, read through
    strided views, equal the record-by-record reading: tags of equal length in one stretch, steps
    across varint lengths, TF2 tensors, a histogram between, damage inside a stretch."""
    from nbboard.tfevents import reader as reader_mod
    from nbboard.tfevents.messages import tensor_proto
    from nbboard.tfevents.reader import _gather_scalars

    monkeypatch.setattr(reader_mod, "MIN_RECORDS", 1)  # short files here: every stretch as Rows
    rng = np.random.default_rng(7)
    tags = ["loss", "acc_", "lr__", "metric/val_loss", "metric/accuracy", "x" * 40]

    def value(tag, tensor):
        x = float(rng.standard_normal())
        if tensor:
            return summary(summary_value(tag, tensor=tensor_proto(np.array(x, dtype=np.float32))))
        return summary(summary_value(tag, simple_value=x))

    covered = 0
    total = 0
    cycles: set[int] = set()
    for trial in range(40):
        chosen = [tags[i] for i in rng.choice(len(tags), int(rng.integers(1, 5)), replace=False)]
        first = int(rng.choice([0, 200, 16000, 20000, 2**21 - 30, 2**49 - 20]))  # 200, 20000: one varint length
        steps = range(first, first + int(rng.integers(300, 900)))
        tensor = trial % 5 == 4
        recs = []
        if trial % 2:  # nbboard's writer: each tag's points together
            recs = [event(1e9 + rng.random(), s, summary_bytes=value(t, tensor)) for t in chosen for s in steps]
        else:  # torch's: a record per tag per step, now and then a histogram
            for s in steps:
                recs += [event(1e9 + rng.random(), s, summary_bytes=value(t, tensor)) for t in chosen]
                if trial % 4 == 2 and rng.random() < 0.05:
                    recs.append(event(1.0, s, summary_bytes=summary(summary_value(
                        "h", tensor=tensor_proto(np.zeros(3, np.float32))))))
        framed = [frame(r) for r in recs]
        at = np.cumsum([0] + [len(f) for f in framed])
        data = bytearray(b"".join(framed))
        if trial % 3 == 2:  # damage: payload bytes and stored CRCs (the headers stay: no resync here)
            for r in rng.choice(len(recs), int(rng.integers(1, 6)), replace=False).tolist():
                data[int(at[r]) + int(rng.integers(12, len(framed[r])))] ^= 1 << int(rng.integers(8))
        data = bytes(data)
        scan = scan_records(data)
        want_s, want_l = _frame_one_by_one(data)
        assert scan.starts.tolist() == want_s and scan.lengths.tolist() == want_l
        assert scan.corrupt == len(recs) - len(want_s)
        if scan.corrupt == 0:
            assert scan.rows, trial  # the stretches were found ...
            covered += sum(r.k * r.p for _, r in scan.rows)
            cycles |= {r.p for _, r in scan.rows}
            for f, r in scan.rows:  # ... and number the records they hold
                np.testing.assert_array_equal(r.positions() + 12, scan.starts[f:f + r.k * r.p])
            total += len(scan.starts)
        fast = fast_scalars(data, scan.starts, scan.lengths, scan.rows)
        plain = _gather_scalars(data, scan.starts, scan.lengths)
        _scalar_truth(data, fast, want_s, want_l)
        assert not (plain["ok"] & ~fast["ok"]).any()  # the rows read every point the gathers read
    assert max(cycles) > 1  # rows of several records (torch's layout) were among them
    assert covered > 0.8 * total  # the first 48 records of a file, a few after each change, are walked


def test_damage_inside_rows_is_found_record_by_record(monkeypatch):
    """A damaged record (payload or stored CRC) in a stretch read as Rows is found exactly, and
    two damaged records of one CRC group both are."""
    from crc32c import crc32c

    from nbboard.tfevents import rows as rows_mod
    from nbboard.tfevents.rows import Rows, crcs_ok

    recs = [frame(event(1.0 + i, i, summary_bytes=summary(summary_value("loss", simple_value=float(i)))))
            for i in range(200, 3000)]  # one length throughout
    data = bytearray(b"".join(recs))
    L = len(recs[0])
    rows = Rows(0, len(recs), L, (0,), (L - 16,))
    assert crcs_ok(bytes(data), rows).all()
    for r, off in [(5, 20), (6, 30), (700, 14), (2500, L - 2)]:  # 5 and 6 share a group; 2500: the footer
        data[r * L + off] ^= 0x10
    ok = crcs_ok(bytes(data), rows)
    assert np.flatnonzero(~ok).tolist() == [5, 6, 700, 2500]
    # a clean stretch costs a CRC per group of 512 records, not one per record
    calls = []
    monkeypatch.setattr(rows_mod, "crc32c", lambda b: calls.append(1) or crc32c(b))
    assert crcs_ok(b"".join(recs), rows).all() and len(calls) <= -(-len(recs) // 512) + 1
