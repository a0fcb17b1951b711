"""The JSON Schemas `wait_for_input` publishes, built the way Mistral's worker SDK emits them.

The SDK's form kinds are pydantic models with `json_schema_extra` tweaks, so their schemas carry
pydantic's habits and the SDK's quirks, reproduced here on purpose because an MCP server has to
cope with them: per-field `title`s, optional fields as `anyOf [X, null]`, NumberField always
`"type": "number"` (even on an int field), SingleChoice as `oneOf` consts with no `type`,
MultiChoice as `items.anyOf`, the ajv `errorMessage` next to `pattern`, every FormInput titled
"FormInput". Shapes: /work/shared/docs/interactive-workflows.md §2 (read from the SDK 3.16.0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Option = str | tuple[str, str]


@dataclass(frozen=True)
class InputForm:
    """What one `wait_for_input` asks for: the schema the person sees, its label, and the checks
    pydantic makes beyond that schema (int fields are published as `number` but reject 2.5)."""

    schema: dict[str, Any]
    label: str | None = None
    whole_numbers: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return str(self.schema.get("title", "Input"))


def _field(title: str, description: str, default: Any, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": title, "description": description}
    schema.update({k: v for k, v in extra.items() if v is not None})
    if default is not None:
        schema["default"] = default
    return schema


def text_field(
    title: str,
    description: str,
    *,
    pattern: str | None = None,
    error_message: str | None = None,
    default: str | None = None,
) -> dict[str, Any]:
    """TextField: a string, with the `errorMessage` Le Chat shows when `pattern` fails."""
    return _field(title, description, default, type="string", pattern=pattern, errorMessage=error_message)


def number_field(
    title: str,
    description: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: float | None = None,
    exclusive_maximum: float | None = None,
    default: float | None = None,
) -> dict[str, Any]:
    """NumberField: always `"type": "number"`, whether the model field is a float or an int."""
    return _field(
        title,
        description,
        default,
        type="number",
        minimum=minimum,
        maximum=maximum,
        exclusiveMinimum=exclusive_minimum,
        exclusiveMaximum=exclusive_maximum,
    )


def date_field(title: str, description: str, *, default: str | None = None) -> dict[str, Any]:
    """DateField: an ISO date string."""
    return _field(title, description, default, type="string", format="date")


def _choice(option: Option) -> dict[str, Any]:
    if isinstance(option, tuple):
        value, label = option
        return {"const": value, "description": label, "type": "string"}
    return {"const": option, "type": "string"}


def single_choice(title: str, description: str, options: list[Option], *, default: str | None = None) -> dict[str, Any]:
    """SingleChoice: `oneOf` consts whose label sits in `description`, and no top-level `type`."""
    return _field(title, description, default, oneOf=[_choice(o) for o in options])


def multi_choice(
    title: str, description: str, options: list[Option], *, default: list[str] | None = None
) -> dict[str, Any]:
    """MultiChoice: a non-empty list of distinct values, the options as `items.anyOf` consts."""
    return _field(
        title,
        description,
        default,
        type="array",
        items={"anyOf": [_choice(o) for o in options]},
        minItems=1,
        uniqueItems=True,
    )


def optional_text(title: str, description: str) -> dict[str, Any]:
    """An optional string field as pydantic writes `str | None = None`."""
    return {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "default": None,
        "title": title,
        "description": description,
    }


def files_field(title: str, description: str) -> dict[str, Any]:
    """FileField(multiple=True): a list of file URLs (MCP forms cannot carry it)."""
    return _field(title, description, None, type="array", items={"type": "string", "format": "uri", "title": "File"})


def form_input(properties: dict[str, dict[str, Any]], defs: dict[str, Any] | None = None) -> dict[str, Any]:
    """A FormInput subclass: every field without an `anyOf [.., null]` is required, prefilled ones too."""
    schema: dict[str, Any] = {
        "title": "FormInput",
        "type": "object",
        "properties": properties,
        "required": [name for name, field in properties.items() if {"type": "null"} not in field.get("anyOf", [])],
    }
    if defs:
        schema["$defs"] = defs
    return schema


def accept_decline(description: str, accept_label: str, decline_label: str) -> dict[str, Any]:
    """AcceptDeclineConfirmation: a Confirmation whose one `choice` is decline or accept."""
    return {
        "title": "Confirmation",
        "type": "object",
        "additionalProperties": False,
        "required": ["choice"],
        "properties": {
            "choice": {
                "title": "Choice",
                "description": description,
                "oneOf": [_choice(("decline", decline_label)), _choice(("accept", accept_label))],
            }
        },
    }


def chat_input(prompt: str, suggestions: list[str]) -> dict[str, Any]:
    """ChatInput: a free-text chat message as a list of text chunks (MCP forms cannot carry it)."""
    return {
        "title": "ChatInput",
        "type": "object",
        "additionalProperties": False,
        "required": ["message"],
        "properties": {
            "message": {
                "title": "Message",
                "type": "array",
                "items": {"$ref": "#/$defs/TextChunk"},
                "description": prompt,
                "examples": [suggestions],
            }
        },
        "$defs": {
            "TextChunk": {
                "properties": {"type": {"const": "text", "default": "text"}, "text": {"type": "string"}},
                "required": ["text"],
            }
        },
    }
