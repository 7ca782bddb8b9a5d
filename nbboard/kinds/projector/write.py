"""Embeddings: add_embedding's input → an EmbeddingData record and torch's projector files.

The calling thread validates, copies and appends the record to the Store (kind `projector`,
one series per tag, one record per step); the background writer thread writes the files
exactly as torch does: <logdir>/<step:05>/<tag>/{tensors.tsv, metadata.tsv, sprite.png} and
<logdir>/projector_config.pbtxt listing every embedding this writer logged.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from nbboard.convert import (
    InputError,
    check_tag,
    describe,
    is_torch_tensor,
    to_numpy,
    to_step,
)
from nbboard.kinds.projector.record import EmbeddingData

METHOD = "add_embedding"


# ---- torch's naming and text formats ---------------------------------------------------------
def encode_tag(tag: str) -> str:
    """torch's SummaryWriter._encode: escape '%', '/' and '\\' so a tag is one directory name."""
    return tag.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")


def step_dir(step: int) -> str:
    """torch's per-step folder name: str(global_step).zfill(5)."""
    return str(step).zfill(5)


_ESCAPES = {i: "\\%03o" % i for i in range(128) if not 32 <= i < 127}
_ESCAPES.update({9: "\\t", 10: "\\n", 13: "\\r", 34: '\\"', 39: "\\'", 92: "\\\\"})


def _cescape(s: str) -> str:
    """protobuf text_format's string escaping (CEscape with as_utf8=True, its default since 4.x)."""
    return s.translate(_ESCAPES)


def config_pbtxt(infos: Sequence[dict[str, Any]]) -> str:
    """ProjectorConfig text, byte for byte what text_format.MessageToString gives torch."""
    lines: list[str] = []
    for info in infos:
        lines.append("embeddings {")
        for key in ("tensor_name", "metadata_path"):  # fields in proto number order
            if info.get(key):
                lines.append(f'  {key}: "{_cescape(info[key])}"')
        if info.get("sprite_path"):
            w, h = info["sprite_dim"]
            lines += ["  sprite {", f'    image_path: "{_cescape(info["sprite_path"])}"',
                      f"    single_image_dim: {w}", f"    single_image_dim: {h}", "  }"]
        if info.get("tensor_path"):
            lines.append(f'  tensor_path: "{_cescape(info["tensor_path"])}"')
        lines.append("}")
    return "".join(line + "\n" for line in lines)


def tensors_tsv(mat: np.ndarray) -> bytes:
    """tensors.tsv as torch writes it: str() of each element's Python value, tab-separated rows."""
    return "".join("\t".join(map(str, row)) + "\n" for row in mat.tolist()).encode("utf-8")


