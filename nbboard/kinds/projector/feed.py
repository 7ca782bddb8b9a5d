"""The projector feed: embeddings, metadata and projections as binary "records" deltas (the
wire format of nbboard/widgets/feeds.py, decoded by js/src/kinds/projector/embeddings.ts).

Per (run, tag) the feed keeps two record series:

* kind ``projector``: one record per logged step. meta = {key, n, d, m, space, header,
  columns: [{name, categories, counts, numeric}], sprite: {w, h, cols, count} | null};
  parts = [float32 (n, m) neighbour vectors, int32 (columns, n) category codes, sprite PNG].
* kind ``projector_coords``: appended whenever a projection changes state. meta = {key,
  method ("pca", "tsne", "umap", or "tsne_2d"/"umap_2d" for the 2-D layouts), state:
  queued|running|done|error, message, since, seconds, explained_variance_ratio};
  parts = [float32 (n, 3) coordinates (z = 0 for 2-D layouts)] when done.

Everything heavy (encodings, PCA, t-SNE, UMAP) runs on projection.py's worker thread, so the
pusher and the training loop never wait; the page switches between precomputed projections.
"""

from __future__ import annotations

import io
import math
import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from nbboard.kinds.projector import projection
from nbboard.kinds.projector.record import EmbeddingData
from nbboard.store import Store
from nbboard.widgets.wire import pack_parts

PROJECTOR = "projector"
COORDS = "projector_coords"

#: Sprite atlases are at most this many pixels a side (WebGL's guaranteed texture size is 4096).
ATLAS_SIDE = 4096

#: Thumbnails smaller than this many pixels are not worth sending.
MIN_THUMB = 6

#: A message stops growing past this many bytes; the rest follows on the next push.
MAX_BYTES_PER_MESSAGE = 64 << 20

#: Series ids start here, so a Board can merge this feed with its RecordFeed (ids from 0).
ID_BASE = 1 << 20


def _is_number(s: str) -> bool:
    try:
        return math.isfinite(float(s))
    except ValueError:
        return False


def encode_columns(columns: list[list[str]] | None, header: list[str] | None, n: int
                   ) -> tuple[list[dict[str, Any]], bytes]:
    """Metadata columns as category lists + int32 codes (column-major)."""
    if not columns:
        return [], b""
    specs, codes = [], np.empty((len(columns), n), dtype=np.int32)
    for j, col in enumerate(columns):
        uniq, inv, counts = np.unique(np.asarray(col, dtype=object).astype(str), return_inverse=True,
                                      return_counts=True)
        cats = uniq.tolist()
        numeric = bool(cats) and all(_is_number(c) for c in cats)
        if numeric:  # order numerically, so codes follow the values
            order = np.argsort(np.array([float(c) for c in cats]), kind="stable")
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            cats = [cats[i] for i in order]
            counts = counts[order]
            inv = rank[inv.ravel()]
        codes[j] = inv.ravel()
        name = header[j] if header and j < len(header) else f"column {j + 1}"
        specs.append({"name": name, "categories": cats, "counts": counts.tolist(), "numeric": numeric})
    return specs, codes.tobytes()


