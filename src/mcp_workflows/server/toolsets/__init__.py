"""Tool functions, one module per toolset (named after it). Metadata lives in server/catalog.py.

Modules are imported on a tool's first call, not at start-up (see server/tool_index.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from mcp_workflows.server.catalog import BY_NAME


def tool_function(name: str) -> Callable[..., Any]:
    """The function implementing the catalog tool `name`."""
    module = importlib.import_module(f"{__name__}.{BY_NAME[name].toolset}")
    tools: dict[str, Callable[..., Any]] = module.TOOLS
    return tools[name]


def tool_describer(name: str) -> Callable[..., Any]:
    """The function that says, in words, what the guarded tool `name` would do with given arguments."""
    module = importlib.import_module(f"{__name__}.{BY_NAME[name].toolset}")
    describers: dict[str, Callable[..., Any]] = module.DESCRIBE
    return describers[name]
