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
