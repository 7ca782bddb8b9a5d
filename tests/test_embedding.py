"""add_embedding: torch's projector files byte for byte, the Store record, PCA, and bad input."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

from nbboard import SummaryWriter
from nbboard.convert import InputError
from nbboard.kinds.projector.projection import MissingExtraError, neighbour_space, pca
from nbboard.kinds.projector.read import parse_config, read_embeddings
from nbboard.kinds.projector.write import config_pbtxt
from nbboard.store import Store

PROJECTOR = "projector"

torch = pytest.importorskip("torch")
TorchWriter = pytest.importorskip("torch.utils.tensorboard").SummaryWriter

PROJECTOR_FILES = ("tensors.tsv", "metadata.tsv", "sprite.png")


def _tree(root: str) -> dict[str, bytes]:
    """Every projector file under `root` (event files excluded), by relative path."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f in PROJECTOR_FILES or f == "projector_config.pbtxt":
                p = os.path.join(dirpath, f)
                with open(p, "rb") as fh:
                    out[os.path.relpath(p, root)] = fh.read()
    return out


def _calls():
    g = torch.Generator().manual_seed(0)
    words = [f"w{i}" for i in range(30)]
    imgs = torch.rand(30, 3, 10, 12, generator=g)
    gray = torch.rand(7, 1, 5, 5, generator=g)
    return [
        dict(mat=torch.randn(30, 5, generator=g), metadata=words, label_img=imgs),
        dict(mat=torch.randn(30, 5, generator=g, dtype=torch.float64), label_img=imgs, global_step=3),
        dict(mat=torch.randn(30, 4, generator=g), metadata=words, tag="feat/a%b", global_step=12),
        dict(mat=np.arange(14).reshape(7, 2), metadata=[[i, f"c{i % 3}", i * 0.5] for i in range(7)],
             metadata_header=["idx", "class", "half"], label_img=gray, tag="multi"),
        dict(mat=np.random.default_rng(1).standard_normal((3, 2)).astype(np.float32),
             metadata=["a b", "é'\"", "x"], tag='q"uote é', global_step=100000),
    ]


def test_files_match_torch(tmp_path, store):
    a, b = str(tmp_path / "torch"), str(tmp_path / "nbb")
    tw, nw = TorchWriter(a), SummaryWriter(b, store=store)
    for kw in _calls():
        tw.add_embedding(**kw)
        nw.add_embedding(**kw)
    tw.close()
    nw.close()
    ta, tb = _tree(a), _tree(b)
    assert sorted(ta) == sorted(tb)
    for k in ta:
        assert ta[k] == tb[k], k
    # TensorBoard's projector config reader parses it, and lists the five embeddings in order
    with open(os.path.join(b, "projector_config.pbtxt")) as f:
        infos = parse_config(f.read())
    assert [i["tensor_name"] for i in infos] == ["default:00000", "default:00003", "feat/a%b:00012",
                                                 "multi:00000", 'q"uote é:100000']
    assert infos[3]["sprite_dim"] == (5, 5)


def test_pbtxt_matches_text_format():
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    infos = [{"tensor_name": "a\tb\n'\"\\ ü", "tensor_path": "x/t.tsv", "sprite_path": "s.png", "sprite_dim": (3, 4)},
             {"tensor_name": "n", "tensor_path": "p", "metadata_path": "m"}]
    cfg = text_format.Parse(config_pbtxt(infos), ProjectorConfig())
    assert text_format.MessageToString(cfg) == config_pbtxt(infos)
    assert cfg.embeddings[0].tensor_name == infos[0]["tensor_name"]


