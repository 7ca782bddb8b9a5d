"""add_figure (matplotlib and plotly), add_video and add_audio: round trip through TensorBoard's
loader, match torch's writer (pixels, frames, WAV bytes), Store records, and bad input."""

from __future__ import annotations

import glob
import io
import json
import os

import matplotlib
import numpy as np
import pytest
import torch
from PIL import Image, ImageSequence
from torch.utils.tensorboard import SummaryWriter as TorchWriter
from torch.utils.tensorboard._convert_np import make_np
from torch.utils.tensorboard._utils import _prepare_video

from nbboard import InputError, SummaryWriter
from nbboard.kinds.audio import write as audio
from nbboard.kinds.figures import write as figure
from nbboard.kinds.videos import write as video
from tests.tb import accumulator

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def event_bytes(logdir: str) -> dict[str, bytes]:
    return {p: open(p, "rb").read() for p in glob.glob(os.path.join(logdir, "**", "events.*"),
                                                        recursive=True)}


def fig(i: int = 1, size: tuple[float, float] = (3, 2)):
    f, ax = plt.subplots(figsize=size)
    ax.plot(np.arange(10) ** i, label=f"x^{i}")
    ax.legend()
    ax.set_title("nbboard")
    return f


# ---- matplotlib -----------------------------------------------------------------------
def test_matplotlib_figures_match_torch(tmp_path, store):
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "torch")
    with SummaryWriter(ours, store=store) as w, TorchWriter(theirs) as t:
        w.add_figure("one", fig(1), 0)
        t.add_figure("one", fig(1), 0)
        w.add_figure("many", [fig(i) for i in range(3)], 1)
        t.add_figure("many", [fig(i) for i in range(3)], 1)
    assert plt.get_fignums() == []  # close=True closed them all
    a, b = accumulator(ours), accumulator(theirs)
    for tag in ("one", "many"):
        [ea], [eb] = a.Images(tag), b.Images(tag)
        assert (ea.step, ea.width, ea.height) == (eb.step, eb.width, eb.height)
        np.testing.assert_array_equal(decode(ea.encoded_image_string), decode(eb.encoded_image_string))
    rec = store.select(ours).images(".", "many")[0]
    assert (rec.height, rec.width, rec.channels) == (200, 900, 3)


def test_figure_close_false_keeps_figure_and_canvas(store, tmp_path):
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    f = fig()
    svg = FigureCanvasSVG(f)  # a non-Agg canvas is swapped only for the draw
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_figure("f", f, close=False)
    assert f.canvas is svg
    kind, rec, _ = figure.make_figure(f, close=False)
    assert kind == "images" and rec.array.shape == (200, 300, 3)
    plt.close(f)
    w.close()


# ---- plotly -----------------------------------------------------------------------------
def test_plotly_figure_round_trips(tmp_path, store):
    go = pytest.importorskip("plotly.graph_objects")
    pf = go.Figure(go.Scatter(x=[1, 2, 3], y=[4, 1, 2], name="ünïcode"))
    logdir = str(tmp_path)
    with SummaryWriter(logdir, store=store) as w:
        w.add_figure("plotly", pf, 3)
        w.add_figure("dict", {"data": [{"type": "bar", "y": [1, 2]}]}, 4)
    view = store.select(logdir)
    assert sorted(view.tags(".")["nbboard_plotly"]) == ["dict", "plotly"]
    rec = view.figures(".", "plotly")[0]
    assert json.loads(rec.json)["data"][0]["name"] == "ünïcode"
    ea = accumulator(logdir)
    [ev] = ea.Tensors("plotly")
    assert ev.step == 3
    assert json.loads(ev.tensor_proto.string_val[0].decode()) == json.loads(pf.to_json())
    assert ea.PluginTagToContent("nbboard_plotly").keys() == {"plotly", "dict"}
    assert json.loads(ea.Tensors("dict")[0].tensor_proto.string_val[0])["data"][0]["type"] == "bar"


# ---- video ------------------------------------------------------------------------------
def torch_frames(x) -> np.ndarray:
    """What torch's add_video hands to moviepy (moviepy itself is not installed here)."""
    v = _prepare_video(make_np(x))
    scale = 1 if v.dtype == np.uint8 else 255
    return (v.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32, torch.float16, torch.bfloat16,
                                   torch.float64, torch.bool], ids=str)
