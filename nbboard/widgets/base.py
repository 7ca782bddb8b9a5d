"""The widget runtime: the singleton runtime model, the view base class and the one delta pusher thread.

Third-party front-end code (uPlot, every view) lives in ONE `Runtime` widget model per kernel,
so it reaches the page once and is saved once in a notebook. Each view is a small anywidget
whose `_esm` (the loader, < 1 KB) finds the runtime through the `_runtime` widget reference.

Data flows kernel → page only while a cell runs, so one background `Pusher` thread per kernel
polls every displayed view for new points (a few integer comparisons when nothing changed) and
sends only those points as binary buffers, at most `max_rate` messages per second per view.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets
import traitlets

from nbboard.kinds import library_source
from nbboard.widgets.wire import PROTOCOL

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent.parent / "static"
MIME = "application/vnd.nbboard+json"

#: Default upper bound on messages per second sent to one view.
DEFAULT_MAX_RATE = 10.0


def check_regex(option: str, pattern: str | None) -> str | None:
    """`pattern` unchanged, or ValueError naming `option` if it is not a regular expression (every
    view checks its run/tag filters this one way, in the cell, before the page gets them)."""
    if pattern is None:
        return None
    try:
        re.compile(pattern)
    except (re.error, TypeError) as err:
        raise ValueError(f"{option} must be a regular expression; {pattern!r} is not ({err})") from None
    return pattern


def _read_static(name: str) -> str:
    path = STATIC / name
    if not path.exists():
        raise RuntimeError(
            f"nbboard's front-end build is missing ({path}); reinstall with `pip install -e .` "
            "(needs Node.js and npm) or run `npm ci && npm run build` in js/"
        )
    return path.read_text(encoding="utf-8")


class Runtime(ipywidgets.Widget):
    """The page runtime's code, held by one widget model per kernel (never displayed)."""

    code = traitlets.Unicode("").tag(sync=True)
    digest = traitlets.Unicode("").tag(sync=True)


_runtimes: dict[str, Runtime] = {}
_runtime_lock = threading.Lock()


def static_runtime(name: str, load: Callable[[], str] | None = None, digest_prefix: str = "") -> Runtime:
    """The kernel's runtime model holding static/`name` (or the code `load()` returns), created
    (and its code sent to the page) on first use, and again if its comm was closed."""
    with _runtime_lock:
        rt = _runtimes.get(name)
        if rt is None or rt.comm is None:
            code = load() if load is not None else _read_static(name)
            digest = digest_prefix + hashlib.sha256(code.encode()).hexdigest()[:16]
            rt = _runtimes[name] = Runtime(code=code, digest=digest)
        return rt


def library_trait() -> traitlets.Instance:
    """A view's reference to a page library model (`_plotly`, `_graph`, `_scene3d`): None until
    the kernel attaches the library, then the Runtime model the page imports its code from."""
    return traitlets.Instance(Runtime, allow_none=True).tag(sync=True, **ipywidgets.widget_serialization)


def page_library(name: str) -> Runtime:
    """The kernel's model of a page library a kind needs (plotly.js), made on first use."""
    return static_runtime(name, lambda: library_source(name), digest_prefix=f"{name}-")


def runtime() -> Runtime:
    """The kernel's runtime model, created (and its code sent to the page) on first use."""
    return static_runtime("runtime.js")


@dataclass
class Rebuilt:
    """How an exported page shows a view from a Store with no kernel: the feeds to drain (those the
    live view uses), its options, extra model state (`ui`), and the page libraries it needs."""

    feeds: list[Any]
    options: dict[str, Any]
    state: dict[str, Any] = field(default_factory=dict)
    libraries: list[str] = field(default_factory=list)


