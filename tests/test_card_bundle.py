"""The committed card bundle is what its sources build (a stale bundle fails the suite).

Cheap: one esbuild run (~0.1 s) into a temporary file. Runs where Node and npm
are installed; elsewhere it is skipped with the reason. `npm ci` runs first only
when the locked packages are not installed yet (it needs the npm registry).
"""

from __future__ import annotations

from pathlib import Path
import shutil
import subprocess

import pytest

from custom_components.heatpump_stats.card import CARD_FILE

FRONTEND = Path(__file__).parent.parent / "frontend"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=FRONTEND, capture_output=True, text=True, timeout=300, check=False
    )


def test_bundle_is_fresh(tmp_path: Path) -> None:
    """`node build.mjs` gives the committed heatpump-stats-card.js byte for byte."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js and npm are not installed: the bundle cannot be rebuilt here")
    if not (FRONTEND / "node_modules" / "esbuild").is_dir():
        done = _run(npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
        if done.returncode != 0:
            pytest.skip(f"npm ci failed (offline?): {done.stderr.strip()[-300:]}")
    fresh = tmp_path / "heatpump-stats-card.js"
    built = _run(node, "build.mjs", str(fresh))
    assert built.returncode == 0, built.stderr
    assert fresh.read_bytes() == CARD_FILE.read_bytes(), (
        "the committed card bundle is stale: run scripts/build_card and commit it"
    )
