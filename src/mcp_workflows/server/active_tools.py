"""The tools a server offers right now, and how their texts read.

Three things decide what is active: the operator's selection (guard/selection.py), toolsets the
agent turned on during the process (`enable_toolsets`), and the workflow tools read from the API
(server/workflow_tool_source.py). The listing is built from the precomputed index and cached until
one of them changes; every text that reaches the model (descriptions, hints, errors) is explained
against the same selection (server/references.py).
"""

from __future__ import annotations

from mcp_types import CallToolResult, TextContent
from mcp_types import Tool as MCPTool

from mcp_workflows.config import Settings
from mcp_workflows.server.catalog import ToolSpec
from mcp_workflows.server.guard.selection import OPTIONAL_TOOLSETS, select_tools
from mcp_workflows.server.references import References
from mcp_workflows.server.results import compact_text, error_result
from mcp_workflows.server.tool_index import indexed_specs, indexed_tools
from mcp_workflows.server.workflow_tool_source import WorkflowToolSource
from mcp_workflows.server.workflow_tools import PREFIX

Key = tuple[frozenset[str], int]


class ActiveTools:
    """The active tools of one server process."""

    def __init__(self, settings: Settings, specs: list[ToolSpec]) -> None:
        self._settings = settings
        self.catalog = {spec.name: spec for spec in specs}  # the selected catalog tools
        self._enabled: set[str] = set()
        self.workflow_tools = WorkflowToolSource(settings)
        self._listing: tuple[Key, dict[str, MCPTool]] | None = None
        self._refs: tuple[Key, References] | None = None

    def specs(self) -> dict[str, ToolSpec]:
        """The spec of every active tool: the selected catalog tools, then the workflow tools."""
        workflow_tools = self.workflow_tools.current.tools
        return {**self.catalog, **{name: tool.spec for name, tool in workflow_tools.items()}}

    def _key(self) -> Key:
        """What the listing depends on: the catalog tools selected, and the reading of the workflow tools."""
        return frozenset(self.catalog), self.workflow_tools.generation

    def listed(self) -> dict[str, MCPTool]:
        """The active tools as listed: their texts explain any inactive tool they name."""
        key = self._key()
        if self._listing is None or self._listing[0] != key:
            index, refs = indexed_tools(), self.references()
            listed = {name: refs.tool(index[name]) for name in self.catalog}
            listed.update({name: refs.tool(t.tool) for name, t in self.workflow_tools.current.tools.items()})
            self._listing = key, listed
        return self._listing[1]

    def references(self) -> References:
        key = self._key()
        if self._refs is None or self._refs[0] != key:
            everything = {spec.name for spec in select_tools(self._settings, set(OPTIONAL_TOOLSETS))}
            active = self.specs()
            enablable = everything - key[0] if "enable_toolsets" in key[0] else set()
            self._refs = key, References({**indexed_specs(), **active}, active, enablable)
        return self._refs[1]

    def explained(self, result: CallToolResult) -> CallToolResult:
        """A result whose hints and error text explain any inactive tool they name."""
        refs = self.references()
        structured = result.structured_content
        if not structured:  # an error text
            blocks = [
                block.model_copy(update={"text": refs.text(block.text)}) if block.type == "text" else block
                for block in result.content
            ]
            return result.model_copy(update={"content": blocks})
        if (explained := refs.hints(structured)) is structured:
            return result
        text = TextContent(type="text", text=compact_text(explained))
        return result.model_copy(update={"structured_content": explained, "content": [*result.content[:-1], text]})

    def not_active(self, name: str) -> CallToolResult:
        """The error for a call of a tool that is not active, saying why and what to do."""
        if name in indexed_specs():  # a tool of a toolset not on, or one the operator left out
            return self.explained(error_result(f"{name} is not active here; tools/list shows the active tools."))
        if self.workflow_tools.enabled and name.startswith(PREFIX):
            return self.explained(
                error_result(
                    f"{name[:80]} is not a workflow tool here now (its workflow may have been archived or left "
                    "out); tools/list shows the current tools, and execute_workflow runs any workflow."
                )
            )
        return error_result(f"there is no tool '{name[:80]}' on this server; tools/list shows the available ones.")

    def enable(self, toolsets: set[str]) -> list[MCPTool]:
        """Turn these toolsets on for the rest of the process; the tools that became available."""
        self._enabled |= toolsets
        before = set(self.catalog)
        self.catalog = {spec.name: spec for spec in select_tools(self._settings, self._enabled)}
        listed = self.listed()
        return [listed[name] for name in self.catalog if name not in before]
