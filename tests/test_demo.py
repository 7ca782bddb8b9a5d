"""`nbboard demo` trains on load_digits, logs every kind and reports what it logged."""

from __future__ import annotations

from nbboard.cli import main


def test_demo_trains_and_reports(tmp_path, capsys):
    assert main(["demo", "--logdir", str(tmp_path), "--epochs", "2"]) == 0
    out = capsys.readouterr().out
    for expected in ("trained lr=0.01", "trained lr=0.1", "run lr_0.1", "Loss/train",
                     "histograms", "pr/digit_9", "run lr_0.1/hparams", "Accuracy_validation"):
        assert expected in out, expected
