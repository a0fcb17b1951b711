"""The `registrations` toolset: a deployment's code for a workflow (schemas, handlers), and the
deprecated way to run one registration. get_workflow already shows the registration that runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_workflows.api.models.executions import ExecutionRequest
from mcp_workflows.api.models.workflows import WorkflowRegistration
from mcp_workflows.api.operations import Risk, is_uuid
from mcp_workflows.api.workflows import EXECUTE_REGISTRATION, GET_REGISTRATION, LIST_REGISTRATIONS
from mcp_workflows.server.catalog import Confirm, Listing, Target, tool
from mcp_workflows.server.schema_check import check_against_schema
from mcp_workflows.server.state import AppState, app_state
from mcp_workflows.server.tools.launch import new_execution_id, start_and_wait
from mcp_workflows.server.tools.outcomes import ExecutionOutcome
from mcp_workflows.server.tools.shared import (
    Cursor,
    Limit,
    NextCursor,
    RegistrationId,
    ToolResult,
    WaitSeconds,
    WorkflowFilter,
)
from mcp_workflows.server.tools.workflows import ExecutionInput, Handler, NewExecutionId, all_handlers, describe_execute

REGISTRATION = Target("registration", "registration_id")


class RegistrationDetail(ToolResult):
    id: str
    workflow_id: str
    deployment_name: str | None = None
    active: bool | None = None
    compatible_with_chat_assistant: bool = False
    input_schema: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None
    handlers: list[Handler] = Field(default_factory=list, description="Signals, queries and updates it accepts.")
    execution_timeout_s: float | None = None

    @classmethod
    def of(cls, reg: WorkflowRegistration) -> RegistrationDetail:
        definition = reg.definition
        return cls(
            id=reg.id,
            workflow_id=reg.workflow_id,
            deployment_name=reg.deployment_name,
            active=reg.active,
            compatible_with_chat_assistant=reg.compatible_with_chat_assistant,
            input_schema=definition.input_schema,
            output_schema=definition.output_schema,
            handlers=all_handlers(definition),
            execution_timeout_s=definition.execution_timeout,
        )


class RegistrationSummary(ToolResult):
    id: str
    workflow_id: str
    workflow_name: str | None = None
    deployment_name: str | None = None
    active: bool | None = Field(default=None, description="true when listed with active_only (rows do not say).")
    compatible_with_chat_assistant: bool = False


class RegistrationPage(ToolResult):
    registrations: list[RegistrationSummary]
    next_cursor: NextCursor = None


@tool(
    Risk.READ,
    "List workflow registrations",
    operations=(LIST_REGISTRATIONS,),
    listing=Listing("registrations", "workflow_name"),
)
async def list_workflow_registrations(
    ctx: Context,
    workflow: WorkflowFilter = None,
    active_only: Annotated[bool, Field(description="Only those a live worker serves.")] = False,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> RegistrationPage:
    """List registrations (a deployment's code for a workflow). Pass next_cursor back as cursor for
    more."""
    api = app_state(ctx).api.workflows
    workflow_id = workflow if workflow is None or is_uuid(workflow) else (await api.get(workflow)).id
    page = await api.list_registrations(
        workflow_id=workflow_id,
        active_only=active_only or None,
        with_workflow=True,
        cursor=cursor,
        limit=limit,
    )
    return RegistrationPage(
        registrations=[
            RegistrationSummary(
                id=r.id,
                workflow_id=r.workflow_id,
                workflow_name=r.workflow.name if r.workflow else None,
                deployment_name=r.deployment_name,
                active=True if active_only else None,
                compatible_with_chat_assistant=r.compatible_with_chat_assistant,
            )
            for r in page.workflow_registrations
        ],
        next_cursor=page.next_cursor,
    )


@tool(Risk.READ, "Get a workflow registration", operations=(GET_REGISTRATION,), target=REGISTRATION)
async def get_workflow_registration(ctx: Context, registration_id: RegistrationId) -> RegistrationDetail:
    """Get a registration: its input and output schemas and its handlers."""
    return RegistrationDetail.of(await app_state(ctx).api.workflows.get_registration(str(registration_id)))


async def check_execute_registration(state: AppState, args: Mapping[str, Any]) -> None:
    registration = await state.api.workflows.get_registration(str(args["registration_id"]))
    check_against_schema(
        args.get("input") or {},
        registration.definition.input_schema,
        what="input",
        schema_source="get_workflow_registration shows the input_schema.",
    )


@tool(
    Risk.EXECUTE,
    "Execute a registration (deprecated)",
    operations=(EXECUTE_REGISTRATION,),
    target=REGISTRATION,
    confirm=Confirm(describe_execute, check=check_execute_registration, unbound=("execution_id", "wait_seconds")),
    bridges_input=True,
)
async def execute_workflow_registration(
    ctx: Context,
    registration_id: RegistrationId,
    input: ExecutionInput = None,
    execution_id: NewExecutionId = None,
    wait_seconds: WaitSeconds = 25,
) -> ExecutionOutcome:
    """Deprecated upstream: use execute_workflow with deployment. Runs one registration."""
    api = app_state(ctx).api.workflows
    request = ExecutionRequest(execution_id=execution_id or new_execution_id(), input=input)
    return await start_and_wait(
        ctx, request, wait_seconds, lambda: api.execute_registration(str(registration_id), request)
    )
