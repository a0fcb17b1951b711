"""No dangling references: a tool named in a description, a hint or an error is one the agent can use.

Texts are written once and name tools freely ("list_events shows what led to it"). What a session
can call depends on the selection (toolsets, exclusions, read-only mode) and on toolsets turned on
during the session. Every text that reaches the model passes here: a mention of a tool that is not
active gets how to turn it on (`enable_toolsets`), or that it is not available on this server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mcp_types import Tool

from mcp_workflows.server.catalog import ToolSpec

HINT_FIELDS = ("next_step", "note", "message")  # the result fields that talk to the model


class References:
    """Annotates mentions of inactive tools for one selection of active tools."""

    def __init__(self, catalog: Mapping[str, ToolSpec], active: Mapping[str, ToolSpec], enablable: set[str]) -> None:
        names = sorted(catalog, key=len, reverse=True)
        self._pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
        self._catalog = catalog
        self._active = active
        self._enablable = enablable

    def text(self, text: str) -> str:
        """`text` with each inactive tool it names explained once."""
        explained: set[str] = set()

        def explain(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in self._active or name in explained:
                return name
            explained.add(name)
            if name in self._enablable:
                return f"{name} (enable_toolsets(['{self._catalog[name].toolset}']) turns it on)"
            return f"{name} (not available on this server)"

        return self._pattern.sub(explain, text)

    def tool(self, tool: Tool) -> Tool:
        """A tool as listed: its description and parameter descriptions explained."""
        return tool.model_copy(
            update={"description": self.text(tool.description or ""), "input_schema": self.schema(tool.input_schema)}
        )

    def schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """An input schema whose parameter descriptions are explained the same way."""
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            return schema
        changed = {
            name: {**field, "description": self.text(field["description"])}
            for name, field in properties.items()
            if isinstance(field, dict) and isinstance(field.get("description"), str)
        }
        return {**schema, "properties": {**properties, **changed}} if changed else schema

    def hints(self, structured: dict[str, Any]) -> dict[str, Any]:
        """A result whose hint fields are explained (the rest is data and stays as it is)."""
        changed = {
            key: explained
            for key in HINT_FIELDS
            if isinstance(value := structured.get(key), str) and (explained := self.text(value)) != value
        }
        return {**structured, **changed} if changed else structured
