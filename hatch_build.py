"""Hatch build hook: the built front end (nbboard/static/*.js) for every build, npm only when needed.

How it decides, for the sdist, the wheel and the editable install alike:

1. NBBOARD_SKIP_JS=1: nothing is built (the caller vouches for nbboard/static/).
2. Building from an unpacked sdist (PKG-INFO at the root, which a checkout never has): the sdist
   ships the built files, so they are used as they are and Node.js is never needed; their absence
   is an error.
3. Building from a checkout: the built files are reused when every one exists and none is older
   than a JS source (js/src/, js/build.mjs, js/package.json, js/package-lock.json); otherwise
   `npm run build` in js/, after installing the pinned packages when js/node_modules is missing or
   older than the lock. Only this step needs Node.js and npm.

The install never writes a tracked file: `npm install --no-save` installs the versions pinned in
js/package-lock.json and leaves the lock as it is (a plain `npm install` adds other platforms'
entries for rollup's native packages to it; `npm ci` refuses this lock for lacking them).

The built files are git-ignored; pyproject.toml lists them as artifacts so the sdist and the wheel
carry them. `python hatch_build.py [--force]` runs the same step outside a build (make does).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # run as a script (make, the tests): only ensure_js() is used
    BuildHookInterface = object  # type: ignore[assignment,misc]

#: What `npm run build` (js/build.mjs) writes, relative to the root.
BUILT = tuple(f"nbboard/static/{name}" for name in ("runtime.js", "view.js", "graph.js", "scene3d.js", "export.js"))
NPM_INSTALL = ("install", "--no-save", "--no-audit", "--no-fund")


def js_sources(root: Path) -> list[Path]:
    """The files the built front end is made from."""
    js = root / "js"
    files = [p for p in (js / "src").rglob("*") if p.is_file()]
    return files + [p for p in (js / n for n in ("build.mjs", "package.json", "package-lock.json")) if p.exists()]


def js_state(root: Path) -> str:
    """'sdist' (built files shipped, never npm), 'missing' or 'stale' (npm builds) or 'fresh'."""
    built = [root / name for name in BUILT]
    if (root / "PKG-INFO").exists() or not (root / "js" / "package.json").exists():
        return "sdist"
    if not all(p.exists() for p in built):
        return "missing"
    newest_source = max((p.stat().st_mtime for p in js_sources(root)), default=0.0)
    return "fresh" if min(p.stat().st_mtime for p in built) >= newest_source else "stale"


def ensure_js(root: Path, *, force: bool = False, log=print) -> str:
    """Build nbboard/static/ under `root` when needed (see the module docstring); returns what it did."""
    state = js_state(root)
    if state == "sdist":
        missing = [name for name in BUILT if not (root / name).exists()]
        if missing:
            raise RuntimeError(f"this nbboard source distribution should ship {', '.join(missing)} "
                               "but lacks them (Node.js cannot rebuild them here: build from a clone)")
        return "shipped"
    if state == "fresh" and not force:
        return "fresh"
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            f"nbboard's built front end is {state} ({', '.join(BUILT)} vs js/src); building it needs "
            "Node.js and npm on PATH (or set NBBOARD_SKIP_JS=1 to use the files as they are)")
    js = root / "js"
    installed = js / "node_modules" / ".package-lock.json"  # npm writes it on every install
    inputs = [js / "package.json", js / "package-lock.json"]
    if not installed.exists() or any(p.exists() and p.stat().st_mtime > installed.stat().st_mtime for p in inputs):
        log(f"nbboard: npm {' '.join(NPM_INSTALL)} (versions pinned by js/package-lock.json)")
        subprocess.run([npm, *NPM_INSTALL], cwd=js, check=True)
        installed.touch()  # npm may leave it untouched when nothing changed
    log(f"nbboard: npm run build ({state})")
    subprocess.run([npm, "run", "build"], cwd=js, check=True)
    return "built"


class JSBuildHook(BuildHookInterface):
    """Makes sure nbboard/static/ is built before hatchling collects the files."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if os.environ.get("NBBOARD_SKIP_JS") == "1":
            return
        ensure_js(Path(self.root), log=self.app.display_info)


if __name__ == "__main__":
    print("nbboard js:", ensure_js(Path(__file__).resolve().parent, force="--force" in sys.argv[1:]))