@pytest.mark.parametrize("n", [1, 3, 4, 6])
def test_video_frames_match_torch(dtype, n):
    g = torch.Generator().manual_seed(n)
    if dtype == torch.uint8:
        x = torch.randint(0, 256, (n, 5, 3, 6, 7), generator=g, dtype=dtype)
    elif dtype == torch.bool:
        x = torch.rand(n, 5, 3, 6, 7, generator=g) > 0.5
    else:
        x = (torch.rand(n, 5, 3, 6, 7, generator=g) * 1.4 - 0.2).to(dtype)
    rec = video.make_video(x, fps=10)
    want = torch_frames(x)
    assert rec.array.shape == want.shape
    np.testing.assert_array_equal(rec.array, want)
    assert (rec.height, rec.width, rec.channels, rec.format) == (*want.shape[1:], "gif")


def test_add_video_writes_gif(tmp_path, store):
    x = torch.rand(2, 6, 3, 16, 20)
    logdir = str(tmp_path)
    with SummaryWriter(logdir, store=store) as w:
        w.add_video("vid", x, 5, fps=10)
    rec = store.select(logdir).videos(".", "vid")[0]
    [ev] = accumulator(logdir).Images("vid")
    assert (ev.step, ev.width, ev.height) == (5, 40, 16)
    gif = Image.open(io.BytesIO(ev.encoded_image_string))
    assert gif.format == "GIF" and gif.n_frames == 6 and gif.size == (40, 16)
    assert gif.info["duration"] == 100 and gif.info.get("loop") == 0
    frames = [np.asarray(f.convert("RGB"), dtype=np.int16) for f in ImageSequence.Iterator(gif)]
    assert np.abs(np.stack(frames) - rec.array).mean() < 16  # GIF's palette quantises a little


# ---- audio ------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: torch.rand(1000) * 2 - 1,
    lambda: torch.rand(1, 800) * 3 - 1.5,  # clipped
    lambda: torch.rand(500, dtype=torch.float64) * 2 - 1,
    lambda: np.linspace(-1, 1, 321).astype(np.float32),
    lambda: torch.randint(-1, 2, (300,)),
    lambda: torch.rand(200) > 0.5,
], ids=["float32", "1xL-clipped", "float64", "numpy", "int", "bool"])
def test_audio_matches_torch(tmp_path, store, make):
    x = make()
    ours, theirs = str(tmp_path / "ours"), str(tmp_path / "torch")
    with SummaryWriter(ours, store=store) as w, TorchWriter(theirs) as t:
        w.add_audio("snd", x, 2, sample_rate=16000)
        t.add_audio("snd", x, 2, sample_rate=16000)
    [ea], [eb] = accumulator(ours).Audio("snd"), accumulator(theirs).Audio("snd")
    assert (ea.step, ea.sample_rate, ea.length_frames, ea.content_type) == (
        eb.step, eb.sample_rate, eb.length_frames, eb.content_type)
    assert ea.encoded_audio_string == eb.encoded_audio_string
    rec = store.select(ours).audio(".", "snd")[0]
    assert rec.samples.shape == (ea.length_frames, 1) and rec.num_channels == 1
    assert np.abs(rec.samples).max() <= 1


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
def test_half_audio_is_scaled_in_float32(dtype):
    """torch multiplies half samples by 32767 in float16 (coarse, and 1.0 overflows to -32768);
    nbboard scales them in float32 instead."""
    x = torch.tensor([-1.0, -0.5, 0.0, 0.25, 1.0], dtype=dtype)
    rec = audio.make_audio(x, 100)
    pcm = np.frombuffer(rec.encoded[44:], dtype="<i2")
    np.testing.assert_array_equal(pcm, (x.float().numpy() * 32767).astype(np.int16))
    assert pcm[-1] == 32767


def test_stereo_audio_and_encode_wav():
    import wave

    x = np.stack([np.linspace(-1, 1, 100), np.linspace(1, -1, 100)], axis=1)
    rec = audio.make_audio(x, 8000)
    assert (rec.num_channels, rec.length_frames) == (2, 100)
    with wave.open(io.BytesIO(rec.encoded)) as wf:
        assert (wf.getnchannels(), wf.getframerate(), wf.getnframes(), wf.getsampwidth()) == (
            2, 8000, 100, 2)
        pcm = np.frombuffer(wf.readframes(100), dtype="<i2").reshape(100, 2)
    np.testing.assert_array_equal(pcm, (x * 32767).astype(np.int16))


