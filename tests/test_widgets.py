"""The widget runtime without a browser: runtime singleton, deltas, throttling, nothing sent when unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from nbboard.kinds.scalars.feed import ScalarFeed
from nbboard.kinds.scalars.view import Scalars
from nbboard.store import Store
from nbboard.widgets.base import MIME, STATIC, Pusher, runtime
from nbboard.widgets.board import Board


def decode(content: dict, buffers: list[bytes]) -> dict:
    """The page's decoding of a scalars message: (run, tag) -> (start, steps, values, walls, reset)."""
    f = np.frombuffer(buffers[0], dtype=np.float64)
    out, off = {}, 0
    for _id, run, tag, start, count, reset, rank, folder in content["series"]:
        assert rank == -1 and folder == run  # runs of one process
        out[(run, tag)] = (start, f[off:off + count], f[off + count:off + 2 * count],
                           f[off + 2 * count:off + 3 * count], reset)
        off += 3 * count
    assert off == len(f)
    return out


def log(store: Store, run: str, tag: str, steps, values=None, t0: float = 1000.0) -> None:
    key = store._key(run)
    s = store.series_for(key, tag, "scalars")
    steps = np.asarray(steps, dtype=np.int64)
    values = np.asarray(steps * 0.5 if values is None else values, dtype=np.float64)
    with store.lock:
        s.extend(steps, values, t0 + steps.astype(np.float64))


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(str(tmp_path))


class Sink:
    """Stands in for the comm: records what a view sends."""

    def __init__(self, view) -> None:
        self.msgs: list[tuple[dict, list[bytes]]] = []
        view.send = lambda content, buffers=None: self.msgs.append((content, list(buffers or [])))


def make(store: Store, cls=Scalars, **kw):
    pusher = Pusher(start=False)
    v = cls(store, pusher=pusher, **kw)
    sink = Sink(v)
    pusher.add(v)
    return v, pusher, sink


def test_feed_sends_snapshot_then_only_new_points(store):
    log(store, "a", "loss", range(5))
    feed = ScalarFeed(store)
    content, bufs = feed.poll()
    d = decode(content, bufs)
    start, steps, values, walls, reset = d[("a", "loss")]
    assert start == 0 and list(steps) == [0, 1, 2, 3, 4] and list(values) == [0, 0.5, 1, 1.5, 2]
    assert list(walls) == [1000, 1001, 1002, 1003, 1004] and not reset
    assert content.get("full") is True

    assert feed.poll() is None  # nothing new → nothing to send

    log(store, "a", "loss", [5, 6])
    log(store, "b", "acc", [0])
    d = decode(*feed.poll())
    assert d[("a", "loss")][0] == 5 and list(d[("a", "loss")][1]) == [5, 6]
    assert d[("b", "acc")][0] == 0 and list(d[("b", "acc")][1]) == [0]
    assert feed.poll() is None


def test_feed_ids_are_stable_and_reset_after_purge(store):
    log(store, "a", "loss", range(10))
    feed = ScalarFeed(store)
    c1, _ = feed.poll()
    sid = c1["series"][0][0]
    store.purge(store._key("a"), 5)  # drops steps ≥ 5 → epoch bump
    log(store, "a", "loss", [5, 6], values=[9, 9])
    c2, b2 = feed.poll()
    row = c2["series"][0]
    assert row[0] == sid and row[3] == 0 and row[5] is True  # resent from 0 with reset
    d = decode(c2, b2)
    assert list(d[("a", "loss")][1]) == [0, 1, 2, 3, 4, 5, 6]


def test_feed_resync_sends_everything_again(store):
    log(store, "a", "x", range(3))
    feed = ScalarFeed(store)
    feed.poll()
    feed.reset()
    c, b = feed.poll()
    d = decode(c, b)
    assert d[("a", "x")][0] == 0 and len(d[("a", "x")][1]) == 3 and d[("a", "x")][4] is True
    assert c["full"] is True


