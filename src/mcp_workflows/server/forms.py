"""A workflow's input form as an MCP elicitation form, and the person's answer back.

MCP forms are flat: strings (with a few formats), numbers, booleans, single and multi selects. The
Mistral worker SDK emits pydantic JSON Schema with its own shapes (doc: interactive-workflows.md §2
and §7). Fields are rewritten where the meaning survives: optional fields unwrapped, choices given
titles, a text pattern or an exclusive bound told in the description (and checked before submitting),
a chat message as one text. Anything else (nested objects, several files, a canvas) cannot be a
flat form field: the whole form then stays with the agent (`None` here), never silently shortened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SIMPLE_FORMATS = frozenset({"date", "date-time", "email", "uri"})
_KEPT = {
    "string": ("title", "description", "default", "minLength", "maxLength"),
    "number": ("title", "description", "default", "minimum", "maximum"),
    "integer": ("title", "description", "default", "minimum", "maximum"),
    "boolean": ("title", "description", "default"),
}


class Unmappable(ValueError):
    """A field MCP forms cannot carry."""


@dataclass
class Form:
    """An elicitation form for one pending input, and how its answer maps back."""

    requested_schema: dict[str, Any]
    chat_fields: set[str] = field(default_factory=set)  # a chat message asked as one text

    def answer(self, content: dict[str, Any] | None) -> dict[str, Any]:
        """The person's answer as the workflow's form expects it."""
        properties = self.requested_schema["properties"]
        value: dict[str, Any] = {}
        for name, given in (content or {}).items():
            if name not in properties or given is None:
                continue
            if name in self.chat_fields:
                value[name] = [{"type": "text", "text": str(given)}]
            elif isinstance(given, float) and given.is_integer():
                value[name] = int(given)  # the SDK publishes int fields as number; it rejects 2.0 for int
            else:
                value[name] = given
        return value


def to_form(input_schema: dict[str, Any]) -> Form | None:
    """The flat MCP form for this input, or None when a field cannot be one."""
    definitions = input_schema.get("$defs", {})
    required = set(input_schema.get("required", []))
    properties: dict[str, Any] = {}
    form = Form(requested_schema={})
    try:
        for name, raw in (input_schema.get("properties") or {}).items():
            schema, optional = _unwrap(_resolve(raw, definitions))
            if _is_chat_message(schema, definitions):
                form.chat_fields.add(name)
                properties[name] = {"type": "string", "title": raw.get("title") or "Message"}
                if schema.get("description") or raw.get("description"):
                    properties[name]["description"] = schema.get("description") or raw.get("description")
            else:
                properties[name] = _field(schema, raw)
            if optional:
                required.discard(name)
    except Unmappable:
        return None
    if not properties:
        return None
    form.requested_schema = {"type": "object", "properties": properties}
    kept = sorted(required & set(properties))
    if kept:
        form.requested_schema["required"] = kept
    return form


def _resolve(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    reference = schema.get("$ref")
    if isinstance(reference, str):
        if not reference.startswith("#/$defs/"):
            raise Unmappable(reference)
        resolved = definitions.get(reference.removeprefix("#/$defs/"))
        if not isinstance(resolved, dict):
            raise Unmappable(reference)
        return {**resolved, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _unwrap(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """`anyOf [X, null]` (pydantic's Optional) as X, marked optional."""
    branches = schema.get("anyOf")
    if isinstance(branches, list) and any(b.get("type") == "null" for b in branches if isinstance(b, dict)):
        kept = [b for b in branches if isinstance(b, dict) and b.get("type") != "null"]
        if len(kept) != 1:
            raise Unmappable("a union")
        outer = {k: v for k, v in schema.items() if k not in ("anyOf", "default") or (k == "default" and v is not None)}
        return {**kept[0], **outer}, True
    return schema, False


def _is_chat_message(schema: dict[str, Any], definitions: dict[str, Any]) -> bool:
    """ChatInput's `message`: a list of text chunks."""
    if schema.get("type") != "array" or not isinstance(schema.get("items"), dict):
        return False
    item = _resolve(schema["items"], definitions)
    item_properties = item.get("properties") or {}
    return set(item_properties) == {"type", "text"} and item_properties["type"].get("const") == "text"


def _choices(branches: Any) -> list[dict[str, Any]] | None:
    """Titled options from `[{const, description}]` (the SDK's choice shape), or None."""
    if not isinstance(branches, list) or not branches:
        return None
    options = []
    for branch in branches:
        if not isinstance(branch, dict) or "const" not in branch or not isinstance(branch["const"], str):
            return None
        options.append({"const": branch["const"], "title": branch.get("description") or branch["const"]})
    return options


def _hints(schema: dict[str, Any]) -> list[str]:
    """Constraints MCP forms cannot express, told to the person (and checked before submitting)."""
    hints = []
    if isinstance(schema.get("pattern"), str):
        hints.append(str(schema.get("errorMessage") or f"must match {schema['pattern']}"))
    if "exclusiveMinimum" in schema:
        hints.append(f"more than {schema['exclusiveMinimum']}")
    if "exclusiveMaximum" in schema:
        hints.append(f"less than {schema['exclusiveMaximum']}")
    if isinstance(schema.get("format"), str) and schema["format"] not in SIMPLE_FORMATS:
        hints.append(f"format {schema['format']}")
    return hints


def _field(schema: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    title = raw.get("title") or schema.get("title")
    description = schema.get("description") or raw.get("description")
    options = _choices(schema.get("oneOf"))
    if options is not None:  # single choice (no top-level type in the SDK's shape)
        mapped: dict[str, Any] = {"type": "string", "oneOf": options}
    elif schema.get("type") == "array":
        raw_items = schema.get("items")
        items: dict[str, Any] = raw_items if isinstance(raw_items, dict) else {}
        item_options = _choices(items.get("anyOf") or items.get("oneOf"))
        if item_options is None and isinstance(items.get("enum"), list):
            item_options = [{"const": str(v), "title": str(v)} for v in items["enum"]]
        if item_options is None:
            raise Unmappable("a list that is not a multi choice")
        mapped = {"type": "array", "items": {"anyOf": item_options}}
        mapped |= {k: schema[k] for k in ("minItems", "maxItems", "default") if k in schema}
    elif isinstance(schema.get("enum"), list) and all(isinstance(v, str) for v in schema["enum"]):
        mapped = {"type": "string", "enum": schema["enum"]}
    elif schema.get("type") in _KEPT:
        kind = schema["type"]
        mapped = {key: schema[key] for key in _KEPT[kind] if key in schema}
        mapped["type"] = kind
        if schema.get("format") in SIMPLE_FORMATS:
            mapped["format"] = schema["format"]
    else:
        raise Unmappable(str(schema.get("type") or "an object"))
    if title:
        mapped["title"] = title
    hints = _hints(schema)
    if description or hints:
        mapped["description"] = "; ".join([d for d in [description] if d] + hints)
    if "default" in schema and "default" not in mapped and schema["default"] is not None:
        mapped["default"] = schema["default"]
    return mapped
