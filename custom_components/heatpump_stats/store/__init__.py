"""Persistent storage owned by the integration (no Home Assistant imports).

- `database`: the one SQLite file, its schema and every migration (opened through it).
- `changelog`: the change log's rows (detected changes, notes, the detector's state).
- `samples`: the per-poll samples behind the CSV files.
- `connection`: what every handle shares (one locked connection, error classes of
  SQLite errors, moving a damaged file aside).
- `csv_export`, `influxdb`: writing CSV files; reading InfluxDB.

Import from the modules (``store.changelog``, ``store.samples``, ...): this
package re-exports nothing.
"""
