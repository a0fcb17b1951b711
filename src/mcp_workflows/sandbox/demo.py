"""The built-in demo workflows: small, deterministic programs that exercise every kind of interaction."""

from __future__ import annotations

import math
from typing import Any

from .demo_interactive import INTERACTIVE_WORKFLOWS
from .demo_progress import PROGRESS_WORKFLOWS
from .program import DemoWorkflow, HandlerDef, RunContext, State, WorkflowFailure

EMPTY_OBJECT: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}


def _obj(properties: dict[str, Any], required: list[str] | None = None, title: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required or [],
        "additionalProperties": False,
    }
    if title:
        schema["title"] = title
    return schema


# greeting ---------------------------------------------------------------------------------------


async def _greeting(ctx: RunContext) -> Any:
    name = str(ctx.input["name"])
    language = ctx.input.get("language", "en")
    text = f"Bonjour, {name} !" if language == "fr" else f"Hello, {name}!"
    await ctx.sleep(0.05)
    result = await ctx.activity("compose_greeting", {"name": name, "language": language}, lambda: text)
    ctx.log(f"Greeted {name}")
    return {"greeting": result}


GREETING = DemoWorkflow(
    name="greeting",
    display_name="Greeting",
    description="Says hello. Completes almost at once; the quickest way to try an execution.",
    input_schema=_obj(
        {
            "name": {"type": "string", "minLength": 1, "description": "Who to greet."},
            "language": {"type": "string", "enum": ["en", "fr"], "default": "en", "description": "Language."},
        },
        ["name"],
        "GreetingInput",
    ),
    output_schema=_obj({"greeting": {"type": "string"}}, ["greeting"], "GreetingOutput"),
    init=lambda _input: {},
    body=_greeting,
    tags=("demo", "quickstart"),
    available_in_chat_assistant=True,
)

# slow-report ------------------------------------------------------------------------------------


async def _slow_report(ctx: RunContext) -> Any:
    seconds = float(ctx.input.get("seconds", 5))
    topic = str(ctx.input.get("topic", "sandbox activity"))
    ticks = max(1, min(3600, math.ceil(seconds)))
    ctx.custom_task("report-progress", "progress", "started", {"percent": 0, "topic": topic})
    ctx.log(f"Building a report on {topic!r} ({seconds:g} s)")
    for tick in range(1, ticks + 1):
        await ctx.sleep(seconds / ticks)
        percent = int(100 * tick / ticks)
        ctx.state["percent"] = percent
        ctx.custom_task("report-progress", "progress", "in_progress", {"percent": percent, "topic": topic})
        ctx.log(f"Report progress {percent}%")
    ctx.custom_task("report-progress", "progress", "completed", {"percent": 100, "topic": topic})
    summary = await ctx.activity(
        "render_report", {"topic": topic}, lambda: f"Report on {topic}: all {ticks} sections done."
    )
    return {"topic": topic, "seconds": seconds, "summary": summary}


SLOW_REPORT = DemoWorkflow(
    name="slow-report",
    display_name="Slow report",
    description="Builds a report for `seconds` seconds, reporting progress every second.",
    input_schema=_obj(
        {
            "seconds": {
                "type": "number",
                "minimum": 0,
                "maximum": 3600,
                "default": 5,
                "description": "How long the report takes, in seconds.",
            },
            "topic": {"type": "string", "description": "What the report is about."},
        },
        [],
        "SlowReportInput",
    ),
    output_schema=_obj(
        {"topic": {"type": "string"}, "seconds": {"type": "number"}, "summary": {"type": "string"}},
        ["topic", "seconds", "summary"],
        "SlowReportOutput",
    ),
    init=lambda _input: {"percent": 0},
    body=_slow_report,
    tags=("demo", "reporting"),
    available_in_chat_assistant=True,
    queries=(
        HandlerDef(
            name="progress",
            description="How far the report is, in percent.",
            input_schema=EMPTY_OBJECT,
            output_schema=_obj({"percent": {"type": "integer"}}, ["percent"]),
            fn=lambda state, _input: {"percent": int(state.get("percent", 0))},
        ),
    ),
)

