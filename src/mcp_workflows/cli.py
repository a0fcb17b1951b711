"""`mcp-workflows`: serve (stdio | http), sandbox, tools.

Logs go to stderr only: on stdio, stdout is the MCP transport.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import sys
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from mcp_workflows.config import Settings

if TYPE_CHECKING:
    from mcp_workflows.server.oauth import OAuthConfig

logger = logging.getLogger("mcp_workflows")

NO_KEY_MESSAGE = (
    "mcp-workflows: MISTRAL_API_KEY is not set. Set it to your Mistral API key "
    "(export MISTRAL_API_KEY=...), or run `mcp-workflows serve --sandbox` to try the server on a local sandbox."
)
KEEP_HELP = "ended sandbox executions kept in memory, oldest evicted first (MCP_WORKFLOWS_SANDBOX_KEEP_EXECUTIONS)"


def main(argv: Sequence[str] | None = None) -> None:
    gc.disable()  # start-up only makes objects that live as long as the process: see _started
    args = _parser().parse_args(argv)
    _configure_logging()
    if args.run is not _serve:
        _started()
    with contextlib.suppress(KeyboardInterrupt):
        args.run(args)


def _started() -> None:
    """Collect garbage again, leaving out what start-up built (modules, classes, schemas, the server).

    Start-up creates some hundred thousand objects that live as long as the process; the cyclic
    collector would scan them again and again while they are imported, and at every full
    collection afterwards. Freezing them keeps both costs away (`bench/bench_server.py` measures
    start-up against the bare SDK server).
    """
    gc.freeze()
    gc.enable()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mcp-workflows", description="Mistral AI Workflows as MCP tools.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the MCP server (stdio by default)")
    serve.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default loopback)")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    serve.add_argument("--sandbox", action="store_true", help="use an in-process sandbox API; no key needed")
    serve.add_argument(
        "--allowed-host", action="append", default=[], help="extra Host header value to accept over HTTP"
    )
    serve.add_argument("--allowed-origin", action="append", default=[], help="Origin to accept over HTTP")
    serve.add_argument(
        "--stateless",
        action="store_true",
        default=None,
        help="HTTP without sessions: run several replicas behind a load balancer (MCP_WORKFLOWS_STATELESS_HTTP)",
    )
    serve.add_argument(
        "--allow-unauthenticated",
        action="store_true",
        help="serve HTTP beyond loopback without MCP_WORKFLOWS_HTTP_TOKENS (a proxy in front authenticates)",
    )
    serve.add_argument("--oauth-issuer", help="accept JWT access tokens from this issuer (MCP_WORKFLOWS_OAUTH_ISSUER)")
    serve.add_argument(
        "--oauth-resource", help="this server's /mcp URL as clients reach it (MCP_WORKFLOWS_OAUTH_RESOURCE)"
    )
    serve.add_argument("--oauth-audience", help="aud tokens must carry; the resource by default")
    serve.add_argument("--oauth-jwks-url", help="the issuer's keys; found in its metadata by default")
    serve.add_argument(
        "--confirm", help="confirmation per risk class, e.g. destructive=auto,execute=token (MCP_WORKFLOWS_CONFIRM)"
    )
    serve.add_argument("--read-only", action="store_true", default=None, help="register read tools only")
    serve.add_argument("--allow-workflows", help="glob patterns of workflow names the agent may touch")
    serve.add_argument("--deny-workflows", help="glob patterns of workflow names the agent may not touch")
    serve.add_argument("--max-executions", type=int, help="executions started per cap window")
    serve.add_argument("--max-destructive", type=int, help="destructive calls per cap window")
    serve.add_argument("--cap-window-s", type=float, help="cap window in seconds (default 3600)")
    serve.add_argument("--audit-payloads", action="store_true", default=None, help="log workflow inputs in audit")
    serve.add_argument("--sandbox-keep-executions", type=int, help=KEEP_HELP)
    _add_selection_flags(serve)
    serve.set_defaults(run=_serve)

    sandbox = commands.add_parser("sandbox", help="run the sandbox Workflows API alone over HTTP")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8080)
    sandbox.add_argument("--time-scale", type=float, default=1.0, help="multiply demo workflow durations")
    sandbox.add_argument("--keep-executions", type=int, help=KEEP_HELP)
    sandbox.set_defaults(run=_sandbox)

    tools = commands.add_parser("tools", help="print the tool catalog, with what each tool costs in tokens")
    tools.add_argument("--json", action="store_true", help="machine-readable catalog with schemas")
    tools.add_argument("--sandbox", action="store_true", help="read workflow tools from an in-process sandbox")
    tools.add_argument("--markdown", action="store_true", help="the README's tool table")
    _add_selection_flags(tools)
    tools.set_defaults(run=_tools)
    return parser


def _add_selection_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--toolsets", help="comma-separated toolsets, or 'all' / 'default' (MCP_WORKFLOWS_TOOLSETS)")
    parser.add_argument("--tools", help="comma-separated extra tools (MCP_WORKFLOWS_TOOLS)")
    parser.add_argument("--exclude-tools", help="comma-separated tools to hide (MCP_WORKFLOWS_EXCLUDE_TOOLS)")
    parser.add_argument(
        "--workflow-tools",
        help="workflows offered as their own run_<name> tools: name globs, or 'chat' (MCP_WORKFLOWS_WORKFLOW_TOOLS)",
    )


def _selection(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "toolsets": args.toolsets,
        "tools": args.tools,
        "exclude_tools": args.exclude_tools,
        "workflow_tools": args.workflow_tools,
    }


def _checked(settings: Settings) -> Settings:
    """Fail at start-up, in one line, when a toolset or tool name is unknown."""
    from mcp_workflows.server.guard.selection import SelectionError, select_tools

    try:
        select_tools(settings)
    except SelectionError as exc:
        print(f"mcp-workflows: {exc}", file=sys.stderr)
        sys.exit(2)
    return settings


def _configure_logging() -> None:
    from mcp_workflows.redaction import redact_stderr

    redact_stderr()  # before any handler captures the stream
    level = os.environ.get("MCP_WORKFLOWS_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(stream=sys.stderr, level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx2", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    warnings.simplefilter("ignore", DeprecationWarning)
    from mcp_workflows.server.guard.audit import configure_audit_log

    configure_audit_log()


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        sys.exit(f"mcp-workflows: invalid setting {'.'.join(map(str, first['loc']))}: {first['msg']}")


def _serve(args: argparse.Namespace) -> None:
    policy = {
        "read_only": args.read_only,
        "allow_workflows": args.allow_workflows,
        "deny_workflows": args.deny_workflows,
        "max_executions": args.max_executions,
        "max_destructive": args.max_destructive,
        "cap_window_s": args.cap_window_s,
        "audit_payloads": args.audit_payloads,
    }
    settings = _checked(
        _settings(
            sandbox=args.sandbox or None,
            sandbox_keep_executions=args.sandbox_keep_executions,
            confirm=args.confirm,
            stateless_http=args.stateless,
            oauth_issuer=args.oauth_issuer,
            oauth_resource=args.oauth_resource,
            oauth_audience=args.oauth_audience,
            oauth_jwks_url=args.oauth_jwks_url,
            **policy,
            **_selection(args),
        )
    )
    keyless_sandbox = _keyless_sandbox(settings)
    tokens = settings.http_token_list
    if settings.stateless_http and args.transport != "http":
        print("mcp-workflows: stateless mode is for --transport http (stdio serves one client).", file=sys.stderr)
        sys.exit(2)
    oauth = _oauth(settings, args.transport, tokens)
    if args.transport == "http":
        from mcp_workflows.server.http_app import exposure_problem

        if problem := exposure_problem(
            args.host,
            tokens,
            allow_unauthenticated=args.allow_unauthenticated,
            sandbox=settings.sandbox or keyless_sandbox,
            oauth=oauth is not None,
        ):
            print(f"mcp-workflows: {problem}", file=sys.stderr)
            sys.exit(2)
    _check_redis(settings)
    from mcp_workflows.sandboxed import server_for

    server = server_for(settings, oauth)
    _started()
    if args.transport == "stdio":
        server.run()
        return
    from mcp_workflows.server.http_app import run_http

    run_http(
        server,
        host=args.host,
        port=args.port,
        allowed_hosts=args.allowed_host,
        allowed_origins=args.allowed_origin,
        tokens=tokens,
        stateless=settings.stateless_http,
        oauth=oauth,
    )


def _oauth(settings: Settings, transport: str, tokens: list[str]) -> OAuthConfig | None:
    """The OAuth configuration, checked; exits with one line saying what to change when it cannot work."""
    from mcp_workflows.server.oauth import OAuthConfig, OAuthConfigError

    try:
        config = OAuthConfig.from_settings(settings)
    except OAuthConfigError as exc:
        print(f"mcp-workflows: {exc}", file=sys.stderr)
        sys.exit(2)
    if config is None:
        return None
    if transport != "http":
        print("mcp-workflows: OAuth is for --transport http (over stdio the client runs the server).", file=sys.stderr)
        sys.exit(2)
    if tokens:
        print(
            "mcp-workflows: choose one way to authenticate HTTP callers: OAuth (MCP_WORKFLOWS_OAUTH_ISSUER) "
            "or static bearer tokens (MCP_WORKFLOWS_HTTP_TOKENS), not both.",
            file=sys.stderr,
        )
        sys.exit(2)
    return config


def _check_redis(settings: Settings) -> None:
    """With MCP_WORKFLOWS_REDIS_URL set, Redis must answer before serving; else one line says why."""
    if settings.redis_url is None:
        return
    try:
        from mcp_workflows.server.redis_state.connection import unreachable
    except ModuleNotFoundError as exc:
        if exc.name != "redis":
            raise
        print(
            "mcp-workflows: MCP_WORKFLOWS_REDIS_URL is set, but the Redis client is not installed: "
            "pip install 'mcp-workflows[redis]'.",
            file=sys.stderr,
        )
        sys.exit(2)
    if problem := unreachable(settings.redis_url.get_secret_value()):
        print(f"mcp-workflows: {problem}", file=sys.stderr)
        sys.exit(2)


def _keyless_sandbox(settings: Settings) -> bool:
    """True when serving a separately started `mcp-workflows sandbox` (loopback, checked) without a key;
    exits with the no-key message when a key is needed and missing."""
    if not settings.needs_api_key or settings.api_key is not None:
        return False
    from mcp_workflows.local_sandbox import answers_as_sandbox
    from mcp_workflows.loopback import is_loopback_url

    if answers_as_sandbox(settings.base_url):
        logger.info("MISTRAL_BASE_URL %s is an mcp-workflows sandbox: no key needed", settings.base_url)
        return True
    hint = ""
    if is_loopback_url(settings.base_url):
        hint = f" (MISTRAL_BASE_URL {settings.base_url} does not answer as an mcp-workflows sandbox.)"
    print(NO_KEY_MESSAGE + hint, file=sys.stderr)
    sys.exit(2)


def _sandbox(args: argparse.Namespace) -> None:
    from mcp_workflows.sandbox import SandboxConfig, serve

    settings = _settings(sandbox_keep_executions=args.keep_executions)
    serve(
        args.host,
        args.port,
        SandboxConfig(time_scale=args.time_scale, keep_executions=settings.sandbox_keep_executions),
    )


def _tools(args: argparse.Namespace) -> None:
    import anyio

    from mcp_workflows.reporting.catalog import catalog_entries, render_table

    settings = _checked(_settings(sandbox=args.sandbox or None, **_selection(args)))
    if settings.workflow_tools and not settings.read_only:  # read from the API: it needs a key (or a sandbox)
        _keyless_sandbox(settings)
    if args.markdown:
        from mcp_workflows.reporting.catalog import render_markdown

        print(render_markdown())
    elif args.json:
        print(json.dumps(anyio.run(catalog_entries, settings), indent=2))
    else:
        print(anyio.run(render_table, settings))
