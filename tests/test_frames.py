"""Store.to_pandas against tbparse on the same logdir: same columns, dtypes and rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nbboard
from nbboard import InputError, Store, SummaryWriter

tbparse = pytest.importorskip("tbparse")
pytestmark = pytest.mark.filterwarnings("ignore::Warning:tbparse")  # its pandas deprecations


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("frames")
    rng = np.random.default_rng(0)
    for run in (".", "a", "b/deep"):
        w = SummaryWriter(str(d / run), store=Store())
        for i in range(300):
            w.add_scalar("loss", float(rng.normal()), i)
            if i % 7 == 0:
                w.add_scalar("acc", float(rng.random()), i)
        for i in range(3):
            w.add_histogram("w", rng.normal(size=200), i * 10)
            w.add_text("note", f"**step {i}** of {run}", i)
        w.add_scalars("pair", {"x": 1.0, "y": 2.0}, 5)
        w.add_hparams({"lr": 0.1, "opt": "sgd", "deep": True}, {"hp/m": 0.5}, run_name="hp")
        w.close()
    return str(d)


@pytest.mark.parametrize("kind", ["scalars", "histograms", "text", "hparams"])
@pytest.mark.parametrize("extra", [{"dir_name", "wall_time"}, {"dir_name"}])
def test_frames_match_tbparse(logdir, kind, extra):
    if kind == "hparams" and "wall_time" in extra:
        extra = {"dir_name"}
    ours = nbboard.load(logdir, progress=False).to_pandas(kind, extra_columns=extra)
    theirs = getattr(tbparse.SummaryReader(logdir, extra_columns=extra), kind)
    assert list(ours.columns) == list(theirs.columns)
    assert dict(ours.dtypes) == dict(theirs.dtypes)
    if kind == "histograms":
        assert len(ours) == len(theirs) == 9
        for col in ("counts", "limits"):
            for a, b in zip(ours[col], theirs[col]):
                np.testing.assert_array_equal(a, b)
        ours, theirs = ours.drop(columns=["counts", "limits"]), theirs.drop(columns=["counts", "limits"])
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), theirs.reset_index(drop=True))


def test_wide_scalars_match_tbparse_pivot(logdir):
    ours = nbboard.load(logdir, progress=False).to_pandas("scalars", pivot=True)
    theirs = tbparse.SummaryReader(logdir, pivot=True, extra_columns={"dir_name"}).scalars
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), theirs.reset_index(drop=True))


def test_a_live_writers_store_and_bad_arguments(tmp_path):
    store = Store()
    w = SummaryWriter(str(tmp_path), store=store)
    w.add_scalar("x", 0.25, 7)
    df = store.to_pandas()
    assert list(df.columns) == ["step", "tag", "value"] and df.values.tolist() == [[7, "x", 0.25]]
    with pytest.raises(InputError, match="kind must be one of"):
        store.to_pandas("images")
    with pytest.raises(InputError, match="extra_columns"):
        store.to_pandas(extra_columns={"nope"})
    w.close()


@pytest.mark.parametrize("kind", ["scalars", "histograms", "text", "hparams"])
def test_polars_frames_hold_the_same_rows(logdir, kind):
    pl = pytest.importorskip("polars")
    store = nbboard.load(logdir, progress=False)
    pd_df = store.to_pandas(kind)
    pl_df = store.to_polars(kind)
    assert isinstance(pl_df, pl.DataFrame)
    assert pl_df.columns == list(pd_df.columns) and pl_df.height == len(pd_df)
    if kind == "scalars":
        np.testing.assert_array_equal(pl_df["value"].to_numpy(), pd_df["value"].to_numpy())
        assert pl_df["step"].dtype == pl.Int64 and pl_df["tag"].dtype == pl.String
    if kind == "histograms":
        np.testing.assert_array_equal(pl_df["counts"][0].to_numpy(), pd_df["counts"][0])
    wide = store.to_polars("scalars", pivot=True)
    assert wide.columns == list(store.to_pandas("scalars", pivot=True).columns)
