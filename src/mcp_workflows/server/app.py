"""`build_server(settings)`: the MCP server, its lifespan and its tools, from the catalog."""

from __future__ import annotations

import dataclasses
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool as SDKTool
from mcp.server.request_state import RequestStateSecurity
from mcp.server.session import ServerSession
from mcp.server.subscriptions import SubscriptionBus
from mcp.shared.subscriptions import ToolsListChanged
from mcp_types import (
    CallToolResult,
    CompleteRequestParams,
    GetPromptResult,
    InputRequiredResult,
    SetLevelRequestParams,
    SubscribeRequestParams,
    SubscriptionsListenRequestParams,
    UnsubscribeRequestParams,
)
from mcp_types import Prompt as MCPPrompt
from mcp_types import ResourceTemplate as MCPResourceTemplate
from mcp_types import Tool as MCPTool
from pydantic import AnyUrl, BaseModel, ValidationError

from mcp_workflows import __version__
from mcp_workflows.api.errors import WorkflowsAPIError
from mcp_workflows.config import Settings
from mcp_workflows.redaction import redact
from mcp_workflows.server import client_log, completions, prompts, resources, subscriptions
from mcp_workflows.server.active_tools import ActiveTools
from mcp_workflows.server.capabilities import AdvertiseServed
from mcp_workflows.server.catalog import Declaration, ToolSpec, declaration
from mcp_workflows.server.guard.caller import may_use
from mcp_workflows.server.guard.confirmation import (
    Confirmations,
    TokenSigner,
    guarded,
    request_state_key,
    signing_secret,
)
from mcp_workflows.server.guard.gate import CallGate
from mcp_workflows.server.guard.selection import select_tools
from mcp_workflows.server.registrations import Registrations
from mcp_workflows.server.results import (
    RUN_FAILED,
    CreatedIdError,
    ToolInputError,
    describe_api_error,
    describe_validation_error,
    error_result,
    success_result,
)
from mcp_workflows.server.schemas import compact_input_schema, compact_output_schema
from mcp_workflows.server.shared_state import SharedState, shared_state
from mcp_workflows.server.state import AppState
from mcp_workflows.server.tasks.extension import WorkflowTasks
from mcp_workflows.server.tool_index import indexed_specs
from mcp_workflows.server.workflow_tools import EXECUTE

if TYPE_CHECKING:
    from mcp_workflows.server.input_bridge import InputBridge
    from mcp_workflows.server.oauth import OAuthConfig

logger = logging.getLogger("mcp_workflows.server")

SANDBOX_API_KEY = "sandbox"  # the sandbox accepts any bearer token; this one is not a secret
Upstream = Callable[[], AbstractAsyncContextManager[str]]  # starts a stand-in API, yields its base URL
INSTRUCTIONS = (
    "Tools for Mistral AI Workflows. Find a workflow with list_workflows, read the input it expects "
    "with get_workflow, then run it with execute_workflow. Destructive tools ask the user to confirm."
)


