"""Reading text: the text plugin's string tensor (torch's `<tag>/text_summary` keyed back by the
user's tag), and any string tensor that names no plugin."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbboard.kinds.contract import Decoded, Metadata
from nbboard.kinds.text.record import TextData
from nbboard.tfevents.protos import parse_tensor

TEXT = "text"
TAG_SUFFIX = "/text_summary"


def _text(strings: list[bytes]) -> str:
    texts = [s.decode("utf-8", "replace") for s in strings]
    if len(texts) == 1:
        return texts[0]
    return "\n\n".join(texts)


def read(tag: str, md: Metadata, tensor: bytes | None) -> list[Decoded]:
    """The text plugin's tensor (strings, or numbers shown as text)."""
    if tensor is None:
        return []
    t = parse_tensor(tensor)
    if not isinstance(t, list):
        t = [str(x).encode() for x in np.asarray(t).reshape(-1)]
    if tag.endswith(TAG_SUFFIX):  # torch's suffix; the Store keys text by the user's tag
        tag = tag[: -len(TAG_SUFFIX)]
    return [Decoded(TEXT, tag, TextData(_text(t)))]


def claim(tag: str, md: Metadata, t: Any) -> list[Decoded] | None:
    """A string tensor with no plugin is text."""
    if md.plugin or not isinstance(t, list):
        return None
    return [Decoded(TEXT, tag, TextData(_text(t)))]
