"""Alerts: every rule kind against hand-computed expectations (noise, NaN, order, purge, late
tags), bad rules, the engine's actions (warn once, callback, raise, text summary), the logdir
keeping rules and alerts, the magic's flag, and the export carrying them."""

from __future__ import annotations

import json
import math
import os
import threading
import warnings

import numpy as np
import pytest

import nbboard
from nbboard.convert import InputError
from nbboard.kinds.alerts.engine import ALERTS_TAG, AlertError, AlertWarning
from nbboard.kinds.alerts.evaluate import Track, ema
from nbboard.kinds.alerts.rules import make_rule, metric, parse_rule
from nbboard.store import Store
from nbboard.writer import SummaryWriter
from tests.tb import accumulator


def fires(rule, values, steps=None, walls=None, chunks=1, ref=None):
    """Steps at which `rule` fires on `values`, fed in `chunks` pieces (the result must not depend
    on how the points were split between ticks)."""
    values = np.asarray(values, dtype=np.float64)
    steps = np.arange(len(values)) if steps is None else np.asarray(steps)
    walls = np.arange(len(values), dtype=np.float64) if walls is None else np.asarray(walls, dtype=np.float64)
    t = Track(rule)
    out = []
    for idx in np.array_split(np.arange(len(values)), chunks):
        if not len(idx):
            continue
        r = None if ref is None else np.asarray(ref, dtype=np.float64)[idx]
        out += [int(steps[idx][f.index]) for f in t.feed(steps[idx], values[idx], walls[idx], r)]
    return out


# ---- rules on synthetic series ---------------------------------------------------------
@pytest.mark.parametrize("chunks", [1, 3, 17])
def test_absolute_fires_on_crossing_and_rearms_after_cooldown(chunks):
    v = np.zeros(60)
    v[10:13] = 11  # one excursion: one alert
    v[14] = 11  # back above after 1 point below: still the same excursion (cooldown 10)
    v[30] = 12  # 15 points below since: a new alert
    v[50] = -1
    assert fires(make_rule("loss", above=10), v, chunks=chunks) == [10, 30]
    assert fires(make_rule("loss", above=10, cooldown=1), v, chunks=chunks) == [10, 14, 30]
    assert fires(make_rule("loss", above=10, once=True), v, chunks=chunks) == [10]
    assert fires(make_rule("loss", above=10, after_step=20), v, chunks=chunks) == [30]
    assert fires(make_rule("loss", below=0), v, chunks=chunks) == [50]


def test_absolute_on_smoothed_values_ignores_a_spike():
    v = np.ones(100)
    v[40] = 30  # one spike: raw fires, smoothed 0.9 (30 * 0.1 + 0.9 = 3.9 < 5) does not
    assert fires(make_rule("loss", above=5), v) == [40]
    assert fires(make_rule("loss", above=5, smoothing=0.9), v) == []


def test_ema_is_tensorboards_debiased_smoothing():
    x = np.array([1.0, 2.0, math.nan, 4.0])
    out, acc, n = ema(x, 0.6, 0.0, 0)
    # TensorBoard: last = last * w + (1 - w) * x; smoothed = last / (1 - w ** count); NaN passes
    last1 = 0.4 * 1.0
    last2 = last1 * 0.6 + 0.4 * 2.0
    last3 = last2 * 0.6 + 0.4 * 4.0
    assert out[0] == pytest.approx(last1 / 0.4)
    assert out[1] == pytest.approx(last2 / (1 - 0.6**2))
    assert math.isnan(out[2])
    assert out[3] == pytest.approx(last3 / (1 - 0.6**3))
    # continued in chunks, the same
    a, acc2, n2 = ema(x[:2], 0.6, 0.0, 0)
    b, _, _ = ema(x[2:], 0.6, acc2, n2)
    np.testing.assert_allclose(np.concatenate([a, b]), out)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_trends_do_not_fire_on_noise_with_the_default_smoothing(seed):
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, 1.0, 5000) + 3.0
    for cond in ("rising", "falling"):
        assert fires(make_rule("loss", **{cond: True}), noise, chunks=7) == [], cond
        assert fires(make_rule("loss", **{cond: True}, window=100), noise) == [], cond
    # heavy-tailed noise too
    spiky = rng.standard_t(3, 5000)
    assert fires(make_rule("loss", rising=True), spiky, chunks=5) == []


