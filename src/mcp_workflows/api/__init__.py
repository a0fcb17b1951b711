"""The typed async Workflows API client. Knows nothing about MCP."""

from mcp_workflows.api.client import WorkflowsClient
from mcp_workflows.api.errors import WorkflowsAPIError

__all__ = ["WorkflowsAPIError", "WorkflowsClient"]