class View(anywidget.AnyWidget):
    """Base of every nbboard view: the loader module, the runtime reference, options and the feed."""

    _esm = _read_static("view.js") if (STATIC / "view.js").exists() else "export default {}"
    _runtime = traitlets.Instance(Runtime).tag(sync=True, **ipywidgets.widget_serialization)
    _uid = traitlets.Unicode("").tag(sync=True)
    _protocol = traitlets.Int(PROTOCOL).tag(sync=True)
    kind = traitlets.Unicode("").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    options = traitlets.Dict().tag(sync=True)
    #: this model's own id (the page asks the widget manager whether its kernel is still there)
    _self_id = traitlets.Unicode("").tag(sync=True)
    #: a static picture (SVG) of what the view showed at its last cell end: kept in saved widget
    #: state for a page whose kernel is gone, and in the output's mime bundle for readers with no JS
    _snapshot = traitlets.Unicode("").tag(sync=True)

    #: The page bundle holding this view's code (the graph view has its own, loaded on demand).
    RUNTIME = "main"
    #: Page libraries beside the runtime that this view always needs (plotly.js for Figures).
    LIBRARIES: tuple[str, ...] = ()

    @classmethod
    def rebuild(cls, store: Any, desc: dict[str, Any]) -> Rebuilt:
        """The feeds and state an exported page needs to show this view (described by `desc`,
        the output's JSON description) from `store`."""
        raise NotImplementedError(f"{cls.__name__} cannot be rebuilt from logs")

    def __init__(self, *, max_rate: float = DEFAULT_MAX_RATE, pusher: Pusher | None = None, **kwargs: Any) -> None:
        if max_rate <= 0:
            raise ValueError(f"max_rate must be > 0 messages per second, got {max_rate!r}")
        kwargs.setdefault("_runtime", runtime())
        kwargs.setdefault("_uid", uuid.uuid4().hex)
        super().__init__(**kwargs)
        self.max_rate = float(max_rate)
        self._last_push = 0.0
        self._seq = 0  # messages sent so far (the page checks it received them all)
        self._pusher = pusher if pusher is not None else default_pusher()
        self._push_lock = threading.RLock()
        self.on_msg(self._on_page_msg)
        if self.model_id:
            self.set_trait("_self_id", self.model_id)
        self._display_id: str | None = None
        self._pictured: Any = None  # what the Store held when the picture was made

    # ---- data feed (subclasses) -------------------------------------------------------
    def _poll(self) -> tuple[dict, list[bytes]] | None:
        """The message holding everything new since the last call, or None when nothing changed."""
        return None

    def _resync(self) -> None:
        """Forget what was sent: the next poll sends everything again."""

    def describe(self) -> dict:
        """The small JSON description carried in the output's mime bundle (for export)."""
        return {"kind": self.kind, "options": dict(self.options)}

    # ---- pushing ----------------------------------------------------------------------
    def _on_page_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "resync":  # the page missed messages (e.g. it was reloaded): send everything again
            with self._push_lock:
                self._resync()
            self._pusher.wake()
        elif kind == "hello":  # a page attached: tell it how many messages it should have seen
            with self._push_lock:
                self.send({"type": "sync", "next": self._seq, "protocol": PROTOCOL})

    def send(self, content: Any, buffers: Any = None) -> None:
        """Send a message to the page, numbered (``seq``) so the page can tell when it missed some."""
        if isinstance(content, dict) and content.get("type") != "sync":
            content = {**content, "seq": self._seq}
            self._seq += 1
        super().send(content, buffers)

    def push(self, now: float | None = None, *, force: bool = False) -> bool:
        """Send what is new, unless this view pushed less than 1/max_rate s ago. True if sent."""
        now = time.monotonic() if now is None else now
        if not force and now - self._last_push < 1.0 / self.max_rate:
            return False
        if self.comm is None:
            return False
        with self._push_lock:  # poll and send together: message numbers follow the data's order
            msg = self._poll()
            if msg is None:
                return False
            content, buffers = msg
            self.send(content, buffers)
        self._last_push = now
        return True

    def _bundle(self, **kwargs: Any) -> tuple[dict, dict] | None:
        """The output's mime bundle: the widget, its JSON description, its static picture."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, md = bundle if isinstance(bundle, tuple) else (bundle, {})
        try:
            data[MIME] = json.loads(json.dumps(self.describe(), default=str))
        except (TypeError, ValueError):
            pass
        svg = self.snapshot()
        if svg:
            data["image/svg+xml"] = svg
        # what a reader with neither widgets nor images shows (not "<... object at 0x...>")
        data["text/plain"] = (f"nbboard {self.kind or 'view'}" + (f" of {self.title}" if self.title else "")
                              + " (a live view where Jupyter widgets run)")
        return data, md

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = self._bundle(**kwargs)
        if bundle is None:
            return None
        self._pusher.add(self)
        return bundle

    def _ipython_display_(self, **kwargs: Any) -> None:
        """Displayed with a display id, so the cell-end hook can refresh the output's picture
        (the page keeps its drawing when the output is updated: runtime.ts `render`)."""
        from IPython.display import display

        bundle = self._repr_mimebundle_(**kwargs)
        if bundle is None:
            return
        data, md = bundle
        if self._display_id is None:
            self._display_id = uuid.uuid4().hex
        display(data, metadata=md, raw=True, display_id=self._display_id)
        _watch_cells(self)

    # ---- the static picture ---------------------------------------------------------------
    def picture_kinds(self) -> tuple[str, ...] | None:
        """The kinds this view's picture shows (None: every kind, as the Board; (): no picture)."""
        return ()

    def _picture_key(self) -> Any:
        """What the picture depends on: the Store's points and records (None: no Store)."""
        store = getattr(self, "store", None)
        if store is None:
            return None
        n = 0
        for run in store.runs():
            for tags in store.tags(run).values():
                for tag in tags:
                    try:
                        n += len(store.series(run, tag))
                    except (KeyError, TypeError):
                        pass
        return (store.version, n, json.dumps(self.options, sort_keys=True, default=str))

    def snapshot(self) -> str:
        """The SVG picture of what this view shows now (made again only when the data changed);
        '' for views without one. Also kept in `_snapshot` (the saved widget state)."""
        kinds = self.picture_kinds()
        if kinds == () or getattr(self, "store", None) is None:
            return ""
        key = self._picture_key()
        if key != self._pictured or not self._snapshot:
            from nbboard.widgets.picture import picture

            try:
                svg = picture(self.store, self.title, kinds, dict(self.options),  # type: ignore[attr-defined]
                              label=self.kind)
            except Exception as err:  # a picture must never break the view
                log.debug("nbboard: no picture for a %s view: %r", self.kind, err)
                return self._snapshot
            self._pictured = key
            if svg != self._snapshot:
                self._snapshot = svg
        return self._snapshot

    def refresh_picture(self) -> bool:
        """Make the picture again if the data changed and update the displayed output with it
        (the cell-end hook calls this). True if the output was updated."""
        if self._display_id is None or self.comm is None or self.picture_kinds() == ():
            return False
        if self._picture_key() == self._pictured:
            return False
        from IPython.display import update_display

        bundle = self._bundle()
        if bundle is None:
            return False
        data, md = bundle
        update_display(data, metadata=md, raw=True, display_id=self._display_id)
        return True

    def close(self) -> None:
        pusher = getattr(self, "_pusher", None)  # absent if __init__ failed before setting it
        if pusher is not None:
            pusher.discard(self)
        super().close()


