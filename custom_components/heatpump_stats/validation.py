"""Service input at the edges: times that do not exist in UTC, text SQLite cannot store.

Voluptuous accepts any `datetime` Python can build, e.g. ``9999-12-31T23:59:59-12:00``,
which has no UTC equivalent (``OverflowError``), and any `str`, e.g. one with a lone
UTF-16 surrogate, which has no UTF-8 form (``UnicodeEncodeError``). Both become a
translated :class:`ServiceValidationError` here, before anything is computed or written.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Final

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .store.changelog import ChangeLogError

# Enough room for the windows our services compute (a week before `date`, a
# period after `start`), so the arithmetic after this check cannot overflow.
_MARGIN: Final = timedelta(days=8)
_FIRST: Final = datetime.min.replace(tzinfo=dt_util.UTC) + _MARGIN
_LAST: Final = datetime.max.replace(tzinfo=dt_util.UTC) - _MARGIN


def invalid_time(value: object) -> ServiceValidationError:
    """The translated error for a time outside what can be handled."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="invalid_time",
        translation_placeholders={"value": str(value)},
    )


def service_utc(value: datetime) -> datetime:
    """`value` in UTC; a time without a zone is local to Home Assistant, as in the UI.

    Raises a translated ServiceValidationError (``invalid_time``) for a time
    that has no UTC equivalent or lies within a week of datetime's limits.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt_util.get_default_time_zone())
    try:
        utc = dt_util.as_utc(value)
    except OverflowError as err:
        raise invalid_time(value.isoformat()) from err
    if not _FIRST <= utc <= _LAST:
        raise invalid_time(value.isoformat())
    return utc


def check_text(value: str) -> str:
    """`value` unchanged, or a translated ``invalid_text`` error when it has no UTF-8 form."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="invalid_text"
        ) from err
    return value


def note_message(value: str, max_length: int) -> str:
    """`value` stripped, or the translated ``invalid_note`` error (empty, too long)."""
    message = check_text(value.strip())
    if not message or len(message) > max_length:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_note",
            translation_placeholders={"max": str(max_length)},
        )
    return message


async def async_changelog[T](pending: Awaitable[T]) -> T:
    """`pending`'s result; a failing change log as the translated ``changelog_error``."""
    try:
        return await pending
    except ChangeLogError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="changelog_error",
            translation_placeholders={"error": str(err)},
        ) from err
