"""Mutation testing of the safety net: the guard (server/guard/), the waits (server/waiting.py) and
the HTTP client (api/http.py). Tests that pass whatever these modules do would not catch a
regression there; a mutant the tests do not kill shows where.

mutmut (configured in pyproject.toml, `[tool.mutmut]`) makes the mutants and runs each against the
in-process tests that reach the mutated function; this script runs it, then reports the kill rate
per file and every mutant that survived, and fails when the rate is under `--min-kill-rate` or a
survivor is not explained in docs/mutation-survivors.md.

    .venv/bin/python scripts/mutation_test.py            # reuses mutants/ (only changed code reruns)
    .venv/bin/python scripts/mutation_test.py --fresh    # a full run from scratch
    .venv/bin/python scripts/mutation_test.py --report   # the figures of the last run, nothing rerun
    .venv/bin/mutmut show <mutant>                       # the diff of one mutant

Needs the `mutation` extra (`pip install -e ".[dev,mutation]"`). One worker by default: the run
shares the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SURVIVORS_DOC = ROOT / "docs" / "mutation-survivors.md"
DETECTED = {"killed", "timeout", "caught by type check", "segfault"}
NOT_SCORED = {"skipped", "not checked", "check was interrupted by user"}
_RESULT = re.compile(r"^\s*(?P<name>mcp_workflows\.\S+): (?P<status>.+)$")


def mutmut(*args: str, log: Path | None = None) -> str:
    """Run mutmut from the repository root with this interpreter's scripts (mutmut, mypy) first on PATH."""
    scripts = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [str(scripts / "mutmut"), *args]
    if log is None:
        return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    with log.open("w") as out:
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=out, stderr=subprocess.STDOUT)
    return ""


def module_of(mutant: str) -> str:
    """`mcp_workflows.api.http.xǁApiHttpǁcall__mutmut_3` -> `api/http.py`."""
    dotted = mutant.split("__mutmut_")[0].rsplit(".", 1)[0]
    return dotted.removeprefix("mcp_workflows.").replace(".", "/") + ".py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-children", type=int, default=1, help="parallel mutants (default 1)")
    parser.add_argument("--fresh", action="store_true", help="delete mutants/ first: every mutant runs again")
    parser.add_argument("--min-kill-rate", type=float, default=90.0, help="fail under this percentage")
    parser.add_argument("--report", action="store_true", help="report on the last run in mutants/ without running")
    args = parser.parse_args()

    if not args.report:
        if args.fresh:
            shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        (ROOT / "mutants").mkdir(exist_ok=True)
        log = ROOT / "mutants" / "run.log"
        started = time.monotonic()
        mutmut("run", "--max-children", str(args.max_children), log=log)
        elapsed = time.monotonic() - started
        print(f"mutmut run --max-children {args.max_children}: {elapsed / 60:.1f} min (log: {log.relative_to(ROOT)})")

    status: dict[str, str] = {}
    for line in mutmut("results", "--all", "true").splitlines():
        if match := _RESULT.match(line):
            status[match["name"]] = match["status"].strip()
    per_file: dict[str, Counter[str]] = defaultdict(Counter)
    for name, verdict in status.items():
        per_file[module_of(name)][verdict] += 1

    def rate(counts: Counter[str]) -> tuple[int, int]:
        scored = sum(n for verdict, n in counts.items() if verdict not in NOT_SCORED)
        return sum(counts[v] for v in DETECTED), scored

    for path, counts in sorted(per_file.items()):
        detected, scored = rate(counts)
        share = 100 * detected / scored if scored else 100.0
        print(f"  {path:32s} {detected:4d}/{scored:<4d} killed ({share:5.1f}%)  {dict(counts)}")
    detected, scored = rate(sum(per_file.values(), Counter()))
    kill_rate = 100 * detected / scored if scored else 100.0
    print(f"kill rate: {detected}/{scored} = {kill_rate:.1f}%")

    left = sorted(name for name, verdict in status.items() if verdict not in DETECTED | NOT_SCORED)
    documented = SURVIVORS_DOC.read_text() if SURVIVORS_DOC.exists() else ""
    unexplained = [name for name in left if f"`{name}`" not in documented]
    for name in left:
        print(f"  {status[name]:10s} {name}{'  (not in docs/mutation-survivors.md)' if name in unexplained else ''}")
    failed = False
    if kill_rate < args.min_kill_rate:
        print(f"FAIL: kill rate {kill_rate:.1f}% is under {args.min_kill_rate}%")
        failed = True
    if unexplained:
        print(f"FAIL: {len(unexplained)} surviving mutants are not explained in {SURVIVORS_DOC.relative_to(ROOT)}")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
