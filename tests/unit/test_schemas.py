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
    first: Inner | None = None
    either: Inner | int = 0
    title: str = "a result field literally named title"
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
    assert schema["properties"]["title"] == {"type": "string"}, "a property named title is data, not a schema title"
    assert schema["properties"]["note"] == {"type": "string"}, "results leave None fields out"
    assert schema["required"] == ["items"]


def test_output_schemas_outline_nested_objects() -> None:
    schema = compact_output_schema(Outer.model_json_schema())
    assert schema["properties"]["items"] == {"type": "array", "items": {"type": "object", "required": ["title"]}}
    assert schema["properties"]["first"] == {"type": "object", "required": ["title"]}
    assert schema["properties"]["either"] == {"anyOf": [{"type": "object", "required": ["title"]}, {"type": "integer"}]}


def test_nested_fields_can_still_be_described_in_full() -> None:
    schema = compact_output_schema(Outer.model_json_schema(), outline_nested=False)
    inner = schema["properties"]["items"]["items"]
    assert inner["properties"] == {"title": {"type": "string"}, "count": {"type": "integer"}}
    assert inner["required"] == ["title"]


def test_input_schemas_collapse_optional_nulls() -> None:
    schema = compact_input_schema(Outer.model_json_schema())
    assert schema["properties"]["note"] == {"type": "string", "description": "optional note"}
    assert schema["required"] == ["items"]


def test_input_schemas_written_by_other_generators_are_inlined_too() -> None:
    """Workflow input schemas come from workers: draft-07 `definitions`, boolean subschemas."""
    schema = compact_input_schema(
        {
            "definitions": {"Lang": {"type": "string", "enum": ["en", "fr"], "title": "Lang"}},
            "type": "object",
            "properties": {"language": {"$ref": "#/definitions/Lang"}, "anything": True},
        }
    )
    assert schema == {
        "type": "object",
        "properties": {"language": {"type": "string", "enum": ["en", "fr"]}, "anything": True},
    }


def test_a_reference_that_cannot_be_inlined_is_left_for_the_caller_to_judge() -> None:
    outside = {
        "type": "object",
        "properties": {"a": {"$ref": "https://example.com/a.json"}, "b": {"$ref": "#/$defs/X"}},
    }
    assert compact_input_schema(outside)["properties"] == {
        "a": {"$ref": "https://example.com/a.json"},
        "b": {"$ref": "#/$defs/X"},
    }
