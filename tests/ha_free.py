"""Run the Home Assistant-free layers with Home Assistant made unimportable.

``model/``, ``sources/``, ``engine/`` and ``store/`` must work without Home
Assistant (docs/architecture.md). The integration's own ``__init__.py`` is Home
Assistant glue (HA's loader and hassfest look for ``async_setup_entry`` and
``CONFIG_SCHEMA`` there), so importing any subpackage the usual way runs it.
Here a bare package stands in for it, and a meta-path finder refuses
``homeassistant`` and every glue module of the integration: whatever still
imports, imports without them.

    python -m tests.ha_free                     # import every module, print their names
    PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 python -m pytest -p tests.ha_free \\
        -p pytest_asyncio.plugin --confcutdir tests/engine tests/engine tests/store
"""

from __future__ import annotations

from collections.abc import Sequence
import importlib
import importlib.abc
import importlib.machinery
from pathlib import Path
import pkgutil
import sys
import types

PACKAGE = "custom_components.heatpump_stats"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / "custom_components" / "heatpump_stats"
HA_FREE = ("model", "sources", "engine", "store")
BLOCKED_TOP_LEVEL = ("homeassistant", "pytest_homeassistant_custom_component")


class _Blocker(importlib.abc.MetaPathFinder):
    """Refuse Home Assistant and the integration's glue modules."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] in BLOCKED_TOP_LEVEL:
            raise ModuleNotFoundError(f"{fullname} is blocked (no Home Assistant)", name=fullname)
        parts = fullname.split(".")
        if fullname.startswith(f"{PACKAGE}.") and parts[2] not in HA_FREE:
            raise ModuleNotFoundError(f"{fullname} is Home Assistant glue (blocked)", name=fullname)
        return None


def install() -> None:
    """Block Home Assistant and stand a bare package in for the integration's ``__init__``."""
    if any(name.partition(".")[0] in BLOCKED_TOP_LEVEL for name in sys.modules):
        raise RuntimeError("Home Assistant is already imported")
    sys.meta_path.insert(0, _Blocker())
    importlib.import_module("custom_components")
    package = types.ModuleType(PACKAGE, "Stand-in for the Home Assistant glue __init__.")
    package.__path__ = [str(PACKAGE_DIR)]
    package.__package__ = PACKAGE
    sys.modules[PACKAGE] = package


def import_all() -> list[str]:
    """Import every module of the HA-free packages; return their names."""
    names: list[str] = []
    for sub in HA_FREE:
        name = f"{PACKAGE}.{sub}"
        importlib.import_module(name)
        names.append(name)
        for info in pkgutil.walk_packages([str(PACKAGE_DIR / sub)], f"{name}."):
            importlib.import_module(info.name)
            names.append(info.name)
    return names


def pytest_configure() -> None:
    """As a pytest plugin (``-p tests.ha_free``): block before any test module is imported."""
    install()


if __name__ == "__main__":
    install()
    print("\n".join(import_all()))