def test_rising_fires_soon_after_a_real_trend_starts():
    rng = np.random.default_rng(7)
    flat = rng.normal(0, 0.1, 300)
    ramp = np.arange(200) * 0.05 + rng.normal(0, 0.1, 200)  # 0.5 noise-sd per step
    v = np.concatenate([flat, ramp])
    got = fires(make_rule("loss", rising=True, window=20), v, chunks=4)
    assert len(got) == 1 and 300 < got[0] < 340, got
    # a slope threshold above the real slope never fires
    assert fires(make_rule("loss", rising=0.2), v) == []
    # falling is its mirror
    assert fires(make_rule("loss", falling=True, window=20), -v) == got


def test_plateau_and_not_falling():
    steps = np.arange(400)
    v = np.where(steps < 200, 10 * np.exp(-steps / 30), 10 * np.exp(-200 / 30))
    got = fires(make_rule("loss", plateau=1e-3, window=30), v)
    # the slope over the window is < 1e-3 once the window holds only flat points (≈ step 229)
    # or the decay is slower than 1e-3/step (10/30 * e^(-s/30) < 1e-3 → s > 174): hand-computed
    assert len(got) == 1 and 150 <= got[0] <= 230, got
    nf = fires(make_rule("loss", not_falling=True, window=30), v)
    assert len(nf) == 1 and 160 <= nf[0] <= 240, nf
    assert fires(make_rule("loss", not_falling=True, window=30), v[:150]) == []  # still falling


def test_time_window_uses_wall_time():
    v = np.concatenate([np.zeros(100), np.arange(100) * 1.0])
    walls = np.arange(200) * 0.5  # 2 points per second
    got = fires(make_rule("loss", rising=1.0, seconds=10), v, walls=walls)  # 2/s > 1/s
    assert len(got) == 1 and 100 < got[0] < 125, got
    assert fires(make_rule("loss", rising=3.0, seconds=10), v, walls=walls) == []


def test_best_so_far():
    acc = [0.5, 0.7, 0.9, 0.95, 0.93, 0.91, 0.89, 0.96, 0.90]
    # fell 5 % below the best so far: 0.95 * 0.95 = 0.9025 → 0.89 (step 6), 0.90 again later
    assert fires(make_rule("acc", below="best", by=0.05, cooldown=1), acc) == [6, 8]
    loss = [3.0, 2.0, 1.0, 1.05, 1.2, 0.9, 0.95]
    assert fires(make_rule("loss", above="best", by=0.1), loss) == [4]  # 1.2 > 1.0 * 1.1
    with_nan = [1.0, math.nan, 0.5, 0.2]
    assert fires(make_rule("acc", below="best", by=0.1), with_nan) == [2]  # NaN is not a best


def test_nonfinite_rule():
    v = [1.0, math.nan, math.nan, 2.0, math.inf, -math.inf]
    assert fires(make_rule("x", nonfinite=True, cooldown=1), v) == [1, 4]
    assert fires(make_rule("x", nonfinite=True), v) == [1]