def encode_sprite(images: np.ndarray | None, side: int = ATLAS_SIDE) -> tuple[dict[str, Any] | None, bytes]:
    """Label images as one PNG atlas of thumbnails ≤ `side` px square (nearest-neighbour resize)."""
    if images is None:
        return None, b""
    from PIL import Image

    if images.shape[3] == 1:
        images = np.repeat(images, 3, axis=3)
    n, h, w, _ = images.shape
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    cell = min(max(h, w), side // cols)
    if cell < MIN_THUMB:
        return None, b""
    tw, th = max(1, round(cell * w / max(h, w))), max(1, round(cell * h / max(h, w)))
    ys = (np.arange(th) * h // th).astype(np.intp)
    xs = (np.arange(tw) * w // tw).astype(np.intp)
    thumbs = images[:, ys][:, :, xs] if (th, tw) != (h, w) else images
    sheet = np.zeros((rows * th, cols * tw, 3), dtype=np.uint8)
    pad = rows * cols - n
    if pad:
        thumbs = np.concatenate([thumbs, np.zeros((pad, th, tw, 3), np.uint8)])
    sheet[:] = thumbs.reshape(rows, cols, th, tw, 3).transpose(0, 2, 1, 3, 4).reshape(rows * th, cols * tw, 3)
    buf = io.BytesIO()
    Image.fromarray(sheet).save(buf, format="PNG", compress_level=1)
    return {"w": tw, "h": th, "cols": cols, "count": n}, buf.getvalue()


def encode_base(rec: EmbeddingData, key: str) -> tuple[dict[str, Any], list[bytes]]:
    """The `projector` record of an embedding (cached on the record: views share it)."""
    cached = rec.info.get("_wire")
    if cached is None:
        n, d = rec.shape
        t0 = time.perf_counter()
        vectors, space, res = projection.neighbour_space(rec.mat)
        if res is not None:  # its first three components are the 3-D PCA: no second pass over the data
            with rec.lock:
                if "pca" not in rec.projections:
                    rec.projections["pca"] = np.ascontiguousarray(res.coords[:, :3])
                    rec.info["pca"] = {"explained_variance_ratio": [float(v) for v in res.explained_variance_ratio[:3]],
                                       "seconds": round(time.perf_counter() - t0, 3)}
                    rec.status["pca"] = "done"
        cols, codes = encode_columns(rec.columns, rec.header, n)
        sprite, png = encode_sprite(rec.images)
        meta = {"n": n, "d": d, "m": int(vectors.shape[1]), "space": space, "columns": cols,
                "sprite": sprite, "tag": rec.tag, "step": rec.step}
        cached = rec.info["_wire"] = (meta, [np.ascontiguousarray(vectors, np.float32).tobytes(), codes, png])
    meta, parts = cached
    return {**meta, "key": key}, parts


class _Tracked:
    """One embedding the feed knows: its record, wire key, step and wall time (read under the Store
    lock when found, so a later purge cannot pull them away) and the projection states sent."""

    __slots__ = ("rec", "key", "step", "wall", "sent_state")

    def __init__(self, rec: EmbeddingData, key: str, step: int, wall: float) -> None:
        self.rec, self.key, self.step, self.wall = rec, key, int(step), float(wall)
        self.sent_state: dict[str, str] = {}


class _Pair:
    __slots__ = ("run", "tag", "series", "base_id", "coords_id", "items", "base_sent", "coords_sent", "epoch")

    def __init__(self, run: str, tag: str, series: Any, base_id: int) -> None:
        self.run, self.tag, self.series = run, tag, series
        self.base_id, self.coords_id = base_id, base_id + 1
        self.items: list[_Tracked] = []
        self.base_sent = 0  # records of the `projector` series the page holds
        self.coords_sent = 0
        self.epoch = series.epoch


class ProjectorFeed:
    """Finds embeddings in a Store, has the worker encode and project them, and builds deltas."""

    def __init__(self, store: Store, methods: tuple[str, ...] = projection.METHODS,
                 max_points: dict[str, int] | None = None, tags: str | None = None,
                 id_base: int = ID_BASE, wake: Any = None) -> None:
        bad = set(methods) - set(projection.METHODS)
        if bad:
            raise ValueError(f"methods must be among {projection.METHODS}; got {sorted(bad)}")
        self.store = store
        self.methods = tuple(dict.fromkeys(("pca", *methods)))
        self.max_points = dict(max_points or {})
        self.tag_re = re.compile(tags) if tags else None
        self.id_base = id_base
        self.wake = wake
        self._pairs: dict[tuple[str, str], _Pair] = {}
        self._store_version = -1
        self._full = True
        self.options: dict[str, Any] = {}  # what a Board's tab needs of this feed (board_feed)

    def has_kind(self, kind: str) -> bool:
        """Whether this feed has found embeddings (a Board then attaches the 3-D bundle)."""
        return kind == PROJECTOR and bool(self._pairs)

    def reset(self) -> None:
        """Forget what was sent (the page asked for everything again)."""
        for p in self._pairs.values():
            p.base_sent = p.coords_sent = 0
            for t in p.items:
                t.sent_state = {}
        self._full = True

    # ---- discovery and work -----------------------------------------------------------
    def _discover(self) -> None:
        store = self.store
        if store.version != self._store_version:
            self._store_version = store.version
            for run in store.runs():
                try:
                    tags = store.tags(run).get(PROJECTOR, [])
                except KeyError:
                    continue
                for tag in tags:
                    if (run, tag) not in self._pairs and (self.tag_re is None or self.tag_re.search(tag)):
                        bid = self.id_base + 2 * len(self._pairs)
                        self._pairs[(run, tag)] = _Pair(run, tag, store.series(run, tag), bid)
        for p in self._pairs.values():
            s = p.series
            if s.epoch != p.epoch:  # purged: start this pair over
                p.epoch, p.items, p.base_sent, p.coords_sent = s.epoch, [], 0, 0
            start = len(p.items)
            for i, (step, wall, rec) in enumerate(s.items(start), start):
                t = _Tracked(rec, f"{p.run}\x1f{p.tag}\x1f{i}", step, wall)
                p.items.append(t)
                self._schedule(t)

    def _schedule(self, t: _Tracked) -> None:
        w = projection.worker()
        rec = t.rec

        # Jobs are keyed by record, so feeds sharing a record (several views, an export) share its
        # work; whether it is done is read from the record itself, never from the feed that asked.
        w.submit(("base", rec.uid), lambda: encode_base(rec, t.key), 0, self._woken)
        for m in projection.variants(self.methods):
            limit = self.max_points.get(m.removesuffix("_2d"))
            with rec.lock:
                failed = rec.status.get(m, "").startswith("error: skipped") and limit is not None
            if failed:  # a bigger limit than the one that skipped it: try again
                w.forget((m, rec.uid))
                with rec.lock:
                    rec.status.pop(m, None)
            with rec.lock:
                if m not in rec.status:
                    rec.status[m] = "queued"
            w.submit((m, rec.uid), lambda m=m, limit=limit: projection.compute(rec, m, limit),
                     0 if m == "pca" else 2 if m.endswith("_2d") else 1, self._woken)

    def _woken(self) -> None:
        if self.wake is not None:
            self.wake()

    # ---- deltas -----------------------------------------------------------------------
    def poll(self, max_bytes: int = MAX_BYTES_PER_MESSAGE) -> tuple[dict, list[bytes]] | None:
        """The delta since the last poll ("records" format), or None when nothing changed."""
        with self.store.lock:
            self._discover()
        rows: list[list] = []
        buffers: list[bytes] = []
        budget = max_bytes
        for p in self._pairs.values():
            # base records, in order, as their encodings become ready
            metas, chunks, steps, walls, off = [], [], [], [], 0
            start = p.base_sent
            while p.base_sent < len(p.items) and budget > 0:
                t = p.items[p.base_sent]
                if "_wire" not in t.rec.info:  # its encoding is still on the worker
                    break
                meta, parts = encode_base(t.rec, t.key)
                locs, ch, end = pack_parts(parts, off)
                chunks += ch
                budget -= end - off
                off = end
                metas.append({**meta, "p": locs})
                steps.append(t.step)
                walls.append(t.wall)
                p.base_sent += 1
            if metas:
                rows.append([p.base_id, PROJECTOR, p.run, p.tag, start, start == 0, steps, walls, metas])
                buffers.append(b"".join(chunks))
            # projection states of the embeddings the page has
            metas, chunks, steps, walls, off = [], [], [], [], 0
            for t in p.items[: p.base_sent]:
                rec = t.rec
                with rec.lock:
                    states = dict(rec.status)
                    info = {m: dict(v) for m, v in rec.info.items() if m.removesuffix("_2d") in projection.METHODS}
                for m in projection.variants(self.methods):
                    st = states.get(m, "queued")
                    if t.sent_state.get(m) == st or budget <= 0:
                        continue
                    meta: dict[str, Any] = {"key": t.key, "method": m, "state": st.split(":", 1)[0]}
                    if st.startswith("error"):
                        meta["message"] = st.split(":", 1)[1].strip()
                    mi = info.get(m, {})
                    if "started" in mi:
                        meta["since"] = mi["started"]
                    if "seconds" in mi:
                        meta["seconds"] = mi["seconds"]
                    if "explained_variance_ratio" in mi:
                        meta["explained_variance_ratio"] = mi["explained_variance_ratio"]
                    parts = [rec.projections[m].tobytes()] if st == "done" else []
                    meta["p"], ch, end = pack_parts(parts, off)
                    chunks += ch
                    budget -= end - off
                    off = end
                    metas.append(meta)
                    steps.append(int(rec.step))
                    walls.append(time.time())
                    t.sent_state[m] = st
            if metas:
                start = p.coords_sent
                rows.append([p.coords_id, COORDS, p.run, p.tag, start, start == 0, steps, walls, metas])
                buffers.append(b"".join(chunks))
                p.coords_sent += len(metas)
        if not rows:
            return None
        content: dict[str, Any] = {"type": "records", "series": rows, "plugins": {}}
        if self._full:
            content["full"] = True
            self._full = False
        return content, buffers

    def done(self, layouts_2d: bool = True) -> bool:
        """True once every embedding and every projection's final state (done or error) was sent
        (the exporter polls until then); `layouts_2d` False ignores the 2-D t-SNE / UMAP layouts."""
        keys = projection.variants(self.methods) if layouts_2d else self.methods
        for p in self._pairs.values():
            if p.base_sent < len(p.items):
                return False
            for t in p.items:
                for m in keys:
                    state = t.sent_state.get(m, "queued")
                    if not (state == "done" or state.startswith("error")):
                        return False
        return True

    def describe(self) -> dict:
        """Runs and tags this feed has seen (for the output's JSON description)."""
        with self.store.lock:
            self._discover()
        return {"runs": sorted({r for r, _ in self._pairs}), "tags": sorted({t for _, t in self._pairs})}

#: A Board's Projector tab has the kernel compute PCA only: t-SNE and UMAP take minutes of CPU on
#: large embeddings, which a dashboard left open beside a training loop should not spend unasked.
#: The tab still offers them: the page computes them from the vectors it holds (a Web Worker,
#: js/src/kinds/projector/layout.ts), and `nbboard.Projector(..., methods=("pca", "tsne", "umap"))`
#: has the kernel compute them (for data larger than the page lays out).
BOARD_PROJECTIONS = ("pca",)


def board_feed(store: Store, wake: Callable[[], None] | None = None) -> ProjectorFeed:
    """The Board's Projector tab: PCA of every embedding, series ids from ID_BASE so the page
    merges them with the Board's other records; `options.methods` names what the kernel computes
    (the page offers t-SNE and UMAP too, computing them itself)."""
    feed = ProjectorFeed(store, BOARD_PROJECTIONS, id_base=ID_BASE, wake=wake)
    feed.options = {"methods": list(BOARD_PROJECTIONS)}
    return feed