def test_store_record_and_read_back(tmp_path, store):
    w = SummaryWriter(str(tmp_path), store=store)
    mat = np.random.default_rng(0).standard_normal((20, 6)).astype(np.float32)
    w.add_embedding(mat, metadata=[[str(i), "odd" if i % 2 else "even"] for i in range(20)],
                    metadata_header=["i", "parity"], label_img=np.zeros((20, 1, 4, 4), np.uint8) + 200,
                    global_step=7, tag="emb")
    w.close()
    run = store.runs()[0]
    assert store.tags(run)[PROJECTOR] == ["emb"]
    s = store.series(run, "emb")
    rec = s[0]
    assert s.steps.tolist() == [7] and rec.shape == (20, 6)
    np.testing.assert_array_equal(rec.mat, mat)
    assert rec.header == ["i", "parity"] and rec.columns[1][:3] == ["even", "odd", "even"]
    assert rec.images.shape == (20, 4, 4, 1) and rec.images.max() == 200
    back = read_embeddings(str(tmp_path))
    assert len(back) == 1 and back[0].tag == "emb" and back[0].step == 7
    np.testing.assert_allclose(back[0].mat, mat, rtol=1e-6)
    assert back[0].columns == rec.columns and back[0].header == rec.header
    np.testing.assert_array_equal(back[0].images, np.repeat(rec.images, 3, axis=3))


@pytest.mark.parametrize("kw, needle", [
    (dict(mat=np.zeros((3, 2)), metadata=["a", "b"]), "metadata has 2 entries but mat has 3 rows"),
    (dict(mat=np.zeros((3, 2)), label_img=np.zeros((2, 3, 4, 4))), "label_img has 2 images but mat has 3"),
    (dict(mat=np.zeros((3, 2)), label_img=np.zeros((3, 2, 4, 4))), "label_img must have shape (N, C, H, W)"),
    (dict(mat=np.zeros(3)), "mat must be 2-D"),
    (dict(mat="abc"), "mat must be"),
    (dict(mat=np.zeros((2, 2)), metadata=[[1, 2], [3]], metadata_header=["a", "b"]), "metadata[1] has 1 values"),
    (dict(mat=np.zeros((2, 2)), metadata="ab"), "metadata must be a list"),
    (dict(mat=np.zeros((2, 2)), tag=""), "tag"),
    (dict(mat=np.zeros((2, 2)), global_step="x"), "global_step"),
])
def test_bad_input_names_argument_and_leaves_writer_intact(tmp_path, store, kw, needle):
    w = SummaryWriter(str(tmp_path), store=store)
    with pytest.raises(InputError) as e:
        w.add_embedding(**kw)
    assert needle in str(e.value) and "add_embedding" in str(e.value)
    w.flush()
    assert _tree(str(tmp_path)) == {}
    assert PROJECTOR not in store.tags(store.runs()[0])
    w.add_embedding(np.eye(3), metadata=["a", "b", "c"])  # the writer still works
    w.close()
    assert sorted(_tree(str(tmp_path))) == ["00000/default/metadata.tsv", "00000/default/tensors.tsv",
                                            "projector_config.pbtxt"]


def test_same_step_twice_warns_like_torch(tmp_path, store):
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_embedding(np.eye(2))
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        w.add_embedding(np.eye(2))
    assert any("Embedding dir exists" in str(g.message) for g in got)
    w.close()


def test_pca_matches_numpy_svd():
    rng = np.random.default_rng(3)
    for n, d in ((500, 20), (1500, 300)):  # exact (covariance) and randomized paths
        lat = rng.standard_normal((n, 8)) * np.geomspace(8, 1, 8)
        x = (lat @ rng.standard_normal((8, d)) + 0.05 * rng.standard_normal((n, d))).astype(np.float32)
        res = pca(x, 3)
        xc = x.astype(np.float64) - x.mean(0, dtype=np.float64)
        _, s, vt = np.linalg.svd(xc, full_matrices=False)
        cos = np.abs(np.sum(res.components.astype(np.float64) * vt[:3], axis=1))
        assert cos.min() > 0.9999, cos
        np.testing.assert_allclose(res.explained_variance_ratio, s[:3] ** 2 / (s**2).sum(), rtol=1e-3)
        np.testing.assert_allclose(res.coords, xc @ res.components.T.astype(np.float64), rtol=1e-3,
                                   atol=1e-3 * np.abs(res.coords).max())
    tiny = pca(np.array([[0.0, 1.0], [2.0, 3.0]], np.float32), 3)  # fewer components than 3
    assert tiny.coords.shape == (2, 3) and (tiny.coords[:, 1:] == 0).all()


