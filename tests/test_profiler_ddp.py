"""The profiler's distributed figures on a real 2-rank gloo DDP job (tests/profiler_ddp_job.py run
under torchrun; rank 1 sleeps 20 ms a step, so rank 0 waits for it in the all-reduce): both
layouts — torch's handler (both ranks' traces in one folder) and nbboard's (a folder per rank)."""

from __future__ import annotations

import nbboard
from nbboard.kinds.profiler.analysis import of
from nbboard.widgets.feeds import RecordFeed

KIND = "pytorch_profiler"


def _profiles(store, run):
    out = []
    for tag in store.tags(run).get(KIND, []):
        s = store.series(run, tag)
        out += [(tag, rec) for _, _, rec in s.items(0, len(s))]
    return out


def test_each_ranks_computation_communication_and_waiting(ddp_profiles):
    s = nbboard.load(str(ddp_profiles), progress=False)
    assert s.runs() == ["nb", "torch"] and s.rank_runs("nb") == {0: "nb/rank0", 1: "nb/rank1"}
    layouts = {"torch": _profiles(s, "torch"), "nb": _profiles(s, "nb/rank0") + _profiles(s, "nb/rank1")}
    for name, profs in layouts.items():
        by_rank = {}
        for _, rec in profs:
            d = of(rec).distributed
            assert d["world_size"] == 2 and d["backend"] == "gloo", name
            by_rank[d["rank"]] = d
        assert sorted(by_rank) == [0, 1], name
        for d in by_rank.values():
            assert len(d["steps"]) == 3
            for st in d["steps"]:  # the four parts split the step
                parts = st["computation"] + st["communication"] + st["overlap"] + st["other"]
                assert abs(parts - st["duration"]) < 1.0 and min(st["computation"], st["other"]) >= 0
            assert any(o["name"] == "gloo:all_reduce" and o["calls"] >= 3 for o in d["comm_ops"])
        for s0, s1 in zip(by_rank[0]["steps"], by_rank[1]["steps"]):
            assert s0["name"] == s1["name"]
            comm0, comm1 = s0["communication"] + s0["overlap"], s1["communication"] + s1["overlap"]
            assert comm0 - comm1 > 10_000, (name, s0, s1)  # rank 0 waits out rank 1's 20 ms sleep
            assert s1["other"] > 15_000 > s0["other"]  # the sleep is neither computing nor communicating


def test_the_record_feed_sends_each_ranks_profiles(ddp_profiles):
    s = nbboard.load(str(ddp_profiles), progress=False)
    msg, _ = RecordFeed(s, (KIND,)).poll(max_bytes=1 << 30)
    runs = sorted({row[2] for row in msg["series"]})
    assert runs == ["nb/rank0", "nb/rank1", "torch"]
