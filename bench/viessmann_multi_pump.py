"""The Viessmann multi-pump table: several heat pumps on one account's call budget (run by hand).

Runs the Home Assistant level simulation of tests/test_viessmann.py (real
Home Assistant, real coordinators, PyViCare, our budget; only the Viessmann
cloud is faked) for 1, 2 and 3 heat pumps on one account, each behind its own
gateway, plus 3 behind one gateway, over 26 simulated hours with the default
budget (1450 calls per sliding 24 h): entries added one by one, all reloaded
at hour 6, one unloaded at hour 12 and set up again half an hour later. It
prints, per case: the poll interval every entry ends up with, the calls in the
first 24 h, the most calls in any sliding 24 h, the share of minutes an entry
was unavailable, and the 95th percentile of the data's age.

    .venv/bin/python bench/viessmann_multi_pump.py

(About 1-2 minutes per case on an idle machine.)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
import subprocess
import sys
import tempfile

ROOT = Path(__file__).resolve().parents[1]
CASES = (
    "test_several_heat_pumps_share_the_budget_for_26_hours",
    "test_heat_pumps_behind_one_gateway_share_26_hours",
)


def main() -> int:
    """Run the simulation and print the table."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "viessmann.jsonl"
        env = {**os.environ, "HPS_BENCH_VIESSMANN": str(report), "HPS_BENCH_GATEWAY_26H": "1"}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                str(ROOT / "tests" / "test_viessmann.py"),
                "-k",
                " or ".join(CASES),
            ],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        if not report.exists():
            print(done.stdout[-3000:], done.stderr[-3000:])
            return 1
        rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    print(
        f"{'pumps':>5}  {'layout':<13} {'interval s':>10} {'calls/24h':>9} "
        f"{'max sliding 24h':>15} {'budget':>6} {'% unavailable':>13} {'p95 age s':>9}"
    )
    for row in sorted(rows, key=lambda r: (r["layout"], r["pumps"]), reverse=True):
        interval = ", ".join(f"{i:.0f}" for i in row["interval_s"])
        print(
            f"{row['pumps']:>5}  {row['layout']:<13} {interval:>10} {row['calls_24h']:>9} "
            f"{row['max_window']:>15} {row.get('budget', 1450):>6} "
            f"{row['unavailable_pct']:>13.1f} {row['p95_age_s']:>9.0f}"
        )
    print(
        "budget: calls allowed in any sliding 24 h, all heat pumps of the account together "
        "(polling plans 90 % of it; setups, reloads and retries use the rest)"
    )
    print(
        "pytest:", done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.returncode
    )
    return 0 if done.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
