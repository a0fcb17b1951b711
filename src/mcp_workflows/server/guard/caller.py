"""Who is calling over HTTP, and which risk classes their access token lets them use.

Every tool has a risk class; each class has one OAuth scope, and a token may use the tools of the
classes it holds scopes for. Without a token (stdio) nothing is restricted; a static bearer token
(MCP_WORKFLOWS_HTTP_TOKENS) carries every scope. The SDK's auth middleware (or ours, for static
tokens) puts the token in a context variable that reaches the tool call.
"""

from __future__ import annotations

from mcp.server.auth.middleware.auth_context import get_access_token

# By risk class value (server/catalog.py Risk, a StrEnum): importing the catalog here would load
# it into every process that writes an audit line.
RISK_SCOPES: dict[str, str] = {
    "read": "workflows:read",
    "write": "workflows:write",
    "execute": "workflows:execute",
    "destructive": "workflows:destructive",
}
ALL_SCOPES: tuple[str, ...] = tuple(RISK_SCOPES.values())


def caller_subject() -> str | None:
    """The token's subject (else its client), for audit lines; None without a token."""
    token = get_access_token()
    if token is None:
        return None
    return token.subject or token.client_id


def may_use(risk: str) -> bool:
    token = get_access_token()
    return token is None or RISK_SCOPES[risk] in token.scopes


def scope_refusal(tool: str, risk: str) -> str | None:
    """Why the caller's token may not run this tool, naming the missing scope; None when it may."""
    token = get_access_token()
    if token is None or RISK_SCOPES[risk] in token.scopes:
        return None
    needed = RISK_SCOPES[risk]
    held = ", ".join(scope for scope in ALL_SCOPES if scope in token.scopes) or "none of the workflows scopes"
    return (
        f"{tool} refused: it is a {risk} tool and needs the OAuth scope {needed}, which this access "
        f"token lacks (it has {held}). Sign in again asking for {needed}, or ask the operator to grant it."
    )
