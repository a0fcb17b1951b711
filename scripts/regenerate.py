"""Regenerate every committed artifact derived from the code, or check that none is stale.

    .venv/bin/python scripts/regenerate.py          # rewrite the tool index and README sections
    .venv/bin/python scripts/regenerate.py --check  # exit 1 and name the stale files

Derived here: `src/mcp_workflows/server/tool_index.json` (the tool snapshot tools/list is
served from) and the `<!-- generated:... -->` sections of README.md (tool table, coverage and
token figures). Review the diff like code: it is what models see.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mcp_workflows.reporting.artifacts import live_catalog, regenerated_readme, tool_index_text
from mcp_workflows.server.tool_index import INDEX_PATH

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report stale artifacts")
    args = parser.parse_args()
    catalog = live_catalog()
    wanted = {INDEX_PATH: tool_index_text(catalog), README: regenerated_readme(README.read_text(), catalog)}
    stale = [path for path, text in wanted.items() if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path])
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
