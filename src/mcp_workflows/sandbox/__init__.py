"""A local, in-memory Mistral Workflows API that follows the upstream contract.

Import is cheap on purpose (the MCP server's start-up time is benchmarked): the app, the engine and
uvicorn load only when `create_app`, `running_sandbox` or `serve` is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import FaultConfig, FaultRule, SandboxConfig

if TYPE_CHECKING:
    from .app import create_app
    from .runner import running_sandbox, serve

__all__ = ["FaultConfig", "FaultRule", "SandboxConfig", "create_app", "running_sandbox", "serve"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    if name in ("running_sandbox", "serve"):
        from . import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
