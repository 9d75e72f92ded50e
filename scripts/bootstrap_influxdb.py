#!/usr/bin/env python3
"""Unpack Debian's InfluxDB server (1.x, API v1) into a private prefix.

Used by scripts/setup so that the InfluxDB tests run against a real server on
a fresh machine without root: the `influxdb` package of the machine's own
Debian release (bookworm: 1.6.7) is downloaded from the archive apt already
uses and unpacked with dpkg-deb; nothing outside the prefix changes.
`apt-get download` is tried first (it honours the machine's apt setup and
proxies); when it cannot (no package lists), the release's Packages index is
read directly, as scripts/bootstrap_python.py does for Python.

    python3 scripts/bootstrap_influxdb.py .toolchain/influxdb
"""

from __future__ import annotations

import lzma
from pathlib import Path
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bootstrap_python import archive_uri, fetch, parse_index

PACKAGE = "influxdb"


def release_codename() -> str:
    """Return the Debian release this machine runs (bookworm, trixie, ...)."""
    text = Path("/etc/os-release").read_text()
    match = re.search(r"^VERSION_CODENAME=(\w+)", text, re.M)
    return match.group(1) if match else "stable"


def download_with_apt(tmp: Path) -> Path | None:
    """Fetch the .deb with `apt-get download`; None when apt cannot."""
    if shutil.which("apt-get") is None:
        return None
    result = subprocess.run(
        ["apt-get", "download", "-q", PACKAGE],
        cwd=tmp,
        capture_output=True,
        text=True,
        check=False,
    )
    debs = sorted(tmp.glob(f"{PACKAGE}_*.deb"))
    if result.returncode != 0 or not debs:
        return None
    return debs[0]


def download_from_index(tmp: Path) -> Path:
    """Fetch the .deb named by the release's Packages index."""
    base = archive_uri()
    suite = release_codename()
    index_xz = tmp / "Packages.xz"
    url = f"{base}/dists/{suite}/main/binary-amd64/Packages.xz"
    print(f"bootstrap_influxdb: reading {url}")
    fetch(url, index_xz)
    files = parse_index(lzma.decompress(index_xz.read_bytes()).decode("utf-8", "replace"))
    if PACKAGE not in files:
        sys.exit(f"bootstrap_influxdb: {PACKAGE} is not in Debian {suite}'s index")
    deb = tmp / Path(files[PACKAGE]).name
    fetch(f"{base}/{files[PACKAGE]}", deb)
    return deb


def main() -> None:
    prefix = Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        deb = download_with_apt(tmp) or download_from_index(tmp)
        print(f"bootstrap_influxdb: {deb.name}")
        unpacked = tmp / "root"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
        binary = unpacked / "usr" / "bin" / "influxd"
        if not binary.exists():
            sys.exit(f"bootstrap_influxdb: {deb.name} has no usr/bin/influxd")
        if prefix.exists():
            shutil.rmtree(prefix)
        (prefix / "bin").mkdir(parents=True)
        shutil.copy2(binary, prefix / "bin" / "influxd")


if __name__ == "__main__":
    main()
