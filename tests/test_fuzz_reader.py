"""Fuzzing the reader: random and mutated event files never crash or hang it (the only error
`load` raises is LogdirError for an unreadable logdir), and reading a file in arbitrary pieces
(tailing) gives exactly what one whole read gives."""

from __future__ import annotations

import os
import shutil
import struct
import tempfile
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from nbboard.kinds.histograms.record import HistogramData
from nbboard.kinds.histograms.write import encode as encode_histogram
from nbboard.logdir import LogdirReader, load
from nbboard.logdir.decode import decode_value
from nbboard.store import Store
from nbboard.tfevents.messages import (
    event,
    plugin_metadata,
    session_log_start,
    summary,
    summary_value,
)
from nbboard.tfevents.reader import scan_records
from nbboard.tfevents.record import frame


def _valid_file() -> bytes:
    recs = [event(1.0, 0, file_version="brain.Event:2")]
    for i in range(12):
        recs.append(event(2.0 + i, i, summary_bytes=summary(summary_value(f"t{i % 3}", simple_value=i * 0.5))))
        if i % 4 == 0:
            h = HistogramData(0.0, 1.0, 2.0, 1.0, 1.0, np.array([0.5, 1.0]), np.array([1.0, 1.0]))
            recs.append(event(2.0 + i, i, summary_bytes=encode_histogram("h", h)))
    recs.append(event(30.0, 5, session_log=session_log_start()))
    recs.append(event(31.0, 6, summary_bytes=summary(summary_value("t0", simple_value=-1.0))))
    return b"".join(frame(r) for r in recs)


VALID = _valid_file()

mutation = hs.one_of(
    hs.tuples(hs.just("flip"), hs.integers(0, len(VALID) - 1), hs.integers(1, 255)),
    hs.tuples(hs.just("cut"), hs.integers(0, len(VALID)), hs.just(0)),
    hs.tuples(hs.just("insert"), hs.integers(0, len(VALID)), hs.binary(min_size=1, max_size=40)),
    hs.tuples(hs.just("delete"), hs.integers(0, len(VALID) - 1), hs.integers(1, 40)),
    hs.tuples(hs.just("dup"), hs.integers(0, len(VALID) - 1), hs.integers(1, 80)),
)


def _mutate(data: bytes, muts) -> bytes:
    b = bytearray(data)
    for kind, pos, arg in muts:
        pos = min(pos, len(b))
        if kind == "flip" and pos < len(b):
            b[pos] ^= arg
        elif kind == "cut":
            del b[pos:]
        elif kind == "insert":
            b[pos:pos] = arg
        elif kind == "delete":
            del b[pos : pos + arg]
        elif kind == "dup":
            b[pos:pos] = b[pos : pos + arg]
    return bytes(b)


