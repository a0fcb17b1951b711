"""Pass rate of the official-SDK oracle, per mistralai version: how many Workflows operations the official client
drives against the sandbox and parses cleanly (tests/contract/sdk_oracle.py, run in each venv).

    python scripts/sdk_oracle_report.py                          # .venv (newest 3.x) and .venv-sdk2 (2.10.1)
    python scripts/sdk_oracle_report.py --venv .venv --verbose   # one venv, with every failure

Exits 1 unless every operation of every version passes. `.ci/run` creates `.venv-sdk2`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VENVS = (".venv", ".venv-sdk2")


def run(venv: Path) -> dict[str, Any]:
    """The oracle's JSON report from `venv`'s interpreter (and so its mistralai)."""
    python = venv / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"{python} not found: create the venv first (see .ci/run)")
    done = subprocess.run(
        [str(python), "-m", "tests.contract.sdk_oracle"], cwd=REPO, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the oracle failed in {venv}:\n{done.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", action="append", type=Path, help="a venv to run in (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="list every failed or undriven operation")
    args = parser.parse_args(argv)
    venvs = args.venv or [REPO / name for name in DEFAULT_VENVS]
    complete = True
    for venv in venvs:
        report = run(venv)
        passed, total = report["passed"], report["operations"]
        print(f"mistralai {report['sdk']}: {len(passed)}/{total} operations pass ({100 * len(passed) / total:.0f}%)")
        if args.verbose:
            for operation, reasons in report["failed"].items():
                print(f"  FAIL {operation}: {' | '.join(reasons)[:300]}")
            for operation in report["not_driven"]:
                print(f"  MISS {operation}")
            for error in report["scenario_errors"]:
                print(f"  ERROR {error}")
        complete = complete and len(passed) == total
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
