"""Tests of the configuration change detector."""

from __future__ import annotations

import pytest

from custom_components.heatpump_stats.engine.changes import (
    ChangeDetector,
    ChangeKind,
    DetectedChange,
    classify,
    dump_baseline,
    load_baseline,
    normalize_value,
)

SCHEDULE_A = {
    "active": True,
    "mon": [{"start": "06:00", "end": "22:00", "mode": "normal", "position": 0}],
}
SCHEDULE_B = {
    "active": True,
    "mon": [{"start": "05:30", "end": "22:00", "mode": "normal", "position": 0}],
}


def _settings(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "heating_curve_slope": 1.4,
        "comfort_temperature": 21.0,
        "reduced_temperature": 18.0,
        "dhw_target_temperature": 50.0,
        "heating_schedule_circuit_0": normalize_value(SCHEDULE_A),
        "dhw_schedule": '{"mon": [{"start": "05:00", "end": "07:00"}]}',
        "operating_program": "normal",
        "operating_mode_setting": "heating_dhw",
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("heating_schedule", ChangeKind.SCHEDULE),
        ("heating_schedule_circuit_0", ChangeKind.SCHEDULE),
        ("dhw_schedule", ChangeKind.SCHEDULE),
        ("circulation_schedule", ChangeKind.SCHEDULE),
        ("operating_program", ChangeKind.MODE),
        ("operating_mode_setting", ChangeKind.MODE),
        ("comfort_temperature", ChangeKind.SETPOINT),
        ("dhw_target_temperature", ChangeKind.SETPOINT),
        ("heating_curve_slope", ChangeKind.SETPOINT),
        ("current_desired_temperature", ChangeKind.SETPOINT),
    ],
)
def test_classify(key: str, kind: ChangeKind) -> None:
    assert classify(key) is kind


def test_kind_values_are_the_contract_event_types() -> None:
    assert [k.value for k in ChangeKind] == [
        "setpoint_changed",
        "schedule_changed",
        "mode_changed",
        "note_added",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (21.0, "21"),
        (21.5, "21.5"),
        (21.00000001, "21"),
        (20.99999, "21"),
        (-0.01, "0"),
        (1.45, "1.4"),  # binary 1.45 is just below, so it rounds down consistently
        (float("nan"), None),
        (float("inf"), None),
        (21, "21"),
        (True, "true"),
        ("  normal ", "normal"),
        ({"b": 1, "a": [1.0, 2.25]}, '{"a":[1,2.2],"b":1}'),
        ('{ "b": 1, "a": 2 }', '{"a":2,"b":1}'),
        ("[not json", "[not json"),
    ],
)
def test_normalize_value(value: object, expected: str | None) -> None:
    assert normalize_value(value) == expected


def test_first_update_without_baseline_reports_nothing() -> None:
    detector = ChangeDetector()
    had_baseline = detector.has_baseline
    assert detector.update(_settings()) == []
    assert (had_baseline, detector.has_baseline) == (False, True)
    assert detector.baseline()["comfort_temperature"] == "21"
    assert detector.update(_settings()) == []


def test_schedule_edit_one_schedule_change() -> None:
    detector = ChangeDetector()
    detector.update(_settings())
    # Same schedule serialised with another key order: not a change.
    reordered = '{"mon": [{"position": 0, "mode": "normal", "end": "22:00", "start": "06:00"}],'
    reordered += ' "active": true}'
    assert detector.update(_settings(heating_schedule_circuit_0=reordered)) == []
    changes = detector.update(_settings(heating_schedule_circuit_0=SCHEDULE_B))
    assert changes == [
        DetectedChange(
            key="heating_schedule_circuit_0",
            kind=ChangeKind.SCHEDULE,
            old=normalize_value(SCHEDULE_A),
            new=normalize_value(SCHEDULE_B),
        )
    ]
    assert changes[0].new is not None
    assert '"start":"05:30"' in changes[0].new
    assert detector.update(_settings(heating_schedule_circuit_0=SCHEDULE_B)) == []


def test_setpoint_edit_one_setpoint_change() -> None:
    detector = ChangeDetector()
    detector.update(_settings())
    changes = detector.update(_settings(comfort_temperature=21.5))
    assert changes == [
        DetectedChange(key="comfort_temperature", kind=ChangeKind.SETPOINT, old="21", new="21.5")
    ]
    assert detector.update(_settings(comfort_temperature=21.5)) == []


