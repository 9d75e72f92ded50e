"""InfluxDB history reader against a real InfluxDB 1.x server and a v2 wire server.

The points are written the way Home Assistant's ``influxdb`` integration
writes them by default (homeassistant/components/influxdb/__init__.py,
``event_to_json``): measurement = unit of measurement (else the entity id),
tags ``domain`` and ``entity_id`` (object id), numeric state in ``value``,
non-numeric state in ``state``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from aiohttp import web
from influxdb import InfluxDBClient
import pytest
import pytest_socket

from custom_components.heatpump_stats.store.influxdb import (
    API_V2,
    InfluxAuthError,
    InfluxConfig,
    InfluxConnectionError,
    InfluxHistory,
    InfluxNotFoundError,
    split_entity_id,
)
from tests.simulators.influxdb_server import influxd_binary, run_influxd

pytestmark = pytest.mark.usefixtures("socket_enabled")

T0 = datetime(2026, 1, 10, tzinfo=UTC)
DB = "home_assistant"


@pytest.fixture(scope="module")
def influx_url() -> Iterator[str]:
    """One real server for the module (starting one takes about a second)."""
    binary = influxd_binary()
    if binary is None:
        pytest.skip("influxd is not installed: scripts/setup unpacks it into .toolchain/influxdb")
    # Module fixtures run after the HA plugin blocked sockets for the first
    # test; the server is on loopback, which the tests allow anyway.
    pytest_socket.enable_socket()
    with run_influxd(binary) as url:
        yield url


def _point(measurement: str, object_id: str, ts: datetime, **fields: object) -> dict[str, object]:
    domain, _, object_id = object_id.partition(".")
    return {
        "measurement": measurement,
        "tags": {"domain": domain, "entity_id": object_id},
        "time": ts.isoformat(),
        "fields": fields,
    }


@pytest.fixture
def database(influx_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database per test, filled as HA writes: two hours of a heat pump."""
    name = f"t_{request.node.name[:40].replace('[', '_').replace(']', '_').replace('-', '_')}"
    port = int(influx_url.rsplit(":", 1)[1])
    client = InfluxDBClient(host="127.0.0.1", port=port, database=name)
    client.create_database(name)
    points = []
    for minute in range(0, 120, 10):
        ts = T0 + timedelta(minutes=minute)
        # Counter: 1 kWh per 10 minutes from 100 kWh.
        points.append(_point("kWh", "sensor.hp_thermal_energy", ts, value=100.0 + minute / 10))
        # Temperature: -2 °C in the first hour, +4 °C in the second.
        points.append(_point("°C", "sensor.hp_outside", ts, value=-2.0 if minute < 60 else 4.0))
        # An enum without a unit: measurement = entity id, string field `state`.
        mode = "heating" if minute < 90 else "dhw"
        points.append(_point("sensor.hp_mode", "sensor.hp_mode", ts, state=mode))
    client.write_points(points)
    client.close()
    yield name
    client = InfluxDBClient(host="127.0.0.1", port=port)
    client.drop_database(name)
    client.close()


def _reader(url: str, database: str, **kwargs: object) -> InfluxHistory:
    return InfluxHistory(InfluxConfig(url=url, database=database, **kwargs))  # type: ignore[arg-type]


def test_split_entity_id() -> None:
    """HA's tags are the domain and the object id."""
    assert split_entity_id("sensor.hp_outside") == ("sensor", "hp_outside")
    with pytest.raises(ValueError, match="not an entity id"):
        split_entity_id("hp_outside")


def test_raw_points_in_half_open_period(influx_url: str, database: str) -> None:
    """[T0+30 min, T0+60 min) holds the points at 30, 40 and 50 minutes: 103, 104, 105 kWh."""
    reader = _reader(influx_url, database)
    points = reader.numeric(
        "sensor.hp_thermal_energy", T0 + timedelta(minutes=30), T0 + timedelta(minutes=60)
    )
    reader.close()
    assert points == [
        (T0 + timedelta(minutes=30), 103.0),
        (T0 + timedelta(minutes=40), 104.0),
        (T0 + timedelta(minutes=50), 105.0),
    ]


def test_server_side_hourly_mean_and_last(influx_url: str, database: str) -> None:
    """Hourly mean of the temperature: -2 then +4; hourly last of the counter: 105 then 111."""
    reader = _reader(influx_url, database)
    end = T0 + timedelta(hours=2)
    means = reader.numeric("sensor.hp_outside", T0, end, every=timedelta(hours=1))
    lasts = reader.numeric(
        "sensor.hp_thermal_energy", T0, end, every=timedelta(hours=1), aggregate="last"
    )
    reader.close()
    assert means == [(T0, -2.0), (T0 + timedelta(hours=1), 4.0)]
    assert lasts == [(T0, 105.0), (T0 + timedelta(hours=1), 111.0)]


