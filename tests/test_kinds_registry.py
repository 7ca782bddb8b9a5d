"""The kinds registry is the only list of kinds: every kind lives in its folder and the shared
machinery (Store, logdir reader, tfevents, widgets, export) names none of them."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import nbboard
from nbboard.kinds import REGISTRY, VIEWS, load_view
from nbboard.kinds.contract import Kind

ROOT = Path(nbboard.__file__).parent
SHARED = ["store.py", "logdir", "tfevents", "widgets", "export", "cli.py", "magics.py",
          "__init__.py"]


def _shared_files() -> list[Path]:
    out: list[Path] = []
    for name in SHARED:
        p = ROOT / name
        if p.is_dir():
            out += sorted(p.rglob("*.py"))
        elif p.exists():
            out.append(p)
    return out


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_every_kind_is_a_folder_with_its_kind():
    folders = {p.name for p in (ROOT / "kinds").iterdir() if (p / "__init__.py").exists()}
    assert len(REGISTRY) == len(folders) == 16
    kinds = {importlib.import_module(f"nbboard.kinds.{f}").KIND.name for f in folders}
    assert kinds == set(REGISTRY)  # each folder's KIND is registered, and nothing else is
    for name, k in REGISTRY.items():
        assert isinstance(k, Kind) and k.name == name


def test_shared_machinery_names_no_kind():
    names = set(REGISTRY)
    found = [f"{p.relative_to(ROOT)}:{line}: {value!r}" for p in _shared_files()
             for line, value in _string_constants(p) if value in names]
    assert len(_shared_files()) > 20  # the scan saw the shared modules
    assert found == []


def test_the_scan_would_see_a_kind_name(tmp_path):
    f = tmp_path / "m.py"
    f.write_text('"""doc: images"""\nx = {"kind": "images"}\n')
    assert (2, "images") in _string_constants(f) and (1, "doc: images") not in _string_constants(f)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_every_registered_view_is_public_and_loads(name):
    cls = load_view(name)
    assert getattr(nbboard, name) is cls and name in nbboard.__all__
    assert cls.kind.default_value  # the page draws it by this kind


def test_store_accessors_come_from_the_registry(store):
    key = "/tmp/nbb-registry-run"
    store.series_for(key, "t", "images")
    run = store.runs()[0]
    assert store.images(run, "t").kind == "images"
    with pytest.raises(KeyError, match="holds images, not text"):
        store.texts(run, "t")
    assert store.hparams(run) is None
    with pytest.raises(AttributeError):
        store.no_such_kind(run, "t")