def test_feed_caps_points_per_message(store):
    log(store, "a", "x", range(1000))
    feed = ScalarFeed(store)
    d1 = decode(*feed.poll(max_points=600))
    d2 = decode(*feed.poll(max_points=600))
    assert d1[("a", "x")][0] == 0 and len(d1[("a", "x")][1]) == 600
    assert d2[("a", "x")][0] == 600 and len(d2[("a", "x")][1]) == 400
    assert feed.poll() is None


def test_feed_respects_logdir_selection(tmp_path):
    root = Store()
    sel = root.select(str(tmp_path / "exp"))
    root.series_for(str(tmp_path / "exp" / "r1"), "loss", "scalars").append(0, 1.0, 5.0)
    root.series_for(str(tmp_path / "other"), "loss", "scalars").append(0, 2.0, 5.0)
    d = decode(*ScalarFeed(sel).poll())
    assert set(d) == {("r1", "loss")}


def test_pusher_throttles_and_is_silent_when_unchanged(store):
    v, pusher, sink = make(store, max_rate=10)
    log(store, ".", "loss", range(3))
    assert pusher.step(now=100.0) == 1
    log(store, ".", "loss", [3])
    assert pusher.step(now=100.05) == 0  # < 1/10 s since the last message
    assert pusher.step(now=100.11) == 1
    for t in (100.3, 100.5, 101.0, 105.0):
        assert pusher.step(now=t) == 0  # unchanged → nothing sent
    assert len(sink.msgs) == 2
    d = decode(*sink.msgs[1])
    assert d[(".", "loss")][0] == 3 and list(d[(".", "loss")][1]) == [3]


def test_pusher_rate_over_a_burst(store):
    v, pusher, sink = make(store, max_rate=10)
    t = 0.0
    for i in range(300):  # 3 s of logging at 100 points/s, pusher ticking every 20 ms
        log(store, ".", "loss", [i])
        if i % 2 == 0:
            pusher.step(now=t)
        t += 0.01
    assert 25 <= len(sink.msgs) <= 31  # ≤ 10 messages/s over 3 s
    pusher.step(now=t + 1)  # the tail goes out on the next due tick
    total = sum(len(decode(c, b)[(".", "loss")][1]) for c, b in sink.msgs)
    assert total == 300  # every point sent exactly once
    starts = [decode(c, b)[(".", "loss")][0] for c, b in sink.msgs]
    assert starts == sorted(starts)


def test_resync_message_from_page(store):
    v, pusher, sink = make(store)
    log(store, ".", "loss", range(4))
    pusher.step(now=1.0)
    v._on_page_msg(v, {"type": "resync"}, [])
    pusher.step(now=2.0)
    d = decode(*sink.msgs[-1])
    assert d[(".", "loss")][0] == 0 and len(d[(".", "loss")][1]) == 4


def test_runtime_is_a_singleton_shared_by_views(store):
    a, _, _ = make(store)
    b, _, _ = make(store, cls=Board)
    assert a._runtime is b._runtime is runtime()
    assert len(runtime().code) > 10_000 and len(runtime().digest) == 16
    # each view's own module is the tiny loader, not the libraries
    assert len(a._esm) < 30_000 and "uPlot" not in a._esm
    assert a._uid != b._uid
    assert (STATIC / "runtime.js").exists()


def test_mimebundle_carries_a_description(store):
    log(store, "r", "loss/train", [0, 1])
    v, _, _ = make(store, smoothing=0.9, runs="r.*")
    data, _meta = v._repr_mimebundle_()
    desc = data[MIME]
    assert desc["kind"] == "scalars" and desc["runs"] == ["r"] and desc["tags"] == ["loss/train"]
    assert desc["options"] == {"smoothing": 0.9, "run_filter": "r.*"}
    assert "application/vnd.jupyter.widget-view+json" in data


