"""The record the Store holds for each text point: `TextData`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(eq=False)
class TextData:
    """Logged text (markdown, as TensorBoard's text plugin renders it)."""

    text: str
