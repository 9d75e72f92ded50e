"""Helpers of the store tests."""

from collections.abc import Iterator

from custom_components.heatpump_stats.store.changelog import ChangeLog
from custom_components.heatpump_stats.store.samples import SampleStore


def opened[T: ChangeLog | SampleStore](handle: T) -> Iterator[T]:
    """`handle` opened for one test, closed after it (``yield from`` it in a fixture)."""
    handle.open()
    yield handle
    handle.close()
