"""add_hparams: the experiment / session-start / session-end summaries and metric scalars torch
writes, parsed by TensorBoard's hparams metadata functions, Store records, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from google.protobuf.json_format import MessageToDict
from tensorboard.plugins.hparams import metadata as hp_metadata

from nbboard.kinds.hparams import write as m
from nbboard.kinds.hparams.record import HParamsData
from tests.torch_parity import assert_rejected, log_both

HP = {"lr": 0.01, "batch": 64, "opt": "adam", "nesterov": True, "skip": None,
      "wd": torch.tensor([0.5]), "f64": np.float64(2.5)}
METRICS = {"hparam/accuracy": 0.93, "hparam/loss": torch.tensor(0.25)}
DOMAINS = {"opt": ["adam", "sgd"], "batch": [32, 64, 128], "nesterov": [True, False]}


def parsed(acc) -> dict:
    """The three plugin payloads as dicts, parsed by TensorBoard's own functions."""
    content = acc.PluginTagToContent("hparams")
    return {
        "experiment": MessageToDict(hp_metadata.parse_experiment_plugin_data(
            content[hp_metadata.EXPERIMENT_TAG])),
        "start": MessageToDict(hp_metadata.parse_session_start_info_plugin_data(
            content[hp_metadata.SESSION_START_INFO_TAG])),
        "end": MessageToDict(hp_metadata.parse_session_end_info_plugin_data(
            content[hp_metadata.SESSION_END_INFO_TAG])),
    }


@pytest.mark.parametrize("domains", [None, DOMAINS], ids=["no-domains", "domains"])
def test_round_trip_matches_torch(tmp_path, store, domains):
    def log(w):
        w.add_hparams(HP, METRICS, domains, run_name="trial", global_step=3)

    ours, a, b = log_both(tmp_path, store, log, sub="trial")
    pa, pb = parsed(a), parsed(b)
    assert pa == pb
    assert pa["start"]["hparams"] == {"lr": 0.01, "batch": 64.0, "opt": "adam", "nesterov": 1.0,
                                      "wd": 0.5, "f64": 2.5}
    assert pa["end"]["status"] == "STATUS_SUCCESS"
    infos = {i["name"]: i for i in pa["experiment"]["hparamInfos"]}
    assert infos["opt"]["type"] == "DATA_TYPE_STRING"
    if domains:
        assert infos["opt"]["domainDiscrete"] == ["adam", "sgd"]
        assert infos["batch"]["domainDiscrete"] == [32.0, 64.0, 128.0]
    assert [mi["name"]["tag"] for mi in pa["experiment"]["metricInfos"]] == list(METRICS)
    for tag in METRICS:
        sa, sb = a.Scalars(tag), b.Scalars(tag)
        assert [(e.step, e.value) for e in sa] == [(e.step, e.value) for e in sb]
        assert sa[0].step == 3
    s = store.select(ours)
    assert "trial" in s.runs()
    rec = s.hparams("trial")
    assert isinstance(rec, HParamsData)
    assert rec.hparams == {"lr": 0.01, "batch": 64.0, "opt": "adam", "nesterov": 1.0, "wd": 0.5,
                           "f64": 2.5}
    assert rec.metrics == {"hparam/accuracy": 0.93, "hparam/loss": 0.25}
    assert (rec.hparam_domains or {}) == ({"opt": ["adam", "sgd"], "batch": [32.0, 64.0, 128.0],
                                           "nesterov": [1.0, 0.0]} if domains else {})
    assert s.scalars("trial", "hparam/accuracy").values.tolist() == [0.93]
    assert "hparams" in s.tags("trial")


def test_default_run_name_is_a_time(tmp_path, store):
    from nbboard import SummaryWriter

    with SummaryWriter(str(tmp_path), store=store) as w:
        w.add_hparams({"a": 1}, {"m": 2})
    runs = store.select(str(tmp_path)).runs()
    sub = [r for r in runs if r != "."]
    assert len(sub) == 1 and float(sub[0]) > 1e9


def test_encode_three_summaries():
    from tensorboard.compat.proto.summary_pb2 import Summary

    sums = [Summary.FromString(s) for s in m.encode("_hparams_", m.make_hparams({"x": "y"}, {"m": 1}))]
    assert [s.value[0].tag for s in sums] == [hp_metadata.EXPERIMENT_TAG,
                                              hp_metadata.SESSION_START_INFO_TAG,
                                              hp_metadata.SESSION_END_INFO_TAG]
    assert all(s.value[0].metadata.plugin_data.plugin_name == "hparams" for s in sums)


BAD = [
    (lambda w: w.add_hparams({"lr": [0.1, 0.2]}, {"m": 1}), ["add_hparams", "hparam_dict['lr']", "list", "str"]),
    (lambda w: w.add_hparams({"lr": {"a": 1}}, {"m": 1}), ["add_hparams", "hparam_dict['lr']", "accepted"]),
    (lambda w: w.add_hparams({"lr": torch.ones(3)}, {"m": 1}), ["add_hparams", "hparam_dict['lr']", "accepted"]),
    (lambda w: w.add_hparams({"lr": 1j}, {"m": 1}), ["add_hparams", "hparam_dict['lr']"]),
    (lambda w: w.add_hparams({1: 0.1}, {"m": 1}), ["add_hparams", "hparam_dict", "str"]),
    (lambda w: w.add_hparams({"lr": 0.1}, {"m": "high"}), ["add_hparams", "metric_dict['m']", "number"]),
    (lambda w: w.add_hparams({"lr": 0.1}, {"m": torch.ones(2)}), ["add_hparams", "metric_dict['m']"]),
    (lambda w: w.add_hparams({"lr": 0.1}, {"m": 1}, {"lr": [1, 2]}),
     ["add_hparams", "hparam_domain_discrete['lr']", "float"]),
    (lambda w: w.add_hparams({"lr": 0.1}, {"m": 1}, {"zz": [1.0]}), ["add_hparams", "hparam_domain_discrete['zz']"]),
    (lambda w: w.add_hparams({"lr": 0.1}, {"m": 1}, {"lr": 0.1}), ["add_hparams", "hparam_domain_discrete['lr']"]),
    (lambda w: w.add_hparams([("lr", 0.1)], {"m": 1}), ["add_hparams", "hparam_dict", "dict"]),
    (lambda w: w.add_hparams({"lr": 0.1}, {"m": 1}, run_name=5), ["add_hparams", "run_name"]),
]