def test_string_states_and_last_before(influx_url: str, database: str) -> None:
    """The mode is heating until 90 minutes, then dhw; the counter before T0+1 h is 105 kWh."""
    reader = _reader(influx_url, database)
    states = reader.states("sensor.hp_mode", T0 + timedelta(minutes=80), T0 + timedelta(hours=2))
    before = reader.last_before("sensor.hp_thermal_energy", T0 + timedelta(hours=1))
    nothing = reader.last_before("sensor.hp_thermal_energy", T0)
    mode = reader.last_state_before("sensor.hp_mode", T0 + timedelta(minutes=95))
    no_mode = reader.last_state_before("sensor.hp_mode", T0)
    reader.close()
    assert (mode, no_mode) == ("dhw", None)
    assert [s for _, s in states] == ["heating", "dhw", "dhw", "dhw"]
    assert before == 105.0
    assert nothing is None


def test_every_measurement_layout_reads_the_same(influx_url: str, database: str) -> None:
    """measurement_attr=entity_id (or a changed unit) puts points in another measurement: merged."""
    port = int(influx_url.rsplit(":", 1)[1])
    client = InfluxDBClient(host="127.0.0.1", port=port, database=database)
    late = T0 + timedelta(hours=3)
    client.write_points([_point("sensor.hp_outside", "sensor.hp_outside", late, value=7.5)])
    client.close()
    reader = _reader(influx_url, database)
    points = reader.numeric("sensor.hp_outside", T0 + timedelta(minutes=110), late + timedelta(1))
    reader.close()
    assert points == [(T0 + timedelta(minutes=110), 4.0), (late, 7.5)]


def test_quotes_in_an_object_id_are_escaped(influx_url: str, database: str) -> None:
    """An odd object id is data, never InfluxQL: it finds nothing and breaks nothing."""
    reader = _reader(influx_url, database)
    assert reader.numeric("sensor.x' OR '1'='1", T0, T0 + timedelta(hours=2)) == []
    reader.close()


def test_errors(influx_url: str, database: str) -> None:
    """A missing database, a closed port and a bad API version are told apart."""
    reader = _reader(influx_url, "no_such_db")
    with pytest.raises(InfluxNotFoundError):
        reader.test_connection()
    _reader(influx_url, database).test_connection()
    with pytest.raises(InfluxConnectionError):
        _reader("http://127.0.0.1:9", database, timeout_s=2).test_connection()
    with pytest.raises(ValueError, match="1 or 2"):
        InfluxHistory(InfluxConfig(url=influx_url, api_version="3"))


def test_wrong_password_is_an_auth_error() -> None:
    """A server with authentication refuses an unknown user with 401: InfluxAuthError."""
    binary = influxd_binary()
    if binary is None:
        pytest.skip("influxd is not installed: scripts/setup unpacks it into .toolchain/influxdb")
    with run_influxd(binary, auth=True) as url:
        reader = _reader(url, DB, username="nobody", password="wrong")
        with pytest.raises(InfluxAuthError):
            reader.test_connection()


# --- API v2 at the wire: annotated CSV as an InfluxDB 2.x server sends it ---------

V2_CSV = (
    "#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string\r\n"
    "#group,false,false,true,true,false,false,true\r\n"
    "#default,_result,,,,,,\r\n"
    ",result,table,_start,_stop,_time,_value,_field\r\n"
    ",,0,2026-01-10T00:00:00Z,2026-01-10T02:00:00Z,2026-01-10T00:00:00Z,-2,value\r\n"
    ",,0,2026-01-10T00:00:00Z,2026-01-10T02:00:00Z,2026-01-10T01:00:00Z,4,value\r\n"
    "\r\n"
)


async def test_v2_flux_query_at_the_wire() -> None:
    """The Flux query names the bucket, the tags and the window; the CSV comes back as points."""
    seen: list[tuple[str, str, str]] = []

    async def query(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append((request.headers.get("Authorization", ""), request.query["org"], body["query"]))
        if request.headers.get("Authorization") != "Token secret":
            return web.json_response(
                {"code": "unauthorized", "message": "unauthorized"}, status=401
            )
        return web.Response(text=V2_CSV, content_type="text/csv")

    app = web.Application()
    app.router.add_post("/api/v2/query", query)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        config = InfluxConfig(
            url=url, api_version=API_V2, bucket="ha", org="home", token="secret", timeout_s=5
        )
        reader = InfluxHistory(config)
        points = await asyncio.to_thread(
            reader.numeric,
            "sensor.hp_outside",
            T0,
            T0 + timedelta(hours=2),
            every=timedelta(hours=1),
        )
        await asyncio.to_thread(reader.close)
        bad = InfluxHistory(
            InfluxConfig(url=url, api_version=API_V2, bucket="ha", org="home", token="x")
        )
        with pytest.raises(InfluxAuthError):
            await asyncio.to_thread(bad.numeric, "sensor.hp_outside", T0, T0 + timedelta(hours=1))
        await asyncio.to_thread(bad.close)
    finally:
        await runner.cleanup()
    assert points == [(T0, -2.0), (T0 + timedelta(hours=1), 4.0)]
    _, org, flux = seen[0]
    assert org == "home"
    assert 'from(bucket: "ha")' in flux
    assert 'r.entity_id == "hp_outside"' in flux
    assert 'r.domain == "sensor"' in flux
    assert "aggregateWindow(every: 3600s, fn: mean" in flux
