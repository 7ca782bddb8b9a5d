"""Projections of embeddings to 3-D (PCA, t-SNE, UMAP) and the one background thread computing them.

PCA is fast enough to run anywhere (randomized, float32 BLAS: ~1 s for 100,000 × 784);
t-SNE (scikit-learn) and UMAP (umap-learn) are optional and slow, so `ProjectionWorker`
runs them off the training thread and records progress in each record's `status`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

METHODS = ("pca", "tsne", "umap")
EXTRAS = {"tsne": ("scikit-learn", "tsne"), "umap": ("umap-learn", "umap")}
#: t-SNE / UMAP are skipped (with a status message) above this many points unless asked.
DEFAULT_MAX_POINTS = {"tsne": 20_000, "umap": 200_000}


class MissingExtraError(ImportError):
    """An optional projection's package is not installed; the message names the extra to install."""


@dataclass
class PCAResult:
    """The top principal components of a matrix and its rows projected onto them."""

    coords: np.ndarray  # (N, k) float32
    components: np.ndarray  # (k, D) float32, unit rows
    mean: np.ndarray  # (D,) float32
    explained_variance_ratio: np.ndarray  # (k,) float64


def _finite(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if not np.isfinite(x).all():
        x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
    return x


def _fix_signs(components: np.ndarray) -> np.ndarray:
    """Make each component's largest loading positive, so results are deterministic."""
    idx = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(len(components)), idx])
    signs[signs == 0] = 1
    return components * signs[:, None]


def pca(x: np.ndarray, k: int = 3, *, seed: int = 0, n_iter: int = 3, oversample: int = 10) -> PCAResult:
    """Top-k PCA of the rows of `x`: exact (covariance eigh) for small D, randomized (Halko) otherwise.

    Coordinates past min(N, D) components are zero, so a 2-column matrix still gives 3-D points.
    """
    x = _finite(x)
    n, d = x.shape
    mean = x.mean(axis=0, dtype=np.float64).astype(np.float32)
    r = min(k, n, d)
    # total variance without a centred copy: sum of squares minus n·|mean|²
    sq = float(np.einsum("ij,ij->", x, x, dtype=np.float64))
    total = max(sq - n * float(mean.astype(np.float64) @ mean), 0.0) / max(n - 1, 1)
    if d <= 256 or n <= 4 * (r + oversample) or d <= 2 * (r + oversample):
        xc = (x - mean).astype(np.float64)
        w, v = np.linalg.eigh(xc.T @ xc / max(n - 1, 1))
        order = np.argsort(w)[::-1][:r]
        comps = v[:, order].T
        var = np.maximum(w[order], 0.0)
        coords_r = None
    else:
        # Subspace iteration on Xcᵀ Xc with implicit centring (no N×D copy), orthonormalised on the
        # small D side, then Rayleigh–Ritz: ~2·(n_iter + 1) passes of float32 BLAS over X.
        rng = np.random.default_rng(seed)
        z, _ = np.linalg.qr(rng.standard_normal((d, r + oversample)).astype(np.float32))
        for _ in range(n_iter):
            y = x @ z - mean @ z
            z, _ = np.linalg.qr(x.T @ y - np.outer(mean, y.sum(axis=0)))
        y = x @ z - mean @ z  # (N, l) = Xc z
        w, v = np.linalg.eigh(y.T.astype(np.float64) @ y.astype(np.float64))
        order = np.argsort(w)[::-1][:r]
        v = v[:, order]
        comps = (z.astype(np.float64) @ v).T
        var = np.maximum(w[order], 0.0) / max(n - 1, 1)
        coords_r = (y, v)
    signed = _fix_signs(np.asarray(comps, dtype=np.float64))
    flip = np.sign(np.sum(signed * comps, axis=1))
    comps = signed.astype(np.float32)
    coords = np.zeros((n, k), dtype=np.float32)
    if coords_r is None:
        coords[:, :r] = x @ comps.T - mean @ comps.T
    else:
        y, v = coords_r
        coords[:, :r] = y @ (v * flip).astype(np.float32)
    ratio = np.zeros(k, dtype=np.float64)
    if total > 0:
        ratio[:r] = np.asarray(var) / total
    full = np.zeros((k, d), dtype=np.float32)
    full[:r] = comps
    return PCAResult(coords, full, mean, ratio)