_watched: weakref.WeakSet[View] = weakref.WeakSet()
_hooked = False


def _watch_cells(view: View) -> None:
    """Refresh `view`'s picture when each cell ends (IPython's post_run_cell), while it lives."""
    global _hooked
    _watched.add(view)
    if _hooked:
        return
    try:
        from IPython import get_ipython

        ip = get_ipython()
    except ImportError:
        return
    if ip is None:
        return
    ip.events.register("post_run_cell", _cell_ended)
    _hooked = True


def _cell_ended(*_args: Any) -> None:
    for view in list(_watched):
        try:
            view.refresh_picture()
        except Exception as err:  # the hook must never break the user's cell
            log.debug("nbboard: could not refresh a picture: %r", err)


class Pusher:
    """One background thread per kernel that sends each displayed view its new data."""

    def __init__(self, tick: float = 0.02, *, start: bool = True) -> None:
        self.tick = tick
        self._views: weakref.WeakSet[View] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._autostart = start
        self._exiting = False
        self.sent = 0

    def add(self, view: View) -> None:
        """Start feeding `view` (called when it is displayed); its first push is the full snapshot."""
        with self._lock:
            self._views.add(view)
        if self._autostart:
            self._ensure_thread()
        self.wake()

    def discard(self, view: View) -> None:
        with self._lock:
            self._views.discard(view)

    def views(self) -> list[View]:
        with self._lock:
            return list(self._views)

    def wake(self) -> None:
        self._wake.set()

    def step(self, now: float | None = None) -> int:
        """Push every view that is due; returns how many messages were sent."""
        n = 0
        if self._exiting:
            return 0
        for v in self.views():
            if v.comm is None:
                self.discard(v)
                continue
            try:
                if v.push(now):
                    n += 1
            except Exception as err:  # a broken view must not stop the others
                self.discard(v)
                import warnings

                warnings.warn(f"nbboard: stopped updating a view after an error: {err!r}", stacklevel=1)
        self.sent += n
        return n

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name="nbboard-pusher", daemon=True)
            self._thread.start()
            # at exit nothing more is sent: a message queued while the kernel closes its sockets
            # makes pyzmq print "zmq gc socket requested during shutdown" (registered after the
            # kernel's own exit hooks, so this one runs first)
            import atexit

            atexit.unregister(self._exit)  # once, however often the thread is started (a fork)
            atexit.register(self._exit)

    def _exit(self) -> None:
        self._exiting = True
        self._wake.set()

    def _run(self) -> None:
        while not self._exiting:
            # no views: sleep until one is added; else poll every tick (cheap when nothing changed)
            self._wake.wait(self.tick if self.views() else None)
            self._wake.clear()
            self.step()


_pusher: Pusher | None = None
_pusher_lock = threading.Lock()


def default_pusher() -> Pusher:
    """The kernel's pusher (its thread starts when the first view is displayed)."""
    global _pusher
    with _pusher_lock:
        if _pusher is None:
            _pusher = Pusher()
        return _pusher