def metadata_tsv(columns: list[list[str]], header: list[str] | None) -> bytes:
    """metadata.tsv as torch writes it: one label per line, or a header line and tab-separated rows."""
    if header is None:
        lines = columns[0]
    else:
        lines = ["\t".join(header)] + ["\t".join(r) for r in zip(*columns)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def sprite_png(images: np.ndarray) -> bytes:
    """sprite.png as torch's make_sprite builds it: a ceil(sqrt(N))-wide grid padded to a square."""
    from PIL import Image

    if images.shape[3] == 1:  # torch's make_grid repeats a grey channel into RGB
        images = np.repeat(images, 3, axis=3)
    n, h, w, _ = images.shape
    ncols = min(n, math.ceil(n**0.5))
    nrows = math.ceil(n / ncols)
    side = w * ncols
    canvas = np.zeros((max(side, h * nrows), side, 3), dtype=np.uint8)
    full, rest = divmod(n, ncols)
    if full:
        block = images[: full * ncols].reshape(full, ncols, h, w, 3).transpose(0, 2, 1, 3, 4)
        canvas[: full * h] = block.reshape(full * h, ncols * w, 3)
    if rest:
        tail = images[full * ncols:].transpose(1, 0, 2, 3).reshape(h, rest * w, 3)
        canvas[full * h: (full + 1) * h, : rest * w] = tail
    buf = io.BytesIO()
    Image.fromarray(canvas).save(buf, format="PNG")
    return buf.getvalue()


# ---- validation (calling thread) -------------------------------------------------------------
def _clean(s: str) -> str:
    # A tab or newline inside a label would shift every later row of the TSV (torch writes it raw).
    return s.replace("\t", " ").replace("\r", " ").replace("\n", " ") if ("\t" in s or "\n" in s or "\r" in s) else s


def _label(x: Any) -> str:
    if is_torch_tensor(x) and x.numel() == 1:
        x = x.item()
    return _clean(str(x))


def _metadata(metadata: Any, header: Any, n: int) -> tuple[list[list[str]], list[str] | None]:
    if is_torch_tensor(metadata) or isinstance(metadata, np.ndarray):
        metadata = to_numpy(metadata, METHOD, "metadata", copy=False)
        if metadata.ndim == 0:
            raise InputError(f"{METHOD}: metadata must be a sequence of {n} labels; got {describe(metadata)}")
    elif isinstance(metadata, (str, bytes)) or not hasattr(metadata, "__len__"):
        raise InputError(f"{METHOD}: metadata must be a list of labels (one per row of mat); "
                         f"got {describe(metadata)}")
    if len(metadata) != n:
        raise InputError(f"{METHOD}: metadata has {len(metadata)} entries but mat has {n} rows; "
                         "pass one label (or one row of labels) per data point")
    if not header:
        if header is not None and not isinstance(header, (list, tuple)):
            raise InputError(f"{METHOD}: metadata_header must be a list of column names; got {describe(header)}")
        return [[_label(x) for x in metadata]], None
    if isinstance(header, (str, bytes)) or not isinstance(header, Sequence):
        raise InputError(f"{METHOD}: metadata_header must be a list of column names; got {describe(header)}")
    names = [_label(h) for h in header]
    k = len(names)
    cols: list[list[str]] = [[] for _ in range(k)]
    for i, row in enumerate(metadata):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__") or len(row) != k:
            got = f"{len(row)} values" if hasattr(row, "__len__") and not isinstance(row, (str, bytes)) else describe(row)
            raise InputError(f"{METHOD}: metadata[{i}] has {got} but metadata_header names {k} columns; "
                             "with metadata_header, each metadata entry must be a row with one value per column")
        for j, v in enumerate(row):
            cols[j].append(_label(v))
    return cols, names


def _label_images(label_img: Any, n: int) -> np.ndarray:
    arr = to_numpy(label_img, METHOD, "label_img", copy=False)
    if arr.ndim != 4 or arr.shape[1] not in (1, 3):
        raise InputError(f"{METHOD}: label_img must have shape (N, C, H, W) with C 1 or 3; got {describe(arr)}")
    if arr.shape[0] != n:
        raise InputError(f"{METHOD}: label_img has {arr.shape[0]} images but mat has {n} rows; "
                         "pass one image per data point")
    if arr.dtype.kind not in "biuf":
        raise InputError(f"{METHOD}: label_img must hold real numbers (float 0–1 or uint8); got {describe(arr)}")
    if arr.shape[2] < 1 or arr.shape[3] < 1:
        raise InputError(f"{METHOD}: label_img images must be at least 1×1 pixels; got {describe(arr)}")
    if arr.dtype == np.uint8:  # nbboard: uint8 pixels are taken as they are (torch saturates them)
        u8 = arr
    else:  # torch: float64 ×255, clipped, truncated to uint8
        f = arr.astype(np.float64)
        f *= 255
        np.clip(f, 0, 255, out=f)
        nan = np.isnan(f)
        if nan.any():
            f[nan] = 0
        u8 = f.astype(np.uint8)
    return np.ascontiguousarray(u8.transpose(0, 2, 3, 1))  # NHWC, C 1 or 3 (a copy)


def make_embedding(mat: Any, metadata: Any = None, label_img: Any = None, global_step: Any = None,
                   tag: str = "default", metadata_header: Any = None) -> tuple[EmbeddingData, np.ndarray]:
    """Validate add_embedding's arguments; the record and the matrix as given (for tensors.tsv)."""
    tag = check_tag(tag, METHOD)
    step = to_step(global_step, METHOD)
    arr = to_numpy(mat, METHOD, "mat")
    if arr.ndim != 2:
        raise InputError(f"{METHOD}: mat must be 2-D (N points × D features); got {describe(arr)}")
    if arr.dtype.kind not in "biuf":
        raise InputError(f"{METHOD}: mat must hold real numbers; got {describe(arr)}")
    n = arr.shape[0]
    if n < 1 or arr.shape[1] < 1:
        raise InputError(f"{METHOD}: mat must have at least one row and one column; got {describe(arr)}")
    columns = header = None
    if metadata is not None:
        columns, header = _metadata(metadata, metadata_header, n)
    images = _label_images(label_img, n) if label_img is not None else None
    f32 = arr if arr.dtype == np.float32 else arr.astype(np.float32)
    rec = EmbeddingData(tag=tag, step=step, mat=f32, columns=columns,
                        header=header if header is not None else (["label"] if columns else None),
                        images=images, subdir=f"{step_dir(step)}/{encode_tag(tag)}")
    rec.info["file_header"] = header is not None
    return rec, arr


# ---- files (background thread) ---------------------------------------------------------------
def _join(base: str, *parts: str) -> str:
    if "://" in base:
        return "/".join([base.rstrip("/"), *parts])
    return os.path.join(base, *parts)


def _write(path: str, data: bytes) -> None:
    if "://" in path and not path.startswith("file://"):
        import fsspec

        with fsspec.open(path, "wb") as f:
            f.write(data)
        return
    path = path[len("file://"):] if path.startswith("file://") else path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


class _FileJob:
    """What the background thread needs to write one embedding's files and the updated config."""

    __slots__ = ("log_dir", "rec", "mat", "pbtxt")

    def __init__(self, log_dir: str, rec: EmbeddingData, mat: np.ndarray, pbtxt: str) -> None:
        self.log_dir, self.rec, self.mat, self.pbtxt = log_dir, rec, mat, pbtxt


def _write_files(tag: str, job: _FileJob) -> list[bytes]:
    """Write the projector files (torch's order); no event records, hence the empty list."""
    rec, base = job.rec, job.log_dir
    sub = rec.subdir.split("/")
    if rec.columns is not None:
        header = rec.header if rec.info.get("file_header") else None
        _write(_join(base, *sub, "metadata.tsv"), metadata_tsv(rec.columns, header))
    if rec.images is not None:
        _write(_join(base, *sub, "sprite.png"), sprite_png(rec.images))
    _write(_join(base, *sub, "tensors.tsv"), tensors_tsv(job.mat))
    job.mat = None  # type: ignore[assignment]  # the record keeps its float32 copy
    _write(_join(base, "projector_config.pbtxt"), job.pbtxt.encode("utf-8"))
    return []


class ProjectorFiles:
    """What one writer's projector files hold so far: the embeddings its projector_config.pbtxt
    lists (torch rewrites the whole config each time) and the sub-directories already used."""

    def __init__(self, log_dir: str) -> None:
        self.log_dir = log_dir
        self.infos: list[dict[str, Any]] = []
        self.used: set[str] = set()

    def prepare(self, rec: EmbeddingData, arr: np.ndarray) -> tuple[dict[str, Any], Any]:
        """The config entry for `rec` and the function the writer thread calls to write its files;
        raises if the embedding's directory is a file, warns (like torch) if it is reused."""
        base = self.log_dir
        local = "://" not in base or base.startswith("file://")
        save_path = _join(base[7:] if base.startswith("file://") else base, *rec.subdir.split("/"))
        if local and os.path.exists(save_path) and not os.path.isdir(save_path):
            raise NotADirectoryError(f"Path: `{save_path}` exists, but is a file. Cannot proceed.")
        if rec.subdir in self.used or (local and os.path.isdir(save_path)):
            warnings.warn("Embedding dir exists, did you set global_step for add_embedding()?", stacklevel=3)
        info = {"tensor_name": f"{rec.tag}:{step_dir(rec.step)}", "tensor_path": f"{rec.subdir}/tensors.tsv"}
        if rec.columns is not None:
            info["metadata_path"] = f"{rec.subdir}/metadata.tsv"
        if rec.images is not None:
            info["sprite_path"] = f"{rec.subdir}/sprite.png"
            info["sprite_dim"] = (rec.images.shape[2], rec.images.shape[1])
        job = _FileJob(base, rec, arr, config_pbtxt([*self.infos, info]))
        return info, lambda tag, _rec: _write_files(tag, job)

    def commit(self, rec: EmbeddingData, info: dict[str, Any]) -> None:
        """`rec` was logged: later configs list it too."""
        self.infos.append(info)
        self.used.add(rec.subdir)
