"""Sweeps: a real Ray Tune sweep (20 trials, Tune's own TBXLogger files and params.json) read by
nbboard.load: one run per trial, its hyperparameters from params.json and its metrics from the
trial's scalars; the layouts Lightning leaves are in test_hparams.py."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SWEEP = textwrap.dedent("""
    import sys
    import ray
    from ray import tune

    def trainable(config):
        loss = 1.0
        for i in range(5):
            loss *= 1 - config["lr"]
            tune.report({"loss": loss, "acc": 1 - loss})

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    space = {"lr": tune.grid_search([0.01 * (i + 1) for i in range(20)]),
             "model": {"depth": tune.grid_search([3]), "act": "relu"}}
    tuner = tune.Tuner(trainable, param_space=space,
                       run_config=tune.RunConfig(storage_path=sys.argv[1], name="sweep", verbose=0))
    results = tuner.fit()
    assert len(results) == 20 and not results.errors, results.errors
    ray.shutdown()
""")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    pytest.importorskip("ray.tune")
    root = tmp_path_factory.mktemp("tune")
    script = root / "sweep.py"
    script.write_text(SWEEP)
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    proc = subprocess.run([sys.executable, str(script), str(root / "out")], capture_output=True, text=True,
                          timeout=600, env=env, cwd=root)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return root / "out" / "sweep"


def test_a_real_tune_sweep_reads_as_twenty_runs_with_their_hparams(sweep):
    import nbboard

    store = nbboard.load(str(sweep))
    runs = store.runs()
    assert len(runs) == 20
    seen = set()
    for run in runs:
        hp = store.hparams(run)
        assert hp is not None, run
        assert set(hp.hparams) == {"lr", "model/depth", "model/act"}
        assert hp.hparams["model/depth"] == 3.0 and hp.hparams["model/act"] == "relu"
        lr = hp.hparams["lr"]
        seen.add(round(lr, 4))
        loss = store.scalars(run, "ray/tune/loss")
        assert len(loss) == 5
        # the metric is the trial's last reported loss, as the trainable computed it from its lr
        assert hp.metrics["ray/tune/loss"] == pytest.approx((1 - lr) ** 5, rel=1e-5)
        assert f"lr={lr:.4f}" in run  # Tune names the trial folder by its config
    assert seen == {round(0.01 * (i + 1), 4) for i in range(20)}


def _tf2_scalar(tag: str, value: float):
    """A `tf.summary.scalar` value as TensorFlow 2 writes it: a 0-d DT_FLOAT tensor whose metadata
    names the scalars plugin."""
    from tensorboard.compat.proto import summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2

    md = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))
    t = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_shape=tensor_shape_pb2.TensorShapeProto(),
                               float_val=[value])
    return summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, tensor=t, metadata=md)])


def test_an_optuna_tensorboard_sweep_reads_with_its_hparams(tmp_path):
    """The layout optuna-integration's TensorBoardCallback leaves (read in its source, 4.5): per
    completed trial a folder `trial-N` holding TensorFlow's `hp.hparams(hparams, trial_id=...)`
    (a session start written at step 0) and `tf.summary.scalar(metric, value, step=N)`. Written
    here with TensorBoard's own event-file writer and hparams summaries (TensorFlow itself is not
    installed), for 15 trials of a search over lr (real), layers (int) and optimizer (categorical)."""
    import time

    from tensorboard.compat.proto import event_pb2
    from tensorboard.plugins.hparams import summary_v2 as hp
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    import nbboard

    want = {}
    for n in range(15):
        params = {"lr": 10 ** (-4 + n / 5), "layers": 1 + n % 4, "optimizer": ("adam", "sgd", "rmsprop")[n % 3]}
        value = 1.0 / (1 + abs(n - 7))
        name = f"trial-{n}"
        w = EventFileWriter(str(tmp_path / name))
        w.add_event(event_pb2.Event(wall_time=time.time(), step=0, summary=hp.hparams_pb(params, trial_id=name)))
        w.add_event(event_pb2.Event(wall_time=time.time(), step=n, summary=_tf2_scalar("value", value)))
        w.close()
        want[name] = (params, value, n)
    store = nbboard.load(str(tmp_path), progress=False)
    assert sorted(store.runs()) == sorted(want)
    for run, (params, value, n) in want.items():
        rec = store.hparams(run)
        assert rec is not None, run
        assert rec.hparams["lr"] == pytest.approx(params["lr"])
        assert rec.hparams["layers"] == params["layers"] and rec.hparams["optimizer"] == params["optimizer"]
        s = store.scalars(run, "value")
        assert s.steps.tolist() == [n] and s.values.tolist() == pytest.approx([value])
