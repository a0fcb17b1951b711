"""A chat-assistant workflow's output shown as MCP content, as Le Chat shows it.

Workflows published in the chat assistant return `ChatAssistantWorkflowOutput`: `{content: [text or
resource], structuredContent, isError}`, deliberately MCP-shaped. A tool result carrying one becomes:
its text chunks as text, a canvas as an embedded text resource (mime type from the canvas kind),
a UI component flattened to the text it shows; `structuredContent` as the execution's `result`; and
`isError` as the tool result's. The execution's own fields (id, status, next step) follow as the
compact text copy every result has.
"""

from __future__ import annotations

from typing import Any

import pydantic_core
from mcp_types import CallToolResult, EmbeddedResource, TextContent, TextResourceContents

from mcp_workflows.redaction import redact

OUTPUT_KEYS = frozenset({"content", "structuredContent", "isError"})
CANVAS_MIME = {"text/markdown": "text/markdown", "text/html": "text/html", "image/svg+xml": "image/svg+xml"}
CANVAS_MIME_TYPE = "application/vnd.mistral.canvas"
Block = TextContent | EmbeddedResource


def is_chat_output(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("content"), list)
        and set(value) <= OUTPUT_KEYS
        and all(isinstance(chunk, dict) and chunk.get("type") in ("text", "resource") for chunk in value["content"])
    )


def chat_result(structured: dict[str, Any]) -> CallToolResult | None:
    """The tool result for an execution outcome whose result is a chat-assistant output, else None."""
    output = structured.get("result")
    if not isinstance(output, dict) or not is_chat_output(output):
        return None
    blocks = [block for chunk in output["content"] if (block := _block(chunk)) is not None]
    shown = {**structured, "result": output.get("structuredContent")}
    shown = {key: value for key, value in shown.items() if value is not None}
    text = redact(pydantic_core.to_json(shown).decode())
    return CallToolResult(
        content=[*blocks, TextContent(type="text", text=text)],
        structured_content=pydantic_core.from_json(text),
        is_error=bool(output.get("isError")),
    )


def _block(chunk: dict[str, Any]) -> Block | None:
    if chunk.get("type") == "text":
        return TextContent(type="text", text=redact(str(chunk.get("text", ""))))
    resource = chunk.get("resource")
    if not isinstance(resource, dict):
        return None
    canvas = resource.get("canvas")
    if resource.get("mimeType") == CANVAS_MIME_TYPE and isinstance(canvas, dict):
        kind = str(canvas.get("type") or "")
        title = canvas.get("title")
        return EmbeddedResource(
            type="resource",
            resource=TextResourceContents(
                uri=str(resource.get("uri") or "file://canvas/untitled"),
                mime_type=CANVAS_MIME.get(kind, "text/plain"),
                text=redact(str(canvas.get("content", ""))),
                _meta={"title": title, "canvasType": kind} if title else {"canvasType": kind},
            ),
        )
    component = resource.get("component")
    if isinstance(component, dict):
        return TextContent(type="text", text=redact(_flatten(component) or pydantic_core.to_json(component).decode()))
    return TextContent(type="text", text=redact(pydantic_core.to_json(resource).decode()))


def _flatten(component: Any) -> str:
    """The text a UI component shows: markdown and titles, then its children's, in order."""
    if isinstance(component, list):
        return "\n".join(text for child in component if (text := _flatten(child)))
    if not isinstance(component, dict):
        return str(component) if isinstance(component, str) else ""
    raw_props = component.get("props")
    props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
    parts = [str(props[key]) for key in ("title", "content", "text", "label") if isinstance(props.get(key), str)]
    children = props.get("children")
    if children is not None:
        parts.append(_flatten(children))
    return "\n".join(part for part in parts if part)
