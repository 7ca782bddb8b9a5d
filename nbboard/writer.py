"""SummaryWriter: a drop-in for torch.utils.tensorboard.SummaryWriter that also records into the Store.

Each call validates and converts its input on the calling thread, appends the record to
the Store and queues it for the background thread, which encodes and writes event files.
A rejected call raises before anything is appended, so the writer stays as it was.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import weakref
from collections import deque
from datetime import datetime
from typing import Any

import numpy as np

from nbboard import deferred as dm
from nbboard import store as st
from nbboard.convert import (
    InputError,
    check_readable,
    check_tag,
    check_text,
    describe,
    is_torch_tensor,
    to_float,
    to_step,
    to_walltime,
)
from nbboard.kinds.custom_scalars.record import CustomScalarsLayout
from nbboard.kinds.scalars.series import ScalarSeries
from nbboard.ranks import file_mark, group_of, process_rank, rank_folder
from nbboard.tfevents import journal as jr
from nbboard.tfevents.filewriter import (
    RAW_EVENT,
    EventFileWriter,
    EventWriterThread,
    _register_exit_hook,
    in_forked_child,
)

_time = time.time
_Tensor: type | None = None  # torch.Tensor, remembered once seen (torch stays optional)
_HOLDS = dm.DEFERRED.holds  # series / (run, tag) with device values in flight
# add_scalar writes journal slots inline with these as literals (64 + (pos & 131071) * 40):
# tests check they match the journal's HEADER, MASK and SLOT size
J_LITERALS = (64, 131071, 40)


def default_log_dir(comment: str = "") -> str:
    """torch's default: runs/<Mon DD_HH-MM-SS>_<hostname><comment>."""
    current_time = datetime.now().strftime("%b%d_%H-%M-%S")
    return os.path.join("runs", current_time + "_" + socket.gethostname() + comment)


def _join(base: str, name: str) -> str:
    return base.rstrip("/") + "/" + name if "://" in base else os.path.join(base, name)


