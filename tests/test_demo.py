"""The demo's bundled example trains on load_digits, logs every kind and reports what it logged.

(`nbboard demo` itself — the quickstart run headless and exported — is tested in test_notebooks.py.)"""

from __future__ import annotations

from pathlib import Path

import nbboard
from nbboard import demo
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


def test_notebooks_ship_in_the_package():
    """The notebooks are package data (a wheel carries them) and the demo finds them there."""
    package = Path(nbboard.__file__).parent
    assert demo.NOTEBOOKS == package / "notebooks"
    assert {"quickstart.ipynb", "watch-another-process.ipynb"} <= {p.name for p in demo.NOTEBOOKS.iterdir()}


def test_demo_writes_into_build_of_a_clone_else_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = Path(nbboard.__file__).resolve().parent.parent
    assert demo.default_out() == root / "build"  # the tests run from a clone
    monkeypatch.setattr(demo, "checkout", lambda: None)  # as from an installed wheel
    assert demo.default_out() == tmp_path / "nbboard-demo"


def test_demo_names_the_extra_it_needs(monkeypatch, capsys):
    monkeypatch.setattr(demo, "DEMO_NEEDS", ("no_such_module_nbboard",))
    try:
        main(["demo", "--out", "unused"])
    except SystemExit as e:
        assert "pip install 'nbboard[demo]'" in str(e.code) and "no_such_module_nbboard" in str(e.code)
    else:
        raise AssertionError("the demo ran without what it needs")