def _require(method: str) -> None:
    pkg, extra = EXTRAS[method]
    try:
        if method == "tsne":
            import sklearn.manifold  # noqa: F401
        else:
            import umap  # noqa: F401
    except ImportError as e:
        raise MissingExtraError(
            f"{'t-SNE' if method == 'tsne' else 'UMAP'} needs the optional package {pkg}: "
            f"pip install nbboard[{extra}]  (or pip install {pkg})") from e


def available(method: str) -> bool:
    """True if `method`'s optional package is importable."""
    if method == "pca":
        return True
    try:
        _require(method)
    except MissingExtraError:
        return False
    return True


def _reduce(x: np.ndarray, dims: int = 50) -> np.ndarray:
    """PCA to `dims` dimensions first (what t-SNE/UMAP guides recommend for wide inputs)."""
    x = _finite(x)
    return pca(x, dims).coords if x.shape[1] > dims and x.shape[0] > dims else x


def tsne(x: np.ndarray, dims: int = 3, *, seed: int = 0, perplexity: float = 30.0,
         max_iter: int = 500) -> np.ndarray:
    """t-SNE coordinates (N, dims) float32 with scikit-learn (Barnes-Hut, PCA init)."""
    _require("tsne")
    from sklearn.manifold import TSNE

    x = _reduce(x)
    n = x.shape[0]
    if n < 5:
        return np.zeros((n, dims), dtype=np.float32)
    p = min(perplexity, max((n - 1) / 3.0, 1.0))
    # 3-D Barnes-Hut is ~10× slower than 2-D: 500 iterations at angle 0.8 keep digits at ~5 s
    out = TSNE(n_components=dims, perplexity=p, init="pca", learning_rate="auto", max_iter=max_iter,
               angle=0.8, random_state=seed).fit_transform(x)
    return np.asarray(out, dtype=np.float32)


def umap(x: np.ndarray, dims: int = 3, *, seed: int = 0, n_neighbors: int = 15) -> np.ndarray:
    """UMAP coordinates (N, dims) float32 with umap-learn."""
    _require("umap")
    import umap as umap_learn

    x = _reduce(x)
    n = x.shape[0]
    if n < 5:
        return np.zeros((n, dims), dtype=np.float32)
    # a seed makes umap-learn single-threaded anyway; n_jobs=1 says so instead of warning
    model = umap_learn.UMAP(n_components=dims, n_neighbors=min(n_neighbors, n - 1), random_state=seed, n_jobs=1)
    return np.asarray(model.fit_transform(x), dtype=np.float32)