@pytest.mark.parametrize("call,words", BAD)
def test_bad_input_is_rejected_and_changes_nothing(tmp_path, store, call, words):
    assert_rejected(tmp_path, store, call, words,
                    then=lambda w: w.add_hparams({"lr": 0.1}, {"m": 1.0}, run_name="ok"))


# ---- sweeps: hyperparameters in the files Ray Tune and Lightning leave beside the event files ----

def _trial(root, name: str, params: dict | str, losses: list[float], file: str = "params.json") -> None:
    """A sweep's trial folder as Ray Tune's TBXLogger leaves it: tensorboardX's events + the file."""
    from tensorboardX import SummaryWriter as TBXWriter

    d = root / name
    with TBXWriter(str(d)) as w:
        for i, v in enumerate(losses):
            w.add_scalar("ray/tune/loss", v, i)
            w.add_scalar("ray/tune/acc", 1 - v, i)
    text = params if isinstance(params, str) else __import__("json").dumps(params)
    (d / file).write_text(text)


def test_ray_tune_params_json_are_the_runs_hparams(tmp_path):
    import nbboard

    _trial(tmp_path, "trial_0001", {"lr": 0.01, "model": {"depth": 3, "act": "relu"}, "layers": [64, 32],
                                    "amp": True, "seed": None}, [0.9, 0.5, 0.3])
    _trial(tmp_path, "trial_0002", {"lr": 0.1, "model": {"depth": 5, "act": "gelu"}, "layers": [8],
                                    "amp": False, "seed": 7}, [0.8, 0.7])
    store = nbboard.load(str(tmp_path))
    hp = store.hparams("trial_0001")
    assert hp.hparams == {"lr": 0.01, "model/depth": 3.0, "model/act": "relu", "layers": "[64, 32]",
                          "amp": True, "seed": "null"}
    # no experiment summary names the metrics: every scalar of the trial is one, at its last value
    assert hp.metrics == pytest.approx({"ray/tune/loss": 0.3, "ray/tune/acc": 0.7})
    assert store.hparams("trial_0002").hparams["model/act"] == "gelu"
    assert store.hparams("trial_0002").metrics["ray/tune/loss"] == pytest.approx(0.7)


def test_lightning_hparams_yaml_merges_with_the_logged_session(tmp_path):
    """Lightning's version_N/hparams.yaml (nested) beside an add_hparams session: the session's
    values win where both name one, the file adds what the session could not hold."""
    import nbboard
    from nbboard import SummaryWriter

    d = tmp_path / "lightning_logs" / "version_0"
    with SummaryWriter(str(d)) as w:
        w.add_hparams({"lr": 0.5}, {"hp_metric": 0.1}, run_name=".")
        w.add_scalar("val_loss", 0.4, 0)
    (d / "hparams.yaml").write_text("lr: 0.001\noptimizer:\n  name: adamw\n  betas: [0.9, 0.99]\nbatch_size: 32\n")
    store = nbboard.load(str(tmp_path))
    hp = store.hparams("lightning_logs/version_0")
    assert hp.hparams == {"lr": 0.5, "optimizer/name": "adamw", "optimizer/betas": "[0.9, 0.99]",
                          "batch_size": 32.0}
    assert hp.metrics == {"hp_metric": pytest.approx(0.1)}  # the experiment's own metric list


def test_a_bad_params_file_is_named_and_nothing_else_is_lost(tmp_path, caplog):
    """A params.json that is not JSON: a warning naming the file; the trial's scalars are read; a
    later poll reads the file once it is fixed (a tailing Board sees the hparams arrive)."""
    from nbboard.logdir.reader import LogdirReader
    from nbboard.store import Store

    _trial(tmp_path, "trial_bad", "{'lr': 0.1,", [0.5, 0.25])
    store = Store(str(tmp_path))
    reader = LogdirReader(str(tmp_path), store)
    with caplog.at_level("WARNING", logger="nbboard"):
        reader.poll()
    assert any("trial_bad/params.json: not JSON (Expecting property name" in r.getMessage() for r in caplog.records)
    assert store.scalars("trial_bad", "ray/tune/loss").values.tolist() == [0.5, 0.25]
    assert store.hparams("trial_bad") is None
    (tmp_path / "trial_bad" / "params.json").write_text('{"lr": 0.1, "note": "fixed"}')
    reader.poll()
    assert store.hparams("trial_bad").hparams == {"lr": 0.1, "note": "fixed"}
    assert store.hparams("trial_bad").metrics["ray/tune/loss"] == pytest.approx(0.25)
    (tmp_path / "trial_bad" / "params.json").write_text("[1, 2]")  # a list is no set of hparams
    caplog.clear()
    with caplog.at_level("WARNING", logger="nbboard"):
        reader.poll()
    assert any("holds a list, not a mapping" in r.getMessage() for r in caplog.records)
    assert store.hparams("trial_bad").hparams == {"lr": 0.1, "note": "fixed"}  # what was read stays