def test_sources_and_option_validation(tmp_path):
    from nbboard.writer import SummaryWriter

    w = SummaryWriter(str(tmp_path / "run1"))
    try:
        w.add_scalar("loss", 1.0, 0)
        v = Scalars(w, pusher=Pusher(start=False))
        assert v.store.runs() == ["."]
        assert v.logdir == str(tmp_path / "run1")
        v2 = Scalars(str(tmp_path), pusher=Pusher(start=False))
        assert "run1" in v2.store.runs()
    finally:
        w.close()
    with pytest.raises(ValueError, match="smoothing"):
        Scalars(Store(), smoothing=1.5)
    with pytest.raises(ValueError, match="x_axis"):
        Scalars(Store(), x_axis="time")
    with pytest.raises(TypeError, match="source"):
        Scalars(42)
    with pytest.raises(ValueError, match="max_rate"):
        Scalars(Store(), max_rate=0)


def test_magic_registers_and_parses(tmp_path, monkeypatch, capsys):
    from nbboard import magics

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))

    class FakeIPython:
        def __init__(self):
            self.magics = {}

        def register_magic_function(self, fn, magic_kind, magic_name):
            self.magics[(magic_kind, magic_name)] = fn

    ip = FakeIPython()
    magics.load_ipython_extension(ip)
    fn = ip.magics[("line", "nbboard")]
    fn(f"--logdir {tmp_path} --runs 'lr.*' --tags ^loss")
    (board,) = shown
    assert isinstance(board, Board)
    assert board.options == {"run_filter": "lr.*", "tag_filter": "^loss", "methods": ["pca"]}  # Board projector: PCA
    assert board.logdir == str(tmp_path)
    # a typo: the usage line and the nearest option on stderr, no traceback, no Board
    assert fn("--logdri runs") is None and len(shown) == 1
    err = capsys.readouterr().err
    assert "unexpected argument '--logdri' (did you mean --logdir?)" in err
    assert "usage: %nbboard [--logdir LOGDIR]" in err
    assert fn("--logdir x --smoothing lots") is None  # argparse's own errors likewise
    assert "invalid float value: 'lots'" in capsys.readouterr().err
    assert fn("--logdir 'unclosed") is None and "No closing quotation" in capsys.readouterr().err
    # a line copied from %tensorboard: its server options are accepted, named and ignored
    fn(f"--logdir={tmp_path} --port 6006 --bind_all --reload_interval 5 --samples_per_plugin images=100")
    assert shown[-1].logdir == str(tmp_path) and len(shown) == 2
    out = capsys.readouterr().out
    assert "ignoring TensorBoard server options --port, --bind_all, --reload_interval, --samples_per_plugin" in out