class WorkflowsServer(MCPServer[AppState]):
    """MCPServer with this project's tool handling, through its public `list_tools`/`call_tool`.

    - tools/list comes from the precomputed index (server/tool_index.py) and a tool is built on
      its first call, which keeps start-up independent of the number of tools;
    - workflow tools (`run_<name>`, server/workflow_tools.py) follow the catalog tools; a call of one
      is a call of execute_workflow with its workflow fixed, under the workflow tool's name;
    - every call passes the gate (guard/gate.py) with validated arguments before it runs;
    - results carry a compact text copy, and every failure a text that starts with `Error:`.
    """

    def __init__(
        self, settings: Settings, specs: list[ToolSpec], *, secret: bytes, bus: SubscriptionBus, **kwargs: Any
    ) -> None:
        # MCP Tasks: a finished task's result is framed by this server exactly as the inline call's.
        super().__init__(extensions=[WorkflowTasks(secret, self.framed)], subscriptions=bus, **kwargs)
        self.app_settings = settings
        # change events to subscribers (shared by the replicas with MCP_WORKFLOWS_REDIS_URL); tools/list_changed
        # found outside a tool call (workflow tools) goes out on it too
        self.bus = bus
        self.tools = ActiveTools(settings, specs)
        self._built: dict[str, SDKTool] = {}
        self._input_bridge: InputBridge | None = None
        self._serve_beyond_tools(settings, bus)
        if self.tools.workflow_tools.enabled:
            self.middleware.append(self._refresh_workflow_tools)

    def _inputs(self) -> InputBridge:
        """Forms for workflows that wait for a person: loaded on the first tool call, since start-up
        time is measured against the bare SDK server (bench/bench_server.py)."""
        if self._input_bridge is None:
            from mcp_workflows.server.input_bridge import InputBridge

            self._input_bridge = InputBridge()
        return self._input_bridge

    def _serve_beyond_tools(self, settings: Settings, bus: SubscriptionBus) -> None:
        """Resource subscriptions (both eras), completions and logging: MCPServer has no public hook
        for these low-level handlers. Capabilities then say exactly what is served (capabilities.py)."""
        lowlevel = self._lowlevel_server
        lowlevel.add_request_handler(
            "subscriptions/listen", SubscriptionsListenRequestParams, subscriptions.FollowingListenHandler(bus)
        )
        lowlevel.add_request_handler("resources/subscribe", SubscribeRequestParams, subscriptions.subscribe)
        lowlevel.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, subscriptions.unsubscribe)
        lowlevel.add_request_handler("completion/complete", CompleteRequestParams, completions.complete)
        lowlevel.add_request_handler("logging/setLevel", SetLevelRequestParams, client_log.set_level)
        self.middleware.append(
            AdvertiseServed(sessions=not settings.stateless_http, watches=settings.max_resource_watches > 0)
        )
        self.middleware.append(client_log.forward_logs)
        client_log.install()

    async def list_tools(self) -> list[MCPTool]:
        # An OAuth caller sees only the tools its token's scopes allow (guard/caller.py).
        specs = self.tools.specs()
        return [tool for name, tool in self.tools.listed().items() if may_use(specs[name].risk)]

    def enable_toolsets(self, toolsets: set[str]) -> list[MCPTool]:
        """Turn these toolsets on for the rest of the process; the tools that became available."""
        return self.tools.enable(toolsets)

    async def announce_tools_changed(self, session: ServerSession) -> None:
        """tools/list_changed in both protocol eras: a notification on the session (handshake) and
        the subscription bus (2026-07-28 `subscriptions/listen`)."""
        try:
            if session.can_send_request:
                await session.send_tool_list_changed()
            await self.bus.publish(ToolsListChanged())
        except Exception:  # a client that went away must not fail the call that changed the tools
            logger.debug("could not announce the new tool list", exc_info=True)

    async def _refresh_workflow_tools(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        """Middleware: before a tools/list or tools/call, the workflow tools are read again once their
        TTL has passed, and a change is announced."""
        if ctx.method in ("tools/list", "tools/call") and self.tools.workflow_tools.due():
            state = ctx.lifespan_context
            if isinstance(state, AppState) and await self.tools.workflow_tools.refresh(state.api):
                await self.announce_tools_changed(ctx.session)
        return await call_next(ctx)

    def framed(self, structured: dict[str, Any]) -> CallToolResult:
        """An execution tool's structured result as a client receives it from call_tool."""
        return self.tools.explained(framed_result(structured, failed_run=structured.get("status") in RUN_FAILED))

    def sdk_tool(self, spec: ToolSpec) -> SDKTool:
        """The tool as the SDK runs it (its pydantic models), built on first use. A workflow tool
        runs execute_workflow's code under its own name (its confirmations are bound to that name)."""
        if spec.name not in self._built:
            code = declaration(indexed_specs()[EXECUTE] if spec.name not in indexed_specs() else spec)
            self._built[spec.name] = build_sdk_tool(dataclasses.replace(code, spec=spec))
        return self._built[spec.name]

    async def list_resource_templates(self) -> list[MCPResourceTemplate]:
        return resources.templates()

    async def read_resource(
        self, uri: AnyUrl | str, context: Context[AppState, Any] | None = None
    ) -> Iterable[ReadResourceContents]:
        assert context is not None, "the SDK passes a request context to every read"
        return [ReadResourceContents(content=await resources.read(context, str(uri)), mime_type=resources.MIME_TYPE)]

    async def list_prompts(self) -> list[MCPPrompt]:
        return prompts.advertised()

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, context: Context[AppState, Any] | None = None
    ) -> GetPromptResult:
        return prompts.render(name, arguments, self.tools.references().text)

    async def live_tools(self) -> list[MCPTool]:
        """Every active catalog tool built from its code now, in its advertised form (for the index)."""
        return [advertised(self.sdk_tool(spec)) for spec in self.tools.catalog.values()]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[AppState, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        spec = self.tools.catalog.get(name)
        if spec is None and (workflow_tool := self.tools.workflow_tools.current.tools.get(name)) is not None:
            spec, arguments = workflow_tool.spec, workflow_tool.execute_arguments(arguments)
        if spec is None:
            return self.tools.not_active(name)
        assert context is not None, "the SDK passes a request context to every tool call"
        state: AppState = context.request_context.lifespan_context
        tool = self.sdk_tool(spec)
        resumed = await self._inputs().resume(spec, arguments, context, state)
        if resumed is not None:  # a 2026-07-28 retry carrying a person's answer to the workflow's form
            return self.tools.explained(resumed) if isinstance(resumed, CallToolResult) else resumed
        refused = True
        try:
            validated = tool.fn_metadata.validate_arguments(arguments)
        except ValidationError as exc:
            logger.info("tool %s: rejected arguments", name)
            result: CallToolResult | InputRequiredResult = error_result(describe_validation_error(name, exc))
        else:
            try:
                refusal = await state.gate.refusal(spec, validated, state.api)
            except WorkflowsAPIError as exc:
                refusal = describe_api_error(exc, base_url=self.app_settings.base_url)
            if refusal is None:
                refused = False
                result = await self._run(spec, tool, arguments, context, state.gate)
            else:
                result = error_result(refusal)
        if isinstance(result, CallToolResult):
            await state.gate.account(spec, arguments, result, refused=refused)
            result = await self._inputs().after(spec, arguments, result, context, state)
        return self.tools.explained(result) if isinstance(result, CallToolResult) else result

    async def _run(
        self, spec: ToolSpec, tool: SDKTool, arguments: dict[str, Any], context: Context[AppState, Any], gate: CallGate
    ) -> CallToolResult | InputRequiredResult:
        try:
            # The tool's own typed model comes back unconverted: it is dumped once, below,
            # instead of validated again and rendered as indented JSON we would throw away.
            result = await tool.run(arguments, context, convert_result=False)
        except ToolError as exc:
            return self._error_result(spec.name, exc)
        if isinstance(result, CallToolResult | InputRequiredResult):
            return result
        if isinstance(result, BaseModel):
            result = gate.visible(spec, result)
            structured = result.model_dump(mode="json", by_alias=True, exclude_none=True)
            # execution tools report a failed run as an error (tools/outcomes.py: ExecutionOutcome)
            failed_run = getattr(result, "failed_run_is_error", False) and structured.get("status") in RUN_FAILED
            return framed_result(structured, failed_run=failed_run)
        raise TypeError(f"tool {spec.name} returned {type(result).__name__}, not a result model")

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
        if isinstance(cause, CreatedIdError):
            logger.info("tool %s: upstream %s after a create", tool, type(cause.cause).__name__)
            return error_result(
                f"{describe_api_error(cause.cause, base_url=self.app_settings.base_url)} {cause.hint()}"
            )
        if isinstance(cause, ToolInputError | ToolError):
            return error_result(str(cause))
        logger.error("tool %s crashed", tool, exc_info=cause)
        return error_result(f"{tool} failed unexpectedly inside the server; the server log has details.")


def framed_result(structured: dict[str, Any], *, failed_run: bool) -> CallToolResult:
    """A tool's structured result as sent: a chat-assistant output rendered, a failed run an error."""
    from mcp_workflows.server.chat_output import chat_result

    result = chat_result(structured) or success_result(structured)
    return result.model_copy(update={"is_error": True}) if failed_run else result


def build_sdk_tool(declared: Declaration) -> SDKTool:
    """The SDK's Tool for a declaration: guarded tools get their confirmation step around the body."""
    spec = declared.spec
    fn = guarded(declared) if declared.confirm is not None else declared.fn
    return SDKTool.from_function(
        fn,
        name=spec.name,
        title=spec.title,
        description=" ".join(inspect.cleandoc(declared.fn.__doc__ or "").split()),
        annotations=spec.annotations,
        structured_output=True,
    )


def advertised(tool: SDKTool) -> MCPTool:
    """A built tool in the compact form tools/list advertises."""
    return MCPTool(
        name=tool.name,
        title=tool.title,
        description=tool.description,
        input_schema=compact_input_schema(tool.parameters),
        output_schema=compact_output_schema(tool.output_schema) if tool.output_schema else None,
        annotations=tool.annotations,
    )


@asynccontextmanager
async def _lifespan(
    settings: Settings, secret: bytes, shared: SharedState, upstream: Upstream | None
) -> AsyncIterator[AppState]:
    """Open the one HTTP client of the process (after the stand-in upstream, when one is handed in),
    the stores of spent confirmations and cap counts (in Redis when replicas share one), and run the
    execution watches of resource subscribers."""
    from mcp_workflows.api.client import WorkflowsClient
    from mcp_workflows.api.http import RetryPolicy

    async with AsyncExitStack() as stack:
        base_url = settings.base_url
        if upstream is not None:  # `serve --sandbox`: a stand-in started for this process
            base_url = await stack.enter_async_context(upstream())
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
        stores = await stack.enter_async_context(shared.opened())  # before the watches: they publish on its bus
        gate = CallGate(settings, stores.counter)
        watched = await stack.enter_async_context(
            subscriptions.running_subscriptions(
                api,
                gate.scope,
                shared.bus,
                limit=settings.max_resource_watches,
                base_url=settings.base_url,
                sessions=not settings.stateless_http,
            )
        )
        logger.info("serving Workflows API at %s", base_url)
        yield AppState(
            api=api,
            settings=settings,
            confirmations=Confirmations(settings.confirm_policy, signer, stores.confirmations),
            registrations=Registrations(api),
            gate=gate,
            store=stores.confirmations,
            subscriptions=watched,
            completions=completions.Completions(api, gate.scope),
        )


def build_server(
    settings: Settings, oauth: OAuthConfig | None = None, upstream: Upstream | None = None
) -> WorkflowsServer:
    """The MCP server for these settings, exposing the tools its configuration selects; over HTTP,
    with oauth, it accepts only access tokens that configuration trusts.

    `upstream` starts a stand-in Workflows API for the server's lifetime and gives its base URL:
    `serve --sandbox` hands one in (mcp_workflows/sandboxed.py), as server/ never imports sandbox/.

    Change events reach subscribers through the bus of the shared state: in this process by
    default; with MCP_WORKFLOWS_REDIS_URL, any replica's watch reaches any replica's subscriber."""
    if settings.sandbox and upstream is None:  # else it would send the sandbox's key to MISTRAL_BASE_URL
        raise ValueError("sandbox settings need the sandbox handed in: mcp_workflows.sandboxed.build_sandboxed_server")
    secret = signing_secret(settings)
    redact.add(settings.secrets())
    shared = shared_state(settings)
    auth: dict[str, Any] = {}
    if oauth is not None:  # imported only when used: start-up time is measured
        from mcp_workflows.server.oauth import server_auth

        auth = server_auth(oauth)

    @asynccontextmanager
    async def lifespan(_: MCPServer[AppState]) -> AsyncIterator[AppState]:
        async with _lifespan(settings, secret, shared, upstream) as state:
            yield state

    return WorkflowsServer(
        settings,
        select_tools(settings),
        bus=shared.bus,
        name="mcp-workflows",
        title="Mistral Workflows",
        version=__version__,
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
        request_state_security=RequestStateSecurity(keys=[request_state_key(secret)]),
        secret=secret,
        **auth,
    )