# ---- bad input --------------------------------------------------------------------------
BAD = [
    ("add_figure", ("t", "not a figure"), {}, ["add_figure", "figure", "matplotlib", "plotly"]),
    ("add_figure", ("t", [1, 2]), {}, ["add_figure", "figure", "list"]),
    ("add_figure", ("t", []), {}, ["add_figure", "figure"]),
    ("add_video", ("t", torch.rand(5, 3, 8, 8)), {}, ["add_video", "vid_tensor", "5 dims"]),
    ("add_video", ("t", torch.rand(1, 2, 2, 8, 8)), {}, ["add_video", "vid_tensor", "2 channels"]),
    ("add_video", ("t", torch.rand(1, 2, 3, 8, 8)), {"fps": 0}, ["add_video", "fps", "positive"]),
    ("add_video", ("t", "video"), {}, ["add_video", "vid_tensor", "torch.Tensor"]),
    ("add_audio", ("t", torch.rand(2, 3, 100)), {}, ["add_audio", "snd_tensor", "(L,)"]),
    ("add_audio", ("t", torch.rand(2, 100)), {}, ["add_audio", "snd_tensor", "(1, L)"]),
    ("add_audio", ("t", torch.rand(0)), {}, ["add_audio", "snd_tensor", "empty"]),
    ("add_audio", ("t", torch.rand(100)), {"sample_rate": -5}, ["add_audio", "sample_rate"]),
    ("add_audio", ("t", torch.rand(100)), {"sample_rate": "44k"}, ["add_audio", "sample_rate"]),
    ("add_audio", ("t", {"a": 1}), {}, ["add_audio", "snd_tensor", "torch.Tensor"]),
]


@pytest.mark.parametrize("name,args,kwargs,words", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_names_argument_and_changes_nothing(tmp_path, store, name, args, kwargs, words):
    logdir = str(tmp_path)
    w = SummaryWriter(logdir, store=store)
    w.add_audio("t", torch.zeros(10), 0)
    w.flush()
    view = store.select(logdir)
    before_tags, before_files = view.tags("."), event_bytes(logdir)
    with pytest.raises(InputError) as e:
        getattr(w, name)(*args, **kwargs)
    for word in words:
        assert word in str(e.value), (word, str(e.value))
    w.flush()
    assert view.tags(".") == before_tags and len(view.audio(".", "t")) == 1
    assert event_bytes(logdir) == before_files
    w.add_audio("t", torch.zeros(10), 1)
    w.close()
    assert [e.step for e in accumulator(logdir).Audio("t")] == [0, 1]


def test_rejected_figure_list_is_not_closed(tmp_path, store):
    figs = [fig(1), fig(2, size=(4, 2))]
    w = SummaryWriter(str(tmp_path), store=store)
    with pytest.raises(InputError, match="different sizes"):
        w.add_figure("t", figs)
    assert set(plt.get_fignums()) >= {f.number for f in figs}
    plt.close("all")
    w.close()


def test_everything_reads_back_with_nbboard_load(tmp_path, store):
    import nbboard

    go = pytest.importorskip("plotly.graph_objects")
    logdir = str(tmp_path)
    with SummaryWriter(logdir, store=store) as w:
        w.add_figure("mpl", fig(), 1)
        w.add_video("vid", torch.rand(1, 3, 3, 8, 8), 2, fps=5)
        w.add_audio("aud", torch.rand(100) * 2 - 1, 3, sample_rate=8000)
        w.add_figure("plotly", go.Figure(go.Bar(y=[1, 2])), 4)
    loaded, live = nbboard.load(logdir), store.select(logdir)
    assert loaded.tags(".") == live.tags(".")
    np.testing.assert_array_equal(loaded.images(".", "mpl")[0].array, live.images(".", "mpl")[0].array)
    assert loaded.videos(".", "vid")[0].array.shape == (3, 8, 8, 3)
    a, b = loaded.audio(".", "aud")[0], live.audio(".", "aud")[0]
    assert a.encoded == b.encoded and (a.sample_rate, a.length_frames) == (8000, 100)
    assert loaded.figures(".", "plotly")[0].json == live.figures(".", "plotly")[0].json


def test_video_record_is_private_copy_and_uint8_unchanged():
    v = np.arange(2 * 1 * 3 * 4, dtype=np.uint8).reshape(1, 2, 1, 3, 4)  # one grey clip
    rec = video.make_video(v)
    frames = rec._array
    assert not np.may_share_memory(frames, v)
    np.testing.assert_array_equal(frames[..., 0], v[0, :, 0])