def _inside(name: str, method: str, arg: str) -> str:
    """`name` as a sub-run folder of log_dir, or InputError naming `arg` when it would lead out of
    it (an absolute path, a drive, or a `..` part): every file a writer makes stays in log_dir."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise InputError(f"{method}: {arg} must name a folder inside log_dir; {name!r} would "
                         "write outside it (no absolute path, drive or '..')")
    if "\0" in name:
        raise InputError(f"{method}: {arg} makes the run folder {name!r}, which holds a NUL "
                         "character no file system allows")
    if any("tfevents" in part for part in parts):
        raise InputError(f"{method}: {arg} makes the run folder {name!r}; a name holding "
                         "'tfevents' is what TensorBoard takes for an event file, and its loader "
                         "fails on such a folder: choose another name")
    return name


PENDING_BYTES_LIMIT = 256 << 20  # raw payload queued before a logging call waits for the writer


def _approx_nbytes(record: Any) -> int:
    """Raw bytes a queued record holds (pixels, samples, tensors); small records count as 0."""
    for name in ("_array", "samples", "array", "data", "vertices"):
        a = getattr(record, name, None)
        if a is not None and hasattr(a, "nbytes"):
            return int(a.nbytes)
    return 0


def _scalar_slow(v: Any) -> float | None:
    """`v` as a float; None for a tensor that takes the deferred device path."""
    global _Tensor
    if is_torch_tensor(v):
        if _Tensor is None and type(v).__name__ == "Tensor" and type(v).__module__ == "torch":
            _Tensor = type(v)
        if dm.takes(v):
            return None
    return to_float(v, "add_scalar", "scalar_value")


def _scalar_arg(v: Any, method: str, arg: str) -> Any:
    """A float, or a device tensor checked without reading it (add_scalars' values)."""
    if _device(v):
        return _device_scalar(v, method, arg)
    return to_float(v, method, arg)


def _device(x: Any) -> bool:
    """True for a tensor whose values are copied to the host without synchronising (CUDA)."""
    return is_torch_tensor(x) and dm.takes(x)


def _device_scalar(t: Any, method: str, arg: str) -> Any:
    """Check a device tensor given as a scalar (readable, one element, real) without reading it."""
    check_readable(t, method, arg)
    if t.numel() != 1:
        raise InputError(f"{method}: {arg} must be a number or a one-element tensor; got {describe(t)}")
    if t.is_complex():
        raise InputError(f"{method}: {arg} must be real; got complex {describe(t)}")
    return t


class SummaryWriter:
    """Writes TensorBoard event files and records every event in an in-kernel Store.

    Same constructor, methods, argument names and defaults as torch's SummaryWriter.
    `store` (nbboard's addition) defaults to the kernel's shared Store.
    """

    def __init__(self, log_dir: str | None = None, comment: str = "", purge_step: int | None = None,
                 max_queue: int = 10, flush_secs: int = 120, filename_suffix: str = "",
                 write_to_disk: bool = True, *, store: st.Store | None = None,
                 logdir: str | None = None, comet_config: Any = None, rank0_only: bool = False) -> None:
        if logdir is not None:  # tensorboardX's name for it
            if log_dir is not None:
                raise InputError("SummaryWriter: give log_dir or logdir (tensorboardX's name), not both")
            log_dir = logdir
        if not isinstance(write_to_disk, bool):
            raise InputError(f"SummaryWriter: write_to_disk must be True or False; got {describe(write_to_disk)}")
        self.write_to_disk = write_to_disk
        if log_dir is not None and not isinstance(log_dir, (str, os.PathLike)):
            raise InputError(f"SummaryWriter: log_dir must be a str or path; got {describe(log_dir)}")
        if not isinstance(comment, str):
            raise InputError(f"SummaryWriter: comment must be a str; got {describe(comment)}")
        if not isinstance(filename_suffix, str):
            raise InputError(f"SummaryWriter: filename_suffix must be a str; got {describe(filename_suffix)}")
        if purge_step is not None:
            purge_step = to_step(purge_step, "SummaryWriter", "purge_step")
        if not isinstance(rank0_only, bool):
            raise InputError(f"SummaryWriter: rank0_only must be True or False; got {describe(rank0_only)}")
        self.log_dir = os.fspath(log_dir) if log_dir is not None else default_log_dir(comment)
        # In a job of several processes each rank writes its own folder, <log_dir>/rank<r>
        # (nbboard.ranks); rank0_only=True keeps TensorBoard's habit: rank 0 writes log_dir,
        # the other ranks nothing.
        job = process_rank()
        self.rank: int | None = job[0] if job is not None else None
        self._mark = ""
        if job is not None and rank0_only:
            if job[0] != 0:
                write_to_disk = self.write_to_disk = False
        elif job is not None:
            self.log_dir = _join(self.log_dir, rank_folder(job[0]))
            self._mark = file_mark(job[0])
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.store = store if store is not None else st.default_store()
        self._slock = self.store.lock  # the Store data's lock (fixed for the Store's life)
        self._key = st.run_key(self.log_dir)
        self._lock = threading.Lock()
        self._thread: EventWriterThread | None = None
        self._files: dict[str, EventFileWriter] = {}
        self._scalar_cache: dict[str, ScalarSeries] = {}
        # add_scalars: (main_tag, key) -> (sub-run dir, its series); the Store never drops a series
        self._scalars_cache: dict[tuple[str, str], tuple[str, ScalarSeries]] = {}
        self._layout: list[dict[str, Any]] = []
        self._projector: Any = None  # the projector files add_embedding has written (ProjectorFiles)
        self._journal: jr.Journal | None = None  # the crash journal of this writer's scalars
        self._facades: dict[str, FileWriter] = {}  # torch-style FileWriters per run folder
        self._summaries: dict[str, dict[str, Any]] = {}  # run key → add_summary's decode state
        self._exported: dict[int, int] = {}  # export_scalars_to_json: id(series) → points exported
        self._profilers: list[Any] = []  # profiler_handler()s: flush/close wait for their cycles
        if write_to_disk and "://" not in self.log_dir and os.path.isdir(self.log_dir):
            jr.recover_dir(self.log_dir)  # a crashed writer's points its files lack
        if purge_step is not None:
            self.store.purge(self._key, purge_step)
        self.store.ensure_run(self._key)
        self._main: EventFileWriter = self._file(self.log_dir)
        self._alarm: Exception | None = None  # an alert with action="raise" fired: raised next call
        self.store.alerts.attach_writer(self._key, self)
        _writers.add(self)

    # ---- files ------------------------------------------------------------------------
    def _sub_run_file(self, method: str, what: str, run_dir: str) -> EventFileWriter:
        """The event file of a sub-run, InputError naming `what` if its folder cannot be made (a
        name too long for the file system, a file in the way)."""
        try:
            return self._file(run_dir)
        except (OSError, ValueError) as e:
            raise InputError(f"{method}: {what} makes the run folder {run_dir!r}, which cannot be "
                             f"created: {getattr(e, 'strerror', None) or e}") from None

    def _forget_parent(self) -> None:
        """In a forked child: the parent's files, queue and cached series are not this process's;
        the next call opens this process's own files, written synchronously (see filewriter)."""
        self._thread = None
        self._journal = None
        self._files = {}
        self._scalar_cache = {}
        self._scalars_cache = {}

    def _file(self, run_dir: str) -> EventFileWriter:
        """The event file for a run directory (the main one or an add_scalars/add_hparams sub-run)."""
        f = self._files.get(run_dir)
        if f is not None:
            return f
        with self._lock:
            f = self._files.get(run_dir)
            if f is None and self.rank is not None and self._mark:  # a rank's folder (or a sub-run's)
                group = group_of(run_dir.rstrip("/"), self.rank)
                if group is not None:
                    self.store.set_rank(st.run_key(run_dir), st.run_key(group), self.rank)
            if f is None and not self.write_to_disk:  # tensorboardX's write_to_disk=False
                if self._thread is None:
                    self._thread = EventWriterThread(sync=True)
                    self._thread.queue = _Discard()
                f = self._files[run_dir] = _NoFile(run_dir)
                if run_dir == self.log_dir:
                    self._main = f
            if f is None:
                if self._thread is None:
                    self._thread = EventWriterThread(sync=in_forked_child())
                opener = None
                if "://" in run_dir and not run_dir.startswith("file://"):
                    from nbboard.tfevents.remote import remote_opener

                    opener = remote_opener(run_dir)
                path = run_dir[len("file://"):] if run_dir.startswith("file://") else run_dir
                purge = self.purge_step if run_dir == self.log_dir else None
                f = EventFileWriter(path, self._mark + self.filename_suffix, purge, opener=opener,
                                    owner=self._thread)
                self._files[run_dir] = f
                if run_dir == self.log_dir:
                    self._main = f
                t = self._thread
                if t.journal is None and t._thread is not None:  # the ring of pending scalars
                    j = None  # in a journal file beside the event files when local, else in memory
                    if opener is None and os.path.isdir(self.log_dir):
                        j = jr.open_journal(self.log_dir)
                    t.journal = self._journal = j or jr.Journal(None)
            return f

    @property
    def file_writer(self) -> FileWriter | None:
        """torch's attribute: the main run's FileWriter while the writer is open, None after
        close() (`_get_file_writer()` reopens it)."""
        if self._thread is None:
            return None
        return self._get_file_writer()

    @property
    def all_writers(self) -> dict[str, FileWriter] | None:
        """torch's attribute: {run folder: FileWriter} of the open runs, None after close()."""
        if self._thread is None:
            return None
        return {d: self._file_writer_for(d) for d in list(self._files)}

    def _get_file_writer(self) -> FileWriter:
        """The main run's FileWriter, reopened if closed (what torch's and Lightning's code call)."""
        if self._thread is None or self._main.closed:
            self._file(self.log_dir)
        return self._file_writer_for(self.log_dir)

    def _file_writer_for(self, run_dir: str) -> FileWriter:
        fw = self._facades.get(run_dir)
        if fw is None:
            fw = self._facades[run_dir] = FileWriter(self, run_dir)
        return fw

    @property
    def default_bins(self) -> list[float]:
        """torch's attribute: TensorFlow's default histogram bucket edges."""
        from nbboard.kinds.histograms.write import TENSORFLOW_BINS

        return TENSORFLOW_BINS.tolist()

    def get_logdir(self) -> str:
        """The directory this writer writes its event files into."""
        return self.log_dir

    # ---- the generic path -------------------------------------------------------------
    def _queue(self, f: EventFileWriter, wall_time: float, step: int, tag: str | None,
               payload: Any, encode: Any) -> None:
        """Queue a record for the writer thread, after the scalars logged before it."""
        t = self._thread
        if t is None:  # reopened after close()
            f = self._file(f.run_dir)
            t = self._thread
        j = self._journal
        if j is None:
            t.queue.append((f.index, wall_time, step, tag, payload, encode))
        else:
            t.queue.append((f.index, wall_time, step, tag, payload, encode, j.reserved()))

    def _log(self, method: str, tag: str, kind: str, record: Any, global_step: Any,
             walltime: Any, encode: Any, run_dir: str | None = None) -> None:
        """Validate step/walltime, append `record` to the Store and queue it for the file."""
        step, wt, run_dir, key = self._where(method, tag, kind, global_step, walltime, run_dir)
        if _HOLDS and (key, tag) in _HOLDS:  # device values of this tag in flight: queue behind
            dm.DEFERRED.host(self, ((key, tag),),
                             lambda: self._commit(run_dir, key, tag, kind, step, record, wt, encode))
            return
        self._commit(run_dir, key, tag, kind, step, record, wt, encode)

    def _log_device(self, method: str, tag: str, kind: str, src: Any, build: Any,
                    global_step: Any, walltime: Any, encode: Any) -> None:
        """Like _log for a record built from device tensor `src` once its copy reaches the host:
        the copy is enqueued on the device's stream before this returns; nothing waits for it."""
        step, wt, run_dir, key = self._where(method, tag, kind, global_step, walltime, None)

        def finish(host: Any) -> None:
            self._commit(run_dir, key, tag, kind, step, build(host), wt, encode)
        dm.DEFERRED.copy(src, step, self, ((key, tag),), finish)

    def _where(self, method: str, tag: str, kind: str, global_step: Any, walltime: Any,
               run_dir: str | None) -> tuple[int, float, str, str]:
        """Checked step and wall time, the run folder (its file open) and the run's Store key."""
        if self._alarm is not None:
            self._raise_alarm()
        step = to_step(global_step, method)
        wt = to_walltime(walltime, method)
        if wt is None:
            wt = _time()
        run_dir = run_dir or self.log_dir
        key = self._key if run_dir is self.log_dir else st.run_key(run_dir)
        self._check_kind(method, key, tag, kind)
        self._file(run_dir)
        return step, wt, run_dir, key

    def _commit(self, run_dir: str, key: str, tag: str, kind: str, step: int, record: Any,
                wall_time: float, encode: Any) -> None:
        """Append a checked record to the Store and queue it for its run's event file."""
        f = self._file(run_dir)
        self.store.append(key, tag, kind, step, record, wall_time)
        self._queue(f, wall_time, step, tag, record, encode)
        t = self._thread
        if t is not None:
            t.pending_bytes += _approx_nbytes(record)
            if t.pending_bytes > PENDING_BYTES_LIMIT:
                t.drain()  # back-pressure: the encoder fell behind, so this caller helps

    def _check_kind(self, method: str, key: str, tag: str, kind: str) -> None:
        """A tag holds one kind of data per run: refuse another kind before anything changes."""
        try:
            self.store.check_kind(key, tag, kind)
        except ValueError as e:
            raise InputError(f"{method}: {e}") from None

    # ---- alerts -----------------------------------------------------------------------
    def add_alert(self, tag: Any, **rule: Any) -> Any:
        """Watch this writer's scalars (tags matching `tag`, a regular expression) and alert when
        a condition holds; evaluated off the training thread. Exactly one condition:
        `above=`/`below=` a number, another tag, `metric(tag, run=)` or "best" (with `by=` a
        fraction); `rising`/`falling`/`not_falling` (True or a slope) over `window` points or
        `seconds`, smoothed (`smoothing`, 0.6); `plateau=eps`; `nonfinite=True`. Options:
        `after_step`, `runs` (regex of run names beside this one), `once`, `cooldown` (points),
        `action` ("warn" once per rule, "raise" AlertError at this writer's next call, "none"),
        `callback(alert)`, `name`. A whole rule as text works too: ``add_alert("Loss > 10")``.
        Kept in the log_dir, so later sessions and other Boards see it; returns the Rule."""
        return self.store.alerts.add(tag, scope=self._key, root=os.path.dirname(self._key),
                                     writer=self, save=self.write_to_disk, **rule)

    def _raise_alarm(self) -> None:
        err, self._alarm = self._alarm, None
        if err is not None:
            raise err

    def _alert_text(self, key: str, alert: Any) -> None:
        """Write a fired alert as a text summary (`alerts/<rule>`, which TensorBoard shows) into
        the event file of run `key` (this writer's run or one of its sub-runs)."""
        from nbboard.kinds.text import write as m

        run_dir = self.log_dir if key == self._key else next(
            (d for d in list(self._files) if st.run_key(d) == key), None)
        if run_dir is None or self._thread is None:
            return
        tag = "alerts/" + alert.rule
        try:
            self.store.check_kind(key, tag, "text")
        except ValueError:  # the user logs something else under that tag: leave it
            return
        rec = m.make_text(f"**nbboard alert**: {alert.message}")
        self._commit(run_dir, key, tag, "text", alert.step, rec, alert.fired_at, m.encode)

    # ---- scalars ----------------------------------------------------------------------
    def add_scalar(self, tag: str, scalar_value: Any, global_step: Any = None,
                   walltime: Any = None, new_style: bool = False,
                   double_precision: bool = False, display_name: str = "",
                   summary_description: str = "") -> None:
        """Log one scalar. Floats, ints, numpy scalars and one-element tensors are accepted.
        (torch's new_style/double_precision and tensorboardX's display_name/summary_description
        are accepted; the value is written as TensorBoard's simple_value either way.)"""
        if self._alarm is not None:
            self._raise_alarm()
        if tag.__class__ is not str or not tag:
            tag = check_tag(tag, "add_scalar")
        v = scalar_value
        if v.__class__ is not float:
            if v.__class__ is _Tensor and not (v.is_cuda or dm.ROUTE_CPU):
                try:
                    v = float(v.item())
                except (RuntimeError, TypeError, ValueError):
                    v = to_float(v, "add_scalar", "scalar_value")
            else:
                v = _scalar_slow(v)
                if v is None:
                    v = _device_scalar(scalar_value, "add_scalar", "scalar_value")
        if global_step.__class__ is not int:
            global_step = to_step(global_step, "add_scalar")
        if walltime is None:
            walltime = _time()
        else:
            walltime = to_walltime(walltime, "add_scalar")
        s = self._scalar_cache.get(tag)
        if s is None:  # a new tag: checked once (the cache holds only tags that passed)
            check_text(tag, "add_scalar", "tag")
            to_step(global_step, "add_scalar")  # in int64 (later steps: the column refuses others)
            self._check_kind("add_scalar", self._key, tag, "scalars")
            s = self._scalar_cache[tag] = self.store.series_for(self._key, tag, "scalars")
        if v.__class__ is not float:  # a device tensor: copied to the host behind its stream
            step = to_step(global_step, "add_scalar")
            f = self._main if self._thread is not None else self._file(self.log_dir)
            dm.DEFERRED.scalar(v, step, self, s, lambda x: self._append_scalar(
                self._file(f.run_dir), s, step, x, walltime, tag))
            return
        if _HOLDS and s in _HOLDS:
            self._defer_scalars("add_scalar", [(v, s, self.log_dir)], global_step, walltime, tag)
            return
        with self._slock:
            try:
                s.append(global_step, v, walltime)
            except OverflowError:  # an int step beyond int64: refused before anything changed
                to_step(global_step, "add_scalar")
                raise
        j = self._journal
        if j is None:  # no ring: reopened after close(), a forked child's or a discarding writer
            t = self._thread
            if t is None:
                self._file(self.log_dir)
                j, t = self._journal, self._thread
            if j is None:
                t.queue.append((self._main.index, walltime, global_step, tag, v, None))
                return
        # the point waits for the writer thread in the ring (and, with a journal file, in the
        # page cache before this returns: crash safety)
        jt = j.ids.get(tag)
        if jt is None:
            jt = j.ids[tag] = j.tag(self.log_dir, tag, self._main.index)
        pos = next(j.seq)
        if pos >= j.limit:
            j.room(pos, self._thread)
        p1 = pos + 1
        j.put(j.mm, 64 + (pos & 131071) * 40, p1, global_step, v, walltime, jt + (p1 & 0xFFFFFFFF))

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict[str, Any], global_step: Any = None,
                    walltime: Any = None) -> None:
        """Log several scalars under one main tag, each in its own sub-run like torch
        (`<log_dir>/<main_tag with / as _>_<key>`)."""
        if self._alarm is not None:
            self._raise_alarm()
        main_tag = check_tag(main_tag, "add_scalars", "main_tag")
        if not isinstance(tag_scalar_dict, dict):
            raise InputError("add_scalars: tag_scalar_dict must be a dict of str -> number; "
                             f"got {describe(tag_scalar_dict)}")
        step = to_step(global_step, "add_scalars")
        wt = to_walltime(walltime, "add_scalars")
        wt = _time() if wt is None else wt
        cache = self._scalars_cache
        todo: list[tuple[str, str, ScalarSeries | None, str, float]] = []
        for k, v in tag_scalar_dict.items():
            hit = cache.get((main_tag, k))
            if hit is not None:
                value = v if v.__class__ is float else _scalar_arg(v, "add_scalars", f"tag_scalar_dict[{k!r}]")
                todo.append((k, hit[0], hit[1], "", value))
                continue
            # first time for this key: validate it and check its sub-run's tag kind
            k = check_tag(k, "add_scalars", "tag_scalar_dict key")
            value = _scalar_arg(v, "add_scalars", f"tag_scalar_dict[{k!r}]")
            sub = _inside(main_tag.replace("/", "_") + "_" + k, "add_scalars", "tag_scalar_dict key")
            run_dir = _join(self.log_dir, sub)
            key = st.run_key(run_dir)
            self._check_kind("add_scalars", key, main_tag, "scalars")
            todo.append((k, run_dir, None, key, value))
        for k, run_dir, s, _key, _value in todo:  # every value is valid: open the new sub-runs
            if s is None:
                self._sub_run_file("add_scalars", f"tag_scalar_dict key {k!r}", run_dir)
        later = []
        for k, run_dir, s, key, value in todo:  # now append them all
            if s is None:
                s = self.store.series_for(key, main_tag, "scalars")
                cache[(main_tag, k)] = (run_dir, s)
            if value.__class__ is not float or (_HOLDS and s in _HOLDS):
                later.append((value, s, run_dir))
            else:
                self._append_scalar(self._file(run_dir), s, step, value, wt, main_tag)
        if later:  # device values (and host values queued behind some): one copy per device
            self._defer_scalars("add_scalars", later, step, wt, main_tag)

    def _defer_scalars(self, method: str, items: list[tuple[Any, ScalarSeries, str]], step: int,
                       wall_time: float, tag: str) -> None:
        """Append (value, series, run_dir) points once their device values reach the host: the
        device tensors are stacked into one copy per device, enqueued before this returns."""
        import torch

        step = to_step(step, method)
        by_device: dict[Any, list[int]] = {}
        for i, (v, _s, _r) in enumerate(items):
            if v.__class__ is not float:
                by_device.setdefault(v.device, []).append(i)
        holds = tuple(s for _v, s, _r in items)
        files = [self._file(r) for _v, _s, r in items]

        def commit(values: dict[int, float]) -> None:
            for i, (v, s, _r) in enumerate(items):
                self._append_scalar(self._file(files[i].run_dir), s, step, values.get(i, v),
                                    wall_time, tag)

        if not by_device:  # host values behind values in flight
            dm.DEFERRED.host(self, holds, lambda: commit({}))
            return
        if len(items) == 1:
            dm.DEFERRED.scalar(items[0][0], step, self, holds[0], lambda x: commit({0: x}))
            return
        groups = list(by_device.values())
        landed: dict[int, float] = {}
        for g, idx in enumerate(groups):
            src = torch.stack([items[i][0].detach().reshape(()) for i in idx])
            last = g == len(groups) - 1

            def build(host: Any, idx: list[int] = idx, last: bool = last) -> None:
                landed.update(zip(idx, (float(x) for x in host.tolist())))
                if last:
                    commit(landed)
            dm.DEFERRED.copy(src, step, self, holds if last else (), build)

    def _append_scalar(self, f: EventFileWriter, s: ScalarSeries, step: int, value: float,
                       wall_time: float, tag: str) -> None:
        """Append one point to a Store series and write it into the ring for event file `f`."""
        with self._slock:
            s.append(step, value, wall_time)
        j = self._journal
        if j is None:
            self._queue(f, wall_time, step, tag, value, None)
            return
        key = (f.run_dir, tag)
        jt = j.ids.get(key)
        if jt is None:
            jt = j.ids[key] = j.tag(f.run_dir, tag, f.index)
        pos = next(j.seq)
        if pos >= j.limit:
            j.room(pos, self._thread)
        p1 = pos + 1
        j.put(j.mm, 64 + (pos & 131071) * 40, p1, step, value, wall_time, jt + (p1 & 0xFFFFFFFF))

    def add_tensor(self, tag: str, tensor: Any, global_step: Any = None, walltime: Any = None) -> None:
        """Log a whole tensor (TensorBoard's 'tensor' plugin)."""
        from nbboard.kinds.tensor import write as m

        tag = check_tag(tag, "add_tensor")
        if _device(tensor) and m.on_device_ok(tensor):
            self._log_device("add_tensor", tag, "tensor", *m.device_tensor(tensor), global_step,
                             walltime, m.encode)
            return
        rec = m.make_tensor(tensor)
        self._log("add_tensor", tag, "tensor", rec, global_step, walltime, m.encode)

    # ---- histograms -------------------------------------------------------------------
    def add_histogram(self, tag: str, values: Any, global_step: Any = None, bins: Any = "tensorflow",
                      walltime: Any = None, max_bins: int | None = None) -> None:
        """Log a histogram of `values` (bins: 'tensorflow', any numpy bins string, an int or edges)."""
        from nbboard.kinds.histograms import write as m

        tag = check_tag(tag, "add_histogram")
        if _device(values):
            self._log_device("add_histogram", tag, "histograms",
                             *m.device_histogram(values, bins, max_bins), global_step, walltime, m.encode)
            return
        rec = m.make_histogram(values, bins, max_bins)
        self._log("add_histogram", tag, "histograms", rec, global_step, walltime, m.encode)

    def add_histogram_raw(self, tag: str, min: Any, max: Any, num: Any, sum: Any, sum_squares: Any,
                          bucket_limits: Any, bucket_counts: Any, global_step: Any = None,
                          walltime: Any = None) -> None:
        """Log a histogram from precomputed statistics and buckets."""
        from nbboard.kinds.histograms import write as m

        tag = check_tag(tag, "add_histogram_raw")
        rec = m.make_histogram_raw(min, max, num, sum, sum_squares, bucket_limits, bucket_counts)
        self._log("add_histogram_raw", tag, "histograms", rec, global_step, walltime, m.encode)

    # ---- images, figures, video, audio ------------------------------------------------
    def add_image(self, tag: str, img_tensor: Any, global_step: Any = None, walltime: Any = None,
                  dataformats: str = "CHW") -> None:
        """Log one image (uint8 0–255 or float 0–1; CHW, HWC, HW, ...)."""
        from nbboard.kinds.images import write as m

        tag = check_tag(tag, "add_image")
        if _device(img_tensor):
            self._log_device("add_image", tag, "images", *m.device_image(img_tensor, dataformats),
                             global_step, walltime, m.encode)
            return
        rec = m.make_image(img_tensor, dataformats)
        self._log("add_image", tag, "images", rec, global_step, walltime, m.encode)

    def add_images(self, tag: str, img_tensor: Any, global_step: Any = None, walltime: Any = None,
                   dataformats: str = "NCHW") -> None:
        """Log a batch of images as one grid image, like torch."""
        from nbboard.kinds.images import write as m

        tag = check_tag(tag, "add_images")
        if _device(img_tensor):
            self._log_device("add_images", tag, "images",
                             *m.device_image(img_tensor, dataformats, method="add_images"),
                             global_step, walltime, m.encode)
            return
        rec = m.make_image(img_tensor, dataformats, method="add_images")
        self._log("add_images", tag, "images", rec, global_step, walltime, m.encode)

    def add_image_with_boxes(self, tag: str, img_tensor: Any, box_tensor: Any, global_step: Any = None,
                             walltime: Any = None, rescale: float = 1, dataformats: str = "CHW",
                             labels: list[str] | None = None) -> None:
        """Log an image with bounding boxes (xyxy pixels) and optional labels drawn on it."""
        from nbboard.kinds.images import write as m

        tag = check_tag(tag, "add_image_with_boxes")
        rec = m.make_image_with_boxes(img_tensor, box_tensor, rescale, dataformats, labels)
        self._log("add_image_with_boxes", tag, "images", rec, global_step, walltime, m.encode)

    def add_figure(self, tag: str, figure: Any, global_step: Any = None, close: bool = True,
                   walltime: Any = None) -> None:
        """Log a matplotlib figure (or a list of them) as an image, or a plotly Figure as JSON."""
        from nbboard.kinds.figures import write as m

        tag = check_tag(tag, "add_figure")
        kind, rec, encode = m.make_figure(figure, close)
        self._log("add_figure", tag, kind, rec, global_step, walltime, encode)

    def add_video(self, tag: str, vid_tensor: Any, global_step: Any = None, fps: float = 4,
                  walltime: Any = None, dataformats: str = "NTCHW") -> None:
        """Log a video (N, T, C, H, W) as an animated GIF, like torch; tensorboardX's
        `dataformats` names another order of those five axes."""
        from nbboard.convert import as_array
        from nbboard.kinds.videos import write as m

        tag = check_tag(tag, "add_video")
        if dataformats != "NTCHW":
            if not isinstance(dataformats, str) or sorted(dataformats.upper()) != sorted("NTCHW"):
                raise InputError(f"add_video: dataformats must order the axes N, T, C, H, W "
                                 f"(e.g. 'NTHWC'); got {dataformats!r}")
            arr = as_array(vid_tensor, "add_video", "vid_tensor")
            if arr.ndim != 5:
                raise InputError(f"add_video: vid_tensor has shape {arr.shape}; with dataformats="
                                 f"{dataformats!r} expected 5 dims")
            fmt = dataformats.upper()
            vid_tensor = arr.transpose([fmt.index(c) for c in "NTCHW"])
        rec = m.make_video(vid_tensor, fps)
        self._log("add_video", tag, "videos", rec, global_step, walltime, m.encode)

    def add_audio(self, tag: str, snd_tensor: Any, global_step: Any = None, sample_rate: int = 44100,
                  walltime: Any = None) -> None:
        """Log audio samples in [-1, 1] (1-D, or (L, C)/(1, L)) as 16-bit WAV."""
        from nbboard.kinds.audio import write as m

        tag = check_tag(tag, "add_audio")
        rec = m.make_audio(snd_tensor, sample_rate)
        self._log("add_audio", tag, "audio", rec, global_step, walltime, m.encode)

    def add_text(self, tag: str, text_string: str, global_step: Any = None, walltime: Any = None) -> None:
        """Log markdown text."""
        from nbboard.kinds.text import write as m

        tag = check_tag(tag, "add_text")
        rec = m.make_text(text_string)
        self._log("add_text", tag, "text", rec, global_step, walltime, m.encode)

    # ---- PR curves ----------------------------------------------------------------------
    def add_pr_curve(self, tag: str, labels: Any, predictions: Any, global_step: Any = None,
                     num_thresholds: int = 127, weights: Any = None, walltime: Any = None) -> None:
        """Log a precision-recall curve from binary labels and predictions in [0, 1]."""
        from nbboard.kinds.pr_curves import write as m

        tag = check_tag(tag, "add_pr_curve")
        rec = m.make_pr_curve(labels, predictions, num_thresholds, weights)
        self._log("add_pr_curve", tag, "pr_curves", rec, global_step, walltime, m.encode)

    def add_pr_curve_raw(self, tag: str, true_positive_counts: Any, false_positive_counts: Any,
                         true_negative_counts: Any, false_negative_counts: Any, precision: Any,
                         recall: Any, global_step: Any = None, num_thresholds: int = 127,
                         weights: Any = None, walltime: Any = None) -> None:
        """Log a precision-recall curve from precomputed counts."""
        from nbboard.kinds.pr_curves import write as m

        tag = check_tag(tag, "add_pr_curve_raw")
        rec = m.make_pr_curve_raw(true_positive_counts, false_positive_counts, true_negative_counts,
                                  false_negative_counts, precision, recall, num_thresholds, weights)
        self._log("add_pr_curve_raw", tag, "pr_curves", rec, global_step, walltime, m.encode)

    # ---- custom scalars -------------------------------------------------------------------
    def add_custom_scalars(self, layout: dict[str, dict[str, list]]) -> None:
        """Log a custom-scalars layout: {category: {title: ['Multiline'|'Margin', tags]}}."""
        from nbboard.kinds.custom_scalars import write as m

        rec = m.make_layout(layout)
        self._add_layout(rec)

    def add_custom_scalars_multilinechart(self, tags: list[str], category: str = "default",
                                          title: str = "untitled") -> None:
        """Add one multiline chart of `tags` to the custom-scalars layout."""
        self.add_custom_scalars({category: {title: ["Multiline", tags]}})

    def add_custom_scalars_marginchart(self, tags: list[str], category: str = "default",
                                       title: str = "untitled") -> None:
        """Add one margin chart (value, lower, upper tags) to the custom-scalars layout."""
        self.add_custom_scalars({category: {title: ["Margin", tags]}})

    def _add_layout(self, rec: CustomScalarsLayout) -> None:
        from nbboard.kinds.custom_scalars import write as m

        with self._lock:
            merged = m.merge_layouts(self._layout, rec.categories)
            self._layout = merged
        self.store.set_plugin_record(self._key, "custom_scalars", CustomScalarsLayout(merged))
        self._queue(self._main, _time(), 0, "custom_scalars__config__", rec, m.encode)

    # ---- mesh -------------------------------------------------------------------------
    def add_mesh(self, tag: str, vertices: Any, colors: Any = None, faces: Any = None,
                 config_dict: dict | None = None, global_step: Any = None, walltime: Any = None) -> None:
        """Log a mesh or point cloud: vertices (B, N, 3), optional colors (B, N, 3), faces (B, F, 3)."""
        from nbboard.kinds.mesh import write as m

        tag = check_tag(tag, "add_mesh")
        rec = m.make_mesh(vertices, colors, faces, config_dict)
        self._log("add_mesh", tag, "mesh", rec, global_step, walltime, m.encode)

    # ---- hparams ------------------------------------------------------------------------
    def add_hparams(self, hparam_dict: dict[str, Any], metric_dict: dict[str, Any],
                    hparam_domain_discrete: dict[str, list] | None = None,
                    run_name: str | None = None, global_step: Any = None, *,
                    name: str | None = None) -> None:
        """Log one hyperparameter session in its own sub-run (`<log_dir>/<run_name or time>`).
        tensorboardX's `name=` (or a str third argument, its position there) is the run name."""
        from nbboard.kinds.hparams import write as m

        if isinstance(hparam_domain_discrete, str):  # tensorboardX: add_hparams(h, m, name)
            hparam_domain_discrete, name = None, hparam_domain_discrete
        if name is not None:
            if run_name is not None and run_name != name:
                raise InputError("add_hparams: give run_name or name (tensorboardX's), not both")
            run_name = name

        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise InputError("add_hparams: hparam_dict and metric_dict must be dicts; got "
                             f"{describe(hparam_dict)} and {describe(metric_dict)}")
        if run_name is not None and not isinstance(run_name, str):
            raise InputError(f"add_hparams: run_name must be a str or None; got {describe(run_name)}")
        step = to_step(global_step, "add_hparams")
        rec = m.make_hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        run_dir = _join(self.log_dir, _inside(run_name, "add_hparams", "run_name") if run_name
                        else str(time.time()))
        key = st.run_key(run_dir)
        f = self._sub_run_file("add_hparams", "run_name", run_dir)
        wt = _time()
        self.store.set_plugin_record(key, "hparams", rec)
        self._queue(f, wt, step, "_hparams_", rec, m.encode)
        for k, v in rec.metrics.items():
            self._append_scalar(f, self.store.series_for(key, k, "scalars"), step, v, wt, k)
        self._thread.flush()

    # ---- model graph and embeddings -------------------------------------------------------
    def add_graph(self, model: Any, input_to_model: Any = None, verbose: bool = False,
                  use_strict_trace: bool = True) -> None:
        """Trace `model` with `input_to_model` and log its graph (TensorBoard GraphDef + Store)."""
        from nbboard.kinds.graph import write as m

        rec, events = m.traced_graph(model, input_to_model, verbose, use_strict_trace, _time())
        self._log_graph(rec, events)

    def add_onnx_graph(self, prototxt: Any = None, *, onnx_model_file: Any = None) -> None:
        """Log the graph of an ONNX model file (path, bytes or binary file) as torch does, and
        keep it for the graph view; the `onnx` package is not needed. tensorboardX calls the
        argument `onnx_model_file`."""
        from nbboard.kinds.graph import write as m

        if (prototxt is None) == (onnx_model_file is None):
            raise InputError("add_onnx_graph: give the model as prototxt (torch's name) or "
                             "onnx_model_file (tensorboardX's), one of them")
        prototxt = prototxt if prototxt is not None else onnx_model_file

        rec, events = m.onnx_graph(prototxt, _time())
        self._log_graph(rec, events)

    def _log_graph(self, rec: Any, events: list[bytes]) -> None:
        """Queue a graph's whole Events for the main file and keep its record for the run."""
        for ev in events:
            self._raw_event(ev)
        self.store.set_plugin_record(self._key, "graphs", rec)

    def add_embedding(self, mat: Any, metadata: Any = None, label_img: Any = None,
                      global_step: Any = None, tag: str = "default",
                      metadata_header: list[str] | None = None) -> None:
        """Log an embedding matrix with metadata and sprite images for the projector."""
        from nbboard.kinds.projector import write as m

        rec, arr = m.make_embedding(mat, metadata, label_img, global_step, tag, metadata_header)
        if not self.write_to_disk:
            self._log(m.METHOD, rec.tag, "projector", rec, rec.step, None, None)
            return
        if self._projector is None:
            self._projector = m.ProjectorFiles(self.log_dir)
        info, encode = self._projector.prepare(rec, arr)
        self._log(m.METHOD, rec.tag, "projector", rec, rec.step, None, encode)
        self._projector.commit(rec, info)

    def export_scalars_to_json(self, path: str) -> None:
        """tensorboardX's export: {key: [[wall_time, step, value], ...]} of the scalars this
        writer logged since the last export (key: the tag, or an add_scalars sub-run's folder)."""
        import json

        out: dict[str, list[list[float]]] = {}
        series = [(tag, s) for tag, s in self._scalar_cache.items()]
        series += [(run_dir, s) for run_dir, s in self._scalars_cache.values()]
        with self._slock:
            for key, s in series:
                start = self._exported.get(id(s), 0)
                n = len(s)
                if n > start:
                    rows = np.column_stack([s.wall_times[start:n], s.steps[start:n].astype(np.float64),
                                            s.values[start:n]])
                    out[key] = [[w, int(st_), v] for w, st_, v in rows.tolist()]
                self._exported[id(s)] = n
        with open(path, "w") as f:
            json.dump(out, f)

    # ---- the profiler ------------------------------------------------------------------
    def profiler_handler(self, worker_name: str | None = None, use_gzip: bool = False) -> Any:
        """`on_trace_ready` for torch.profiler: each cycle's profile is recorded into this
        writer's Store (kind `pytorch_profiler`, tag the worker, step its last ProfilerStep) and
        written to this writer's log_dir as torch's `tensorboard_trace_handler` writes it."""
        from nbboard.kinds.profiler.handler import profiler_handler

        self._file(self.log_dir)  # the run exists (and this kernel's readers skip its folder)
        self._profilers.append(h := profiler_handler(self, worker_name, use_gzip))
        return h

    # ---- lifecycle ---------------------------------------------------------------------
    def flush(self) -> None:
        """Write everything logged so far to the event files (flushed to the OS); values logged
        from a device are waited for (their copies, not the device)."""
        if dm.DEFERRED.queue:
            dm.DEFERRED.wait(self)
        for h in self._profilers:
            h.wait()
        if self._summaries:
            self._build_summaries()
        if self._thread is not None:
            self._thread.flush()

    def close(self) -> None:
        """Flush, fsync and close every event file. Logging again reopens new files, like torch."""
        if dm.DEFERRED.queue:
            dm.DEFERRED.wait(self)
        for h in self._profilers:
            h.wait()
        if self._summaries:
            self._build_summaries()
        with self._lock:
            t, self._thread = self._thread, None
            self._journal = None  # the thread's close deletes it once all is in the files
            files, self._files = self._files, {}
        if t is not None:
            t.close()
        for f in files.values():
            f.close()

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _raw_event(self, event_bytes: bytes, step: int = 0, run_dir: str | None = None) -> None:
        """Queue a finished Event message (graph defs and other whole events)."""
        f = self._file(run_dir or self.log_dir)
        self._queue(f, _time(), step, None, event_bytes, RAW_EVENT)

    def _summary_into_store(self, run_dir: str, summary: bytes, step: int, wall_time: float) -> None:
        """Decode a Summary written through a FileWriter into the Store, as a logdir read would:
        per-tag values appended, run-level pieces (hparams) folded and built into the run's record."""
        from nbboard.kinds import REGISTRY
        from nbboard.logdir.decode import decode_value
        from nbboard.tfevents.protos import fields

        key = st.run_key(run_dir)
        state = self._summaries.setdefault(key, {"metadata": {}, "folded": {}})
        for fn, _wt, raw in fields(summary):
            if fn != 1:
                continue
            try:
                items = decode_value(raw, state["metadata"])
            except Exception:
                continue  # written as given; the Store skips what it cannot read
            for d in items:
                kind = REGISTRY.get(d.kind)
                if kind is not None and kind.fold is not None:
                    kind.fold(state["folded"].setdefault(d.kind, {}), d.value)
                else:
                    try:
                        self.store.append(key, d.tag, d.kind, step, d.value, wall_time)
                    except ValueError:
                        pass  # the tag holds another kind in this run
        self._build_summaries(key)

    def _build_summaries(self, key: str | None = None) -> None:
        """(Re)build the run-level records folded from add_summary (their metrics are the runs'
        latest scalar values, so flush and close build them again)."""
        from nbboard.kinds import REGISTRY

        for k, state in self._summaries.items():
            if key is not None and k != key:
                continue
            for name, folded in state["folded"].items():
                with self.store.lock:
                    run = self.store._data.runs.get(k)
                    series = dict(run.series) if run is not None else {}
                rec = REGISTRY[name].build(folded, series)
                if rec is not None:
                    self.store.set_plugin_record(k, name, rec)

    def show(self, **options: Any) -> Any:
        """Display a live Board of this writer's runs in the notebook."""
        from nbboard.widgets import show_writer

        return show_writer(self, **options)

    def __repr__(self) -> str:
        return f"SummaryWriter(log_dir={self.log_dir!r})"


