"""The context budget: what adding this server costs a model, counted with Mistral's own tokenizer.

tools/list is measured exactly as clients receive it (compact JSON of the advertised tools). The
budgets: every toolset <= 12,000 tokens, the default toolsets <= 5,000. The exact figures are
pinned in README.md's generated summary (tests/test_tool_snapshots.py fails when they move).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mcp_workflows.config import Settings
from mcp_workflows.reporting.catalog import advertised_tools
from mcp_workflows.reporting.tokens import count_tokens, exact_counts_available
from mcp_workflows.server.tool_index import wire_form

pytestmark = pytest.mark.anyio

BUDGETS = {"all": 12_000, "default": 5_000}


def test_counts_use_the_tekken_tokenizer() -> None:
    assert exact_counts_available(), "mistral-common (a dev dependency) must be installed for exact counts"


@pytest.mark.parametrize("toolsets", list(BUDGETS))
async def test_tools_list_fits_the_budget(toolsets: str) -> None:
    tools = await advertised_tools(Settings(sandbox=True, toolsets=toolsets))
    total = count_tokens({"tools": [wire_form(tool) for tool in tools]})
    per_tool = {tool.name: count_tokens(wire_form(tool)) for tool in tools}
    heaviest = sorted(per_tool.items(), key=lambda item: -item[1])[:3]
    print(
        f"\ntools/list for toolsets={toolsets}: {len(tools)} tools, {total} tokens "
        f"(budget {BUDGETS[toolsets]}); heaviest: {heaviest}"
    )
    assert total <= BUDGETS[toolsets]
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    pinned = re.search(r"cost ([\d,]+) tokens of tools/list; all toolsets cost ([\d,]+)", readme)
    assert pinned, "README.md states the default and all-toolsets figures"
    stated = pinned.group(1 if toolsets == "default" else 2)
    assert int(stated.replace(",", "")) == total, "README's figure is what a session is served"