# always-fails -----------------------------------------------------------------------------------


async def _always_fails(ctx: RunContext) -> Any:
    await ctx.sleep(0.2)
    reason = ctx.input.get("reason") or "the sandbox workflow always fails"
    ctx.log(f"Giving up: {reason}", "ERROR")
    raise WorkflowFailure(f"Workflow failed on purpose: {reason}")


ALWAYS_FAILS = DemoWorkflow(
    name="always-fails",
    display_name="Always fails",
    description="Fails after a short moment; the message is in the WORKFLOW_EXECUTION_FAILED event.",
    input_schema=_obj(
        {"reason": {"type": "string", "description": "Text to put in the failure message."}},
        [],
        "AlwaysFailsInput",
    ),
    output_schema=_obj({}, [], "AlwaysFailsOutput"),
    init=lambda _input: {},
    body=_always_fails,
    tags=("demo", "testing"),
)

# approval ---------------------------------------------------------------------------------------


def _approve(state: State, data: dict[str, Any]) -> None:
    if state.get("approved") is None:
        state["approved"] = bool(data["approved"])
        state["comment"] = data.get("comment")


def _approval_status(state: State, _data: dict[str, Any]) -> Any:
    decision = state.get("approved")
    label = "waiting" if decision is None else ("approved" if decision else "rejected")
    return {"state": label, "request": state["request"], "comment": state.get("comment")}


async def _approval(ctx: RunContext) -> Any:
    ctx.log(f"Waiting for a decision on: {ctx.state['request']}")
    await ctx.wait_until(lambda state: state.get("approved") is not None)
    approved = bool(ctx.state["approved"])
    ctx.log("Request approved" if approved else "Request rejected")
    return {"request": ctx.state["request"], "approved": approved, "comment": ctx.state.get("comment")}


APPROVAL = DemoWorkflow(
    name="approval",
    display_name="Approval",
    description="Waits for the `approve` signal, then completes with the decision.",
    input_schema=_obj(
        {"request": {"type": "string", "description": "What needs approving."}}, ["request"], "ApprovalInput"
    ),
    output_schema=_obj(
        {
            "request": {"type": "string"},
            "approved": {"type": "boolean"},
            "comment": {"type": ["string", "null"]},
        },
        ["request", "approved"],
        "ApprovalOutput",
    ),
    init=lambda data: {"request": data["request"], "approved": None, "comment": None},
    body=_approval,
    tags=("demo", "human-in-the-loop"),
    signals=(
        HandlerDef(
            name="approve",
            description="Approve or reject the request; the workflow completes with this decision.",
            input_schema=_obj(
                {
                    "approved": {"type": "boolean", "description": "True to approve, false to reject."},
                    "comment": {"type": "string", "description": "Optional note kept with the decision."},
                },
                ["approved"],
            ),
            fn=_approve,
        ),
    ),
    queries=(
        HandlerDef(
            name="status",
            description="Whether the request is waiting, approved or rejected.",
            input_schema=EMPTY_OBJECT,
            output_schema=_obj(
                {
                    "state": {"type": "string", "enum": ["waiting", "approved", "rejected"]},
                    "request": {"type": "string"},
                    "comment": {"type": ["string", "null"]},
                },
                ["state", "request"],
            ),
            fn=_approval_status,
        ),
    ),
)

# counter ----------------------------------------------------------------------------------------


def _set_value(state: State, data: dict[str, Any]) -> Any:
    previous = int(state["value"])
    state["value"] = int(data["value"])
    return {"previous": previous, "value": state["value"]}


def _stop(state: State, _data: dict[str, Any]) -> None:
    state["stopped"] = True


async def _counter(ctx: RunContext) -> Any:
    ctx.log(f"Counter started at {ctx.state['value']}")
    await ctx.wait_until(lambda state: bool(state.get("stopped")))
    ctx.log(f"Counter stopped at {ctx.state['value']}")
    return {"value": ctx.state["value"]}


