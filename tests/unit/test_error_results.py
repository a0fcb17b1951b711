"""How a failed tool call is worded: the caller's mistake, the API's answer, or our own crash."""

from __future__ import annotations

from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from pydantic import BaseModel, ValidationError

from mcp_workflows.config import Settings
from mcp_workflows.sandboxed import build_sandboxed_server


class Body(BaseModel):
    workflow_name: str


def validation_error() -> ValidationError:
    try:
        Body.model_validate({})
    except ValidationError as exc:
        return exc
    raise AssertionError("the body was expected to fail validation")


def text(tool_error: ToolError) -> str:
    result = build_sandboxed_server(Settings(sandbox=True))._error_result("get_execution", tool_error)
    assert result.is_error
    block = result.content[0]
    assert block.type == "text"
    return block.text


def test_arguments_that_fail_the_input_schema_are_the_callers_to_fix() -> None:
    error = ToolError("Error executing tool get_execution")
    error.__cause__ = validation_error()
    message = text(error)
    assert message.startswith("Error: invalid arguments for get_execution")
    assert "`workflow_name`" in message


def test_a_validation_error_inside_the_tool_is_not_blamed_on_the_arguments() -> None:
    """E.g. an upstream body our models cannot read: the caller can fix nothing."""
    error = UnexpectedToolError("Error executing tool get_execution")
    error.__cause__ = validation_error()
    message = text(error)
    assert "invalid arguments" not in message
    assert message == "Error: get_execution failed unexpectedly inside the server; the server log has details."
