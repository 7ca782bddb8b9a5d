"""Histograms: add_histogram's buckets; the Histograms and Distributions views."""

from nbboard.kinds.contract import Kind
from nbboard.kinds.histograms import feed, read

KIND = Kind(
    name=read.HISTOGRAMS,
    accessor="histograms",
    read=read.read,
    legacy_fields={5: read.read_legacy},
    feed=feed.encode,
    views={"Histograms": "nbboard.kinds.histograms.view:Histograms",
           "Distributions": "nbboard.kinds.histograms.view:Distributions"},
)
