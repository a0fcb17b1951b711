"""Prompts: three recurring jobs, each a short plan that names the tools to call in order.

- run_workflow: read the workflow's input schema (get_workflow), build the input with the user,
  run it (execute_workflow) and follow it;
- diagnose_execution: status and failure (get_execution), then what led to it (list_events,
  get_execution_logs: toolsets that are off by default);
- review_waiting_inputs: the executions waiting for a person (list_executions with
  waiting_for_input), what each asks (get_execution), and the answers sent back (submit_input).

The server explains every tool a prompt names that this session cannot call (references.py), as in
tool descriptions and results. Rendering calls no API: a prompt cannot fail upstream.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, GetPromptResult, PromptArgument, PromptMessage, TextContent
from mcp_types import Prompt as MCPPrompt

from mcp_workflows.api.operations import segment_problem

MAX_TEXT_CHARS = 2000
MAX_IDENTIFIER_CHARS = 256  # as the tools' identifier parameters


@dataclass(frozen=True)
class Argument:
    """A prompt argument; `parameter` names the upstream path parameter an identifier must fit."""

    name: str
    description: str
    required: bool = False
    parameter: str | None = None

    def checked(self, prompt: str, value: str) -> str:
        longest = MAX_TEXT_CHARS if self.parameter is None else MAX_IDENTIFIER_CHARS
        if len(value) > longest:
            raise MCPError(
                code=INVALID_PARAMS, message=f"prompt {prompt}: {self.name} is longer than {longest} characters."
            )
        if self.parameter is not None and (why := segment_problem(self.parameter, value)) is not None:
            raise MCPError(
                code=INVALID_PARAMS,
                message=f"prompt {prompt}: {self.name} {value[:80]!r} {why}; completion or the listing tool "
                "gives valid values.",
            )
        return value


Render = Callable[[Mapping[str, str]], str]


@dataclass(frozen=True)
class PromptSpec:
    name: str
    title: str
    description: str
    arguments: tuple[Argument, ...]
    render: Render

    def advertised(self) -> MCPPrompt:
        return MCPPrompt(
            name=self.name,
            title=self.title,
            description=self.description,
            arguments=[
                PromptArgument(name=a.name, description=a.description, required=a.required) for a in self.arguments
            ],
        )


WORKFLOW = Argument("workflow", "Workflow name or id (list_workflows).", required=True, parameter="workflow_identifier")


def _run_workflow(args: Mapping[str, str]) -> str:
    workflow = args["workflow"]
    deployment = args.get("deployment")
    on = f' on deployment "{deployment}"' if deployment else ""
    deployment_argument = f', deployment="{deployment}"' if deployment else ""
    request = f'\nWhat I want from this run: "{args["request"]}".' if args.get("request") else ""
    return (
        f'Run the workflow "{workflow}"{on} for me.{request}\n'
        f'1. Call get_workflow(workflow="{workflow}"). Its registration\'s input_schema says what the input must '
        "hold; `active` says whether a worker serves it. If it has no registration or is not active, tell me and "
        "stop.\n"
        "2. Build the input from the input_schema and what I asked. Ask me for every required value you cannot "
        "take from my request; never invent one.\n"
        f'3. Call execute_workflow(workflow="{workflow}", input={{...}}{deployment_argument}). If it asks for a '
        "confirmation, show me what it will do and wait for my answer.\n"
        "4. Give me the result, or the failure in plain words. If it is still running, tell me its execution_id "
        "and follow it with wait_for_execution."
    )


def _diagnose_execution(args: Mapping[str, str]) -> str:
    execution_id = args["execution_id"]
    return (
        f'Find out why the execution "{execution_id}" went wrong, and what to do about it.\n'
        f'1. Call get_execution(execution_id="{execution_id}"): its status, failure message and workflow. If it '
        "has not failed, say what state it is in instead.\n"
        f'2. Call list_events(execution_id="{execution_id}") for the steps that led there (failed activities, '
        f'retries, timeouts), and get_execution_logs(execution_id="{execution_id}") for what the workflow\'s code '
        "logged.\n"
        "3. Tell me in plain words what failed, at which step, the likely cause, and what to do: run it again "
        "with a corrected input (execute_workflow), reset it to a step before the failure (reset_execution), or "
        "fix the workflow's code or deployment. Change nothing without asking me."
    )


def _review_waiting_inputs(args: Mapping[str, str]) -> str:
    workflow = args.get("workflow")
    only = f' of the workflow "{workflow}"' if workflow else ""
    workflow_argument = f', workflow="{workflow}"' if workflow else ""
    return (
        f"Show me the executions{only} that wait for a person's input, and help me answer them.\n"
        f"1. Call list_executions(waiting_for_input=true{workflow_argument}).\n"
        "2. If none wait, say so and stop. For each one, call get_execution(execution_id=...) and tell me which "
        "workflow it is, when it started, and what it asks: each pending input's label and the fields of its "
        "form, with their constraints.\n"
        "3. Ask me for each answer. Never answer on my behalf, and never guess a value.\n"
        "4. Send each answer I give with submit_input(execution_id=..., input={...}), adding task_id=... when an "
        "execution waits for several inputs, and tell me whether it was accepted."
    )


PROMPTS: dict[str, PromptSpec] = {
    spec.name: spec
    for spec in (
        PromptSpec(
            "run_workflow",
            "Run a workflow",
            "Run a workflow with the right input: read its input schema, ask for what is missing, run it, "
            "follow it to its result.",
            (
                WORKFLOW,
                Argument("deployment", "Deployment to run it on (list_deployments); optional.", parameter="name"),
                Argument("request", "What the run should do, in your words; optional."),
            ),
            _run_workflow,
        ),
        PromptSpec(
            "diagnose_execution",
            "Diagnose a failed execution",
            "Find out why an execution failed (status, events, logs) and what to do about it.",
            (Argument("execution_id", "Execution id (list_executions).", required=True, parameter="execution_id"),),
            _diagnose_execution,
        ),
        PromptSpec(
            "review_waiting_inputs",
            "Review what waits for me",
            "List the executions waiting for a person's input, show what each asks, and send the answers.",
            (
                Argument(
                    "workflow",
                    "Only this workflow (name or id, list_workflows); optional.",
                    parameter="workflow_identifier",
                ),
            ),
            _review_waiting_inputs,
        ),
    )
}


def advertised() -> list[MCPPrompt]:
    return [spec.advertised() for spec in PROMPTS.values()]


def argument_names(prompt: str) -> tuple[str, ...] | None:
    """The arguments of a prompt (for completions); None when there is no such prompt."""
    spec = PROMPTS.get(prompt)
    return None if spec is None else tuple(a.name for a in spec.arguments)


def render(name: str, arguments: Mapping[str, str] | None, explain: Callable[[str], str]) -> GetPromptResult:
    """The prompt's message; `explain` annotates the tools it names that this session cannot call."""
    spec = PROMPTS.get(name)
    if spec is None:
        raise MCPError(code=INVALID_PARAMS, message=f"no prompt {name[:100]!r}; prompts/list shows them.")
    given = {key: value for key, value in (arguments or {}).items() if value}
    known = {a.name: a for a in spec.arguments}
    if unknown := sorted(set(given) - set(known)):
        raise MCPError(
            code=INVALID_PARAMS,
            message=f"prompt {name} has no argument {', '.join(unknown)}; it takes {', '.join(known)}.",
        )
    if missing := [a.name for a in spec.arguments if a.required and a.name not in given]:
        raise MCPError(code=INVALID_PARAMS, message=f"prompt {name} needs {', '.join(missing)}.")
    text = explain(spec.render({key: known[key].checked(name, value) for key, value in given.items()}))
    return GetPromptResult(
        description=spec.description,
        messages=[PromptMessage(role="user", content=TextContent(type="text", text=text))],
    )
