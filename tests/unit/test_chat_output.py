"""Chat-assistant outputs become MCP content: text, canvases as embedded resources, UI components as text."""

from __future__ import annotations

from typing import Any

from mcp_workflows.server.chat_output import chat_result

OUTPUT: dict[str, Any] = {
    "content": [
        {"type": "text", "text": "Here is the draft."},
        {
            "type": "resource",
            "resource": {
                "uri": "file://canvas/draft",
                "mimeType": "application/vnd.mistral.canvas",
                "canvas": {"type": "text/markdown", "title": "Draft", "content": "# Hello", "language": None},
                "readonly": False,
            },
        },
        {
            "type": "resource",
            "resource": {
                "mimeType": "application/vnd.mistral.ui-component",
                "version": "1.7.0",
                "display": "block",
                "component": {
                    "name": "Alert",
                    "props": {
                        "title": "Heads up",
                        "variant": "info",
                        "children": [{"name": "Markdown", "props": {"content": "**bold**"}}],
                    },
                },
            },
        },
    ],
    "structuredContent": {"issue_url": "https://example.invalid/1"},
    "isError": False,
}


def test_a_chat_output_is_shown_as_mcp_content() -> None:
    result = chat_result({"execution_id": "e1", "status": "COMPLETED", "result": OUTPUT})
    assert result is not None
    text, canvas, component, copy = result.content
    assert text.type == "text"
    assert text.text == "Here is the draft."
    assert canvas.type == "resource"
    assert str(canvas.resource.uri) == "file://canvas/draft"
    assert canvas.resource.mime_type == "text/markdown"
    assert canvas.resource.text == "# Hello"
    assert component.type == "text"
    assert component.text == "Heads up\n**bold**"
    assert result.structured_content == {
        "execution_id": "e1",
        "status": "COMPLETED",
        "result": {"issue_url": "https://example.invalid/1"},
    }
    assert copy.type == "text"
    assert '"execution_id":"e1"' in copy.text
    assert result.is_error is False


def test_is_error_is_honoured_and_other_results_are_left_alone() -> None:
    failed = chat_result({"result": {**OUTPUT, "isError": True}})
    assert failed is not None
    assert failed.is_error is True
    assert chat_result({"result": {"content": "plain", "other": 1}}) is None
    assert chat_result({"result": {"greeting": "hi"}}) is None
