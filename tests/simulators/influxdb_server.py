"""A real InfluxDB 1.x server (Debian's `influxd`) on 127.0.0.1 for the history tests.

scripts/setup unpacks the binary into .toolchain/influxdb/bin/influxd. Each
server gets its own temporary config, data, WAL and meta folders and two free
ports (HTTP and the RPC bind address), and is stopped (SIGTERM, then SIGKILL)
when the fixture ends: nothing survives a test session.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from pathlib import Path
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

ROOT = Path(__file__).resolve().parents[2]
INFLUXD = ROOT / ".toolchain" / "influxdb" / "bin" / "influxd"


def influxd_binary() -> Path | None:
    """The unpacked server (or one on PATH), or None when neither exists."""
    if INFLUXD.exists():
        return INFLUXD
    found = shutil.which("influxd")
    return Path(found) if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CONFIG = """\
reporting-disabled = true
bind-address = "127.0.0.1:{rpc_port}"
[meta]
  dir = "{root}/meta"
[data]
  dir = "{root}/data"
  wal-dir = "{root}/wal"
  query-log-enabled = false
  trace-logging-enabled = false
[coordinator]
[retention]
  enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:{http_port}"
  auth-enabled = {auth}
  log-enabled = false
  flux-enabled = false
[logging]
  level = "warn"
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
"""


@contextlib.contextmanager
def run_influxd(binary: Path, *, auth: bool = False, timeout_s: float = 30.0) -> Iterator[str]:
    """Start a server; yield its URL (``http://127.0.0.1:<port>``)."""
    with tempfile.TemporaryDirectory(prefix="hps-influxd-") as tmp:
        http_port, rpc_port = _free_port(), _free_port()
        config = Path(tmp) / "influxdb.conf"
        config.write_text(
            CONFIG.format(root=tmp, http_port=http_port, rpc_port=rpc_port, auth=str(auth).lower())
        )
        log = (Path(tmp) / "influxd.log").open("wb")
        process = subprocess.Popen(
            [str(binary), "-config", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{http_port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"influxd exited with {process.returncode}: "
                        + (Path(tmp) / "influxd.log").read_text(errors="replace")[-2000:]
                    )
                try:
                    with urllib.request.urlopen(f"{url}/ping", timeout=1) as response:
                        if response.status == 204:
                            break
                except urllib.error.URLError, OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("influxd did not answer /ping in time")
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
