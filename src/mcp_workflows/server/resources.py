"""Resources: what a client can read (and attach as context) by URI, as compact JSON.

- `workflows://workflow/{workflow}`: a workflow's definition (name or id): its input schema, its
  signal, query and update handlers with their input schemas, whether it runs in the chat
  assistant and whether it waits for a person's input, for every registration (one per deployment
  that has its code), and whether a worker serves it;
- `workflows://execution/{execution_id}`: an execution as get_execution shows it (status, result
  or failure); subscribers hear when it changes (server/subscriptions.py);
- `workflows://schedule/{schedule_id}`: a schedule as get_schedule shows it.

Reads go through the same checks as tools: ids are refused before a URL is built, workflows the
operator's allow/deny rules put out of scope are refused, and errors are the tools' messages.
The tool modules are imported on the first read, never at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pydantic_core
from mcp.shared.exceptions import MCPError
from mcp.shared.uri_template import UriTemplate
from mcp_types import INTERNAL_ERROR, INVALID_PARAMS
from mcp_types import ResourceTemplate as MCPResourceTemplate

from mcp_workflows.api.errors import NotFound, WorkflowsAPIError
from mcp_workflows.api.operations import segment_problem
from mcp_workflows.redaction import redact
from mcp_workflows.server.results import PARAMETER_SOURCE, describe_api_error

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context

    from mcp_workflows.server.state import AppState

MIME_TYPE = "application/json"


@dataclass(frozen=True)
class Template:
    """One URI template: its variable, the upstream path parameter that variable fills, its listing."""

    kind: str  # workflow, execution, schedule
    uri_template: str
    variable: str
    parameter: str
    title: str
    description: str

    @cached_property
    def parsed(self) -> UriTemplate:
        return UriTemplate.parse(self.uri_template)

    def uri(self, value: str) -> str:
        return self.parsed.expand({self.variable: value})

    def advertised(self) -> MCPResourceTemplate:
        return MCPResourceTemplate(
            uri_template=self.uri_template,
            name=self.kind,
            title=self.title,
            description=self.description,
            mime_type=MIME_TYPE,
        )


WORKFLOW = Template(
    "workflow",
    "workflows://workflow/{workflow}",
    "workflow",
    "workflow_identifier",
    "Workflow definition",
    "A workflow (name or id) with, per registration, the input schema execute_workflow checks, its signal, "
    "query and update handlers with their input schemas, and whether it runs in the chat assistant.",
)
EXECUTION = Template(
    "execution",
    "workflows://execution/{execution_id}",
    "execution_id",
    "execution_id",
    "Execution",
    "An execution's status, result or failure, as get_execution shows it. Subscribe to hear when it changes.",
)
SCHEDULE = Template(
    "schedule",
    "workflows://schedule/{schedule_id}",
    "schedule_id",
    "schedule_id",
    "Schedule",
    "A schedule's definition, whether it is paused, its next runs and its recent executions.",
)
TEMPLATES = (WORKFLOW, EXECUTION, SCHEDULE)


def templates() -> list[MCPResourceTemplate]:
    return [template.advertised() for template in TEMPLATES]


def template_variables(uri_template: str) -> tuple[str, ...]:
    """The variables of one of our templates (for completions); empty for any other string."""
    return tuple(t.variable for t in TEMPLATES if t.uri_template == uri_template)


def problem(message: str) -> MCPError:
    """A request the caller can fix: what was wrong and where valid values come from."""
    return MCPError(code=INVALID_PARAMS, message=redact(message))


def upstream_problem(exc: WorkflowsAPIError, base_url: str) -> MCPError:
    """An upstream failure, in the words a tool would use (a missing item is the caller's to fix)."""
    code = INVALID_PARAMS if isinstance(exc, NotFound) else INTERNAL_ERROR
    return MCPError(code=code, message=redact(describe_api_error(exc, base_url=base_url)))


def parse(uri: str) -> tuple[Template, str]:
    """The template a URI matches and its value, checked as an upstream path segment."""
    for template in TEMPLATES:
        match = template.parsed.match(uri)
        if match is None:
            continue
        value = match[template.variable]
        assert isinstance(value, str), "our templates have simple string variables"
        if (why := segment_problem(template.parameter, value)) is not None:
            source = PARAMETER_SOURCE.get(template.parameter, "the listing tool")
            raise problem(f"{uri[:200]!r}: the {template.variable} {value[:80]!r} {why}; {source} gives valid values.")
        return template, value
    shapes = ", ".join(t.uri_template for t in TEMPLATES)
    raise problem(f"unknown resource {uri[:200]!r}: this server serves {shapes} (resources/templates/list).")


def check_scope(state: AppState, workflow_name: str | None, uri: str) -> None:
    """Refuse a resource of a workflow the operator's allow/deny rules put out of scope."""
    if workflow_name and (reason := state.gate.scope.refusal(workflow_name)):
        raise problem(f"{uri} refused: {reason}. Ask the operator to change the rule if this is needed.")


async def read(ctx: Context[Any, Any], uri: str) -> str:
    """The resource at `uri` as compact JSON."""
    from mcp_workflows.server.state import app_state

    state = app_state(ctx)
    template, value = parse(uri)
    try:
        if template is WORKFLOW:
            document = await workflow_definition(state, value, uri)
        elif template is EXECUTION:
            document = await execution(ctx, value, uri)
        else:
            document = await schedule(ctx, value, uri)
    except WorkflowsAPIError as exc:
        raise upstream_problem(exc, state.settings.base_url) from None
    text = pydantic_core.to_json(document).decode()
    return redact(text) if redact.needed(text) else text


async def workflow_definition(state: AppState, workflow: str, uri: str) -> dict[str, Any]:
    from mcp_workflows.server.interactive import is_interactive
    from mcp_workflows.server.tools.shared import both
    from mcp_workflows.server.tools.workflows import WorkflowSummary, all_handlers

    found, _ = await both(state.api.workflows.get(workflow), state.registrations.candidates(workflow))
    check_scope(state, found.name, uri)
    registrations, served = await state.registrations.of_workflow(found.id, workflow)
    return {
        "workflow": WorkflowSummary.of(found).model_dump(mode="json", exclude_none=True),
        "served": served,  # whether a worker serves these registrations now
        "registrations": [
            _dropped_none(
                {
                    "id": r.id,
                    "deployment_name": r.deployment_name,
                    "compatible_with_chat_assistant": r.compatible_with_chat_assistant,
                    "waits_for_input": True if is_interactive(r.definition) else None,
                    "input_schema": r.definition.input_schema,
                    "handlers": [h.model_dump(mode="json", exclude_none=True) for h in all_handlers(r.definition)],
                }
            )
            for r in registrations
        ],
    }


async def execution(ctx: Context[Any, Any], execution_id: str, uri: str) -> dict[str, Any]:
    from mcp_workflows.server.state import app_state
    from mcp_workflows.server.tools.executions import get_execution

    detail = await get_execution(ctx, execution_id)
    check_scope(app_state(ctx), detail.workflow_name, uri)
    return detail.model_dump(mode="json", by_alias=True, exclude_none=True)


async def schedule(ctx: Context[Any, Any], schedule_id: str, uri: str) -> dict[str, Any]:
    from mcp_workflows.server.state import app_state
    from mcp_workflows.server.tools.schedules import get_schedule

    detail = await get_schedule(ctx, schedule_id)
    check_scope(app_state(ctx), detail.workflow_name, uri)
    return detail.model_dump(mode="json", by_alias=True, exclude_none=True)


def _dropped_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
