"""The simulated user's settings and their seeded changes (see the package docstring)."""

from __future__ import annotations

from .physics import DAY_S, seeded_rng

# Settings and their seeded changes.
SETTINGS_MIN_INTERVAL_D = 1.5
SETTINGS_MAX_INTERVAL_D = 4.5
# ... except the first, 8-14 minutes after the start (after the baseline poll).
FIRST_SETTINGS_MIN_S = 8 * 60.0
FIRST_SETTINGS_MAX_S = 14 * 60.0
SETTINGS_REVERT_PROBABILITY = 0.5
DEFAULT_SETTINGS: dict[str, str | float] = {
    "heating_curve_slope": 0.8,
    "comfort_temperature": 20.0,
    "reduced_temperature": 17.0,
    "dhw_target_temperature": 50.0,
    "heating_schedule": "06:00-22:00",
    "dhw_schedule": "06:00,18:00",
    "operating_program": "normal",
}
SETTING_OPTIONS: dict[str, tuple[str | float, ...]] = {
    "heating_curve_slope": (0.6, 0.7, 0.8, 0.9, 1.0),
    "comfort_temperature": (19.5, 20.0, 20.5, 21.0),
    "reduced_temperature": (16.0, 17.0, 18.0),
    "dhw_target_temperature": (48.0, 50.0, 52.0, 55.0),
    "heating_schedule": ("06:00-22:00", "05:30-22:00", "06:00-21:00", "06:30-22:30"),
    "dhw_schedule": ("06:00,18:00", "05:30,17:30", "06:00,17:00"),
    "operating_program": ("normal", "comfort", "reduced"),
}
SETTING_WEIGHTS: dict[str, float] = {
    "heating_curve_slope": 3.0,
    "comfort_temperature": 2.0,
    "reduced_temperature": 1.0,
    "dhw_target_temperature": 2.0,
    "heating_schedule": 1.0,
    "dhw_schedule": 1.0,
    "operating_program": 1.0,
}


def settings_interval(seed: int, index: int) -> float:
    """Seconds from settings change `index - 1` (the start, for 0) to change `index`."""
    rng = seeded_rng(seed, "settings-interval", index)
    if index == 0:
        # The first change comes soon, so a first session sees one detected.
        return rng.uniform(FIRST_SETTINGS_MIN_S, FIRST_SETTINGS_MAX_S)
    return rng.uniform(SETTINGS_MIN_INTERVAL_D, SETTINGS_MAX_INTERVAL_D) * DAY_S


def change_settings(seed: int, index: int, settings: dict[str, str | float]) -> None:
    """Apply settings change `index` to `settings` (in place): one setting changes."""
    rng = seeded_rng(seed, "settings", index)
    changed = [k for k in SETTING_WEIGHTS if settings[k] != DEFAULT_SETTINGS[k]]
    if changed and rng.random() < SETTINGS_REVERT_PROBABILITY:
        # Users mostly try something and go back, so settings do not drift away.
        key = rng.choice(changed)
        settings[key] = DEFAULT_SETTINGS[key]
    else:
        keys = list(SETTING_WEIGHTS)
        key = rng.choices(keys, weights=[SETTING_WEIGHTS[k] for k in keys])[0]
        current = settings[key]
        options = [o for o in SETTING_OPTIONS[key] if o != current]
        if key == "heating_curve_slope" and isinstance(current, float):
            options = [o for o in options if isinstance(o, float) and abs(o - current) < 0.15]
        settings[key] = rng.choice(options)