def _load_bytes(files: dict[str, bytes]) -> Store:
    d = tempfile.mkdtemp(prefix="nbb-fuzz-")
    try:
        for name, data in files.items():
            p = os.path.join(d, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = load(d, progress=False)
        for run in s.runs():  # every accessor works on whatever was read
            for tags in s.tags(run).values():
                for tag in tags:
                    ser = s.series(run, tag)
                    assert len(ser.steps) == len(ser)
        return s
    finally:
        shutil.rmtree(d, ignore_errors=True)


FUZZ = settings(max_examples=120, deadline=2000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(hs.binary(max_size=2000))
def test_random_bytes_never_crash(data):
    _load_bytes({"events.out.tfevents.1.rand": data})
    scan = scan_records(data)
    assert 0 <= scan.consumed <= len(data)


@FUZZ
@given(hs.lists(mutation, min_size=1, max_size=4))
def test_mutated_files_never_crash_and_keep_good_records(muts):
    data = _mutate(VALID, muts)
    s = _load_bytes({"run/events.out.tfevents.1.mut": data, "run/events.out.tfevents.2.ok": VALID})
    assert "run" in s.runs()
    tags = s.tags("run")  # the intact file, read last, is all there
    assert {"t0", "t1", "t2"} <= set(tags.get("scalars", [])) and "h" in tags.get("histograms", [])
    t0 = s.scalars("run", "t0")
    assert (int(t0.steps[-1]), float(t0.values[-1])) == (6, -1.0)


PLUGINS = ["", "scalars", "images", "histograms", "audio", "text", "pr_curves", "mesh",
           "custom_scalars", "nbboard_plotly", "hparams", "other"]


@FUZZ
@given(hs.binary(max_size=300), hs.binary(max_size=300), hs.sampled_from(PLUGINS))
def test_random_summary_values_decode_or_raise_cleanly(raw, md, plugin):
    values = [
        raw,  # a random Summary.Value
        summary_value("t", tensor=raw, metadata=md),  # a random tensor under random metadata
        summary_value("t", tensor=raw, metadata=plugin_metadata(plugin, md)),  # random content
    ]
    for value in values:
        try:
            decode_value(value, {})
        except Exception as e:  # the loader counts these as damage; they must be ordinary errors
            assert isinstance(e, (ValueError, IndexError, TypeError, KeyError, OverflowError,
                                  MemoryError, UnicodeDecodeError)) or type(e).__name__ == "error", repr(e)


@FUZZ
@given(hs.lists(hs.integers(1, len(VALID) - 1), max_size=8, unique=True), hs.booleans())
def test_reading_in_pieces_equals_reading_at_once(cuts, damage):
    data = _mutate(VALID, [("flip", 200, 0x10)]) if damage else VALID
    whole = _load_bytes({"events.out.tfevents.1.x": data})
    d = tempfile.mkdtemp(prefix="nbb-fuzz-")
    try:
        path = os.path.join(d, "events.out.tfevents.1.x")
        open(path, "wb").close()
        store = Store(d)
        reader = LogdirReader(d, store)
        prev = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for c in sorted(cuts) + [len(data)]:
                with open(path, "ab") as f:
                    f.write(data[prev:c])
                prev = c
                reader.poll()
    finally:
        shutil.rmtree(d, ignore_errors=True)
    assert whole.runs() == store.runs()
    for run in whole.runs():
        assert {k: sorted(v) for k, v in whole.tags(run).items()} == {
            k: sorted(v) for k, v in store.tags(run).items()}
        for tags in whole.tags(run).values():
            for tag in tags:
                a, b = whole.series(run, tag), store.series(run, tag)
                assert a.steps.tolist() == b.steps.tolist()
                assert np.asarray(a.wall_times).tolist() == np.asarray(b.wall_times).tolist()


def _reference_frames(data: bytes) -> list[int]:
    """Payload offsets of the records a plain sequential reader accepts (no damage present)."""
    out, pos = [], 0
    while pos + 16 <= len(data):
        ln = struct.unpack_from("<Q", data, pos)[0]
        if pos + 16 + ln > len(data):
            break
        out.append(pos + 12)
        pos += 16 + ln
    return out


@settings(max_examples=40, deadline=5000, derandomize=True, database=None)
@given(hs.lists(hs.tuples(hs.integers(0, 3), hs.integers(0, 3)), min_size=1, max_size=30),
       hs.integers(0, 400), hs.integers(0, 20))
def test_cycle_prediction_frames_exactly_like_a_plain_loop(pattern, n_cycles, cut):
    tags = ["a", "bb/cc", "loss/train", "x" * 20]
    recs = [frame(event(1.0, 0, file_version="brain.Event:2"))]
    step = 0
    for c in range(n_cycles):
        for tag_i, jump in pattern:
            step += jump * (50 if c % 7 == 0 else 1)
            recs.append(frame(event(1.0 + c, step, summary_bytes=summary(
                summary_value(tags[tag_i], simple_value=float(c))))))
        if c == n_cycles // 2:
            recs.append(frame(event(5.0, step, summary_bytes=summary(summary_value("odd", simple_value=1.0)))))
    data = b"".join(recs)
    data = data[: max(len(data) - cut, 0)]
    scan = scan_records(data)
    assert scan.starts.tolist() == _reference_frames(data)
    assert scan.corrupt == 0
