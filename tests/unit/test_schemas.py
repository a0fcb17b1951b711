"""compact_schema: plain, small schemas for models and strict clients."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from mcp_workflows.server.schemas import compact_input_schema, compact_output_schema


class Inner(BaseModel):
    title: str = Field(description="a field literally named title")
    count: int | None = None


class Outer(BaseModel):
    items: list[Inner]
    note: Annotated[str | None, Field(description="optional note")] = None


def walk(node: object) -> list[str]:
    keys: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            keys.append(key)
            keys.extend(walk(value))
    elif isinstance(node, list):
        for value in node:
            keys.extend(walk(value))
    return keys


def test_inlines_refs_and_drops_titles_but_keeps_title_properties() -> None:
    schema = compact_output_schema(Outer.model_json_schema())
    keys = walk(schema)
    assert "$ref" not in keys
    assert "$defs" not in keys
    inner = schema["properties"]["items"]["items"]
    assert "title" in inner["properties"], "a property named title is data, not a schema title"
    assert "title" not in inner["properties"]["title"]
    assert inner["properties"]["count"] == {"type": "integer"}, "results leave None fields out"
    assert inner["required"] == ["title"]
    assert "required" in schema
    assert schema["required"] == ["items"]


def test_input_schemas_collapse_optional_nulls() -> None:
    schema = compact_input_schema(Outer.model_json_schema())
    assert schema["properties"]["note"] == {"type": "string", "description": "optional note"}
    assert schema["required"] == ["items"]
