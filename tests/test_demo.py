"""The demo's bundled example trains on load_digits, logs every kind and reports what it logged.

(`nbboard demo` itself — the quickstart run headless and exported — is tested in test_notebooks.py.)"""

from __future__ import annotations

from nbboard.cli import main
from nbboard.demo import summarize, train


def test_example_trains_and_reports(tmp_path):
    for lr in (0.01, 0.1):
        m = train(str(tmp_path / f"lr_{lr}"), lr, epochs=1)
        assert 0 <= m["hparam/accuracy"] <= 1
    out = summarize(str(tmp_path))
    for expected in ("run lr_0.1", "Loss/train", "histograms", "pr/digit_9", "run lr_0.1/hparams",
                     "Accuracy_validation"):
        assert expected in out, expected


def test_demo_help(capsys):
    try:
        main(["demo", "--help"])
    except SystemExit as e:
        assert e.code == 0
    assert "quickstart" in capsys.readouterr().out
