"""The repository stands on its own: `python -m build` makes an sdist and a wheel that carry the built
front end; the wheel is built from the sdist with no Node.js on PATH; installed into a clean venv,
it logs, builds a view with its runtime, exports a report that renders in Chromium, and ships the
demo's notebook. Building the front end the way the hook does never writes a tracked file.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile
import zlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BUILT = ("runtime.js", "view.js", "graph.js", "scene3d.js", "export.js")
TOOLS = ("node", "nodejs", "npm", "npx")


def hook():
    """hatch_build.py as a module (it runs without hatchling outside a build)."""
    spec = importlib.util.spec_from_file_location("nbboard_hatch_build", ROOT / "hatch_build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def env_without_node(**extra: str) -> dict[str, str]:
    """This environment minus every PATH folder holding node or npm, and minus PYTHONPATH."""
    dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not any(os.path.exists(os.path.join(d, t)) for t in TOOLS)]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(dirs)
    assert not any(shutil.which(t, path=env["PATH"]) for t in TOOLS)
    return {**env, **extra}


def run(cmd: list, **kwargs) -> subprocess.CompletedProcess:
    res = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    assert res.returncode == 0, f"{cmd}\n--- stdout\n{res.stdout[-4000:]}\n--- stderr\n{res.stderr[-4000:]}"
    return res


def tracked(repo: Path, under: str, *, untracked: bool = False) -> dict[str, str]:
    """sha256 of every tracked file under `under` as it is in the working tree (and of every
    untracked file git does not ignore, with `untracked`)."""
    more = ["--others", "--exclude-standard"] if untracked else []
    names = run(["git", "-C", repo, "ls-files", "-z", "--cached", *more, under]).stdout.split("\0")
    return {n: hashlib.sha256((repo / n).read_bytes()).hexdigest() for n in names if n and (repo / n).exists()}


def test_js_build_installs_the_pinned_versions_and_writes_no_tracked_file(tmp_path):
    """A fresh copy of js/ (no node_modules) built the way the hook builds: the lock and every other
    tracked file stay as committed, nothing new shows in `git status`, and what npm installed is
    exactly what the lock pins."""
    repo = tmp_path / "clone"
    for name in [*tracked(ROOT, "js", untracked=True), "hatch_build.py", ".gitignore"]:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, repo / name)
    git = ["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    run([*git, "init", "-q"])
    run([*git, "add", "-A"])
    run([*git, "commit", "-qm", "js"])
    before = tracked(repo, "js")
    assert hook().js_state(repo) == "missing"
    res = run([sys.executable, repo / "hatch_build.py"], cwd=tmp_path)
    assert "nbboard js: built" in res.stdout
    assert run([*git, "status", "--porcelain", "--untracked-files=all"]).stdout == ""
    assert tracked(repo, "js") == before
    for name in BUILT:
        assert (repo / "nbboard" / "static" / name).stat().st_size > 0
    assert hook().js_state(repo) == "fresh"
    assert "nbboard js: fresh" in run([sys.executable, repo / "hatch_build.py"], cwd=tmp_path).stdout
    lock = json.loads((repo / "js" / "package-lock.json").read_text())["packages"]
    installed = json.loads((repo / "js" / "node_modules" / ".package-lock.json").read_text())["packages"]
    assert len(installed) > 50
    assert {k: v["version"] for k, v in installed.items()} == {k: lock[k]["version"] for k in installed}


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """`python -m build` of this checkout (sdist, then the wheel from the sdist) with no Node.js on PATH."""
    assert hook().ensure_js(ROOT) in ("fresh", "built")  # what `make` does before; needs npm only if stale
    out = tmp_path_factory.mktemp("dist")
    t0 = time.time()
    run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out, env=env_without_node())
    print(f"python -m build: {time.time() - t0:.1f}s")
    sdist, = out.glob("nbboard-*.tar.gz")
    wheel, = out.glob("nbboard-*.whl")
    print(f"sdist {sdist.stat().st_size / 1e6:.2f} MB, wheel {wheel.stat().st_size / 1e6:.2f} MB")
    return sdist, wheel


def test_sdist_and_wheel_carry_the_built_front_end(dists):
    sdist, wheel = dists
    with tarfile.open(sdist) as tar:
        top = sdist.name[: -len(".tar.gz")]
        names = {n.removeprefix(top + "/") for n in tar.getnames()}
        shipped = {name: tar.extractfile(f"{top}/nbboard/static/{name}").read() for name in BUILT}
    for name in BUILT:
        assert shipped[name] == (ROOT / "nbboard" / "static" / name).read_bytes(), name
    assert {"PKG-INFO", "LICENSE", "README.md", "hatch_build.py", "js/package.json", "js/package-lock.json",
            "js/build.mjs", "nbboard/notebooks/quickstart.ipynb"} <= names
    assert any(n.startswith("js/src/") for n in names)
    assert not [n for n in names if "node_modules" in n or n.startswith((".venv", "build/", "test-artifacts"))]
    with zipfile.ZipFile(wheel) as whl:
        wnames = set(whl.namelist())
        for name in BUILT:
            assert whl.read(f"nbboard/static/{name}") == shipped[name], name
        meta = next(whl.read(n).decode() for n in wnames if n.endswith(".dist-info/METADATA"))
    assert {"nbboard/notebooks/quickstart.ipynb", "nbboard/notebooks/watch-another-process.ipynb",
            "nbboard/demo.py", "nbboard-0.1.0.dist-info/licenses/LICENSE"} <= wnames
    assert not [n for n in wnames if n.startswith(("js/", "tests/"))]
    assert "License-Expression: Apache-2.0" in meta
    extras = set(re.findall(r"^Provides-Extra: (\S+)$", meta, re.M))
    assert {"torch", "export", "demo"} <= extras and "test" not in extras


def clean_env() -> dict[str, str]:
    """The environment the clean venv runs in: no Node.js, no PYTHONPATH, and this environment's
    Jupyter data files (nbconvert's templates) through JUPYTER_PATH."""
    return env_without_node(JUPYTER_PATH=str(Path(sys.prefix) / "share" / "jupyter"))


def clean_venv(venv: Path, wheel: Path, env: dict[str, str]) -> tuple[Path, Path]:
    """A venv of its own with the wheel installed (no Node.js on PATH): (venv, its site-packages).

    Its third-party packages come from this test environment's site-packages through a .pth line,
    which does not run the editable install's own .pth there: `import nbboard` finds only the wheel.
    """
    run([sys.executable, "-m", "venv", "--without-pip", venv], env=env)
    py = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "--no-index", wheel], env=env)
    purelib = Path(run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (purelib / "zz_test_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv, purelib


CHECK = r'''
import importlib.metadata as md, sys
from pathlib import Path

from packaging.requirements import Requirement

import nbboard
from nbboard import demo

prefix = Path(sys.prefix).resolve()
assert Path(nbboard.__file__).resolve().is_relative_to(prefix), nbboard.__file__
dist = md.distribution("nbboard")
assert Path(dist.locate_file("nbboard")).resolve().is_relative_to(prefix)
for req in map(Requirement, dist.requires or []):
    if req.marker is None:  # the wheel's own dependencies (not its extras) are there
        assert md.version(req.name) in req.specifier, req
assert (demo.NOTEBOOKS / "quickstart.ipynb").is_file() and demo.checkout() is None

logdir = sys.argv[1]
writer = nbboard.SummaryWriter(logdir + "/run")
for step in range(50):
    writer.add_scalar("loss", 1.0 / (step + 1), step)
writer.close()
view = nbboard.Scalars(logdir)
code = view._runtime.code
assert code == (Path(nbboard.__file__).parent / "static" / "runtime.js").read_text(encoding="utf-8")
print("runtime", len(code))
'''


def test_wheel_in_a_clean_venv_renders_a_view(dists, tmp_path):
    """The wheel in a clean venv logs, builds a view holding the runtime, and exports a report
    whose inlined runtime renders the chart in Chromium."""
    _, wheel = dists
    env = clean_env()
    venv, purelib = clean_venv(tmp_path / "clean", wheel, env)
    py = venv / "bin" / "python"
    (tmp_path / "check.py").write_text(CHECK)
    logdir = tmp_path / "logs"
    res = run([py, tmp_path / "check.py", logdir], cwd=tmp_path, env=env)
    assert int(res.stdout.split("runtime ")[1]) > 100_000

    html_path = tmp_path / "out.html"
    run([venv / "bin" / "nbboard", "report", logdir, "-o", html_path], cwd=tmp_path, env=env)
    page = html_path.read_text()
    inlined = [body for attrs, body in re.findall(r"<script([^>]*)>([^<]*)</script>", page)
               if 'type="application/x-nbboard-code"' in attrs and 'data-name="main"' in attrs]
    assert len(inlined) == 1, "the runtime is not inlined once"
    runtime = (purelib / "nbboard" / "static" / "runtime.js").read_bytes()
    assert zlib.decompress(base64.b64decode(inlined[0])) == runtime

    # Chromium in a process of its own: in the whole suite the browser tests' Playwright still
    # holds this process's event loop, and the sync API refuses to start inside it.
    (tmp_path / "render.py").write_text(RENDER)
    out = run([sys.executable, tmp_path / "render.py", html_path], cwd=ROOT,
              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip().endswith("drawn"), out.stdout


RENDER = """
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.lab import CHROMIUM_ARGS, chromium_path

html_path = Path(sys.argv[1])
with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
    try:
        pg = browser.new_page(viewport={"width": 1200, "height": 900})
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(html_path.as_uri())
        pg.wait_for_function("() => document.body.dataset.nbbExport === 'ready'", timeout=60_000)
        pg.wait_for_function("() => Number(document.querySelector('.nbb-scalars')?.dataset.points) === 50",
                             timeout=30_000)
        drawn = pg.evaluate(\"\"\"() => [...document.querySelectorAll('.nbb-scalars canvas')].some(c => {
            if (!c.width || !c.height) return false;
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) return true;
            return false;
        })\"\"\")
        assert drawn, "no scalar chart canvas has a drawn pixel"
        assert errors == [], errors
        print("drawn")
    finally:
        browser.close()
"""


def test_demo_runs_from_the_wheel(dists, tmp_path):
    """`nbboard demo` from the clean venv: the notebook comes from the wheel, the output lands in
    ./nbboard-demo of the current directory, and the command says where."""
    _, wheel = dists
    env = clean_env()
    venv, _ = clean_venv(tmp_path / "clean", wheel, env)
    work = tmp_path / "work"
    work.mkdir()
    out = run([venv / "bin" / "nbboard", "demo"], cwd=work, env=env).stdout
    html_path = work / "nbboard-demo" / "quickstart.html"
    assert f"Open it: {html_path}" in out and "make lab" not in out
    assert html_path.stat().st_size > 500_000
    assert (work / "nbboard-demo" / "runs" / "quickstart" / "lr_0.05").is_dir()
