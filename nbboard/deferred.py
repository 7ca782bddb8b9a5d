"""Values on an accelerator, logged without synchronising it.

`float(loss.item())` makes the host wait for every kernel queued before it. Instead, the
calling thread enqueues a copy of the (reduced) tensor into pinned host memory on the
tensor's current stream and returns: a later in-place update cannot change what was logged,
because the copy is ahead of it on the stream. The copies of one step on one stream form a
group with one CUDA event recorded behind them (when the step changes, on flush, or by the
resolver once the group is 20 ms old). One resolver thread per process wakes every 20 ms,
queries the events in order (event.query(): never a device or stream synchronisation) and
builds the records whose copies have landed on the host, handing them to the writer's usual
path: the Store, the live views, the event file. It wakes on that clock, not per value: each
wake takes the GIL from the training thread.

Order per tag is kept: while a tag has values in flight, later host values of that tag queue
behind them. `SummaryWriter.flush()`/`close()` wait for what the writer has in flight.

Pinned memory comes from nbboard's own pool (scalar slots, and 1 MiB+ chunks for the rest),
allocated on first use and reused: cudaHostAlloc can stall the device, so it is not called per
logging call. Only CUDA tensors take this path (other devices keep the synchronous copy). Tests
route CPU tensors through it with `route_cpu_tensors`, whose events complete when the test says.
"""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from nbboard.convert import InputError

SLOTS = 4096  # scalar slots per pinned block
CHUNK = 1 << 20  # bytes per pinned chunk for histograms, images, tensors and stacked scalars
ALIGN = 64
GROUP_AGE = 0.020  # the resolver closes a group older than this itself (a loop that stopped logging)
PAUSE = 0.020  # the resolver's batching interval
GROUP_MAX = 512  # items per group


class _Block:
    """Pinned host memory for SLOTS scalars of one dtype, handed out slot by slot."""

    __slots__ = ("key", "tensor", "views", "next", "live")

    def __init__(self, key: Any, tensor: Any) -> None:
        self.key = key
        self.tensor = tensor
        self.views = list(tensor.unbind())  # one 0-d view per slot, made once
        self.next = 0
        self.live = 0  # slots copied into and not yet read back


class _Chunk:
    """Pinned host bytes handed out front to back (64-byte aligned); reused once every piece
    handed out has been read back and the chunk is full."""

    __slots__ = ("key", "tensor", "next", "live")

    def __init__(self, key: Any, tensor: Any) -> None:
        self.key = key
        self.tensor = tensor
        self.next = 0
        self.live = 0


class CudaBackend:
    """Pinned memory, copies with non_blocking=True on the tensor's current stream, one CUDA
    event per group recorded on that stream and polled with query()."""

    def __init__(self) -> None:
        import torch

        self.torch = torch
        self._events: list[Any] = []
        self._streams: dict[tuple, Any] = {}
        self._current = torch._C._cuda_getCurrentStream
        self.allocs = 0

    def alloc(self, nbytes: int, dtype: Any) -> Any:
        self.allocs += 1
        return self.torch.empty(nbytes, dtype=dtype, pin_memory=True)

    def stream(self, t: Any) -> tuple:
        """The key of the tensor's current stream (a tuple: cheap to make and to hash)."""
        return self._current(t.get_device())

    def copy(self, dst: Any, src: Any) -> None:
        dst.copy_(src, non_blocking=True)

    def record(self, key: tuple) -> Any:
        s = self._streams.get(key)
        if s is None:
            s = self._streams[key] = self.torch.cuda.Stream(
                stream_id=key[0], device_index=key[1], device_type=key[2])
        ev = self._events.pop() if self._events else self.torch.cuda.Event()
        ev.record(s)
        return ev

    def done(self, ev: Any) -> bool:
        return bool(ev.query())

    def release(self, ev: Any) -> None:
        self._events.append(ev)


class _Gate:
    """A test event: complete when its gate is open (an Event the test sets), or at once."""

    __slots__ = ("gate",)

    def __init__(self, gate: threading.Event | None) -> None:
        self.gate = gate