def neighbour_space(x: np.ndarray, max_floats: int = 4_000_000) -> tuple[np.ndarray, str, PCAResult | None]:
    """Vectors the browser searches for nearest neighbours: the rows themselves when they fit in
    `max_floats`, else their top PCA coordinates (the label says which; the PCA is returned too,
    its first three components being the 3-D PCA projection)."""
    x = _finite(x)
    n, d = x.shape
    if n * d <= max_floats:
        return np.ascontiguousarray(x), f"original space ({d}-D)", None
    k = int(max(3, min(d, 64, max_floats // max(n, 1))))
    res = pca(x, k)
    kept = float(res.explained_variance_ratio.sum())
    return res.coords, f"top {k} principal components ({kept:.1%} of the variance)", res


# ---- the background worker -----------------------------------------------------------------
def variants(methods: tuple[str, ...]) -> tuple[str, ...]:
    """The projections to compute for `methods`: each in 3-D, and t-SNE / UMAP also in 2-D
    ("tsne_2d"), since dropping a 3-D layout's z axis is a poor 2-D layout (PCA's is optimal)."""
    return (*methods, *(f"{m}_2d" for m in methods if m != "pca"))


def compute(rec: Any, method: str, max_points: int | None = None) -> None:
    """Compute `method` ("pca", "tsne", "umap", "tsne_2d", "umap_2d") for an EmbeddingData record,
    filling rec.projections (float32 (N, 3); z is 0 for 2-D ones), rec.info and rec.status."""
    with rec.lock:
        if method in rec.projections:
            return
        rec.status[method] = "running"
        rec.info[method] = {"started": time.time()}
    t0 = time.perf_counter()
    base = method.removesuffix("_2d")
    dims = 2 if method.endswith("_2d") else 3
    try:
        n = rec.mat.shape[0]
        limit = DEFAULT_MAX_POINTS.get(base) if max_points is None else max_points
        if base not in METHODS or (base == "pca" and dims == 2):
            raise ValueError(f"unknown projection {method!r}; expected one of {variants(METHODS)}")
        if base != "pca":
            _require(base)
            if limit is not None and n > limit:
                raise RuntimeError(f"skipped: {n:,} points is more than max_points={limit:,}; "
                                   f"pass max_points={{'{base}': {n}}} to compute it")
        extra: dict[str, Any] = {}
        if base == "pca":
            res = pca(rec.mat, 3)
            coords = res.coords
            extra["explained_variance_ratio"] = [float(v) for v in res.explained_variance_ratio]
        elif base == "tsne":
            coords = tsne(rec.mat, dims)
        else:
            coords = umap(rec.mat, dims)
        if coords.shape[1] < 3:
            coords = np.hstack([coords, np.zeros((n, 3 - coords.shape[1]), np.float32)])
        extra["seconds"] = round(time.perf_counter() - t0, 3)
        with rec.lock:
            rec.projections[method] = np.ascontiguousarray(coords, dtype=np.float32)
            rec.info[method] = extra
            rec.status[method] = "done"
    except Exception as e:  # reported in the view; never raised into the training loop
        with rec.lock:
            rec.status[method] = f"error: {e}"
            rec.info[method] = {"seconds": round(time.perf_counter() - t0, 3)}


class ProjectionWorker:
    """Two daemon threads running keyed jobs: a fast lane (priority 0: wire encodings, PCA) and a
    slow lane (t-SNE, UMAP), so a minutes-long t-SNE never delays the PCA of a newly logged step.

    Submitting a key again while it is queued or done does nothing. The slow lane runs lower
    priority numbers first and, within one, the newest job first (the step a user looks at during
    training). `on_done` runs after each job.
    """

    def __init__(self) -> None:
        self._queues: list[queue.PriorityQueue] = [queue.PriorityQueue(), queue.PriorityQueue()]
        self._threads: list[threading.Thread | None] = [None, None]
        self._keys: set[Any] = set()
        self._seq = 0
        self._running = 0
        self._lock = threading.Lock()

    def submit(self, key: Any, fn: Callable[[], None], priority: int = 0,
               on_done: Callable[[], None] | None = None) -> bool:
        """Queue `fn` under `key` unless that key was submitted before; True if queued."""
        lane = 0 if priority <= 0 else 1
        with self._lock:
            if key in self._keys:
                return False
            self._keys.add(key)
            self._seq += 1
            self._running += 1
            t = self._threads[lane]
            if t is None or not t.is_alive():
                t = self._threads[lane] = threading.Thread(
                    target=self._run, args=(self._queues[lane],), name=f"nbboard-projection-{lane}", daemon=True)
                t.start()
            order = self._seq if lane == 0 else -self._seq
            self._queues[lane].put((priority, order, key, fn, on_done))
        return True

    def forget(self, key: Any) -> None:
        """Allow `key` to be submitted again (e.g. after raising a point limit)."""
        with self._lock:
            self._keys.discard(key)

    def _run(self, q: queue.PriorityQueue) -> None:
        while True:
            _, _, _, fn, on_done = q.get()
            try:
                fn()
            except Exception as e:  # jobs report their own errors; this is a last resort
                import warnings

                warnings.warn(f"nbboard: projection job failed: {e!r}", stacklevel=1)
            finally:
                with self._lock:
                    self._running -= 1
                if on_done is not None:
                    try:
                        on_done()
                    except Exception:
                        pass

    def idle(self) -> bool:
        """True when nothing is queued or running."""
        with self._lock:
            return self._running == 0

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until idle (tests, benchmarks); False on timeout."""
        end = time.monotonic() + timeout
        while not self.idle():
            if time.monotonic() > end:
                return False
            time.sleep(0.01)
        return True


_worker: ProjectionWorker | None = None
_worker_lock = threading.Lock()


def worker() -> ProjectionWorker:
    """The kernel's projection worker."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = ProjectionWorker()
        return _worker
