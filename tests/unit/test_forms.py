"""Workflow input forms as MCP elicitation forms: each field kind of the worker SDK, and the way back."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from mcp_workflows.server.forms import to_form

TEXT_CHUNK = {
    "properties": {"type": {"const": "text", "default": "text"}, "text": {"type": "string"}},
    "required": ["text"],
}
FORM: dict[str, Any] = {
    "title": "FormInput",
    "type": "object",
    "required": ["reason", "amount", "day", "category", "tags"],
    "properties": {
        "reason": {"type": "string", "title": "Reason", "pattern": "^[A-Z].*", "errorMessage": "Start with a capital"},
        "amount": {"type": "number", "title": "Amount", "minimum": 0, "exclusiveMaximum": 1000, "default": 12.5},
        "day": {"type": "string", "format": "date", "title": "Day"},
        "category": {
            "title": "Category",
            "description": "Category",
            "oneOf": [
                {"const": "travel", "description": "Travel", "type": "string"},
                {"const": "equipment", "type": "string"},
            ],
        },
        "tags": {
            "type": "array",
            "title": "Tags",
            "minItems": 1,
            "uniqueItems": True,
            "items": {
                "anyOf": [{"const": "a", "type": "string"}, {"const": "b", "description": "Bee", "type": "string"}]
            },
        },
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None, "title": "Note"},
        "urgent": {"type": "boolean", "title": "Urgent"},
    },
}


def test_every_flat_field_kind_maps_to_a_valid_mcp_form() -> None:
    form = to_form(FORM)
    assert form is not None
    schema = form.requested_schema
    fields = schema["properties"]
    assert schema["required"] == ["amount", "category", "day", "reason", "tags"], "optional note is not required"
    assert fields["reason"] == {"type": "string", "title": "Reason", "description": "Start with a capital"}
    assert fields["amount"]["type"] == "number"
    assert fields["amount"]["description"] == "less than 1000", "an exclusive bound is told, not dropped"
    assert fields["day"] == {"type": "string", "format": "date", "title": "Day"}
    assert fields["category"]["oneOf"] == [
        {"const": "travel", "title": "Travel"},
        {"const": "equipment", "title": "equipment"},
    ]
    assert fields["category"]["type"] == "string"
    assert fields["tags"]["items"] == {"anyOf": [{"const": "a", "title": "a"}, {"const": "b", "title": "Bee"}]}
    assert fields["note"] == {"type": "string", "title": "Note"}
    assert fields["urgent"] == {"type": "boolean", "title": "Urgent"}


def test_the_answer_goes_back_in_the_workflows_shape() -> None:
    form = to_form(FORM)
    assert form is not None
    answer = form.answer({"reason": "Taxi", "amount": 40.0, "day": "2026-01-02", "category": "travel", "tags": ["a"]})
    assert answer["amount"] == 40
    assert isinstance(answer["amount"], int), "whole numbers go as ints"
    assert Draft202012Validator(FORM).is_valid(answer)


def test_a_chat_input_is_asked_as_one_text_and_sent_as_chunks() -> None:
    chat = {
        "type": "object",
        "additionalProperties": False,
        "required": ["message"],
        "properties": {"message": {"type": "array", "items": {"$ref": "#/$defs/TextChunk"}, "description": "Why?"}},
        "$defs": {"TextChunk": TEXT_CHUNK},
    }
    form = to_form(chat)
    assert form is not None
    assert form.requested_schema["properties"]["message"] == {
        "type": "string",
        "title": "Message",
        "description": "Why?",
    }
    assert form.answer({"message": "It broke"}) == {"message": [{"type": "text", "text": "It broke"}]}


def test_fields_a_flat_form_cannot_carry_leave_the_whole_form_to_the_agent() -> None:
    files = {"type": "object", "properties": {"files": {"type": "array", "items": {"type": "string", "format": "uri"}}}}
    nested = {
        "type": "object",
        "properties": {"contact": {"$ref": "#/$defs/Contact"}},
        "$defs": {"Contact": {"type": "object", "properties": {"name": {"type": "string"}}}},
    }
    assert to_form(files) is None
    assert to_form(nested) is None
    assert to_form({"type": "object", "properties": {}}) is None
