"""Tool functions, one module per toolset. Metadata lives in server/catalog.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def tool_functions() -> dict[str, Callable[..., Any]]:
    """Every tool function by catalog name."""
    from mcp_workflows.server.toolsets import workflows

    return {**workflows.TOOLS}
