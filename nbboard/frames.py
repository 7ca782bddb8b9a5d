"""A Store's data as pandas DataFrames, shaped like tbparse's (same column names and dtypes), so a
tbparse user changes one line:

    SummaryReader(logdir, extra_columns={"dir_name", "wall_time"}).scalars
    nbboard.load(logdir).to_pandas("scalars", extra_columns={"dir_name", "wall_time"})

`to_polars` gives the same tables as polars DataFrames.

Kinds: "scalars" (long, or wide with pivot=True), "histograms", "text", "hparams". Columns are
built straight from the Store's numpy columns (one concatenate per column), so 1M scalar points
take tens of milliseconds. One deliberate difference: with more than one run, `dir_name` is
always there (tbparse leaves it out unless asked, and rows of different runs then look alike).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

KINDS = ("scalars", "histograms", "text", "hparams")
EXTRA = ("wall_time", "dir_name")


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as e:
        raise ImportError("Store.to_pandas needs pandas: pip install pandas") from e
    return pd


def _extras(extra_columns: Iterable[str] | None, many_runs: bool) -> set[str]:
    extra = set(extra_columns or ())
    bad = extra - set(EXTRA)
    if bad:
        from nbboard.convert import InputError

        raise InputError(f"to_pandas: extra_columns may hold 'wall_time' and 'dir_name'; got "
                         f"{sorted(bad)}")
    if many_runs:
        extra.add("dir_name")
    return extra


def _dir_name(run: str) -> str:
    return "" if run == "." else run


def to_pandas(store: Any, kind: str = "scalars", *, pivot: bool = False,
              extra_columns: Iterable[str] | None = None) -> Any:
    """The Store's `kind` as a DataFrame (tbparse's layout); see the module docstring."""
    pd = _pandas()
    if kind not in KINDS:
        from nbboard.convert import InputError

        raise InputError(f"to_pandas: kind must be one of {', '.join(map(repr, KINDS))}; got {kind!r}")
    runs = sorted(store.runs(ranks=True))  # every rank of a distributed run, as tbparse reads them
    extra = _extras(extra_columns, len(runs) > 1)
    if kind == "hparams":
        rows = []
        for run in runs:
            hp = store.hparams(run)
            if hp is not None:
                rows += [(k, v, _dir_name(run)) for k, v in sorted(hp.hparams.items())]
        df = pd.DataFrame({"tag": pd.Series([r[0] for r in rows], dtype="str"),
                           "value": pd.Series([r[1] for r in rows], dtype=object)})
        if "dir_name" in extra:
            df["dir_name"] = pd.Series([r[2] for r in rows], dtype="str")
        return df
    parts = []  # (dir_name, tag, series), sorted by run then tag like tbparse
    for run in runs:
        for tag in sorted(store.tags(run).get(kind, [])):
            parts.append((_dir_name(run), tag, store.series(run, tag)))
    with store.lock:
        if kind == "scalars":
            cols = {
                "step": _cat([s.steps for _d, _t, s in parts], np.int64),
                "value": _cat([s.values for _d, _t, s in parts], np.float64),
                "wall_time": _cat([s.wall_times for _d, _t, s in parts], np.float64),
            }
        else:
            cols = {
                "step": _cat([np.asarray(s.steps, dtype=np.int64) for _d, _t, s in parts], np.int64),
                "wall_time": _cat([np.asarray(s.wall_times, dtype=np.float64) for _d, _t, s in parts],
                                  np.float64),
                "values": [v for _d, _t, s in parts for v in list(s.values)],
            }
        counts = np.array([len(s) for _d, _t, s in parts], dtype=np.intp)
    tags = np.array([t for _d, t, _s in parts] or [""], dtype=object)
    dirs = np.array([d for d, _t, _s in parts] or [""], dtype=object)
    which = np.repeat(np.arange(len(parts)), counts)
    out: dict[str, Any] = {"step": cols["step"], "tag": pd.Series(tags[which], dtype="str")}
    if kind == "scalars":
        out["value"] = cols["value"]
    elif kind == "histograms":
        out["counts"] = pd.Series([np.asarray(h.bucket) for h in cols["values"]], dtype=object)
        out["limits"] = pd.Series([np.asarray(h.bucket_limit) for h in cols["values"]], dtype=object)
    else:  # text
        out["value"] = pd.Series([getattr(t, "text", t) for t in cols["values"]], dtype="str")
    if "wall_time" in extra:
        out["wall_time"] = cols["wall_time"]
    if "dir_name" in extra:
        out["dir_name"] = pd.Series(dirs[which], dtype="str")
    df = pd.DataFrame(out)
    if pivot and kind == "scalars":
        index = ["dir_name", "step"] if "dir_name" in extra else ["step"]
        wide = df.pivot_table(index=index, columns="tag", values="value", aggfunc="last", sort=True)
        wide.columns.name = None
        wide = wide.reset_index()
        front = ["step"] + sorted(set(df["tag"]))
        return wide[front + (["dir_name"] if "dir_name" in extra else [])]
    return df


def _cat(arrays: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.empty(0, dtype)


def to_polars(store: Any, kind: str = "scalars", *, pivot: bool = False,
              extra_columns: Iterable[str] | None = None) -> Any:
    """The same table as to_pandas, as a polars DataFrame (numbers stay numpy-backed; strings
    become String columns; histogram counts/limits List[Float64]; hparams values, which mix
    numbers, strings and booleans, become strings since a polars column holds one type)."""
    try:
        import polars as pl
    except ImportError as e:
        raise ImportError("Store.to_polars needs polars: pip install polars") from e
    df = to_pandas(store, kind, pivot=pivot, extra_columns=extra_columns)
    cols = {}
    for name in df.columns:
        col = df[name]
        if name in ("counts", "limits"):
            cols[name] = pl.Series(name, [np.asarray(a, dtype=np.float64) for a in col],
                                   dtype=pl.List(pl.Float64))
        elif kind == "hparams" and name == "value":
            cols[name] = pl.Series(name, [str(v) for v in col], dtype=pl.String)
        elif col.dtype.kind in "iufb":
            cols[name] = pl.Series(name, col.to_numpy())
        else:
            cols[name] = pl.Series(name, col.to_numpy(dtype=object), dtype=pl.String)
    return pl.DataFrame(cols)
