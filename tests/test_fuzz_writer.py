"""The writer against anything a caller may pass (hypothesis over types, shapes, dtypes, strings
and steps): each call either raises a clear InputError naming its method, or its record reads
back in nbboard and in TensorBoard's EventAccumulator; and the writer keeps working after it."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nbboard
from nbboard import InputError, Store, SummaryWriter
from tests.tb import accumulator

DTYPES = st.sampled_from(["float32", "float64", "float16", "int64", "int8", "uint8", "bool", "complex64"])
ARRAYS = hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
                    elements=None)
TEXT = st.text(st.characters(codec=None, blacklist_categories=()), max_size=12)  # surrogates too
STEPS = st.one_of(st.none(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
                  st.sampled_from([np.int64(3), np.uint64(2**64 - 1), "7", [1], np.float32(2.5)]))
VALUES = st.one_of(st.floats(allow_nan=True), st.integers(-(2**70), 2**70), ARRAYS, TEXT, st.none(),
                   st.lists(st.floats(width=32), max_size=4))
TAGS = st.one_of(TEXT, st.sampled_from(["loss", "a/b", "x" * 300]), st.none(), st.integers())

CALLS = {
    "add_scalar": (lambda w, tag, v, step: w.add_scalar(tag, v, step), "scalars"),
    "add_text": (lambda w, tag, v, step: w.add_text(tag, v, step), "text"),
    "add_histogram": (lambda w, tag, v, step: w.add_histogram(tag, v, step), "histograms"),
    "add_image": (lambda w, tag, v, step: w.add_image(tag, v, step, dataformats="HWC"), "images"),
    "add_tensor": (lambda w, tag, v, step: w.add_tensor(tag, v, step), "tensor"),
    "add_scalars": (lambda w, tag, v, step: w.add_scalars("main", {tag: v}, step), None),
}


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(sorted(CALLS)), TAGS, VALUES, STEPS), min_size=1, max_size=8))
def test_every_call_is_refused_clearly_or_reads_back(tmp_path_factory, calls):
    logdir = str(tmp_path_factory.mktemp("fuzz"))
    w = SummaryWriter(logdir, store=Store())
    logged: dict[tuple[str, str], int] = {}  # (kind, tag) -> records that went through
    for i, (method, tag, value, step) in enumerate(calls):
        fn, kind = CALLS[method]
        try:
            fn(w, tag, value, step)
        except InputError as e:
            assert method in str(e)  # the message names the method (and its argument)
        else:
            if kind is not None:
                logged[(kind, tag)] = logged.get((kind, tag), 0) + 1
        w.add_scalar("canary", float(i), i)  # the writer keeps working
    w.close()
    store = nbboard.load(logdir, progress=False)
    assert len(store.scalars(".", "canary")) == len(calls)
    acc = accumulator(logdir)
    assert len(acc.Scalars("canary")) == len(calls)
    for (kind, tag), n in logged.items():
        assert len(store.series(".", tag)) == n, (kind, tag)
        if kind == "scalars":
            assert len(acc.Scalars(tag)) == n
        elif kind == "images":
            assert len(acc.Images(tag)) == n
        elif kind == "histograms":
            assert len(acc.Histograms(tag)) == n
        elif kind == "text":
            assert len(acc.Tensors(tag + "/text_summary")) == n
        else:
            assert len(acc.Tensors(tag)) == n


def test_each_fuzzed_method_accepts_a_valid_call(tmp_path):
    """The fuzz test could not pass by refusing everything: each method takes a valid call."""
    valid = {"add_scalar": 1.0, "add_scalars": 1.0, "add_text": "text", "add_histogram": np.ones(3),
             "add_image": np.ones((2, 2, 3), dtype=np.float32), "add_tensor": np.ones(3)}
    w = SummaryWriter(str(tmp_path), store=Store())
    for name, (fn, _) in CALLS.items():
        fn(w, f"ok_{name}", valid[name], 1)
    w.close()
    assert sum(len(v) for v in nbboard.load(str(tmp_path), progress=False).tags(".").values()) >= 5
