"""Pending scalars wait in the writer's ring of slots, not as Python objects: the batch encoder
is byte-exact, the writer thread takes the slots in order (waiting for one a caller is still
writing, skipping one an interrupted caller abandoned), records queued beside them keep their
place, and memory stays the Store's."""

from __future__ import annotations

import glob
import os
import threading
import tracemalloc

import numpy as np
import pytest
from crc32c import crc32c

import nbboard
from nbboard import Store, SummaryWriter
from nbboard.tfevents import journal as jr
from nbboard.tfevents.messages import event, summary_value
from nbboard.tfevents.reader import scan_records
from nbboard.tfevents.record import frame
from nbboard.tfevents.simple_values import crc32c_rows, encode_scalar_batch
from nbboard.tfevents.wire import field_bytes
from tests.tb import accumulator


def _reference(tag: str, wt: np.ndarray, st: np.ndarray, vs: np.ndarray) -> bytes:
    """One framed Event per point, built field by field (no batching)."""
    out = []
    for w, s, v in zip(wt.tolist(), st.tolist(), vs.tolist()):
        with np.errstate(over="ignore"):
            v32 = float(np.float32(v))
        summ = field_bytes(1, summary_value(tag, simple_value=v32))
        out.append(frame(event(w, s, summary_bytes=summ)))
    return b"".join(out)


@pytest.mark.parametrize("steps", ["counting", "from_zero", "negative", "any_order", "huge"])
def test_the_batch_encoder_matches_one_event_at_a_time(steps):
    rng = np.random.default_rng(len(steps))
    n = 3000
    st = {"counting": np.arange(10**6, 10**6 + n),
          "from_zero": np.arange(n) * 7,
          "negative": -np.arange(n),
          "any_order": rng.integers(0, 1 << 40, n),
          "huge": rng.integers(-(1 << 62), 1 << 62, n)}[steps]
    wt = 1.7e9 + rng.random(n)
    vs = rng.standard_normal(n) * 10.0 ** rng.integers(-45, 45, n)  # float32 overflow included
    for tag in ("loss", "a/" + "é" * 70):
        assert encode_scalar_batch(tag, wt, st, vs) == _reference(tag, wt, st, vs)


def test_crc_by_table_lookups_equals_crc32c():
    rng = np.random.default_rng(1)
    rows = rng.integers(0, 256, (200, 61), dtype=np.uint8)
    cols = [0, 5, 6, 30, 59, 60]
    base_row = rows[0].copy()
    base_row[cols] = 0
    rows[:, [c for c in range(61) if c not in cols]] = base_row[[c for c in range(61) if c not in cols]]
    got = crc32c_rows(rows, crc32c(base_row.tobytes()), cols)
    assert got.tolist() == [crc32c(r.tobytes()) for r in rows]


def _file_steps(logdir: str, tag: str) -> list[int]:
    return [e.step for e in accumulator(logdir).Scalars(tag)]


def test_pending_scalars_hold_no_python_objects(tmp_path):
    """While the writer thread is held up, 100k points wait in the ring: the queue stays empty
    and the process grows by the Store's columns only."""
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_scalar("x", 0.0, 0)
    w.flush()
    n = 100_000
    assert n < jr.SLOTS
    t = w._thread
    tracemalloc.start()
    with t._io:  # no drain can run
        before, _ = tracemalloc.get_traced_memory()
        for i in range(1, n + 1):
            w.add_scalar("x", float(i), i)
        grown, _ = tracemalloc.get_traced_memory()
        assert len(t.queue) == 0
    tracemalloc.stop()
    store_bytes = store.scalars(w._key, "x").nbytes()
    assert grown - before <= store_bytes + (1 << 20), (grown - before) / n
    w.close()
    assert _file_steps(str(tmp_path), "x") == list(range(n + 1))


