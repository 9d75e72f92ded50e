"""Detect configuration changes (setpoints, schedules, programs) between polls.

A reading's ``settings`` map (key -> value the device reports) is compared with
a *baseline*: the last known canonical string of every key. Rules:

* **Canonical strings.** Values are normalised before comparing and reporting:
  floats are rounded to 0.1 and written without trailing noise (``21.0`` ->
  ``"21"``, ``21.5`` -> ``"21.5"``, ``21.00000001`` -> ``"21"``); ints as
  ``str(int)``; bools as ``"true"``/``"false"``; dicts/lists/tuples (and
  strings holding a JSON object or array) as canonical JSON (sorted keys, no
  spaces, nested floats rounded the same way); other strings are stripped of
  surrounding whitespace. ``None``, NaN and infinity mean "not reported".
* **No flood at setup.** The first update of a detector created without a
  baseline only stores the baseline and reports nothing.
* **Changes while Home Assistant was down.** A detector created with a restored
  (persisted) baseline compares the first update with it, so a change made
  while HA was down is reported once, at the first update, and then becomes
  the baseline (persist :meth:`ChangeDetector.baseline` after each update).
* **A missing key is not a change.** A key that is absent or None in a poll
  (the device did not report it this time) keeps its last known value; nothing
  is reported, and when the key comes back with the same value nothing is
  reported either.
* **A new key is not a change.** A key seen for the first time after the
  baseline exists (e.g. a second circuit's schedule that appeared, or a key
  whose baseline value was None) is added to the baseline silently: it is new
  information, not a change of configuration.
* At most one change per key per update (a mapping has each key once);
  changes are returned sorted by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
import json
import logging
import math
from typing import Any

_LOGGER = logging.getLogger(__name__)


class ChangeKind(StrEnum):
    """The change log's kinds (the contract's event types)."""

    SETPOINT = "setpoint_changed"
    SCHEDULE = "schedule_changed"
    MODE = "mode_changed"
    NOTE = "note_added"


def classify(key: str) -> ChangeKind:
    """Kind of a settings key: ``*schedule*`` -> SCHEDULE, ``*program*``/``*mode*`` -> MODE.

    Everything else (temperatures, heating curve) is a SETPOINT.
    """
    lowered = key.lower()
    if "schedule" in lowered:
        return ChangeKind.SCHEDULE
    if "program" in lowered or "mode" in lowered:
        return ChangeKind.MODE
    return ChangeKind.SETPOINT


def _format_float(value: float) -> str | None:
    if not math.isfinite(value):
        return None
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _canonical_structure(value: object) -> Any:
    """JSON-ready copy of `value` with floats rounded to 0.1 (integral ones as int)."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        text = _format_float(value)
        if text is None:
            return None
        return float(text) if "." in text else int(text)
    if isinstance(value, Mapping):
        return {str(k): _canonical_structure(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical_structure(v) for v in value]
    return str(value)


def _dump_json(value: object) -> str:
    return json.dumps(
        _canonical_structure(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def normalize_value(value: object) -> str | None:
    """The canonical string of a setting value, or None for "not reported"."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_float(value)
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("{", "["):
            try:
                parsed = json.loads(text)
            except ValueError:
                return text
            return _dump_json(parsed)
        return text
    if isinstance(value, (Mapping, list, tuple)):
        return _dump_json(value)
    return str(value).strip()


@dataclass(frozen=True, slots=True)
class DetectedChange:
    """One setting that changed: canonical old and new strings."""

    key: str
    kind: ChangeKind
    old: str | None
    new: str | None


class ChangeDetector:
    """Compares successive ``settings`` maps with a (persistable) baseline."""

    def __init__(self, baseline: dict[str, str | None] | None = None) -> None:
        """Start empty (first update is silent) or from a restored `baseline`."""
        self._baseline: dict[str, str] | None = None
        if baseline is not None:
            # Restored values are re-normalised (they may come from an older
            # version); None entries carry no information and are dropped.
            self._baseline = {}
            for key, value in baseline.items():
                text = normalize_value(value)
                if text is not None:
                    self._baseline[str(key)] = text

    @property
    def has_baseline(self) -> bool:
        """Whether a baseline exists (restored, or stored by a first update)."""
        return self._baseline is not None

    def update(self, settings: Mapping[str, object]) -> list[DetectedChange]:
        """Compare `settings` with the baseline, update it, return the changes."""
        current = {str(key): normalize_value(value) for key, value in settings.items()}
        if self._baseline is None:
            self._baseline = {key: value for key, value in current.items() if value is not None}
            return []
        changes: list[DetectedChange] = []
        for key in sorted(current):
            new = current[key]
            if new is None:
                continue  # not reported this time: keep the last known value
            old = self._baseline.get(key)
            self._baseline[key] = new
            if old is None or old == new:
                continue  # first sighting (silent) or unchanged
            changes.append(DetectedChange(key=key, kind=classify(key), old=old, new=new))
        return changes

    def baseline(self) -> dict[str, str | None]:
        """A copy of the baseline, to persist (empty before the first update)."""
        return dict(self._baseline or {})


def dump_baseline(baseline: Mapping[str, str | None]) -> str:
    """JSON text of a baseline (for ``ChangeLog.set_state``)."""
    return json.dumps(dict(baseline), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def load_baseline(text: str | None) -> dict[str, str | None] | None:
    """Parse :func:`dump_baseline`'s text; None (no baseline) for None or unreadable text.

    Unreadable text is logged and treated as "no baseline", so the next update
    quietly stores a fresh one instead of reporting anything.
    """
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        _LOGGER.warning("Ignoring an unreadable change-detector baseline")
        return None
    if not isinstance(data, dict):
        _LOGGER.warning("Ignoring a change-detector baseline that is not a JSON object")
        return None
    return {str(key): None if value is None else str(value) for key, value in data.items()}
