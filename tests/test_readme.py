"""README.md starts with the two commands that work on a fresh machine, and CI runs the second."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).parents[1]


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)\n```", (REPO / "README.md").read_text(), flags=re.DOTALL)
    return [block.strip() for block in blocks[:2]]


def test_readme_opens_with_run_and_test_commands() -> None:
    run, test = readme_commands()
    assert "serve --sandbox" in run
    assert "pytest" in test


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    match = re.search(r"^TEST_CMD='(.*)'$", ci, flags=re.MULTILINE)
    assert match, "CI keeps the test command in TEST_CMD"
    assert match.group(1) == readme_commands()[1]
    assert 'bash -c "$TEST_CMD"' in ci
