"""The Board's feeds: records and embeddings merged in one page-side record set; the projector
feed's deltas when the Store changes under it."""

from __future__ import annotations

import time

import numpy as np

from nbboard.kinds.projector.feed import COORDS, ID_BASE, ProjectorFeed
from nbboard.store import Store
from nbboard.widgets.base import Pusher
from nbboard.widgets.board import Board
from nbboard.widgets.feeds import board_feeds
from nbboard.writer import SummaryWriter

PROJECTOR = "projector"


def _log(tmp_path):
    """A writer into a Store of its own that logged a scalar, a text and an embedding (step 7)."""
    store = Store(str(tmp_path))
    w = SummaryWriter(str(tmp_path / "run"), store=store)
    w.add_scalar("loss", 1.0, 0)
    w.add_text("notes", "hello", 0)
    w.add_embedding(np.random.default_rng(0).normal(size=(30, 4)).astype(np.float32),
                    metadata=[str(i % 3) for i in range(30)], tag="emb", global_step=7)
    return w, store


def _rows(sent: list) -> list[list]:
    return [row for content, _ in sent if content["type"] == "records" for row in content["series"]]


def test_board_sends_projector_records_beside_the_others(tmp_path):
    w, store = _log(tmp_path)
    b = Board(store, pusher=Pusher(start=False))
    sent: list = []
    b.send = lambda content, buffers=None: sent.append((content, list(buffers or [])))
    deadline = time.monotonic() + 30
    while not any(r[1] == COORDS for r in _rows(sent)) and time.monotonic() < deadline:
        b.push(force=True)  # the embedding is encoded and projected on the worker thread
        time.sleep(0.02)
    rows = _rows(sent)
    base = [r for r in rows if r[1] == PROJECTOR]
    assert len(base) == 1 and base[0][2:4] == ["run", "emb"] and base[0][6] == [7]
    assert base[0][8][0]["n"] == 30
    assert any(r[1] == COORDS and any(m["method"] == "pca" for m in r[8]) for r in rows)
    # ids of both feeds meet in one record set on the page: they must not collide
    ids = {r[1]: r[0] for r in rows}
    assert ids["text"] < ID_BASE <= ids[PROJECTOR] < ids[COORDS]
    assert [c["type"] for c, _ in sent][-1] in ("records", "scalars") and sent[0][0]["type"] == "records"
    assert "emb" in b.describe()["tags"]
    b.close()
    w.close()


def test_board_feeds_are_the_exporters(tmp_path):
    w, store = _log(tmp_path)
    records, embeddings = board_feeds(store)
    assert isinstance(embeddings, ProjectorFeed) and embeddings.id_base == ID_BASE
    assert records.poll() is not None
    w.close()


def test_projector_poll_survives_a_purge_after_discovery(tmp_path):
    w, store = _log(tmp_path)
    feed = ProjectorFeed(store, methods=("pca",))
    discover = feed._discover
    series = store.series("run", "emb")

    def discover_then_purge() -> None:
        discover()
        rec = series[0]
        deadline = time.monotonic() + 30
        while "_wire" not in rec.info and time.monotonic() < deadline:
            time.sleep(0.01)
        series.purge_from(0)  # a writer restarting at step 0, right after the Store lock is let go

    feed._discover = discover_then_purge
    content, buffers = feed.poll()
    (base,) = [r for r in content["series"] if r[1] == PROJECTOR]
    assert base[6] == [7] and len(base[7]) == 1
    w.close()
