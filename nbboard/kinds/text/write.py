"""Text: a markdown string → TextData, and the text plugin encoder (a DT_STRING tensor of shape
[1] under `<tag>/text_summary`, as torch writes it)."""

from __future__ import annotations

from typing import Any

from nbboard.convert import InputError, check_text, describe
from nbboard.kinds.text.record import TextData
from nbboard.tfevents.messages import plugin_metadata, summary, summary_value, tensor_proto

PLUGIN_NAME = "text"
TAG_SUFFIX = "/text_summary"  # torch appends this to the user's tag in the file


def make_text(text_string: Any, method: str = "add_text") -> TextData:
    """Check that `text_string` is a str (torch calls .encode on it) and keep it."""
    if not isinstance(text_string, str):
        raise InputError(f"{method}: text_string must be a str; got {describe(text_string)}")
    check_text(text_string, method, "text_string")
    return TextData(str(text_string))


def encode(tag: str, rec: TextData) -> bytes:
    """Summary{value{tag/text_summary, DT_STRING tensor [1], plugin 'text' (TextPluginData v0)}}."""
    tensor = tensor_proto(strings=[rec.text.encode("utf-8")], shape=(1,))
    return summary(summary_value(tag + TAG_SUFFIX, tensor=tensor, metadata=plugin_metadata(PLUGIN_NAME)))
