"""add_image, add_images, add_image_with_boxes: round trip through TensorBoard's loader, pixels
identical to torch's writer for every dtype and dataformats, Store records, and bad input."""

from __future__ import annotations

import glob
import io
import os
import threading
import time

import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.tensorboard import SummaryWriter as TorchWriter

from nbboard import InputError, SummaryWriter
from nbboard.kinds.images import record as image_record
from nbboard.kinds.images import write as image
from nbboard.kinds.images import write as m
from nbboard.kinds.images.record import ImageData, encode_png
from tests.tb import accumulator

DTYPES = [torch.uint8, torch.float32, torch.float16, torch.bfloat16, torch.float64, torch.bool,
          torch.int32, torch.int64, torch.int8]


def sample(shape: tuple[int, ...], dtype: torch.dtype, seed: int = 0) -> torch.Tensor:
    """Pixels of `dtype` that exercise scaling, clipping and truncation."""
    g = torch.Generator().manual_seed(seed)
    if dtype == torch.uint8:
        return torch.randint(0, 256, shape, generator=g, dtype=dtype)
    if dtype == torch.bool:
        return torch.rand(shape, generator=g) > 0.5
    if dtype.is_floating_point:
        return (torch.rand(shape, generator=g) * 1.4 - 0.2).to(dtype)
    return torch.randint(-2, 3, shape, generator=g, dtype=dtype)


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def event_bytes(logdir: str) -> dict[str, bytes]:
    return {p: open(p, "rb").read() for p in glob.glob(os.path.join(logdir, "**", "events.*"),
                                                        recursive=True)}


def log_both(tmp_path, store, calls):
    """Run the same (method, args, kwargs) calls through nbboard's and torch's writers."""
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "torch")
    with SummaryWriter(ours, store=store) as w, TorchWriter(theirs) as t:
        for name, args, kwargs in calls:
            getattr(w, name)(*args, **kwargs)
            getattr(t, name)(*args, **kwargs)
    return ours, accumulator(ours), accumulator(theirs)


def assert_same_images(a, b, tag):
    ia, ib = a.Images(tag), b.Images(tag)
    assert [e.step for e in ia] == [e.step for e in ib]
    for ea, eb in zip(ia, ib):
        assert (ea.width, ea.height) == (eb.width, eb.height)
        pa, pb = decode(ea.encoded_image_string), decode(eb.encoded_image_string)
        assert pa.shape == pb.shape
        np.testing.assert_array_equal(pa, pb)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_add_image_dtypes_match_torch(tmp_path, store, dtype):
    x = sample((3, 9, 13), dtype)
    calls = [
        ("add_image", ("chw", x, 0), {}),
        ("add_image", ("hwc", x.permute(1, 2, 0)), {"global_step": 1, "dataformats": "HWC"}),
        ("add_image", ("hw", x[0], 2), {"dataformats": "HW"}),
        ("add_image", ("wh", x[0].T, 3), {"dataformats": "WH"}),
        ("add_image", ("grey", x[:1], 4), {}),
        ("add_image", ("rgba", x.permute(1, 2, 0)[:, :, :1].repeat(1, 1, 4), 5),
         {"dataformats": "HWC"}),
        ("add_image", ("lower", x.permute(2, 1, 0), 6), {"dataformats": "wHc"}),
    ]
    if dtype != torch.bfloat16:
        calls.append(("add_image", ("numpy", x.numpy(), 7), {}))
    ours, a, b = log_both(tmp_path, store, calls)
    assert sorted(a.Tags()["images"]) == sorted(b.Tags()["images"])
    for tag in b.Tags()["images"]:
        assert_same_images(a, b, tag)
    recs = store.select(ours).images(".", "chw")
    assert len(recs) == 1 and recs[0].array.shape == (9, 13, 3) and recs[0].array.dtype == np.uint8
    np.testing.assert_array_equal(recs[0].array, decode(b.Images("chw")[0].encoded_image_string))


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32, torch.bfloat16, torch.bool],
                         ids=str)