COUNTER = DemoWorkflow(
    name="counter",
    display_name="Counter",
    description="Holds an integer: read it with the `value` query, change it with the `set_value` update, "
    "end it with the `stop` signal.",
    input_schema=_obj(
        {"start": {"type": "integer", "default": 0, "description": "Initial value."}}, [], "CounterInput"
    ),
    output_schema=_obj({"value": {"type": "integer"}}, ["value"], "CounterOutput"),
    init=lambda data: {"value": int(data.get("start", 0)), "stopped": False},
    body=_counter,
    signals=(
        HandlerDef(
            name="stop",
            description="End the workflow; it completes with the current value.",
            input_schema=EMPTY_OBJECT,
            fn=_stop,
        ),
    ),
    queries=(
        HandlerDef(
            name="value",
            description="The current value.",
            input_schema=EMPTY_OBJECT,
            output_schema=_obj({"value": {"type": "integer"}}, ["value"]),
            fn=lambda state, _data: {"value": state["value"]},
        ),
    ),
    updates=(
        HandlerDef(
            name="set_value",
            description="Replace the value; returns the previous and the new value.",
            input_schema=_obj({"value": {"type": "integer", "description": "The new value."}}, ["value"]),
            output_schema=_obj({"previous": {"type": "integer"}, "value": {"type": "integer"}}, ["previous", "value"]),
            fn=_set_value,
        ),
    ),
)

# metadata-only extras (filters need variety) -------------------------------------------------


async def _invoice_digest(ctx: RunContext) -> Any:
    month = str(ctx.input.get("month", "2026-01"))
    await ctx.sleep(0.1)
    return await ctx.activity(
        "summarise_invoices", {"month": month}, lambda: {"month": month, "invoices": 3, "total_eur": 1234.5}
    )


INVOICE_DIGEST = DemoWorkflow(
    name="invoice-digest",
    display_name="Invoice digest",
    description="Summarises a month of invoices (canned numbers).",
    input_schema=_obj(
        {"month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "description": "Month as YYYY-MM."}},
        [],
        "InvoiceDigestInput",
    ),
    output_schema=_obj(
        {"month": {"type": "string"}, "invoices": {"type": "integer"}, "total_eur": {"type": "number"}},
        ["month", "invoices", "total_eur"],
        "InvoiceDigestOutput",
    ),
    init=lambda _input: {},
    body=_invoice_digest,
    tags=("finance", "reporting"),
)


async def _legacy_import(ctx: RunContext) -> Any:
    await ctx.sleep(0.05)
    return {"imported": 0, "source": ctx.input.get("source")}


LEGACY_IMPORT = DemoWorkflow(
    name="legacy-import",
    display_name="Legacy import",
    description="An archived workflow, registered by an inactive deployment.",
    input_schema=_obj({"source": {"type": "string"}}, [], "LegacyImportInput"),
    output_schema=_obj({"imported": {"type": "integer"}, "source": {"type": ["string", "null"]}}, ["imported"]),
    init=lambda _input: {},
    body=_legacy_import,
    tags=("deprecated",),
    archived=True,
    deployment_name="legacy-deployment",
)


async def _echo(ctx: RunContext) -> Any:
    await ctx.sleep(0.02)
    return {"message": ctx.input["message"]}


SHARED_ECHO = DemoWorkflow(
    name="shared-echo",
    display_name="Shared echo",
    description="A workflow shared into this workspace; returns its message.",
    input_schema=_obj({"message": {"type": "string"}}, ["message"], "EchoInput"),
    output_schema=_obj({"message": {"type": "string"}}, ["message"], "EchoOutput"),
    init=lambda _input: {},
    body=_echo,
    shared_namespace="shared:shared-echo",
)

DEMO_WORKFLOWS: tuple[DemoWorkflow, ...] = (
    GREETING,
    SLOW_REPORT,
    ALWAYS_FAILS,
    APPROVAL,
    COUNTER,
    INVOICE_DIGEST,
    LEGACY_IMPORT,
    SHARED_ECHO,
    *PROGRESS_WORKFLOWS,
    *INTERACTIVE_WORKFLOWS,
)