class _Discard(deque):
    """The queue of a writer that does not write to disk: items are dropped as they come."""

    def append(self, item: Any) -> None:
        pass


class _NoFile:
    """What a write_to_disk=False writer has in place of an event file."""

    closed = False
    path = None

    def __init__(self, run_dir: str) -> None:
        self.run_dir = run_dir
        self.index = -1

    def close(self) -> None:
        pass


class FileWriter:
    """torch's FileWriter surface over one run of a SummaryWriter, for code that reaches
    through `writer.file_writer` / `_get_file_writer()` (Lightning's hparams, recipes that add
    a Summary built elsewhere): whole events go to the run's event file, and what they hold is
    decoded into the Store like a logdir read would."""

    def __init__(self, writer: SummaryWriter, run_dir: str) -> None:
        self._writer = writer
        self._run_dir = run_dir

    def get_logdir(self) -> str:
        """The run folder this FileWriter writes into."""
        return self._run_dir

    def add_summary(self, summary: Any, global_step: Any = None, walltime: Any = None) -> None:
        """Write a Summary (a protobuf message or its bytes) as one event of `global_step`."""
        data = _message_bytes(summary, "add_summary", "summary")
        step = to_step(global_step, "add_summary")
        wt = to_walltime(walltime, "add_summary")
        wt = _time() if wt is None else wt
        from nbboard.tfevents.messages import event

        self._writer._raw_event(event(wt, step, summary_bytes=data), step, self._run_dir)
        self._writer._summary_into_store(self._run_dir, data, step, wt)

    def add_event(self, event: Any, step: Any = None, walltime: Any = None) -> None:
        """Write an Event (a protobuf message or its bytes); like torch, `walltime` (default now)
        and `step` replace the event's own."""
        from nbboard.tfevents.messages import event as make_event
        from nbboard.tfevents.reader import decode_event

        data = _message_bytes(event, "add_event", "event")
        try:
            ev = decode_event(data)
        except Exception:
            raise InputError("add_event: event is not an Event message") from None
        wt = to_walltime(walltime, "add_event")
        wt = _time() if wt is None else wt
        st_ = ev.step if step is None else to_step(step, "add_event")
        if ev.values or ev.has_summary:
            from nbboard.tfevents.wire import field_bytes

            summary = b"".join(field_bytes(1, bytes(v)) for v in ev.values)
            self._writer._raw_event(make_event(wt, st_, summary_bytes=summary), st_, self._run_dir)
            self._writer._summary_into_store(self._run_dir, summary, st_, wt)
        else:
            self._writer._raw_event(data, st_, self._run_dir)

    def flush(self) -> None:
        """Flush the writer's files."""
        self._writer.flush()

    def close(self) -> None:
        """Flush (the SummaryWriter's close() closes the files)."""
        self._writer.flush()

    def reopen(self) -> None:
        """Nothing to do: logging again reopens files."""


