"""Hatch build hook: builds the TypeScript front end into nbboard/static/ on install."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class JSBuildHook(BuildHookInterface):
    """Install the pinned JS packages (when needed) and `npm run build` in js/ so views ship."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        js = root / "js"
        if not (js / "package.json").exists() or os.environ.get("NBBOARD_SKIP_JS") == "1":
            return
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("building nbboard's views needs Node.js and npm on PATH")
        installed = js / "node_modules" / ".package-lock.json"  # npm writes it on every install
        lock = js / "package-lock.json"
        if not installed.exists() or (lock.exists() and lock.stat().st_mtime > installed.stat().st_mtime + 5):
            # `npm install` installs the versions pinned in package-lock.json. Not `npm ci`: with
            # this machine's registry the lock holds only this platform's entries for rollup's
            # native packages, and `npm ci` refuses such a lock while `npm install` accepts it.
            subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=js, check=True)
        subprocess.run([npm, "run", "build"], cwd=js, check=True)