# ---- bad rules -------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, arg", [
    ({"above": 1, "below": 2}, "exactly one condition"),
    ({}, "exactly one condition"),
    ({"above": "nan-but-a-regex("}, "above"),
    ({"above": float("nan")}, "above"),
    ({"above": [1]}, "above"),
    ({"rising": True, "window": 0}, "window"),
    ({"rising": True, "window": 1}, "window"),
    ({"rising": -1}, "rising"),
    ({"plateau": 0}, "plateau"),
    ({"above": 1, "by": 0.2}, "by"),
    ({"above": "best", "by": -1}, "by"),
    ({"above": 1, "smoothing": 1.0}, "smoothing"),
    ({"above": 1, "action": "explode"}, "action"),
    ({"above": 1, "callback": 3}, "callback"),
    ({"above": 1, "cooldown": 0}, "cooldown"),
    ({"above": 1, "runs": "["}, "runs"),
    ({"above": 1, "seconds": 0}, "seconds"),
    ({"above": 1, "after_step": 1.5}, "after_step"),
    ({"nonfinite": "yes"}, "nonfinite"),
])
def test_bad_rules_name_the_argument_and_register_nothing(tmp_path, kwargs, arg):
    w = SummaryWriter(str(tmp_path / "run"), store=Store())
    with pytest.raises(InputError, match=arg):
        w.add_alert("loss", **kwargs)
    with pytest.raises(InputError, match="tag"):
        w.add_alert("loss[", above=1)
    assert w.store.alerts.rules() == []
    assert not any(n.startswith("nbboard-alerts") for n in os.listdir(tmp_path / "run"))
    w.close()


def test_parse_rule_forms():
    r = parse_rule("Loss/train > 10 after 1000 raise")
    assert (r.tag, r.condition, r.threshold, r.after_step, r.action) == ("Loss/train", "above", 10, 1000, "raise")
    r = parse_rule("Acc/val < best by 5% once")
    assert r.ref.best and r.by == pytest.approx(0.05) and r.once
    r = parse_rule("Loss/val > Loss/train by 20%")
    assert r.ref.tag == "Loss/train" and r.by == pytest.approx(0.2)
    r = parse_rule("Loss/val > lr_0.01:Loss/val")
    assert r.ref.run == "lr_0.01" and r.ref.tag == "Loss/val"
    r = parse_rule("Loss/train plateau 1e-4 seconds 60 silent")
    assert r.condition == "plateau" and r.threshold == 1e-4 and r.seconds == 60 and r.action == "none"
    r = parse_rule("loss rising window 50 smoothing 0.9")
    assert r.window == 50 and r.smoothing == 0.9
    for bad in ("loss >> 3", "loss > 3 by", "loss > 3 frobnicate 2", "loss plateau", "loss rising window x"):
        with pytest.raises(InputError):
            parse_rule(bad)
    assert make_rule("loss", above=metric(run="b")).describe() == "loss > loss in b"


# ---- the engine -------------------------------------------------------------------------
def _tick(store: Store) -> None:
    store.alerts.tick()
    store.alerts.tick()  # rules read back in one tick are matched in the next