@pytest.mark.parametrize("n", [1, 3, 8, 11, 16])
def test_add_images_grid_matches_torch(tmp_path, store, dtype, n):
    x = sample((n, 3, 6, 5), dtype, seed=n)
    calls = [
        ("add_images", ("nchw", x, 0), {}),
        ("add_images", ("nhwc", x.permute(0, 2, 3, 1), 1), {"dataformats": "NHWC"}),
        ("add_images", ("grey", x[:, :1], 2), {}),
        ("add_image", ("via_add_image", x, 3), {"dataformats": "NCHW"}),
    ]
    ours, a, b = log_both(tmp_path, store, calls)
    for tag in b.Tags()["images"]:
        assert_same_images(a, b, tag)
    rec = store.select(ours).images(".", "nchw")[0]
    cols = min(n, 8)
    assert (rec.height, rec.width, rec.channels) == (6 * -(-n // cols), 5 * cols, 3)


@pytest.mark.parametrize("labels,rescale", [(None, 1), (["cat", "dog", "a bird"], 1),
                                            (["a", "bb", "ccc"], 0.5), (None, 2)])
def test_add_image_with_boxes_matches_torch(tmp_path, store, labels, rescale):
    x = sample((3, 60, 80), torch.float32)
    boxes = torch.tensor([[2.0, 3, 40, 30], [10, 10, 75.5, 55], [0, 0, 20, 59]])
    calls = [("add_image_with_boxes", ("boxes", x, boxes, 0),
              {"rescale": rescale, "labels": labels})]
    ours, a, b = log_both(tmp_path, store, calls)
    assert_same_images(a, b, "boxes")
    rec = store.select(ours).images(".", "boxes")[0]
    np.testing.assert_array_equal(rec.boxes, boxes.numpy())
    assert rec.labels == labels
    # `array` keeps the plain pixels for the interactive view; the file has the boxes drawn
    np.testing.assert_array_equal(rec.array, m.make_image(x).array)


def test_image_record_and_lazy_encoding(store, tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (3, 4, 5), dtype=np.uint8)
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_image("img", x, 7)
    rec = store.select(str(tmp_path)).images(".", "img")[0]
    assert m.make_image(x)._encoded is None  # PNG encoding is left to the background thread
    want = x.transpose(1, 2, 0).copy()
    x[:] = 0  # the caller's array is copied, so later changes do not leak in
    w.flush()
    assert rec._encoded is not None
    np.testing.assert_array_equal(rec.array, want)
    assert (rec.height, rec.width, rec.channels, rec.format) == (4, 5, 3, "png")
    assert store.select(str(tmp_path)).images(".", "img").steps.tolist() == [7]
    w.close()
    ea = accumulator(str(tmp_path))
    assert [(e.step, e.width, e.height) for e in ea.Images("img")] == [(7, 5, 4)]


def test_list_input_and_encode_png():
    rec = m.make_image([[0.0, 1.0], [0.5, 0.25]], "HW")
    np.testing.assert_array_equal(rec.array[:, :, 0], [[0, 255], [127, 63]])
    png = encode_png(np.zeros((2, 3, 3), dtype=np.uint8))
    assert decode(png).shape == (2, 3, 3)


IMG = torch.rand(3, 8, 8)
BAD = [
    ("add_image", ("t", torch.rand(5, 5)), {}, ["add_image", "img_tensor", "(5, 5)", "3 dims"]),
    ("add_image", ("t", IMG), {"dataformats": "CHWX"}, ["add_image", "dataformats", "'CHWX'"]),
    ("add_image", ("t", IMG), {"dataformats": "CCH"}, ["add_image", "dataformats", "NCHW"]),
    ("add_image", ("t", IMG), {"dataformats": 3}, ["add_image", "dataformats", "str"]),
    ("add_image", ("t", "not an image"), {}, ["add_image", "img_tensor", "torch.Tensor"]),
    ("add_image", ("t", torch.rand(5, 8, 8)), {}, ["add_image", "img_tensor", "5 channels"]),
    ("add_image", ("t", torch.rand(3, 0, 8)), {}, ["add_image", "img_tensor", "≥ 1"]),
    ("add_image", ("t", torch.zeros(3, 4, 4, dtype=torch.complex64)), {},
     ["add_image", "img_tensor", "complex"]),
    ("add_images", ("t", IMG), {}, ["add_images", "img_tensor", "4 dims"]),
    ("add_images", ("t", torch.rand(2, 2, 8, 8)), {}, ["add_images", "img_tensor", "2 channels"]),
    ("add_images", ("t", torch.rand(0, 3, 8, 8)), {}, ["add_images", "img_tensor", "at least one"]),
    ("add_image_with_boxes", ("t", IMG, torch.rand(2, 3)), {},
     ["add_image_with_boxes", "box_tensor", "(2, 3)", "(N, 4)"]),
    ("add_image_with_boxes", ("t", IMG, torch.rand(4)), {},
     ["add_image_with_boxes", "box_tensor", "(N, 4)"]),
    ("add_image_with_boxes", ("t", IMG, torch.rand(2, 4)), {"labels": ["one"]},
     ["add_image_with_boxes", "labels", "1 entries", "2 boxes"]),
    ("add_image_with_boxes", ("t", IMG, torch.rand(2, 4)), {"labels": [1, 2]},
     ["add_image_with_boxes", "labels", "list of str"]),
    ("add_image_with_boxes", ("t", IMG, torch.rand(2, 4)), {"rescale": 0},
     ["add_image_with_boxes", "rescale", "positive"]),
    ("add_image_with_boxes", ("t", torch.rand(8, 8), torch.rand(2, 4)), {},
     ["add_image_with_boxes", "img_tensor", "3 dims"]),
]


@pytest.mark.parametrize("name,args,kwargs,words", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_names_argument_and_changes_nothing(tmp_path, store, name, args, kwargs, words):
    logdir = str(tmp_path)
    w = SummaryWriter(logdir, store=store)
    w.add_image("t", IMG, 0)
    w.flush()
    view = store.select(logdir)
    before_tags, before_files = view.tags("."), event_bytes(logdir)
    with pytest.raises(InputError) as e:
        getattr(w, name)(*args, **kwargs)
    for word in words:
        assert word in str(e.value), (word, str(e.value))
    assert isinstance(e.value, TypeError) and isinstance(e.value, ValueError)
    w.flush()
    assert view.tags(".") == before_tags and len(view.images(".", "t")) == 1
    assert event_bytes(logdir) == before_files
    w.add_image("t", IMG, 1)  # still works
    w.close()
    assert [e.step for e in accumulator(logdir).Images("t")] == [0, 1]


@pytest.mark.parametrize("fmt", ["png", "gif"])
def test_encoded_from_many_threads_encodes_each_record_once(monkeypatch, fmt):
    """The writer thread and the widget pusher both call `encoded`: no crash, one encode each."""
    calls: list[int] = []
    real = image_record.encode_png if fmt == "png" else image_record.encode_gif

    def slow(arr, *a):
        calls.append(1)
        time.sleep(0.001)  # widen the window in which another thread would see a half-done record
        return real(arr, *a)

    if fmt == "png":
        monkeypatch.setattr(image_record, "encode_png", slow)
        recs = [ImageData(2, 2, 3, _array=np.full((2, 2, 3), i, np.uint8)) for i in range(40)]
    else:
        monkeypatch.setattr(image_record, "encode_gif", slow)
        recs = [ImageData(2, 2, 3, _array=np.full((2, 2, 2, 3), i, np.uint8), format="gif")
                for i in range(40)]
    errors: list[BaseException] = []
    results: list[list[bytes]] = [[] for _ in range(4)]
    start = threading.Barrier(4)

    def hammer(out: list[bytes]) -> None:
        start.wait()
        try:
            out.extend(r.encoded for r in recs)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=hammer, args=(results[i],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(calls) == len(recs)
    assert all(r == results[0] for r in results)
    np.testing.assert_array_equal(recs[7].array[..., :3].reshape(-1)[:3], [7, 7, 7])


def test_image_bfloat16_still_goes_through_float16_like_torch():
    t = torch.rand(3, 4, 4).to(torch.bfloat16)
    assert image.as_array(t, "add_image", "img_tensor").dtype == np.float16
    np.testing.assert_array_equal(image.make_image(t).array, image.make_image(t.half()).array)