def test_saved_notebook_holds_the_runtime_once(tmp_path):
    """Three views in a notebook saved with widget state: the runtime's code once, each view a few KB."""
    import json

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"""
from nbboard.writer import SummaryWriter
from nbboard import Board, Scalars
with SummaryWriter({str(tmp_path / 'runs' / 'a')!r}) as w:
    for i in range(100):
        w.add_scalar('loss', i * 0.1, i)
display(Scalars({str(tmp_path / 'runs')!r}))
display(Scalars({str(tmp_path / 'runs')!r}, smoothing=0.9))
display(Board({str(tmp_path / 'runs')!r}))
""")]
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    runtimes = [m for m in state.values() if "code" in m["state"]]
    views = [m for m in state.values() if m["state"].get("kind") in ("scalars", "board")]
    assert len(runtimes) == 1 and len(views) == 3
    code = runtimes[0]["state"]["code"]
    assert len(code) > 50_000
    # only what scalar charts need: no three.js (the 3-D bundle), no dagre (the graph bundle)
    assert "WebGLRenderer" not in code and "nbboard-graph-styles" not in code
    assert len(json.dumps(nb)) < 450_000  # was ~1 MB when every library rode in the runtime
    snippet = code[len(code) // 2: len(code) // 2 + 200]
    assert sum(snippet in m["state"].get("code", "") + m["state"].get("_esm", "") for m in state.values()) == 1
    for v in views:
        assert len(json.dumps(v)) < 30_000  # each view: the loader + options, not the libraries
    for cell_out in nb.cells[0].outputs:
        if "data" in cell_out:
            assert cell_out["data"]["application/vnd.nbboard+json"]["kind"] in ("scalars", "board")


def test_saved_notebook_holds_the_3d_bundle_only_with_a_3d_view(tmp_path):
    """Meshes shown (lone and in a Board): the 3-D bundle (three.js) saved once beside the runtime."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"""
import numpy as np
from nbboard.writer import SummaryWriter
from nbboard import Board, Meshes
with SummaryWriter({str(tmp_path / 'runs' / 'a')!r}) as w:
    w.add_scalar('loss', 1.0, 0)
    w.add_mesh('cloud', np.random.rand(1, 50, 3).astype('float32'), global_step=0)
display(Meshes({str(tmp_path / 'runs')!r}))
b = Board({str(tmp_path / 'runs')!r})
display(b)
import time
t0 = time.monotonic()
while b._scene3d is None and time.monotonic() - t0 < 60:  # the Board reads the logdir on its thread
    time.sleep(0.05)
""")]
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    libs = {m["state"]["digest"].split("-")[0]: m["state"]["code"] for m in state.values() if "code" in m["state"]}
    assert len(libs) == 2 and "scene3d" in libs  # the main runtime (digest without prefix) and scene3d
    assert "WebGLRenderer" in libs["scene3d"]
    assert all("WebGLRenderer" not in code for name, code in libs.items() if name != "scene3d")
    views = [m["state"] for m in state.values() if m["state"].get("kind") in ("meshes", "board")]
    ids = {f"IPY_MODEL_{k}" for k, m in state.items() if m["state"].get("code") == libs["scene3d"]}
    assert len(views) == 2 and all(v.get("_scene3d") in ids for v in views)


def test_messages_are_numbered_and_hello_gets_the_count(store):
    pusher = Pusher(start=False)
    v = Scalars(store, pusher=pusher)
    sent: list[dict] = []
    v._send = lambda msg, buffers=None: sent.append(msg)  # below View.send, which numbers messages
    pusher.add(v)
    log(store, ".", "loss", range(3))
    pusher.step(now=1.0)
    log(store, ".", "loss", [3])
    pusher.step(now=2.0)
    contents = [m["content"] for m in sent if m.get("method") == "custom"]
    assert [c["seq"] for c in contents] == [0, 1] and contents[0]["full"] is True
    v._on_page_msg(v, {"type": "hello"}, [])
    sync = [m["content"] for m in sent if m.get("method") == "custom"][-1]
    assert sync == {"type": "sync", "next": 2, "protocol": 1}  # the page checks the protocol


def test_kernel_and_page_speak_the_same_wire_protocol(store):
    """widgets/wire.py and js/src/lib/wire.ts carry one PROTOCOL; every view model has it."""
    import re
    from pathlib import Path

    from nbboard.widgets.wire import PROTOCOL

    ts = (Path(__file__).resolve().parent.parent / "js" / "src" / "lib" / "wire.ts").read_text()
    page = re.search(r"export const PROTOCOL = (\d+);", ts)
    assert page is not None and int(page.group(1)) == PROTOCOL
    v = Scalars(store, pusher=Pusher(start=False))
    assert v._protocol == PROTOCOL and "_protocol" in v.keys


def test_pusher_sends_nothing_once_the_interpreter_exits(store):
    v, pusher, sink = make(store, max_rate=10)
    log(store, ".", "loss", range(3))
    assert pusher.step(now=100.0) == 1
    pusher._exit()  # what its atexit hook does: the kernel is closing its sockets
    log(store, ".", "loss", [3])
    assert pusher.step(now=200.0) == 0 and len(sink.msgs) == 1
