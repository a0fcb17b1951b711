"""CONTRIBUTING.md's walkthrough quotes the real code: each Python snippet appears, line for line and in order
(a `...` line stands for lines left out), in one of the files its count of hand-edited files lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GUIDE = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
SNIPPETS = re.findall(r"```python\n(.*?)```", GUIDE, flags=re.S)
COUNTED = re.findall(r"^\d\. `([^`]+)`", GUIDE.split("### The count", 1)[1], flags=re.M)


def _quotes(snippet: str, source: str) -> bool:
    lines = source.splitlines()
    at = 0
    for line in snippet.splitlines():
        if line.strip() in ("...", "...,"):
            continue
        try:
            at = lines.index(line, at) + 1
        except ValueError:
            return False
    return True


def test_the_count_lists_six_files_that_exist() -> None:
    assert len(COUNTED) == 6
    assert all((REPO / path).is_file() for path in COUNTED), COUNTED


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.splitlines()[0][:40] for s in SNIPPETS])
def test_each_snippet_is_quoted_from_a_counted_file(snippet: str) -> None:
    sources = {path: (REPO / path).read_text(encoding="utf-8") for path in COUNTED}
    assert any(_quotes(snippet, source) for source in sources.values()), snippet