def test_a_slot_being_written_holds_the_drain_and_keeps_the_order(tmp_path):
    w = SummaryWriter(str(tmp_path), store=Store())
    j = w._journal
    for i in range(5):
        w.add_scalar("x", float(i), i)
    # another thread reserved position 5 and has not written its slot yet
    pos = next(j.seq)
    for i in range(6, 10):
        w.add_scalar("x", float(i), i)
    w._thread.drain()
    assert j.read == pos  # the slots after the unwritten one wait
    assert _file_steps(str(tmp_path), "x") == list(range(5))
    j.put(j.mm, jr.HEADER + (pos & jr.MASK) * jr.SLOT_BYTES, pos + 1, 5, 5.0, 0.0,
          j.ids["x"] + ((pos + 1) & jr.LOW))
    w.flush()
    assert _file_steps(str(tmp_path), "x") == list(range(10))
    w.close()


def test_an_abandoned_slot_is_skipped_once_old_and_at_close(tmp_path):
    w = SummaryWriter(str(tmp_path), store=Store())
    j = w._journal
    j.hole_age = 0.0
    w.add_scalar("x", 0.0, 0)
    next(j.seq)  # reserved by a caller interrupted before it wrote the slot
    w.add_scalar("x", 2.0, 2)
    w._thread.drain()  # first seen: waited for
    assert _file_steps(str(tmp_path), "x") == [0]
    w._thread.drain()  # still unwritten a while later: skipped
    assert _file_steps(str(tmp_path), "x") == [0, 2]
    next(j.seq)
    w.add_scalar("x", 3.0, 3)
    j.hole_age = 1e9
    w.close()  # close waits for no one
    assert _file_steps(str(tmp_path), "x") == [0, 2, 3]


def test_an_interrupted_wait_for_room_leaves_no_hole(tmp_path, monkeypatch):
    w = SummaryWriter(str(tmp_path), store=Store())
    j = w._journal
    t = w._thread
    w.add_scalar("x", 0.0, 0)
    w.flush()
    j.durable, j.limit = -jr.SLOTS, 0  # the next call finds the ring full
    drain = t.drain

    def interrupted(final: bool = False) -> None:
        if threading.current_thread() is threading.main_thread():
            raise KeyboardInterrupt  # Ctrl-C while this caller writes the ring for room
        drain(final)

    monkeypatch.setattr(t, "drain", interrupted)
    with pytest.raises(KeyboardInterrupt):
        w.add_scalar("x", 1.0, 1)  # the Store has it; the ring marks its slot as skipped
    monkeypatch.undo()
    j.durable, j.limit = 0, jr.SLOTS // 2
    j.hole_age = 1e9  # a hole would stall the drain for good
    w.add_scalar("x", 2.0, 2)
    t.drain()
    assert j.read == j.reserved()
    w.close()
    assert _file_steps(str(tmp_path), "x") == [0, 2]


def test_records_queued_between_scalars_of_their_tag_keep_their_place(tmp_path):
    """A Summary written through the FileWriter facade (a queued record) between add_scalar
    calls of the same tag lands between them in the file."""
    w = SummaryWriter(str(tmp_path), store=Store())
    fw = w.file_writer
    for i in range(30):
        if i % 3 == 1:
            fw.add_summary(field_bytes(1, summary_value("x", simple_value=float(i))), i)
        else:
            w.add_scalar("x", float(i), i)
    w.close()
    assert _file_steps(str(tmp_path), "x") == list(range(30))
    (path,) = glob.glob(os.path.join(tmp_path, "events.*"))
    scan = scan_records(open(path, "rb").read(), final=True)
    assert scan.corrupt == 0 and len(scan.starts) == 31


def test_a_remote_writer_keeps_its_ring_in_memory(tmp_path):
    url = f"local://{tmp_path}/run"
    (tmp_path / "run").mkdir()
    w = SummaryWriter(url, store=Store())
    assert w._journal is not None and w._journal.path is None
    for i in range(1000):
        w.add_scalar("x", float(i), i)
    w.close()
    assert not [n for n in os.listdir(tmp_path / "run") if n.startswith(jr.PREFIX)]
    s = nbboard.load(str(tmp_path), progress=False)
    assert s.scalars("run", "x").steps.tolist() == list(range(1000))
