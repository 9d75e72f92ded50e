"""model/, sources/, engine/ and store/ import and pass their tests with Home Assistant absent.

Each check runs in a fresh interpreter (this one has Home Assistant loaded) with
:mod:`tests.ha_free` refusing ``homeassistant`` and the integration's glue modules.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
import subprocess
import sys

import pytest

from tests.ha_free import HA_FREE, PACKAGE, PACKAGE_DIR

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_every_module_imports_without_home_assistant() -> None:
    """Every .py file under the four packages is imported, none fails."""
    result = _run("-m", "tests.ha_free")
    assert result.returncode == 0, result.stderr
    expected = set()
    for sub in HA_FREE:
        for path in (PACKAGE_DIR / sub).rglob("*.py"):
            parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            expected.add(".".join((PACKAGE, *parts)))
    assert set(result.stdout.split()) == expected


@pytest.mark.parametrize(
    "module",
    [
        "homeassistant.core",
        f"{PACKAGE}.const",
        f"{PACKAGE}.coordinator",
    ],
)
def test_the_blocker_refuses_home_assistant_and_glue(module: str) -> None:
    """The check above can fail: Home Assistant and the glue do not import under it."""
    code = f"import tests.ha_free as h; h.install(); import {module}"
    result = _run("-c", code)
    assert result.returncode != 0
    assert "ModuleNotFoundError" in result.stderr
    assert "blocked" in result.stderr


def test_core_tests_pass_without_home_assistant() -> None:
    """tests/engine, tests/sources and tests/store run green with Home Assistant blocked."""
    result = _run(
        "-m",
        "pytest",
        "-p",
        "tests.ha_free",
        "-p",
        "pytest_asyncio.plugin",
        "-p",
        "pytest_socket",
        "--confcutdir",
        "tests/engine",
        "-q",
        "tests/engine",
        "tests/sources",
        "tests/store",
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def _imported_packages(path: Path) -> set[str]:
    """The integration's subpackages that the module at `path` imports (absolute or relative)."""
    own = path.relative_to(PACKAGE_DIR).parts
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.ImportFrom) and node.level:
            holder = own[:-1]  # the package the module is in; level 1 means it
            base = holder[: len(holder) - (node.level - 1)]
            resolved = (*base, *(node.module.split(".") if node.module else ()))
            found.add(resolved[0] if resolved else node.names[0].name)
        for name in names:
            if name.startswith(f"{PACKAGE}."):
                found.add(name.split(".")[2])
    return found


@pytest.mark.parametrize("package", HA_FREE)
def test_layers_import_only_themselves_and_model(package: str) -> None:
    """sources, engine and store share nothing but model; model imports none of them."""
    allowed = {package} if package == "model" else {package, "model"}
    wrong = {
        str(path.relative_to(PACKAGE_DIR)): sorted(imported - allowed)
        for path in (PACKAGE_DIR / package).rglob("*.py")
        if (imported := _imported_packages(path)) - allowed
    }
    assert wrong == {}