def test_neighbour_space_reduces_large_matrices():
    x = (np.random.default_rng(0).standard_normal((1000, 50)) * np.geomspace(5, 0.5, 50)).astype(np.float32)
    v, label, res = neighbour_space(x)
    assert v.shape == (1000, 50) and "original" in label and res is None
    v, label, res = neighbour_space(x, max_floats=10_000)
    assert v.shape == (1000, 10) and "principal components" in label
    np.testing.assert_allclose(np.abs(res.coords[:, :3]), np.abs(pca(x, 3).coords), atol=1e-2 * np.abs(v).max())


def test_umap_missing_names_the_extra(monkeypatch):
    import builtins

    from nbboard.kinds.projector import projection

    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "umap":
            raise ImportError("no umap")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(MissingExtraError, match=r"pip install nbboard\[umap\]"):
        projection.umap(np.zeros((10, 3), np.float32))
    assert not projection.available("umap")


def test_tsne_projection_of_digits():
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits

    from nbboard.kinds.projector.projection import compute
    from nbboard.kinds.projector.write import make_embedding

    d = load_digits()
    rec, _ = make_embedding(d.data[:150], metadata=d.target[:150].tolist())
    for m in ("pca", "tsne_2d"):  # the 2-D t-SNE is the quicker one to test
        compute(rec, m)
        assert rec.status[m] == "done", rec.status
        assert rec.projections[m].shape == (150, 3) and rec.projections[m].dtype == np.float32
    assert (rec.projections["tsne_2d"][:, 2] == 0).all() and rec.projections["tsne_2d"][:, :2].std() > 0
    compute(rec, "umap", max_points=10)
    assert rec.status["umap"].startswith("error: ")
    assert 0 < sum(rec.info["pca"]["explained_variance_ratio"]) < 1


