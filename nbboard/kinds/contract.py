"""The contract a kind of logged data implements: one `Kind` per folder of nbboard/kinds/.

The shared machinery (Store, logdir reader, record feeds, Board, export) knows no kind by
name: it asks the registry (`nbboard.kinds.REGISTRY`) for the parts below. A kind's folder
holds its record type (`record.py`), value → record and record → Summary proto (`write.py`),
proto → record (`read.py`), record → wire buffers for the page (`feed.py`) and its notebook
view (`view.py`); `__init__.py` ties them into the `KIND` this module describes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nbboard.tfevents.protos import Metadata

__all__ = ["Decoded", "Encoded", "Kind", "Metadata", "SideFile"]

#: What a feed encoder gives for one record: JSON metadata and the binary parts the page decodes.
Encoded = tuple[dict[str, Any], list[bytes]]


@dataclass
class Decoded:
    """One record read from a file: a point of `kind` under `tag` (or, for a run-level kind, a
    piece of the run's record that the kind's `fold` gathers)."""

    kind: str
    tag: str
    value: Any


@dataclass
class SideFile:
    """A record a kind reads from a file beside the event files (not from an event)."""

    tag: str
    step: int
    value: Any
    #: Tells apart records of one (tag, step) (several alerts at one step); read once each.
    key: str | None = None


@dataclass(frozen=True)
class Kind:
    """Everything the shared machinery needs of one kind of data.

    Only `name` is required; every other part is optional and says what the kind takes part in.
    """

    #: TensorBoard's plugin name (the Store's kind key, `Store.tags(run)`'s keys).
    name: str
    #: The Store method that returns a tag's series of this kind (`store.images(run, tag)`), or
    #: for a run-level kind the run's record (`store.hparams(run)`).
    accessor: str = ""
    #: One record per run (hparams session, custom-scalar layout, graph) instead of series per tag.
    run_level: bool = False
    #: Makes a new series of this kind; None: the Store's generic record `Series`.
    new_series: Callable[[], Any] | None = None

    # ---- reading event files -------------------------------------------------------------
    #: Reads a Summary.Value whose metadata names this plugin: (tag, metadata, TensorProto bytes
    #: or None) → records (which may be of another kind, e.g. a GIF under images is a video).
    read: Callable[[str, Metadata, bytes | None], list[Decoded]] | None = None
    #: Summary.Value field numbers this kind reads directly (TF1's simple_value, image, histo,
    #: audio), each with its reader: (tag, field value) → records.
    legacy_fields: Mapping[int, Callable[[str, Any], list[Decoded]]] = field(default_factory=dict)
    #: Claims a tensor whose plugin no kind reads (or that has none): (tag, metadata, parsed
    #: tensor) → records, or None to leave it to the next kind in registry order.
    claim: Callable[[str, Metadata, Any], list[Decoded] | None] | None = None
    #: A single float per record this kind takes through the reader's columnar fast path, given
    #: the tag's metadata (scalars).
    takes_float: Callable[[Metadata], bool] | None = None
    #: Joins the records of this kind decoded from one event (a mesh's vertex/face/colour parts).
    merge_event: Callable[[list[Decoded]], list[Decoded]] | None = None
    #: Run-level kinds: fold a decoded piece into the run's reading state (a dict of the kind's)
    #: and build the run's record from that state and the run's series (None: not yet complete).
    fold: Callable[[dict[str, Any], Any], None] | None = None
    build: Callable[[dict[str, Any], Mapping[str, Any]], Any] | None = None
    #: Event fields (not Summary values) this kind reads, e.g. graph_def: field number → reader.
    event_fields: Mapping[int, Callable[[bytes], Any]] = field(default_factory=dict)
    #: Names of files beside the event files this kind reads (fnmatch patterns) and the reader
    #: that turns one such file (its local path or URL) into records.
    side_files: tuple[str, ...] = ()
    read_side_file: Callable[[str], list[SideFile]] | None = None

    # ---- the page -------------------------------------------------------------------------
    #: record → (metadata, binary parts) for the shared record feed; for a run-level kind,
    #: record → JSON. None: the kind has no record feed (scalars and embeddings have their own).
    feed: Callable[[Any], Any] | None = None
    #: Public view classes: name → "module:attribute", imported when asked for (views need
    #: anywidget and the built front end; writing and reading do not).
    views: Mapping[str, str] = field(default_factory=dict)
    #: A page library the kind's records need once present, as (its name on the page, and
    #: "module:function" returning its ES-module source): plotly.js for plotly figures. A Board
    #: attaches it through its trait `_<name>`; an exported page inlines it once.
    library: tuple[str, str] | None = None
    #: The newest record's thumbnail in a view's static picture (widgets/picture.py): record →
    #: (PNG bytes, width, height), or None when it has none.
    thumbnail: Callable[[Any], tuple[bytes, int, int] | None] | None = None
    #: A section of its own in `nbboard report` beside the Board: (markdown heading, view kind);
    #: a run-level kind gets one per run that has a record.
    report: tuple[str, str] | None = None
    #: What a Board adds for this kind beside the shared record feed: "module:function" taking
    #: (store, wake) and returning a feed (poll/reset/describe; `options` for the Board's tabs).
    board_feed: str = ""
