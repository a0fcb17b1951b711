"""How a tool is declared, and the catalog of declared tools.

A tool is one function in `server/tools/<toolset>.py`: its signature is its input schema, its
return model its output schema, its docstring its description, and the `@tool(...)` decorator
right above it holds everything else (risk class, title, upstream operations, what allow/deny
rules check, the confirmation text). The risk classes are the upstream operations' (`Risk`, in
api/operations.py, where each operation declares its own); a tool carries the highest of its
operations' classes, which tests/test_catalog.py checks. The decorator registers the declaration; nothing else lists
tools by hand.

Start-up does not import the tool modules (their pydantic models cost more than the rest of the
server): `tool_index.json`, generated from the declarations, carries each tool's metadata and wire
form, and a module is imported on its tool's first call. `tests/test_tool_snapshots.py` fails
when the index and the declarations differ.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from mcp_types import ToolAnnotations

from mcp_workflows.api.operations import Operation, Risk

if TYPE_CHECKING:
    from mcp_workflows.server.state import AppState

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


# One module per toolset under server/tools/, in the order tools/list presents them.
TOOLSETS: tuple[str, ...] = (
    "core",
    "workflows",
    "executions",
    "registrations",
    "runs",
    "observability",
    "events",
    "schedules",
    "deployments",
)
TOOLS_PACKAGE = "mcp_workflows.server.tools"


@dataclass(frozen=True)
class Target:
    """What allow/deny rules check: the kind of thing an argument names (ids resolve to workflows)."""

    kind: str  # workflow, registration, execution, schedule, run
    argument: str


@dataclass(frozen=True)
class Listing:
    """The rows of a list result that name their workflow, so allow/deny rules can hide them."""

    rows: str
    workflow_field: str


@dataclass(frozen=True)
class ToolSpec:
    """Everything about a tool but its code: plain data, stored in the tool index."""

    name: str
    toolset: str
    title: str
    risk: Risk
    operations: tuple[str, ...]  # upstream operationIds
    idempotent: bool = True
    # Batch and bulk calls show their blast radius first, whatever the policy: always, or when
    # the batch argument holds more than one target.
    always_preview: bool = False
    batch_argument: str | None = None
    target: Target | None = None
    listing: Listing | None = None
    # Waits on an execution, so a form the execution asks for can be shown to the person on the way.
    bridges_input: bool = False

    def forces_preview(self, arguments: Mapping[str, Any]) -> bool:
        if self.always_preview:
            return True
        batch = arguments.get(self.batch_argument) if self.batch_argument else None
        return isinstance(batch, list) and len(batch) > 1

    @property
    def annotations(self) -> ToolAnnotations:
        """Hints derived from the risk class, so they cannot drift from what the tool does."""
        return ToolAnnotations(
            title=self.title,
            read_only_hint=self.risk is Risk.READ,
            destructive_hint=self.risk is Risk.DESTRUCTIVE,
            idempotent_hint=self.idempotent,
            # Executions run user code that may reach any external system; the rest only
            # touches the Workflows API of this workspace.
            open_world_hint=self.risk is Risk.EXECUTE,
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "toolset": self.toolset,
            "title": self.title,
            "risk": self.risk.value,
            "operations": list(self.operations),
            "idempotent": self.idempotent,
        }
        if self.always_preview:
            data["always_preview"] = True
        if self.batch_argument:
            data["batch_argument"] = self.batch_argument
        if self.target:
            data["target"] = [self.target.kind, self.target.argument]
        if self.listing:
            data["listing"] = [self.listing.rows, self.listing.workflow_field]
        if self.bridges_input:
            data["bridges_input"] = True
        return data

    @classmethod
    def from_json(cls, name: str, data: Mapping[str, Any]) -> ToolSpec:
        return cls(
            name=name,
            toolset=data["toolset"],
            title=data["title"],
            risk=Risk(data["risk"]),
            operations=tuple(data["operations"]),
            idempotent=data["idempotent"],
            always_preview=data.get("always_preview", False),
            batch_argument=data.get("batch_argument"),
            target=Target(*data["target"]) if "target" in data else None,
            listing=Listing(*data["listing"]) if "listing" in data else None,
            bridges_input=data.get("bridges_input", False),
        )


Describer = Callable[["AppState", Mapping[str, Any]], Awaitable[str]]
Checker = Callable[["AppState", Mapping[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Confirm:
    """How a guarded tool asks the user: what it says, and what is checked before asking.

    `describe` says in words what the call would do (the form's message, the token preview).
    `check` refuses bad arguments before anyone is asked. A token binds the tool's validated
    arguments except `unbound` ones (those that do not change what happens, e.g. a wait budget).
    """

    describe: Describer
    check: Checker | None = None
    unbound: tuple[str, ...] = ()


@dataclass(frozen=True)
class Declaration:
    """A tool's spec and code, as its module declares it."""

    spec: ToolSpec
    fn: Callable[..., Awaitable[Any]]
    confirm: Confirm | None = None


_DECLARED: dict[str, Declaration] = {}


def tool(
    risk: Risk,
    title: str,
    *,
    operations: tuple[Operation, ...],
    idempotent: bool | None = None,
    target: Target | None = None,
    listing: Listing | None = None,
    confirm: Confirm | None = None,
    always_preview: bool = False,
    batch_argument: str | None = None,
    bridges_input: bool = False,
) -> Callable[[F], F]:
    """Declare the decorated function as a tool of the toolset its module is named after.

    `idempotent` defaults to False for execute tools (starting work twice is not idempotent) and
    True otherwise.
    """

    def register(fn: F) -> F:
        module = fn.__module__
        package, _, toolset = module.rpartition(".")
        if package != TOOLS_PACKAGE or toolset not in TOOLSETS:
            raise ValueError(f"tool {fn.__name__} must live in {TOOLS_PACKAGE}.<toolset>, not {module}")
        spec = ToolSpec(
            name=fn.__name__,
            toolset=toolset,
            title=title,
            risk=risk,
            operations=tuple(op.operation_id for op in operations),
            idempotent=risk is not Risk.EXECUTE if idempotent is None else idempotent,
            always_preview=always_preview,
            batch_argument=batch_argument,
            target=target,
            listing=listing,
            bridges_input=bridges_input,
        )
        if spec.name in _DECLARED and _DECLARED[spec.name].fn is not fn:
            raise ValueError(f"tool {spec.name} is declared twice")
        _DECLARED[spec.name] = Declaration(spec, fn, confirm)
        return fn

    return register


def declaration(spec: ToolSpec) -> Declaration:
    """The declaration of a tool, importing its toolset module on first use."""
    if spec.name not in _DECLARED:
        importlib.import_module(f"{TOOLS_PACKAGE}.{spec.toolset}")
    return _DECLARED[spec.name]


def declared_tools() -> list[Declaration]:
    """Every declared tool, in toolset order then declaration order (imports every tool module)."""
    for toolset in TOOLSETS:
        importlib.import_module(f"{TOOLS_PACKAGE}.{toolset}")
    by_toolset = {toolset: index for index, toolset in enumerate(TOOLSETS)}
    return sorted(_DECLARED.values(), key=lambda d: by_toolset[d.spec.toolset])