def test_umap_projects_digits_into_separated_classes():
    """Real umap-learn (a test extra): 3-D and 2-D layouts of load_digits in which a point's
    neighbours mostly share its class, reported through compute() like every projection."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    from nbboard.kinds.projector.projection import available, compute
    from nbboard.kinds.projector.write import make_embedding

    assert available("umap")
    d = load_digits()
    rec, _ = make_embedding(d.data[:600], metadata=d.target[:600].tolist())
    for m in ("umap", "umap_2d"):
        compute(rec, m)
        assert rec.status[m] == "done", rec.status
        y = rec.projections[m]
        assert y.shape == (600, 3) and y.dtype == np.float32 and np.isfinite(y).all()
        knn = cross_val_score(KNeighborsClassifier(5), y[:, :3 if m == "umap" else 2], d.target[:600], cv=3).mean()
        assert knn > 0.85, (m, knn)  # raw 64-D pixels give ~0.96; a random layout ~0.1
    assert (rec.projections["umap_2d"][:, 2] == 0).all()
    assert rec.info["umap"]["seconds"] > 0


def test_store_is_separate_per_test(store):
    assert isinstance(store, Store) and store.runs() == []


def _drain(feed, timeout: float = 60.0) -> list[tuple[dict, list[bytes]]]:
    """Every message the feed sends until the projection worker is idle and nothing is left."""
    import time

    from nbboard.kinds.projector import projection

    out, end = [], time.monotonic() + timeout
    while time.monotonic() < end:
        m = feed.poll()
        if m is not None:
            out.append(m)
        elif projection.worker().idle() and feed.poll() is None:
            break
        time.sleep(0.01)
    return out


def _records(msgs):
    """(kind, meta, parts) for every record in the messages, parts sliced from their buffers."""
    recs = []
    for content, buffers in msgs:
        assert content["type"] == "records"
        for row, buf in zip(content["series"], buffers):
            for meta in row[8]:
                recs.append((row[1], meta, [buf[o:o + n] for o, n in meta["p"]]))
    return recs


def test_projector_feed_sends_embedding_then_projections(tmp_path, store):
    from nbboard.kinds.projector.feed import ProjectorFeed

    w = SummaryWriter(str(tmp_path), store=store)
    x = np.random.default_rng(0).standard_normal((40, 5)).astype(np.float32)
    w.add_embedding(x, metadata=[[str(i % 3), f"n{i}"] for i in range(40)], metadata_header=["cls", "name"],
                    label_img=np.ones((40, 1, 6, 4)), tag="emb")
    feed = ProjectorFeed(store, methods=("pca", "umap"), max_points={"umap": 10})
    twin = ProjectorFeed(store, methods=("pca",))  # a second view on the same Store, asking at once
    first = [feed.poll(), twin.poll()]
    recs = _records([m for m in first[:1] if m] + _drain(feed))
    base = [r for r in recs if r[0] == PROJECTOR]
    assert len(base) == 1
    meta, parts = base[0][1], base[0][2]
    assert (meta["n"], meta["d"], meta["m"], meta["tag"]) == (40, 5, 5, "emb")
    np.testing.assert_array_equal(np.frombuffer(parts[0], np.float32).reshape(40, 5), x)  # neighbour space
    cls, name = meta["columns"]
    assert cls == {"name": "cls", "categories": ["0", "1", "2"], "counts": [14, 13, 13], "numeric": True}
    codes = np.frombuffer(parts[1], np.int32).reshape(2, 40)
    assert codes[0].tolist() == [i % 3 for i in range(40)]
    assert [name["categories"][c] for c in codes[1][:3]] == ["n0", "n1", "n2"]
    assert meta["sprite"]["w"] == 4 and meta["sprite"]["h"] == 6 and parts[2][:8] == b"\x89PNG\r\n\x1a\n"
    coords = {m["method"]: (m, p) for k, m, p in recs if k == "projector_coords"}
    pca_meta, pca_parts = coords["pca"]
    assert pca_meta["state"] == "done" and len(pca_meta["explained_variance_ratio"]) == 3
    np.testing.assert_allclose(np.frombuffer(pca_parts[0], np.float32).reshape(40, 3), pca(x, 3).coords, atol=1e-5)
    assert coords["umap"][0]["state"] == "error"  # not installed, or over max_points: either way a message
    assert "umap" in coords["umap"][0]["message"].lower()
    # the twin shares the work (keyed by record) and still gets everything
    other = _records([m for m in first[1:] if m] + _drain(twin))
    assert [k for k, _, _ in other].count(PROJECTOR) == 1 and any(m.get("method") == "pca" for _, m, _ in other)
    # nothing new → nothing sent; a resync resends everything
    assert feed.poll() is None and feed.done() and twin.done()
    feed.reset()
    again = _records(_drain(feed))
    assert sum(k == PROJECTOR for k, _, _ in again) == 1 and any(m["method"] == "pca" for k, m, _ in again if k != PROJECTOR)
    # a second step is a delta: only its own records
    w.add_embedding(x[:10], global_step=5, tag="emb")
    delta = _records(_drain(feed))
    assert [m["step"] for k, m, _ in delta if k == PROJECTOR] == [5]
    w.close()


def test_projector_view_widget(store, tmp_path):
    from nbboard.kinds.projector.view import Projector

    v = Projector(store, color_by="label", methods=("pca",), dims=2)
    assert v.kind == "projector" and v.options["color_by"] == "label" and v.options["methods"] == ["pca"]
    assert v.describe()["kind"] == "projector"
    with pytest.raises(ValueError, match="dims"):
        Projector(store, dims=4)
    with pytest.raises(ValueError, match="methods"):
        Projector(store, methods=("lle",))
    v.close()


def test_single_column_metadata_with_header_reads_back(tmp_path, store):
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_embedding(np.eye(3), metadata=[["a"], ["b"], ["c"]], metadata_header=["name"], tag="e")
    w.close()
    rec = store.series(store.runs()[0], "e")[0]
    assert (tmp_path / "00000" / "e" / "metadata.tsv").read_text() == "name\na\nb\nc\n"
    back = read_embeddings(str(tmp_path))[0]
    assert back.header == ["name"] == rec.header
    assert back.columns == [["a", "b", "c"]] == rec.columns
