"""The record the Store holds for each custom_scalars point: `CustomScalarsLayout`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(eq=False)
class CustomScalarsLayout:
    """The layout from add_custom_scalars: category title → chart title → (kind, series tags)."""

    categories: list[dict[str, Any]]  # [{"title": str, "charts": [{"title", "kind", "tags"}]}]
