"""Review fixes in the records and summary converters: lazy image encoding under threads, str
subclass tags, single-column embedding metadata read back, list conversion, add_scalars' cache."""

from __future__ import annotations

import enum
import threading
import time

import numpy as np
import pytest
import torch

import nbboard
from nbboard import InputError, SummaryWriter
from nbboard.convert import check_tag, to_numpy
from nbboard.kinds.images import record as image_record
from nbboard.kinds.images import write as image
from nbboard.kinds.images.record import ImageData
from nbboard.kinds.projector.read import read_embeddings
from nbboard.kinds.videos import write as video
from nbboard.store import run_key


class _Tag(str, enum.Enum):  # str(member) is "_Tag.ACC"; its text is "acc"
    ACC = "acc"


def _series_tags(store, key: str) -> list:
    return list(store._data.runs[key].series)


# ---- 1. ImageData.encoded from several threads at once -----------------------------------------
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


# ---- 2. str subclasses as tags ------------------------------------------------------------------
def test_check_tag_returns_plain_str():
    for t in (np.str_("loss"), _Tag.ACC):
        out = check_tag(t, "m")
        assert type(out) is str
    assert check_tag(_Tag.ACC, "m") == "acc"
    with pytest.raises(InputError, match="must be a str"):
        check_tag(b"loss", "m")


def test_str_subclass_tags_are_accepted_and_stored_as_str(tmp_path, store):
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_scalar(np.str_("loss"), 1.0, 0)
    w.add_scalar(_Tag.ACC, 0.5, 0)
    w.add_image(np.str_("img"), np.zeros((3, 2, 2), np.uint8), 0)
    w.add_scalars(np.str_("m"), {np.str_("a"): 1.0, _Tag.ACC: 2.0}, 0)
    w.add_scalars(np.str_("m"), {np.str_("a"): 3.0, _Tag.ACC: 4.0}, 1)  # the cached path
    w.close()
    tags = _series_tags(store, w._key)
    assert tags == ["loss", "acc", "img"] and all(type(t) is str for t in tags)
    for sub in ("m_a", "m_acc"):
        key = run_key(str(tmp_path / sub))
        assert [type(t) for t in _series_tags(store, key)] == [str]
    back = nbboard.load(str(tmp_path))
    assert back.scalars("m_acc", "m").values.tolist() == [2.0, 4.0]
    assert back.scalars(".", "acc").values.tolist() == [0.5]


# ---- 3. single-column embedding metadata with a header -----------------------------------------
def test_single_column_metadata_with_header_reads_back(tmp_path, store):
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_embedding(np.eye(3), metadata=[["a"], ["b"], ["c"]], metadata_header=["name"], tag="e")
    w.close()
    rec = store.series(store.runs()[0], "e")[0]
    assert (tmp_path / "00000" / "e" / "metadata.tsv").read_text() == "name\na\nb\nc\n"
    back = read_embeddings(str(tmp_path))[0]
    assert back.header == ["name"] == rec.header
    assert back.columns == [["a", "b", "c"]] == rec.columns


# ---- 4. list inputs ------------------------------------------------------------------------------
def test_list_conversion_fast_path_and_fallbacks():
    x = np.random.default_rng(0).random((50, 3))
    np.testing.assert_array_equal(to_numpy(x.tolist(), "m", "a"), x)
    ts = [torch.rand(3) for _ in range(4)]
    np.testing.assert_array_equal(to_numpy(ts, "m", "a"), torch.stack(ts).numpy())
    g = [torch.rand(2, requires_grad=True) for _ in range(2)]  # numpy() refuses these: fallback
    np.testing.assert_array_equal(to_numpy(g, "m", "a"), torch.stack(g).detach().numpy())
    bf = [torch.ones(2, dtype=torch.bfloat16)] * 2
    assert to_numpy(bf, "m", "a").dtype == np.float32
    with pytest.raises(InputError, match="not a regular"):
        to_numpy([[1, 2], [3]], "m", "a")
    with pytest.raises(InputError, match="ragged or mixed"):
        to_numpy([2**70], "m", "a")


def test_image_bfloat16_still_goes_through_float16_like_torch():
    t = torch.rand(3, 4, 4).to(torch.bfloat16)
    assert image.as_array(t, "add_image", "img_tensor").dtype == np.float16
    np.testing.assert_array_equal(image.make_image(t).array, image.make_image(t.half()).array)


def test_video_record_is_private_copy_and_uint8_unchanged():
    v = np.arange(2 * 1 * 3 * 4, dtype=np.uint8).reshape(1, 2, 1, 3, 4)  # one grey clip
    rec = video.make_video(v)
    frames = rec._array
    assert not np.may_share_memory(frames, v)
    np.testing.assert_array_equal(frames[..., 0], v[0, :, 0])


# ---- 5. add_scalars' per-key cache --------------------------------------------------------------
def test_add_scalars_cache_survives_close_and_keeps_checks(tmp_path, store):
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_scalars("m", {"a": 1.0, "b": 2.0}, 0)
    with pytest.raises(InputError, match="tag_scalar_dict"):
        w.add_scalars("m", {"a": 3.0, "b": "x"}, 1)  # a bad value: nothing is appended
    key_a = run_key(str(tmp_path / "m_a"))
    assert store._data.runs[key_a].series["m"].steps.tolist() == [0]
    w.close()
    w.add_scalars("m", {"a": 5.0, "b": 6.0}, 2)  # reopened after close(): new files
    other = SummaryWriter(str(tmp_path / "h_x"), store=store)  # the sub-run add_scalars("h", {"x"})
    other.add_histogram("h", np.ones(3), 0)
    other.close()
    with pytest.raises(InputError, match="already holds"):  # checked on a cache miss
        w.add_scalars("h", {"x": 1.0}, 0)
    w.close()
    back = nbboard.load(str(tmp_path))
    assert back.scalars("m_a", "m").steps.tolist() == [0, 2]
    assert back.scalars("m_b", "m").values.tolist() == [2.0, 6.0]