class ManualBackend:
    """The CPU stand-in for a device: copies at once into plain host memory, and its events
    complete when `gate` is set (None: at once). Drives the same queue, order and flush logic."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        import torch

        self.torch = torch
        self.gate = gate
        self.copies = 0
        self.records = 0
        self.allocs = 0  # pinned allocations (CudaBackend counts them too)

    def alloc(self, nbytes: int, dtype: Any) -> Any:
        self.allocs += 1
        return self.torch.empty(nbytes, dtype=dtype)

    def stream(self, t: Any) -> Any:
        return "cpu"

    def copy(self, dst: Any, src: Any) -> None:
        self.copies += 1
        dst.copy_(src)

    def record(self, stream: Any) -> Any:
        self.records += 1
        return _Gate(self.gate)

    def done(self, ev: Any) -> bool:
        return ev.gate is None or ev.gate.is_set()

    def release(self, ev: Any) -> None:
        pass


class _Group:
    """The copies of one step on one stream, completed by one event."""

    __slots__ = ("backend", "stream", "step", "born", "event", "size")

    def __init__(self, backend: Any, stream: Any, step: int) -> None:
        self.backend = backend
        self.stream = stream
        self.step = step
        self.born = time.monotonic()
        self.event: Any = None
        self.size = 0


class _Item:
    __slots__ = ("group", "seq", "finish", "holds", "owner", "piece")

    def __init__(self, group: _Group | None, seq: int, finish: Callable[[], None],
                 holds: tuple, owner: Any, piece: _Block | _Chunk | None) -> None:
        self.group = group
        self.seq = seq
        self.finish = finish
        self.holds = holds
        self.owner = owner
        self.piece = piece


class Deferred:
    """The process's queue of values in flight from devices, and the thread that resolves them."""

    def __init__(self) -> None:
        self.holds: dict[Any, int] = {}  # hold key (a series, or (run, tag)) -> items in flight
        self.reset()

    def reset(self) -> None:
        """Empty (in a forked child: the parent's copies and CUDA context are not this
        process's). `holds` is cleared in place: writers keep a reference to it."""
        self.cond = threading.Condition(threading.Lock())
        self.resolving = threading.Lock()  # held by whoever resolves: the resolver, or a flush
        self.draining = 0  # the thread resolving now
        self.queue: deque[_Item] = deque()
        self.seq = 0  # last item queued
        self.resolved = 0  # every item up to this one is resolved
        self.holds.clear()
        self.backends: dict[str, Any] = {}
        self.open: dict[Any, _Group] = {}  # stream -> its open group
        self.pieces: dict[Any, _Block | _Chunk] = {}  # (device type, dtype or "bytes") -> current
        self.spare: dict[Any, list[Any]] = {}
        self.thread: threading.Thread | None = None
        self.warned: set[str] = set()

    # ---- the calling thread -------------------------------------------------------------
    def backend(self, t: Any) -> Any:
        kind = "cuda" if t.is_cuda else "cpu"
        b = self.backends.get(kind)
        if b is None:
            if kind != "cuda":
                raise KeyError(kind)
            b = self.backends[kind] = CudaBackend()
        return b

    def _group(self, backend: Any, t: Any, step: int) -> _Group:
        """The open group of t's stream for `step`; the previous one is closed (caller holds cond)."""
        stream = backend.stream(t)
        g = self.open.get(stream)
        if g is not None and (g.step != step or g.size >= GROUP_MAX):
            self._close(g)
            g = None
        if g is None:
            g = self.open[stream] = _Group(backend, stream, step)
        g.size += 1
        return g

    def _close(self, g: _Group) -> None:
        """Record the group's event behind its copies (caller holds cond)."""
        if g.event is None:
            g.event = g.backend.record(g.stream)
            if self.open.get(g.stream) is g:
                del self.open[g.stream]

    def _slot(self, backend: Any, t: Any) -> tuple[_Block, Any]:
        k = ("slot", backend, t.dtype)
        b = self.pieces.get(k)
        if b is None or b.next == SLOTS:
            spare = self.spare.setdefault(k, [])
            b = spare.pop() if spare else _Block(k, backend.alloc(SLOTS, t.dtype))
            b.next = 0
            self.pieces[k] = b
        view = b.views[b.next]
        b.next += 1
        b.live += 1
        return b, view

    def _bytes(self, backend: Any, src: Any) -> tuple[_Chunk, Any]:
        """Pinned host memory shaped and typed like `src`, from the current chunk."""
        import torch

        nbytes = src.numel() * src.element_size()
        size = -(-max(nbytes, 1) // ALIGN) * ALIGN
        k = ("bytes", backend)
        c = self.pieces.get(k)
        if c is None or c.next + size > c.tensor.numel():
            if c is not None:
                c.next = c.tensor.numel()  # retired: reused once its pieces are read back
                if c.live == 0:
                    self.spare.setdefault(k, []).append(c)
            spare = self.spare.setdefault(k, [])
            fit = [s for s in spare if s.tensor.numel() >= size]
            if fit:
                c = fit[0]
                spare.remove(c)
            else:
                cap = CHUNK
                while cap < size:
                    cap *= 2
                c = _Chunk(k, backend.alloc(cap, torch.uint8))
            c.next = 0
            self.pieces[k] = c
        view = c.tensor[c.next:c.next + nbytes].view(src.dtype).view(src.shape)
        c.next += size
        c.live += 1
        return c, view

    def scalar(self, t: Any, step: int, owner: Any, hold: Any,
               commit: Callable[[float], None]) -> None:
        """Copy one-element tensor `t` to the host behind the work queued on its stream, and
        call commit(value) on the resolver thread once it has landed."""
        backend = self.backend(t)
        if t.requires_grad:
            t = t.detach()
        if t.dim():
            t = t.reshape(())
        with self.cond:
            group = self._group(backend, t, step)
            block, view = self._slot(backend, t)
            backend.copy(view, t)
            self._push(group, lambda: commit(float(view.item())), (hold,), owner, block)

    def copy(self, src: Any, step: int, owner: Any, holds: tuple,
             build: Callable[[Any], None]) -> None:
        """Copy tensor `src` (already reduced on its device) to the host behind the work queued
        on its stream, and call build(host_tensor) on the resolver thread once it has landed."""
        backend = self.backend(src)
        if src.requires_grad:
            src = src.detach()
        with self.cond:
            group = self._group(backend, src, step)
            chunk, host = self._bytes(backend, src)
            backend.copy(host, src)
            self._push(group, lambda: build(host), holds, owner, chunk)

    def host(self, owner: Any, holds: tuple, finish: Callable[[], None]) -> None:
        """A value already on the host whose tag has values in flight: it queues behind them."""
        with self.cond:
            self._push(None, finish, holds, owner, None)

    def _push(self, group: _Group | None, finish: Callable[[], None], holds: tuple, owner: Any,
              piece: Any) -> None:
        """Queue one item (caller holds cond)."""
        self.seq += 1
        for h in holds:
            self.holds[h] = self.holds.get(h, 0) + 1
        idle = not self.queue
        self.queue.append(_Item(group, self.seq, finish, holds, owner, piece))
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="nbboard-deferred", daemon=True)
            self.thread.start()
        if idle:  # the resolver sleeps on cond only when the queue is empty
            self.cond.notify_all()

    def wait(self, owner: Any = None, timeout: float | None = None) -> bool:
        """Resolve, on this thread, every item queued so far (by `owner`, or by anyone): waits
        for those copies only (event queries), never for the device. False on timeout."""
        if self.draining == threading.get_ident():  # called while resolving (from a finish)
            return True
        with self.cond:
            for g in list(self.open.values()):
                self._close(g)
            target = self.seq
            if owner is not None:
                mine = [i.seq for i in self.queue if i.owner is owner]
                target = mine[-1] if mine else 0
            if self.resolved >= target:
                return True
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.resolving:
            while self.resolved < target:
                if not self._drain(block=True) and deadline is not None and time.monotonic() > deadline:
                    return False
        return True

    # ---- the resolver thread ----------------------------------------------------------------
    def _run(self) -> None:
        """Every PAUSE, resolve what has landed, in one batch: each wake takes the GIL from the
        training thread, so the resolver wakes rarely rather than per value."""
        while True:
            with self.cond:
                while not self.queue:
                    self.cond.wait()
            time.sleep(PAUSE)
            with self.resolving:
                self._drain(block=False)

    def _drain(self, block: bool) -> bool:
        """Resolve items from the head of the queue while their copies have landed (caller holds
        `resolving`). An open group is closed once GROUP_AGE old (or at once when `block`); a
        copy not landed yet ends the batch, or, when `block`, is waited for (event queries).
        True when something was resolved."""
        self.draining = threading.get_ident()
        try:
            return self._drain_items(block)
        finally:
            self.draining = 0

    def _drain_items(self, block: bool) -> bool:
        done_any = False
        while True:
            with self.cond:
                if not self.queue:
                    return done_any
                item = self.queue[0]
                g = item.group
                if g is not None and g.event is None:
                    if not block and time.monotonic() - g.born < GROUP_AGE:
                        return done_any
                    try:
                        self._close(g)
                    except Exception:  # e.g. the stream is capturing a CUDA graph: later
                        return done_any
            if g is not None:
                try:
                    ready = g.backend.done(g.event)
                except Exception as e:  # the device failed: this value is lost, say so once
                    self._warn("device", f"nbboard: a value logged from a device could not be "
                               f"read back ({e!r}); it is not logged")
                    ready, item.finish = True, _nothing
                if not ready:
                    if not block:
                        return done_any
                    time.sleep(0.0002)
                    continue
            self._resolve(item)
            done_any = True

    def _resolve(self, item: _Item) -> None:
        """Build and commit one landed item, then free its hold, pinned piece and event."""
        try:
            item.finish()
        except InputError as e:
            self._warn(str(e), f"nbboard: {e} (a value logged from a device, found when its "
                       "copy landed; that record is not logged)")
        except Exception as e:
            self._warn(repr(e), f"nbboard: logging a value from a device failed: {e!r}")
        with self.cond:
            self.queue.popleft()
            for h in item.holds:
                n = self.holds[h] - 1
                if n:
                    self.holds[h] = n
                else:
                    del self.holds[h]
            piece = item.piece
            if piece is not None:
                piece.live -= 1
                full = piece.next == (SLOTS if isinstance(piece, _Block) else piece.tensor.numel())
                if piece.live == 0 and full:  # every piece used and read back: reuse it
                    self.spare.setdefault(piece.key, []).append(piece)
            g = item.group
            if g is not None:
                g.size -= 1
                if g.size == 0:
                    g.backend.release(g.event)
            self.resolved = item.seq

    def _warn(self, key: str, message: str) -> None:
        if key not in self.warned:
            self.warned.add(key)
            warnings.warn(message, RuntimeWarning, stacklevel=1)


def _nothing() -> None:
    pass


DEFERRED = Deferred()
ROUTE_CPU = False


def takes(t: Any) -> bool:
    """True when tensor `t` goes through the deferred path (a CUDA tensor; CPU ones in tests)."""
    return t.is_cuda or (ROUTE_CPU and t.is_cpu)


@contextmanager
def route_cpu_tensors(gate: threading.Event | None = None) -> Iterator[ManualBackend]:
    """Tests: CPU tensors take the deferred path, with events that complete when `gate` is set."""
    global ROUTE_CPU
    backend = ManualBackend(gate)
    DEFERRED.backends["cpu"] = backend
    ROUTE_CPU = True
    try:
        yield backend
    finally:
        if gate is not None:
            gate.set()
        DEFERRED.wait()
        ROUTE_CPU = False
        DEFERRED.backends.pop("cpu", None)


def wait_all() -> None:
    """At exit: what is in flight reaches the writers before their files close."""
    if DEFERRED.queue and not DEFERRED.wait(timeout=60):
        warnings.warn("nbboard: values logged from a device were still in flight after 60 s at "
                      "exit; they are not in the event files", RuntimeWarning, stacklevel=1)


os.register_at_fork(after_in_child=DEFERRED.reset)
