"""`build_server(settings)`: the MCP server, its lifespan and its tools, from the catalog."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, InputRequiredResult
from mcp_types import Tool as MCPTool
from pydantic import ValidationError

from mcp_workflows import __version__
from mcp_workflows.api.client import WorkflowsClient
from mcp_workflows.api.errors import WorkflowsAPIError
from mcp_workflows.api.http import RetryPolicy
from mcp_workflows.config import Settings
from mcp_workflows.server.guardrails import Confirmations, TokenSigner, signing_secret
from mcp_workflows.server.results import (
    ToolInputError,
    describe_api_error,
    describe_validation_error,
    error_result,
    success_result,
)
from mcp_workflows.server.selection import select_tools
from mcp_workflows.server.schemas import compact_input_schema, compact_output_schema
from mcp_workflows.server.state import AppState

logger = logging.getLogger("mcp_workflows.server")

SANDBOX_API_KEY = "sandbox"  # the sandbox accepts any bearer token; this one is not a secret
INSTRUCTIONS = (
    "Tools for Mistral AI Workflows. Find a workflow with list_workflows, read the input it expects "
    "with get_workflow, then run it with execute_workflow. Destructive tools ask the user to confirm."
)


class WorkflowsServer(MCPServer[AppState]):
    """MCPServer with this project's result shaping: compact schemas, compact text, `Error:` texts."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app_settings = settings
        self._schema_cache: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {}

    async def list_tools(self) -> list[MCPTool]:
        tools = await super().list_tools()
        return [tool.model_copy(update=self._compact_schemas(tool)) for tool in tools]

    def _compact_schemas(self, tool: MCPTool) -> dict[str, Any]:
        cached = self._schema_cache.get(tool.name)
        if cached is None:
            output = tool.output_schema
            cached = (
                compact_input_schema(tool.input_schema),
                compact_output_schema(output) if output else None,
            )
            self._schema_cache[tool.name] = cached
        return {"input_schema": cached[0], "output_schema": cached[1]}

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[AppState, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            result = await super().call_tool(name, arguments, context)
        except ToolError as exc:
            return self._error_result(name, exc)
        if isinstance(result, CallToolResult) and not result.is_error and result.structured_content is not None:
            return success_result(result.structured_content)
        return result

    def _error_result(self, tool: str, exc: ToolError) -> CallToolResult:
        cause = exc.__cause__
        if isinstance(cause, ValidationError):
            logger.info("tool %s: rejected arguments", tool)
            return error_result(describe_validation_error(tool, cause))
        if isinstance(cause, WorkflowsAPIError):
            logger.info("tool %s: upstream %s", tool, type(cause).__name__)
            return error_result(describe_api_error(cause, base_url=self.app_settings.base_url))
        if isinstance(cause, ToolInputError):
            return error_result(str(cause))
        if isinstance(cause, ToolError):
            return error_result(str(cause))
        logger.error("tool %s crashed", tool, exc_info=cause)
        return error_result(f"{tool} failed unexpectedly inside the server; the server log has details.")


@asynccontextmanager
async def _lifespan(settings: Settings) -> AsyncIterator[AppState]:
    """Open the one HTTP client of the process (and the in-process sandbox when asked)."""
    async with AsyncExitStack() as stack:
        base_url = settings.base_url
        if settings.sandbox:
            from mcp_workflows.sandbox import SandboxConfig, running_sandbox

            base_url = await stack.enter_async_context(
                running_sandbox(SandboxConfig(time_scale=settings.sandbox_time_scale), port=settings.sandbox_port)
            )
            api_key = SANDBOX_API_KEY
        else:
            assert settings.api_key is not None, "serve checks the key before starting"
            api_key = settings.api_key.get_secret_value()
        api = await stack.enter_async_context(
            WorkflowsClient(
                base_url=base_url,
                api_key=api_key,
                request_timeout_s=settings.request_timeout_s,
                connect_timeout_s=settings.connect_timeout_s,
                retry=RetryPolicy(total_s=settings.retry_total_s),
            )
        )
        signer = TokenSigner(signing_secret(settings), settings.confirmation_ttl_s)
        logger.info("serving Workflows API at %s", base_url)
        yield AppState(api=api, settings=settings, confirmations=Confirmations(settings.confirm_destructive, signer))


def build_server(settings: Settings) -> WorkflowsServer:
    """The MCP server for these settings, with every active tool registered from the catalog."""
    from mcp_workflows.server.toolsets import tool_functions

    @asynccontextmanager
    async def lifespan(_: MCPServer[AppState]) -> AsyncIterator[AppState]:
        async with _lifespan(settings) as state:
            yield state

    server = WorkflowsServer(
        settings,
        name="mcp-workflows",
        title="Mistral Workflows",
        version=__version__,
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
    )
    functions = tool_functions()
    for spec in select_tools(settings):
        fn = functions[spec.name]
        server.add_tool(
            fn,
            name=spec.name,
            title=spec.title,
            description=" ".join(inspect.cleandoc(fn.__doc__ or "").split()),
            annotations=spec.annotations,
            structured_output=True,
        )
    return server
