"""Reading torch's projector files back: projector_config.pbtxt, tensors.tsv, metadata.tsv and
sprite.png of a run directory → EmbeddingData records."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from nbboard.kinds.contract import SideFile
from nbboard.kinds.projector.record import EmbeddingData

CONFIG = "projector_config.pbtxt"



def parse_config(text: str) -> list[dict[str, Any]]:
    """The embeddings of a projector_config.pbtxt, via TensorBoard's proto when installed."""
    try:
        from google.protobuf import text_format
        from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig
    except ImportError as e:  # pragma: no cover - tensorboard is a test dependency here
        raise ImportError("reading projector_config.pbtxt needs tensorboard (pip install tensorboard)") from e
    cfg = text_format.Parse(text, ProjectorConfig())
    out = []
    for e in cfg.embeddings:
        d: dict[str, Any] = {"tensor_name": e.tensor_name, "tensor_path": e.tensor_path,
                             "metadata_path": e.metadata_path}
        if e.HasField("sprite"):
            d["sprite_path"] = e.sprite.image_path
            d["sprite_dim"] = tuple(e.sprite.single_image_dim)
        out.append(d)
    return out


def read_tensors(path: str) -> np.ndarray:
    """tensors.tsv as float32 (N, D)."""
    return np.loadtxt(path, dtype=np.float32, delimiter="\t", ndmin=2)


def read_embeddings(run_dir: str) -> list[EmbeddingData]:
    """Load the embeddings a run directory's projector_config.pbtxt lists (for nbboard.load)."""
    from PIL import Image

    cfg = os.path.join(run_dir, CONFIG)
    if not os.path.exists(cfg):
        return []
    with open(cfg, encoding="utf-8") as f:
        infos = parse_config(f.read())
    out = []
    for info in infos:
        name = info["tensor_name"]
        tag, _, s = name.rpartition(":")
        if not tag or not s.lstrip("-").isdigit():
            tag, s = name, "0"
        mat = read_tensors(os.path.join(run_dir, info["tensor_path"]))
        columns = header = None
        if info.get("metadata_path"):
            with open(os.path.join(run_dir, info["metadata_path"]), encoding="utf-8") as f:
                lines = f.read().split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            if len(lines) == len(mat) + 1:  # a header line (one column: a header without a tab)
                header = lines[0].split("\t")
                rows = [ln.split("\t") for ln in lines[1:]]
                columns = [[r[j] if j < len(r) else "" for r in rows] for j in range(len(header))]
            else:
                columns, header = [lines[: len(mat)]], ["label"]
        images = None
        if info.get("sprite_path"):
            w, h = info["sprite_dim"]
            sheet = np.asarray(Image.open(os.path.join(run_dir, info["sprite_path"])).convert("RGB"))
            per_row = max(sheet.shape[1] // w, 1)
            idx = np.arange(len(mat))
            r, c = idx // per_row, idx % per_row
            if (r.max(initial=0) + 1) * h <= sheet.shape[0]:
                images = np.stack([sheet[y * h:(y + 1) * h, x * w:(x + 1) * w] for y, x in zip(r, c)])
        rec = EmbeddingData(tag=tag, step=int(s), mat=mat, columns=columns, header=header, images=images,
                            subdir=os.path.dirname(info["tensor_path"]))
        out.append(rec)
    return out


def read_side_file(path: str) -> list[SideFile]:
    """The embeddings a projector_config.pbtxt lists, each under its tag at its step."""
    return [SideFile(rec.tag, rec.step, rec) for rec in read_embeddings(os.path.dirname(path))]