def test_writer_rule_warns_once_calls_back_off_thread_and_writes_text(tmp_path):
    store = Store()
    w = SummaryWriter(str(tmp_path / "run"), store=store)
    got, threads = [], []
    w.add_alert("loss", above=10, cooldown=1, name="loss high",
                callback=lambda a: (got.append(a), threads.append(threading.current_thread().name)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for step, v in enumerate([1, 11, 1, 12, 1, 13]):
            w.add_scalar("loss", v, step)
        w.flush()
        import time

        deadline = time.time() + 10
        while len(got) < 3 and time.time() < deadline:
            time.sleep(0.02)
    assert [a.step for a in got] == [1, 3, 5]
    assert [a.value for a in got] == [11, 12, 13]
    assert set(threads) <= {"nbboard-alerts", threading.current_thread().name}
    assert "nbboard-alerts" in threads  # evaluated off the training thread
    ours = [c for c in caught if issubclass(c.category, AlertWarning)]
    assert len(ours) == 1 and "loss high" in str(ours[0].message)
    w.close()
    # TensorBoard reads the text summaries
    ea = accumulator(tmp_path / "run")
    texts = ea.Tensors("alerts/loss high/text_summary")
    assert [t.step for t in texts] == [1, 3, 5]
    assert b"loss high" in texts[0].tensor_proto.string_val[0]


def test_raise_action_stops_the_training_loop_at_its_next_call(tmp_path):
    store = Store()
    w = SummaryWriter(str(tmp_path / "run"), store=store)
    w.add_alert("loss", nonfinite=True, action="raise", name="diverged")
    w.add_scalar("loss", 1.0, 0)
    w.add_scalar("loss", math.nan, 1)
    store.alerts.tick()
    with pytest.raises(AlertError, match="diverged") as info:
        w.add_scalar("loss", 2.0, 2)
    assert info.value.alert.step == 1
    w.add_scalar("loss", 2.0, 2)  # raised once; the writer goes on
    store.alerts.tick()
    w.add_histogram("h", np.arange(10), 3)  # nothing pending: other methods too
    w.close()
    s = nbboard.load(str(tmp_path))
    assert list(s.scalars("run", "loss").steps) == [0, 1, 2]  # nothing written twice or lost


def test_comparative_rules_wait_for_the_reference(tmp_path):
    store = Store(str(tmp_path))
    a = SummaryWriter(str(tmp_path / "lr_0.1"), store=store)
    b = SummaryWriter(str(tmp_path / "lr_0.01"), store=store)
    a.add_alert("Loss/val", above="Loss/train", by=0.2, name="overfit")
    a.add_alert("Loss/val", above=metric(run="lr_0.01"), by=0.1, name="worse than lr_0.01")
    for step in range(0, 100, 10):
        a.add_scalar("Loss/train", 1.0, step)
        a.add_scalar("Loss/val", 1.1 if step < 50 else 1.3, step)  # > 1.2 from step 50
    store.alerts.tick()
    fired = {(x.rule, x.step) for x in store.alerts.fired()}
    assert fired == {("overfit", 50)}  # the other run has logged nothing: its rule waits
    for step in range(0, 100, 10):
        b.add_scalar("Loss/val", 1.0 if step < 30 else 1.25, step)
    store.alerts.tick()
    fired = {(x.rule, x.step) for x in store.alerts.fired()}
    # lr_0.1's val vs lr_0.01's: 1.1 > 1.1? no; steps 0..20: 1.1 vs 1.0 → 1.1 > 1.1 false;
    # 30, 40: 1.1 vs 1.25 no; 50..: 1.3 > 1.25 * 1.1 = 1.375 no → never
    assert fired == {("overfit", 50)}
    a.add_scalar("Loss/val", 1.5, 100)  # 1.5 > 1.375 once lr_0.01 reaches step 100
    store.alerts.tick()
    assert ("worse than lr_0.01", 100) not in {(x.rule, x.step) for x in store.alerts.fired()}
    b.add_scalar("Loss/val", 1.25, 100)
    store.alerts.tick()
    assert ("worse than lr_0.01", 100) in {(x.rule, x.step) for x in store.alerts.fired()}
    a.close()
    b.close()


def test_rule_on_a_tag_that_appears_later_out_of_order_steps_and_purge(tmp_path):
    store = Store()
    w = SummaryWriter(str(tmp_path / "run"), store=store)
    w.add_alert("late/.*", above=5, cooldown=1)
    store.alerts.tick()
    for step in (30, 10, 20, 40):  # out of order: evaluated in logged order
        w.add_scalar("late/x", {10: 6, 40: 8}.get(step, 1), step)
    store.alerts.tick()
    assert [(x.tag, x.step) for x in store.alerts.fired()] == [("late/x", 10), ("late/x", 40)]
    w.close()
    # a restart with purge_step drops steps ≥ 35: step 40 logged again fires again (the old
    # alert's point is gone), evaluated afresh from the points that remain
    w2 = SummaryWriter(str(tmp_path / "run"), store=store, purge_step=35)
    w2.add_scalar("late/x", 9, 40)
    store.alerts.tick()
    assert [(x.step, x.value) for x in store.alerts.fired()] == [(10, 6), (40, 8), (40, 9)]
    w2.close()


def test_nonfinite_default_on_scalars_histograms_tensors_and_switched_off(tmp_path):
    store = Store()
    w = SummaryWriter(str(tmp_path / "run"), store=store)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlertWarning)
        w.add_scalar("s", math.inf, 1)
        w.add_tensor("t", np.array([1.0, math.nan]), 2)
        w.add_histogram_raw("h", min=0, max=math.nan, num=2, sum=1, sum_squares=1,
                            bucket_limits=[1, 2], bucket_counts=[1, 1], global_step=3)
        store.alerts.tick()
        assert sorted((a.tag, a.step) for a in store.alerts.fired()) == [("h", 3), ("s", 1), ("t", 2)]
        store.alerts.nonfinite = False
        w.add_scalar("s2", math.nan, 4)
        store.alerts.tick()
        assert len(store.alerts.fired()) == 3
    w.close()


def test_rules_and_alerts_are_kept_in_the_logdir_for_later_sessions(tmp_path):
    logdir = str(tmp_path)
    store = Store()
    w = SummaryWriter(f"{logdir}/run", store=store)
    w.add_alert("loss", above=10, name="high", cooldown=1)
    Store(logdir, _data=store._data).add_alert("acc", below=0.5, name="low acc")
    for step, v in enumerate([1.0, 20.0, 1.0]):
        w.add_scalar("loss", v, step)
        w.add_scalar("acc", 0.9 if step < 2 else 0.1, step)
    store.alerts.tick()
    assert {(a.rule, a.step) for a in store.alerts.fired()} == {("high", 1), ("low acc", 2)}
    w.close()
    files = sorted(p for p in os.listdir(f"{logdir}/run") if p.startswith("nbboard-alerts"))
    assert len(files) == 1
    doc = json.loads(open(f"{logdir}/run/{files[0]}").read())
    assert [r["rule"]["name"] for r in doc["rules"]] == ["high"]

    # a later session: the same rules, the alerts that fired, none fired again
    later = nbboard.load(logdir)
    _tick(later)
    assert {r.name for r in later.alerts.rules()} == {"high", "low acc"}
    assert later.alerts.fired() == []
    recs = [r for run in later.runs() if ALERTS_TAG in later.tags(run).get("alerts", [])
            for r in later.series(run, ALERTS_TAG).values]
    assert sorted((r["rule"], r["step"]) for r in recs) == [("high", 1), ("low acc", 2)]
    # ... and they watch what is logged next (another process's writer, read from the files)
    w3 = SummaryWriter(f"{logdir}/run", store=Store())
    w3.add_scalar("loss", 30.0, 3)
    w3.close()
    later.follow(interval=0.05).stop()  # one poll
    later._follower.reader.poll()
    _tick(later)
    assert [(a.rule, a.step) for a in later.alerts.fired()] == [("high", 3)]


def test_store_rules_watch_a_tailed_logdir_and_the_export_carries_alerts(tmp_path):
    logdir = str(tmp_path)
    w = SummaryWriter(f"{logdir}/a", store=Store())  # another "process": its own Store
    w.add_scalar("loss", 1.0, 0)
    w.add_scalar("loss", 50.0, 1)
    w.close()
    s = nbboard.load(logdir)
    s.add_alert("loss > 10")
    _tick(s)
    assert [(a.run, a.step) for a in s.alerts.fired()] == [("a", 1)]
    from nbboard.widgets.board import Board

    feeds = Board.rebuild(s, {"kind": "board"}).feeds
    msgs = [m for m in (f.poll() for f in feeds) if m is not None]
    rows = [r for content, _ in msgs if content.get("type") == "records" for r in content["series"]]
    alerts = [r for r in rows if r[1] == "alerts" and r[3] == ALERTS_TAG]
    assert alerts and alerts[0][8][0]["tag"] == "loss" and alerts[0][8][0]["value"] == 50.0


def test_magic_alert_flag(tmp_path, capsys):
    from nbboard.magics import nbboard_magic

    logdir = str(tmp_path / "runs")
    nbboard_magic(f"--logdir {logdir} --alert 'loss >> 2'")
    assert "cannot read" in capsys.readouterr().err
    from nbboard.store import default_store

    before = {r.name for r in default_store().alerts.rules()}
    assert "loss > 2" not in before
    import IPython.display

    shown = []
    orig = IPython.display.display
    IPython.display.display = lambda *a, **k: shown.append(a)
    try:
        nbboard_magic(f"--logdir {logdir} --alert 'loss > 2' --alert 'loss rising'")
        nbboard_magic(f"--logdir {logdir} --alert 'loss > 2'")  # a re-run: declared once
    finally:
        IPython.display.display = orig
    names = [r.name for r in default_store().alerts.rules()]
    assert names.count("loss > 2") == 1 and "loss rising over 20 points" in names
    for name in ("loss > 2", "loss rising over 20 points"):
        default_store().alerts.remove(name)


def test_board_rules_and_the_public_names(tmp_path):
    logdir = str(tmp_path)
    w = SummaryWriter(f"{logdir}/a", store=Store())  # files another process writes
    w.add_scalar("acc", 0.9, 0)
    w.add_scalar("acc", 0.4, 1)
    w.close()
    board = nbboard.Board(nbboard.load(logdir))  # (Board(logdir) skips this process's own files)
    try:
        rule = board.add_alert("acc", below=nbboard.metric("acc", run="a"), by=0.5, name="vs itself")
        assert rule.ref is not None and rule.ref.run == "a"
        board.add_alert("acc", below=0.5, name="low acc", action="none")
        _tick(board.store)
        assert [(a.rule, a.step) for a in board.store.alerts.fired()] == [("low acc", 1)]
        assert issubclass(nbboard.AlertError, RuntimeError) and issubclass(nbboard.AlertWarning, Warning)
    finally:
        board.close()


def test_a_rerun_cell_replaces_its_rule_and_an_edited_one_wins_over_the_logdir(tmp_path):
    logdir = str(tmp_path)
    store = Store()
    w = SummaryWriter(f"{logdir}/run", store=store)
    w.add_alert("loss", above=2.0, name="high", action="none")
    w.add_scalar("loss", 2.5, 0)
    _tick(store)
    w.close()
    # the cell runs again with the threshold edited: a new writer, the same rule name
    w = SummaryWriter(f"{logdir}/run", store=store)
    w.add_alert("loss", above=3.0, name="high", action="none")
    assert [(r.name, r.threshold) for r in store.alerts.rules()] == [("high", 3.0)]
    w.add_scalar("loss", 2.5, 1)  # above the old threshold only
    w.add_scalar("loss", 3.5, 2)
    _tick(store)
    assert [(a.rule, a.step) for a in store.alerts.fired()] == [("high", 0), ("high", 2)]
    w.close()
    files = list((tmp_path / "run").glob("nbboard-alerts.*.json"))
    assert len(files) == 1
    assert [r["rule"]["threshold"] for r in json.loads(files[0].read_text())["rules"]] == [3.0]
    # a later session declaring it differently: its own rule wins over the one read from the logdir
    later = nbboard.load(logdir)
    _tick(later)
    assert [(r.name, r.threshold) for r in later.alerts.rules()] == [("high", 3.0)]  # read back
    later.alerts.add("loss", above=10.0, name="high", scope=f"{logdir}/run", root=logdir, save=False)
    _tick(later)
    assert [(r.name, r.threshold) for r in later.alerts.rules()] == [("high", 10.0)]
