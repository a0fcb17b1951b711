"""`build_server(settings)`: the MCP server, its lifespan and its tools, from the catalog."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.request_state import RequestStateSecurity
from mcp_types import CallToolResult, InputRequiredResult
from mcp_types import Tool as MCPTool
from pydantic import BaseModel, ValidationError

from mcp_workflows import __version__
from mcp_workflows.api.errors import WorkflowsAPIError
from mcp_workflows.config import Settings
from mcp_workflows.server.caller import may_use
from mcp_workflows.server.catalog import ToolSpec
from mcp_workflows.server.definitions import Definitions
from mcp_workflows.server.gate import CallGate
from mcp_workflows.server.guardrails import Confirmations, TokenSigner, request_state_key, signing_secret
from mcp_workflows.server.results import (
    ToolInputError,
    describe_api_error,
    describe_validation_error,
    error_result,
    success_result,
)
from mcp_workflows.server.schemas import compact_input_schema, compact_output_schema
from mcp_workflows.server.selection import select_tools
from mcp_workflows.server.state import AppState
from mcp_workflows.server.tool_index import indexed_tools

if TYPE_CHECKING:
    from mcp_workflows.server.oauth import OAuthConfig

logger = logging.getLogger("mcp_workflows.server")

SANDBOX_API_KEY = "sandbox"  # the sandbox accepts any bearer token; this one is not a secret
INSTRUCTIONS = (
    "Tools for Mistral AI Workflows. Find a workflow with list_workflows, read the input it expects "
    "with get_workflow, then run it with execute_workflow. Destructive tools ask the user to confirm."
)


class WorkflowsServer(MCPServer[AppState]):
    """MCPServer with this project's tool handling.

    - tools/list comes from the precomputed index (server/tool_index.py) and a tool is built on
      its first call, which keeps start-up independent of the number of tools;
    - advertised schemas are compact (server/schemas.py);
    - results carry a compact text copy, and every failure a text that starts with `Error:`.
    """

    def __init__(self, settings: Settings, specs: list[ToolSpec], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app_settings = settings
        self._specs = {spec.name: spec for spec in specs}
        self._built: set[str] = set()

    async def list_tools(self) -> list[MCPTool]:
        index = indexed_tools()
        # An OAuth caller sees only the tools its token's scopes allow (server/caller.py).
        return [index[name] for name, spec in self._specs.items() if may_use(spec.risk)]

    def _tool_input_schema(self, name: str) -> dict[str, Any] | None:
        tool = indexed_tools().get(name) if name in self._specs else None
        return tool.input_schema if tool else None

    def build_tool(self, name: str) -> None:
        """Register the tool's function (its pydantic models) if that has not happened yet."""
        if name in self._built or name not in self._specs:
            return
        from mcp_workflows.server.toolsets import tool_function

        spec = self._specs[name]
        fn = tool_function(name)
        self.add_tool(
            fn,
            name=spec.name,
            title=spec.title,
            description=" ".join(inspect.cleandoc(fn.__doc__ or "").split()),
            annotations=spec.annotations,
            structured_output=True,
        )
        self._built.add(name)

    async def live_tools(self) -> list[MCPTool]:
        """Every active tool built from its code now, in its advertised form (for the index)."""
        for name in self._specs:
            self.build_tool(name)
        built = {tool.name: tool for tool in await super().list_tools()}
        return [_advertised(built[name]) for name in self._specs]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[AppState, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        spec = self._specs.get(name)
        if spec is None:
            return error_result(f"there is no tool '{name}' on this server; tools/list shows the available ones.")
        assert context is not None, "the SDK passes a request context to every tool call"
        state: AppState = context.request_context.lifespan_context
        refusal = await state.gate.refusal(spec, arguments, state.api)
        result = error_result(refusal) if refusal else await self._run(spec, arguments, context, state.gate)
        if isinstance(result, CallToolResult):
            state.gate.account(spec, arguments, result, refused=refusal is not None)
        return result

    async def _run(
        self, spec: ToolSpec, arguments: dict[str, Any], context: Context[AppState, Any], gate: CallGate
    ) -> CallToolResult | InputRequiredResult:
        name = spec.name
        self.build_tool(name)
        try:
            # The tool's own typed model comes back unconverted: it is dumped once, below,
            # instead of validated again and rendered as indented JSON we would throw away.
            result = await self._tool_manager.call_tool(name, arguments, context, convert_result=False)
        except ToolError as exc:
            return self._error_result(name, exc)
        if isinstance(result, CallToolResult | InputRequiredResult):
            return result
        if isinstance(result, BaseModel):
            result = gate.visible(spec, result)
            return success_result(result.model_dump(mode="json", by_alias=True, exclude_none=True))
        raise TypeError(f"tool {name} returned {type(result).__name__}, not a result model")

    def _error_result(self, tool: str, exc: ToolError) -> CallToolResult:
        cause = exc.__cause__
        # The SDK raises ToolError for arguments that fail the input schema, and
        # UnexpectedToolError around anything raised in the tool (an upstream body our models
        # cannot read is a ValidationError too, but not the caller's mistake).
        if isinstance(cause, ValidationError) and not isinstance(exc, UnexpectedToolError):
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


def _advertised(tool: MCPTool) -> MCPTool:
    output = tool.output_schema
    return tool.model_copy(
        update={
            "input_schema": compact_input_schema(tool.input_schema),
            "output_schema": compact_output_schema(output) if output else None,
        }
    )


@asynccontextmanager
async def _lifespan(settings: Settings, secret: bytes) -> AsyncIterator[AppState]:
    """Open the one HTTP client of the process (and the in-process sandbox when asked)."""
    from mcp_workflows.api.client import WorkflowsClient
    from mcp_workflows.api.http import RetryPolicy

    async with AsyncExitStack() as stack:
        base_url = settings.base_url
        if settings.sandbox:
            from mcp_workflows.sandbox import SandboxConfig, running_sandbox

            base_url = await stack.enter_async_context(
                running_sandbox(SandboxConfig(time_scale=settings.sandbox_time_scale), port=settings.sandbox_port)
            )
            api_key = SANDBOX_API_KEY
        else:
            # No key only reaches here for a local `mcp-workflows sandbox` (the CLI checks it answers
            # as one); like the in-process sandbox, it takes any bearer token.
            api_key = settings.api_key.get_secret_value() if settings.api_key else SANDBOX_API_KEY
        api = await stack.enter_async_context(
            WorkflowsClient(
                base_url=base_url,
                api_key=api_key,
                request_timeout_s=settings.request_timeout_s,
                connect_timeout_s=settings.connect_timeout_s,
                retry=RetryPolicy(total_s=settings.retry_total_s),
            )
        )
        signer = TokenSigner(secret, settings.confirmation_ttl_s)
        logger.info("serving Workflows API at %s", base_url)
        yield AppState(
            api=api,
            settings=settings,
            confirmations=Confirmations(settings.confirm_policy, signer),
            definitions=Definitions(api),
            gate=CallGate(settings),
        )


def build_server(settings: Settings, oauth: OAuthConfig | None = None) -> WorkflowsServer:
    """The MCP server for these settings, exposing the tools its configuration selects; over HTTP,
    with oauth, it accepts only access tokens that configuration trusts."""
    secret = signing_secret(settings)
    auth: dict[str, Any] = {}
    if oauth is not None:  # imported only when used: start-up time is measured
        from mcp_workflows.server.oauth import server_auth

        auth = server_auth(oauth)

    @asynccontextmanager
    async def lifespan(_: MCPServer[AppState]) -> AsyncIterator[AppState]:
        async with _lifespan(settings, secret) as state:
            yield state

    return WorkflowsServer(
        settings,
        select_tools(settings),
        name="mcp-workflows",
        title="Mistral Workflows",
        version=__version__,
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
        request_state_security=RequestStateSecurity(keys=[request_state_key(secret)]),
        **auth,
    )
