"""Summary.Value → records, by asking the registry which kind reads it: the legacy fields
(simple_value, image, histo, audio), the plugin named by the tag's first metadata, or the
first kind that claims a tensor no plugin reads. Event fields such as graph_def likewise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nbboard.kinds import REGISTRY
from nbboard.kinds.contract import Decoded, Metadata
from nbboard.tfevents.protos import fields, parse_metadata, parse_tensor, string
from nbboard.tfevents.wire import LEN

#: Summary.Value field number → the reader of the kind that reads that legacy field.
LEGACY: dict[int, Callable[[str, int, Any], list[Decoded] | None]] = {
    fn: reader for kind in REGISTRY.values() for fn, reader in kind.legacy_fields.items()}
#: Event field number → (kind name, reader) for fields that are not summaries (graph_def).
EVENT_FIELDS: dict[int, tuple[str, Callable[[bytes], Any]]] = {
    fn: (kind.name, reader) for kind in REGISTRY.values() for fn, reader in kind.event_fields.items()}
_CLAIMS = [kind.claim for kind in REGISTRY.values() if kind.claim is not None]
_TAG, _NODE_NAME, _TENSOR, _METADATA = 1, 7, 8, 9


def decode_value(raw: bytes, metadata: dict[str, Metadata]) -> list[Decoded]:
    """Decode one Summary.Value. `metadata` maps tag → the first metadata seen for it in the run
    (TF2 writes metadata only with a tag's first value); it is updated here."""
    tag = node = ""
    md_raw = tensor = None
    legacy: list[tuple[int, int, Any]] = []
    for fn, wt, v in fields(raw):
        if fn == _TAG and wt == LEN:
            tag = string(v)
        elif fn == _METADATA and wt == LEN:
            md_raw = v
        elif fn == _TENSOR and wt == LEN:
            tensor = v
        elif fn == _NODE_NAME and wt == LEN:
            node = string(v)
        elif fn in LEGACY:
            legacy.append((fn, wt, v))
    tag = tag or node
    md = metadata.get(tag)
    if md_raw is not None and md is None:
        md = metadata[tag] = parse_metadata(md_raw)
    if md is None:
        md = Metadata()
    for fn, wt, v in sorted(legacy, key=lambda x: x[0]):  # TF1's fields, in TensorBoard's order
        got = LEGACY[fn](tag, wt, v)
        if got is not None:
            return got
    kind = REGISTRY.get(md.plugin)
    if kind is not None and kind.read is not None:
        return kind.read(tag, md, tensor)
    if tensor is None:
        return []
    t = parse_tensor(tensor)
    for claim in _CLAIMS:
        got = claim(tag, md, t)
        if got is not None:
            return got
    return []
