#!/usr/bin/env python3
"""Unpack Debian unstable's CPython 3.14 into a private prefix.

Used by scripts/setup when no python3.14 (>= 3.14.2) is on PATH and uv cannot
provide one. Runs on the host's own python3 (3.11 is fine). Nothing outside
the prefix is touched. File names are resolved from the archive's current
Packages index, never hard-coded, because versions in unstable move.
"""

from __future__ import annotations

import lzma
from pathlib import Path
import re
import subprocess
import sys
import tempfile
import urllib.request

PACKAGES = [
    "libc6",
    "libc-gconv-modules-extra",
    "libgcc-s1",
    "libstdc++6",
    "python3.14-minimal",
    "libpython3.14-minimal",
    "libpython3.14-stdlib",
    "python3.14",
    "libpython3.14",
    "libpython3.14-dev",
    "python3.14-dev",
    "python3.14-venv",
    "python3-pip-whl",
    "python3-setuptools-whl",
    "libssl3t64",
    "libffi8",
    "libexpat1",
    "libexpat1-dev",
    "zlib1g",
    "zlib1g-dev",
    "libbz2-1.0",
    "libdb5.3t64",
    "liblzma5",
    "libncursesw6",
    "libreadline8t64",
    "libsqlite3-0",
    "libtinfo6",
    "libuuid1",
    "libzstd1",
    "libcrypt1",
    "libmpdec4",
    "libgdbm6t64",
    "libgdbm-compat4t64",
    "tzdata",
    "media-types",
    "netbase",
]


def archive_uri() -> str:
    """Return the Debian archive URI apt already uses on this machine."""
    candidates: list[str] = []
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    if sources.exists():
        for line in sources.read_text().splitlines():
            if line.startswith("URIs:"):
                candidates.extend(line.split()[1:])
    sources_list = Path("/etc/apt/sources.list")
    if sources_list.exists():
        for line in sources_list.read_text().splitlines():
            match = re.match(r"deb\s+(?:\[[^]]*\]\s+)?(\S+)", line)
            if match:
                candidates.append(match.group(1))
    for uri in candidates:
        if uri.rstrip("/").endswith("/debian"):
            return uri.rstrip("/")
    sys.exit("bootstrap_python: no Debian archive URI ending in /debian found in apt sources")


def fetch(url: str, dest: Path) -> None:
    with urllib.request.urlopen(url, timeout=120) as response, dest.open("wb") as out:
        while chunk := response.read(1 << 20):
            out.write(chunk)


def parse_index(text: str) -> dict[str, str]:
    """Map package name -> Filename for every stanza of a Packages index."""
    files: dict[str, str] = {}
    for stanza in text.split("\n\n"):
        name = filename = None
        for line in stanza.splitlines():
            if line.startswith("Package: "):
                name = line[9:].strip()
            elif line.startswith("Filename: "):
                filename = line[10:].strip()
        if name and filename:
            files[name] = filename
    return files


def main() -> None:
    prefix = Path(sys.argv[1]).resolve()
    arch = "amd64"
    base = archive_uri()
    prefix.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        index_xz = tmp / "Packages.xz"
        print(f"bootstrap_python: reading {base}/dists/sid/main/binary-{arch}/Packages.xz")
        fetch(f"{base}/dists/sid/main/binary-{arch}/Packages.xz", index_xz)
        files = parse_index(lzma.decompress(index_xz.read_bytes()).decode("utf-8", "replace"))
        missing = [name for name in PACKAGES if name not in files]
        if missing:
            sys.exit(f"bootstrap_python: not in the sid index: {', '.join(missing)}")
        for name in PACKAGES:
            deb = tmp / Path(files[name]).name
            print(f"bootstrap_python: {deb.name}")
            fetch(f"{base}/{files[name]}", deb)
            subprocess.run(["dpkg-deb", "-x", str(deb), str(prefix)], check=True)
            deb.unlink()


if __name__ == "__main__":
    main()
