"""Hatch build hook: builds the TypeScript front end into nbboard/static/ on install."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class JSBuildHook(BuildHookInterface):
    """Run `npm ci` (when needed) and `npm run build` in js/ so views ship with the package."""

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
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=js, check=True)
        subprocess.run([npm, "run", "build"], cwd=js, check=True)
