"""`ChatAssistantWorkflowOutput`, the MCP-shaped result of workflows built for chat assistants.

The output schema is what the SDK registers for a run method returning that plugin model (pydantic's
schema with the field titles stripped by the SDK's generator); a server detects such workflows by its
title. Shapes: /work/shared/docs/interactive-workflows.md §5.
"""

from __future__ import annotations

import uuid
from typing import Any

_NULLABLE_STRING = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
_CANVAS_TYPES = ["text/markdown", "text/html", "image/svg+xml", "slides", "react", "code", "mermaid"]

CHAT_ASSISTANT_OUTPUT_SCHEMA: dict[str, Any] = {
    "$defs": {
        "CanvasPayload": {
            "properties": {
                "type": {"enum": _CANVAS_TYPES, "type": "string"},
                "title": {"type": "string"},
                "content": {"type": "string"},
                "language": _NULLABLE_STRING,
            },
            "required": ["type", "title", "content"],
            "title": "CanvasPayload",
            "type": "object",
        },
        "CanvasResource": {
            "properties": {
                "uri": {"type": "string"},
                "mimeType": {
                    "const": "application/vnd.mistral.canvas",
                    "default": "application/vnd.mistral.canvas",
                    "type": "string",
                },
                "canvas": {"$ref": "#/$defs/CanvasPayload"},
                "readonly": {"default": False, "type": "boolean"},
            },
            "required": ["uri", "canvas"],
            "title": "CanvasResource",
            "type": "object",
        },
        "ResourceOutput": {
            "properties": {
                "type": {"const": "resource", "default": "resource", "type": "string"},
                "resource": {"anyOf": [{"$ref": "#/$defs/CanvasResource"}, {"$ref": "#/$defs/UIComponentResource"}]},
            },
            "required": ["resource"],
            "title": "ResourceOutput",
            "type": "object",
        },
        "TextOutput": {
            "properties": {"type": {"const": "text", "default": "text", "type": "string"}, "text": {"type": "string"}},
            "required": ["text"],
            "title": "TextOutput",
            "type": "object",
        },
        "UIComponent": {
            "properties": {"name": {"type": "string"}, "props": {"additionalProperties": True, "type": "object"}},
            "required": ["name"],
            "title": "UIComponent",
            "type": "object",
        },
        "UIComponentResource": {
            "properties": {
                "mimeType": {
                    "const": "application/vnd.mistral.ui-component",
                    "default": "application/vnd.mistral.ui-component",
                    "type": "string",
                },
                "component": {"$ref": "#/$defs/UIComponent"},
                "version": {"default": "1.7.0", "type": "string"},
                "display": {"default": "block", "enum": ["block", "inline"], "type": "string"},
            },
            "required": ["component"],
            "title": "UIComponentResource",
            "type": "object",
        },
    },
    "properties": {
        "content": {
            "default": [],
            "items": {"anyOf": [{"$ref": "#/$defs/TextOutput"}, {"$ref": "#/$defs/ResourceOutput"}]},
            "type": "array",
        },
        "structuredContent": {
            "anyOf": [{"additionalProperties": True, "type": "object"}, {"type": "null"}],
            "default": None,
        },
        "isError": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": None},
    },
    "title": "ChatAssistantWorkflowOutput",
    "type": "object",
}


def text_output(text: str) -> dict[str, Any]:
    """A `TextOutput` chunk."""
    return {"type": "text", "text": text}


def markdown_canvas(title: str, content: str) -> dict[str, Any]:
    """A `ResourceOutput` holding a read-only markdown canvas."""
    return {
        "type": "resource",
        "resource": {
            "uri": f"file://canvas/{uuid.uuid4()}",
            "mimeType": "application/vnd.mistral.canvas",
            "canvas": {"type": "text/markdown", "title": title, "content": content, "language": None},
            "readonly": True,
        },
    }


def chat_assistant_output(
    content: list[dict[str, Any]], structured: dict[str, Any] | None, is_error: bool
) -> dict[str, Any]:
    """The workflow result as `model_dump()` returns it: the object itself, not wrapped."""
    return {"content": content, "structuredContent": structured, "isError": is_error}
