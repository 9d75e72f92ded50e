"""Read back the history Home Assistant's own InfluxDB integration wrote.

No Home Assistant import: the two blocking clients HA's ``influxdb``
integration pins (``influxdb`` for API v1 / InfluxQL, ``influxdb-client`` for
API v2 / Flux) are used as they are, and every call here blocks, so the HA
glue runs them in the executor.

The layout read is HA's default, whatever ``measurement_attr`` or
``override_measurement`` the user configured: a point has the tags
``domain`` (``sensor``) and ``entity_id`` (the object id, without the domain),
the numeric state in the field ``value`` and a non-numeric state in the field
``state``. The measurement (the unit of measurement by default, else the
entity id, or one override for everything) is not needed to find a series:
queries select on the two tags across all measurements (InfluxQL's
``FROM /.*/``, Flux filters on tags), so every ``measurement_attr`` choice
reads the same.

Long periods are aggregated on the server (``GROUP BY time(...)`` /
``aggregateWindow``): a year of an entity at an hourly window is 8,760
points, never the raw million.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import math
from typing import Any, Final, Literal, NamedTuple

API_V1: Final = "1"
API_V2: Final = "2"

#: How the points of a window are folded on the server.
type Aggregate = Literal["mean", "last", "max", "min"]

DEFAULT_TIMEOUT_S: Final = 30.0


class InfluxError(Exception):
    """Base class of the InfluxDB history errors."""


class InfluxConnectionError(InfluxError):
    """The server could not be reached, timed out or answered with a server error."""


class InfluxAuthError(InfluxError):
    """The server refused the credentials (HTTP 401/403)."""


class InfluxNotFoundError(InfluxError):
    """The database (v1) or bucket/organisation (v2) does not exist."""


@dataclass(frozen=True, kw_only=True)
class InfluxConfig:
    """Where the history is and how to sign in (the entry's InfluxDB options)."""

    url: str
    api_version: str = API_V1
    # API v1
    database: str = "home_assistant"
    username: str | None = None
    password: str | None = None
    # API v2
    bucket: str | None = None
    org: str | None = None
    token: str | None = None
    verify_ssl: bool = True
    timeout_s: float = DEFAULT_TIMEOUT_S


def split_entity_id(entity_id: str) -> tuple[str, str]:
    """``sensor.outside`` -> (``sensor``, ``outside``): HA's ``domain`` and ``entity_id`` tags."""
    domain, sep, object_id = entity_id.partition(".")
    if not sep or not domain or not object_id:
        raise ValueError(f"not an entity id: {entity_id!r}")
    return domain, object_id


def _utc(ts: datetime) -> datetime:
    if ts.tzinfo is None or ts.utcoffset() is None:
        return ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC)