def test_program_change_is_mode() -> None:
    detector = ChangeDetector()
    detector.update(_settings())
    changes = detector.update(_settings(operating_program="reduced"))
    assert changes == [
        DetectedChange(key="operating_program", kind=ChangeKind.MODE, old="normal", new="reduced")
    ]


def test_several_keys_one_change_each_sorted() -> None:
    detector = ChangeDetector()
    detector.update(_settings())
    changes = detector.update(
        _settings(reduced_temperature=17.0, dhw_target_temperature=48.0, heating_curve_slope=1.2)
    )
    assert [(c.key, c.old, c.new) for c in changes] == [
        ("dhw_target_temperature", "50", "48"),
        ("heating_curve_slope", "1.4", "1.2"),
        ("reduced_temperature", "18", "17"),
    ]


def test_float_noise_is_not_a_change() -> None:
    detector = ChangeDetector()
    detector.update(_settings(comfort_temperature=21.0))
    assert detector.update(_settings(comfort_temperature=21.00000001)) == []
    assert detector.update(_settings(comfort_temperature=20.9999999)) == []
    assert detector.update(_settings(comfort_temperature=21)) == []


def test_restored_baseline_reports_change_while_down_once() -> None:
    before = ChangeDetector()
    before.update(_settings())
    persisted = dump_baseline(before.baseline())

    # Home Assistant restarts; meanwhile the user lowered the DHW target.
    after = ChangeDetector(load_baseline(persisted))
    first = after.update(_settings(dhw_target_temperature=45.0))
    assert first == [
        DetectedChange(key="dhw_target_temperature", kind=ChangeKind.SETPOINT, old="50", new="45")
    ]
    assert after.update(_settings(dhw_target_temperature=45.0)) == []

    # And after another restart from the updated baseline, still only once.
    again = ChangeDetector(load_baseline(dump_baseline(after.baseline())))
    assert again.update(_settings(dhw_target_temperature=45.0)) == []


def test_restored_baseline_unchanged_reports_nothing() -> None:
    before = ChangeDetector()
    before.update(_settings())
    after = ChangeDetector(before.baseline())
    assert after.update(_settings()) == []


def test_missing_key_is_not_a_change() -> None:
    detector = ChangeDetector()
    detector.update(_settings())
    partial = _settings(comfort_temperature=None)
    del partial["dhw_schedule"]
    assert detector.update(partial) == []
    assert detector.baseline()["comfort_temperature"] == "21"
    assert "dhw_schedule" in detector.baseline()
    # Back with the same value: nothing; back with another value: a change from the last known.
    assert detector.update(_settings()) == []
    changes = detector.update(_settings(comfort_temperature=22.0))
    assert [(c.key, c.old, c.new) for c in changes] == [("comfort_temperature", "21", "22")]


def test_new_key_after_baseline_is_added_silently() -> None:
    detector = ChangeDetector()
    detector.update(_settings(circulation_schedule=None))
    assert "circulation_schedule" not in detector.baseline()
    assert detector.update(_settings(circulation_schedule="06:00-07:00")) == []
    assert detector.baseline()["circulation_schedule"] == "06:00-07:00"
    changes = detector.update(_settings(circulation_schedule="06:00-08:00"))
    assert [(c.key, c.kind, c.old, c.new) for c in changes] == [
        ("circulation_schedule", ChangeKind.SCHEDULE, "06:00-07:00", "06:00-08:00")
    ]


def test_restored_baseline_none_values_are_unknown() -> None:
    detector = ChangeDetector({"comfort_temperature": None, "reduced_temperature": "18"})
    assert detector.update({"comfort_temperature": 21.0, "reduced_temperature": 18.0}) == []
    assert detector.baseline() == {"comfort_temperature": "21", "reduced_temperature": "18"}


def test_load_baseline_tolerates_garbage() -> None:
    assert load_baseline(None) is None
    assert load_baseline("not json") is None
    assert load_baseline("[1, 2]") is None
    assert load_baseline('{"a": "1", "b": null}') == {"a": "1", "b": None}
    # Garbage means "no baseline": the next update is silent.
    detector = ChangeDetector(load_baseline("not json"))
    assert detector.update(_settings()) == []


def test_baseline_is_a_copy() -> None:
    detector = ChangeDetector()
    detector.update(_settings())
    snapshot = detector.baseline()
    snapshot["comfort_temperature"] = "99"
    assert detector.update(_settings()) == []
