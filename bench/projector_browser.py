"""t-SNE and UMAP computed in the page (the projector's Web Worker, headless Chromium) against the
kernel-side implementations (scikit-learn's Barnes-Hut TSNE, umap-learn) on the same 5,000 × 64
points in the same run: seconds, their ratio, and each layout's kNN label accuracy (how often a
point's 5 nearest neighbours in the layout share its cluster), so a faster layout is not a worse one.

The page is the built runtime on a static page fed the messages ProjectorFeed makes (bench/projector.py's
harness); the time is the worker's own (neighbours + iterations), as the view reports it, once with
the scatter animating (WebGL here is SwiftShader, software on the same cores) and once with the
view hidden (the worker alone).
Run: .venv/bin/python bench/projector_browser.py [--n 5000] [--d 64] [--dims 2]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from _chromium import launch
from projector import WEBGL_ARGS, open_page, page_dir, serve, synthetic

from nbboard.kinds.projector import projection


def knn_accuracy(coords: np.ndarray, labels: np.ndarray, k: int = 5) -> float:
    """Share of each point's k nearest neighbours in `coords` carrying its label."""
    from sklearn.neighbors import NearestNeighbors

    idx = NearestNeighbors(n_neighbors=k + 1).fit(coords).kneighbors(coords, return_distance=False)[:, 1:]
    return float((labels[idx] == labels[:, None]).mean())


def in_page(page: object, method: str, n: int, drawn: bool = True) -> tuple[float, float, np.ndarray]:
    """(worker seconds, wall seconds from the click, n×3 layout) of `method` computed in the page;
    `drawn` False hides the view meanwhile (no WebGL frames competing with the worker for the CPU)."""
    view = "[...window.__nbboard__.projectors][0].api"
    page.evaluate(f"() => {{ document.getElementById('host').style.display = '{'' if drawn else 'none'}'; }}")
    page.evaluate(f"() => {view}.method('pca')")
    t0 = time.perf_counter()
    page.evaluate(f"() => {view}.method('{method}')")
    page.evaluate(f"() => {view}.run()")  # a fresh run (the first click started one already: same job)
    page.wait_for_function(f"() => ['done', 'error'].includes({view}.page()?.state)", timeout=900_000, polling=50)
    wall = time.perf_counter() - t0
    info = page.evaluate(f"() => {view}.page()")
    if info["state"] != "done":
        raise RuntimeError(f"{method} in the page failed: {info['message']}")
    page.evaluate("() => { document.getElementById('host').style.display = ''; }")
    pos = np.asarray(page.evaluate(f"() => {view}.positions()"), dtype=np.float64).reshape(n, 3)
    return float(info["seconds"]), wall, pos


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--dims", type=int, default=2, choices=(2, 3))
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    n, d, dims = args.n, args.d, args.dims
    x, labels = synthetic(n, d)
    lab = np.asarray(labels)
    print(f"{n:,} × {d} points (10 Gaussian clusters), {dims}-D layouts; {os.cpu_count()} CPU cores")
    rows: dict[str, dict[str, float]] = {}

    with sync_playwright() as pw:
        browser = launch(pw, WEBGL_ARGS)
        folder, _ = page_dir(x, metadata=labels, options={"color_by": "label"}, ui={"pj_dims": dims})
        srv, url = serve(folder)
        page = open_page(browser, url)
        for m in ("tsne", "umap"):
            secs, wall, pos = in_page(page, m, n)
            hidden, _, _ = in_page(page, m, n, drawn=False)
            rows[m] = {"page": secs, "page_wall": wall, "page_hidden": hidden,
                       "page_acc": knn_accuracy(pos[:, :dims], lab)}
        if page.errors:
            print("  page errors:", page.errors[:3])
        page.close()
        srv.shutdown()
        browser.close()

    # the anchors: scikit-learn's TSNE with the page's settings (1000 iterations, angle 0.5, perplexity 30),
    # and the kernel's umap-learn (its numba functions compiled first, on a small input, so the time is the run's)
    try:
        from sklearn.manifold import TSNE

        t0 = time.perf_counter()
        y = TSNE(n_components=dims, perplexity=30, init="random", learning_rate="auto", max_iter=1000,
                 angle=0.5, random_state=0).fit_transform(x)
        rows["tsne"]["anchor"] = time.perf_counter() - t0
        rows["tsne"]["anchor_acc"] = knn_accuracy(y, lab)
        rows["tsne"]["anchor_name"] = "scikit-learn TSNE (Barnes-Hut, 1000 iterations)"  # type: ignore[assignment]
    except ImportError:
        print("scikit-learn is not installed: no t-SNE anchor")
    if projection.available("umap"):
        projection.umap(x[:300], dims)
        t0 = time.perf_counter()
        y = projection.umap(x, dims)
        rows["umap"]["anchor"] = time.perf_counter() - t0
        rows["umap"]["anchor_acc"] = knn_accuracy(y, lab)
        rows["umap"]["anchor_name"] = "umap-learn, the kernel's projection.umap"  # type: ignore[assignment]
    else:
        print("umap-learn is not installed: no UMAP anchor")

    for m, r in rows.items():
        label = "t-SNE" if m == "tsne" else "UMAP"
        line = (f"{label:>5} in the page: {r['page']:.2f} s animated ({r['page_wall']:.2f} s from the click; "
                f"{r['page_hidden']:.2f} s with the view hidden), kNN accuracy {r['page_acc']:.3f}")
        if "anchor" in r:
            line += (f" | {r['anchor_name']}: {r['anchor']:.2f} s, accuracy {r['anchor_acc']:.3f}"
                     f" | page / anchor: {r['page'] / r['anchor']:.2f}× animated, {r['page_hidden'] / r['anchor']:.2f}× hidden")
        print(line)


if __name__ == "__main__":
    main()