def _rfc3339(ts: datetime) -> str:
    return _utc(ts).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _quote_string(value: str) -> str:
    """An InfluxQL/Flux string literal: backslash and quote escaped."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _flux_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _duration(every: timedelta) -> str:
    seconds = int(every.total_seconds())
    if seconds <= 0:
        raise ValueError("an aggregation window must be at least one second")
    return f"{seconds}s"


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def _parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, int):  # InfluxQL with epoch="u": microseconds, exact
        return _EPOCH + timedelta(microseconds=value)
    text = str(value)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # InfluxDB writes up to nanoseconds; datetime takes microseconds.
    head, dot, tail = text.partition(".")
    if dot:
        digits = "".join(ch for ch in tail if ch.isdigit())
        zone = tail[len(digits) :]
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    return _utc(datetime.fromisoformat(text))


def _finite(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


class _Query(NamedTuple):
    domain: str
    object_id: str
    field: str
    start: datetime | None
    end: datetime
    every: timedelta | None
    aggregate: Aggregate
    newest_only: bool


class InfluxHistory:
    """Blocking reader of one InfluxDB server (create, query, ``close``).

    Every method blocks on the network: call it from an executor thread.
    """

    def __init__(self, config: InfluxConfig) -> None:
        """Prepare a reader; the connection opens on first use."""
        if config.api_version not in (API_V1, API_V2):
            raise ValueError(f"InfluxDB API version must be 1 or 2, not {config.api_version!r}")
        self.config = config
        self._client: Any = None

    # -- the two clients ---------------------------------------------------

    def _v1(self) -> Any:
        if self._client is None:
            from urllib.parse import urlsplit  # noqa: PLC0415

            from influxdb import InfluxDBClient  # noqa: PLC0415  (loaded on first use)

            parts = urlsplit(self.config.url)
            self._client = InfluxDBClient(
                host=parts.hostname or "localhost",
                port=parts.port or (443 if parts.scheme == "https" else 8086),
                path=parts.path.rstrip("/"),
                ssl=parts.scheme == "https",
                verify_ssl=self.config.verify_ssl,
                username=self.config.username or "",
                password=self.config.password or "",
                database=self.config.database,
                timeout=self.config.timeout_s,
                retries=1,
            )
        return self._client

    def _v2(self) -> Any:
        if self._client is None:
            from influxdb_client.client.influxdb_client import (  # noqa: PLC0415
                InfluxDBClient as InfluxDBClientV2,
            )

            self._client = InfluxDBClientV2(
                url=self.config.url,
                token=self.config.token or "",
                org=self.config.org or "",
                verify_ssl=self.config.verify_ssl,
                timeout=int(self.config.timeout_s * 1000),
            )
        return self._client

    def close(self) -> None:
        """Release the HTTP connections."""
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- errors ----------------------------------------------------------

    def _map_error(self, err: Exception) -> InfluxError:
        from influxdb.exceptions import (  # noqa: PLC0415
            InfluxDBClientError,
            InfluxDBServerError,
        )
        import requests  # noqa: PLC0415
        import urllib3  # noqa: PLC0415

        status = getattr(err, "code", None) or getattr(err, "status", None)
        text = str(err)
        if status in (401, 403) or "authorization failed" in text.lower():
            return InfluxAuthError(text)
        if status == 404 or "not found" in text.lower():
            return InfluxNotFoundError(text)
        if isinstance(
            err,
            (
                InfluxDBServerError,
                requests.exceptions.RequestException,
                urllib3.exceptions.HTTPError,
                OSError,
            ),
        ):
            return InfluxConnectionError(text)
        if isinstance(err, InfluxDBClientError):
            return InfluxError(text)
        return InfluxError(text)

    # -- public queries --------------------------------------------------

    def test_connection(self) -> None:
        """Raise an :class:`InfluxError` unless the database/bucket can be queried."""
        try:
            if self.config.api_version == API_V1:
                client = self._v1()
                names = {db["name"] for db in client.get_list_database()}
                if self.config.database not in names:
                    raise InfluxNotFoundError(f"database {self.config.database!r} does not exist")
            elif not self._flux_rows(
                f"buckets() |> filter(fn: (r) => r.name == {_flux_string(self._bucket())})"
            ):
                raise InfluxNotFoundError(f"bucket {self._bucket()!r} does not exist")
        except InfluxError:
            raise
        except Exception as err:  # two clients, many error types
            raise self._map_error(err) from err

    def numeric(
        self,
        entity_id: str,
        start: datetime,
        end: datetime,
        *,
        every: timedelta | None = None,
        aggregate: Aggregate = "mean",
    ) -> list[tuple[datetime, float]]:
        """Numeric states of `entity_id` in [start, end), oldest first.

        With `every`, one point per window folded on the server by
        `aggregate` (the window's start time); without it, the raw points.
        """
        return [
            (ts, number)
            for ts, value in self._series(
                entity_id, "value", start, end, every=every, aggregate=aggregate
            )
            if (number := _finite(value)) is not None
        ]

    def states(self, entity_id: str, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
        """Raw string states (the ``state`` field: enums such as the operating mode)."""
        return [
            (ts, str(value))
            for ts, value in self._series(
                entity_id, "state", start, end, every=None, aggregate="last"
            )
            if value is not None
        ]

    def last_before(self, entity_id: str, ts: datetime) -> float | None:
        """The newest numeric state before `ts` (a counter's value at a period's start)."""
        points = self._series(
            entity_id, "value", None, ts, every=None, aggregate="last", newest_only=True
        )
        for _, value in points:
            return _finite(value)
        return None

    def last_state_before(self, entity_id: str, ts: datetime) -> str | None:
        """The newest string state before `ts` (a mode's value at a period's start)."""
        points = self._series(
            entity_id, "state", None, ts, every=None, aggregate="last", newest_only=True
        )
        for _, value in points:
            return None if value is None else str(value)
        return None

    # -- the query builders ------------------------------------------------

    def _series(
        self,
        entity_id: str,
        field: str,
        start: datetime | None,
        end: datetime,
        *,
        every: timedelta | None,
        aggregate: Aggregate,
        newest_only: bool = False,
    ) -> list[tuple[datetime, Any]]:
        domain, object_id = split_entity_id(entity_id)
        query = _Query(domain, object_id, field, start, end, every, aggregate, newest_only)
        try:
            if self.config.api_version == API_V1:
                rows = self._series_v1(query)
            else:
                rows = self._series_v2(query)
        except InfluxError:
            raise
        except Exception as err:  # two clients, many error types
            raise self._map_error(err) from err
        # One series per measurement the entity was written to (a changed
        # unit, say): merged by time.
        rows.sort(key=lambda row: row[0])
        return rows[-1:] if newest_only else rows

    def _series_v1(self, q: _Query) -> list[tuple[datetime, Any]]:
        where = [
            f"\"entity_id\" = '{_quote_string(q.object_id)}'",
            f"\"domain\" = '{_quote_string(q.domain)}'",
            f"time < '{_rfc3339(q.end)}'",
        ]
        if q.start is not None:
            where.append(f"time >= '{_rfc3339(q.start)}'")
        column = f'"{q.field}"'
        tail = ""
        if q.newest_only:
            select = f"LAST({column})"
        elif q.every is not None:
            select = f"{q.aggregate.upper()}({column})"
            tail = f" GROUP BY time({_duration(q.every)}) fill(none)"
        else:
            select = column
        result = self._v1().query(
            # Integer microseconds parse several times faster than RFC 3339 text.
            f"SELECT {select} FROM /.*/ WHERE {' AND '.join(where)}{tail}",
            epoch="u",
        )
        rows: list[tuple[datetime, Any]] = []
        for measurement, _tags in result.keys():  # noqa: SIM118  (ResultSet, not a dict)
            for point in result.get_points(measurement=measurement):
                value = next((v for k, v in point.items() if k != "time"), None)
                rows.append((_parse_time(point["time"]), value))
        return rows

    def _bucket(self) -> str:
        if not self.config.bucket:
            raise InfluxNotFoundError("no bucket configured")
        return self.config.bucket

    def _flux(self, query: str) -> Any:
        return self._v2().query_api().query(query, org=self.config.org)

    def _flux_rows(self, query: str) -> list[Any]:
        return [record for table in self._flux(query) for record in table.records]

    def _series_v2(self, q: _Query) -> list[tuple[datetime, Any]]:
        begin = _rfc3339(q.start) if q.start is not None else "0"
        lines = [
            f"from(bucket: {_flux_string(self._bucket())})",
            f"  |> range(start: {begin}, stop: {_rfc3339(q.end)})",
            "  |> filter(fn: (r) => "
            f"r.entity_id == {_flux_string(q.object_id)} and r.domain == {_flux_string(q.domain)} "
            f"and r._field == {_flux_string(q.field)})",
            '  |> group(columns: ["_field"])',
        ]
        if q.newest_only:
            lines.append('  |> sort(columns: ["_time"]) |> last()')
        elif q.every is not None:
            lines.append(
                f"  |> aggregateWindow(every: {_duration(q.every)}, fn: {q.aggregate}, "
                'createEmpty: false, timeSrc: "_start")'
            )
        else:
            lines.append('  |> sort(columns: ["_time"])')
        return [
            (_parse_time(record.get_time()), record.get_value())
            for record in self._flux_rows("\n".join(lines))
        ]