def _message_bytes(msg: Any, method: str, arg: str) -> bytes:
    if isinstance(msg, (bytes, bytearray, memoryview)):
        return bytes(msg)
    ser = getattr(msg, "SerializeToString", None)
    if ser is None:
        raise InputError(f"{method}: {arg} must be a protobuf message or its serialized bytes; "
                         f"got {describe(msg)}")
    return ser()


# ---- fork: a child starts with none of its parent's writers' data -----------------------------
_writers: weakref.WeakSet[SummaryWriter] = weakref.WeakSet()
_store_locks: list[Any] = []


def _before_fork() -> None:
    """No writer is mid-append when the process forks: hold its Store's lock."""
    for data in {id(w.store._data): w.store._data for w in list(_writers)}.values():
        data.lock.acquire()
        _store_locks.append(data.lock)


def _after_fork_in_parent() -> None:
    while _store_locks:
        _store_locks.pop().release()


def _after_fork_in_child() -> None:
    """The child's writers forget the parent's files and queue, and its Stores the parent's
    data (a DataLoader worker that logs writes its own file; one that does not, writes nothing)."""
    _after_fork_in_parent()
    seen = set()
    for w in list(_writers):
        w._forget_parent()
        if id(w.store._data) not in seen:
            seen.add(id(w.store._data))
            w.store.forget_all()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                    after_in_child=_after_fork_in_child)

_register_exit_hook(dm.wait_all)  # runs before the file writers' exit hook (hooks run in reverse)
