"""Reading images: TF1's Summary.Image field and the images plugin's string tensors (TF2:
[width, height, encoded, encoded, ...]); an animated GIF is a video."""

from __future__ import annotations

from nbboard.kinds.contract import Decoded, Metadata
from nbboard.kinds.images.record import ImageData
from nbboard.tfevents.protos import fields, parse_tensor
from nbboard.tfevents.wire import LEN, VARINT

IMAGES, VIDEOS = "images", "videos"


def _image_kind(encoded: bytes) -> str:
    return VIDEOS if encoded[:4] == b"GIF8" else IMAGES


def _image_record(height: int, width: int, channels: int, encoded: bytes) -> ImageData:
    fmt = "gif" if encoded[:4] == b"GIF8" else "png"
    return ImageData(height, width, channels, _encoded=encoded, format=fmt)


def parse_image(buf: bytes) -> ImageData:
    """Summary.Image {height=1, width=2, colorspace=3, encoded_image_string=4}."""
    h = w = c = 0
    enc = b""
    for fn, wt, v in fields(buf):
        if fn == 1 and wt == VARINT:
            h = v
        elif fn == 2 and wt == VARINT:
            w = v
        elif fn == 3 and wt == VARINT:
            c = v
        elif fn == 4 and wt == LEN:
            enc = bytes(v)
    return _image_record(h, w, c, enc)


def read_legacy(tag: str, wt: int, v: object) -> list[Decoded] | None:
    """Summary.Value.image (field 4)."""
    if wt != LEN or not isinstance(v, bytes):
        return None
    rec = parse_image(v)
    return [Decoded(_image_kind(rec._encoded or b""), tag, rec)]


def read(tag: str, md: Metadata, tensor: bytes | None) -> list[Decoded]:
    """The images plugin's tensor: TF2's [width, height, image, image, ...] strings."""
    if tensor is None:
        return []
    t = parse_tensor(tensor)
    if not isinstance(t, list):
        return []
    try:
        w, h = int(t[0]), int(t[1])
    except (IndexError, ValueError):
        w = h = 0
    return [Decoded(_image_kind(e), tag, _image_record(h, w, 0, e)) for e in t[2:]]
