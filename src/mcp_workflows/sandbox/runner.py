"""Run the sandbox over real HTTP: in the current event loop (tests, in-process) or standalone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator

from .app import create_app
from .config import FaultConfig, SandboxConfig

logger = logging.getLogger("mcp_workflows.sandbox")
SHUTDOWN_GRACE_S = 3


@contextlib.asynccontextmanager
async def running_sandbox(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serve the sandbox as a task of the current loop; yield its base URL; shut it down cleanly."""
    import uvicorn

    app = create_app(config)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="on",
            log_config=None,
            timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
        )
    )
    # The host process (tests, the MCP server) owns SIGINT/SIGTERM; uvicorn must not capture them.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    task = asyncio.get_running_loop().create_task(server.serve(), name="mcp-workflows-sandbox")
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("sandbox server stopped before it started")
            await asyncio.sleep(0.01)
        bound_host, bound_port = server.servers[0].sockets[0].getsockname()[:2]
        yield f"http://{_url_host(str(bound_host))}:{bound_port}"
    finally:
        app.state.sandbox.begin_shutdown()
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=5)
        except TimeoutError:
            server.force_exit = True
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def serve(host: str, port: int, config: SandboxConfig | None = None) -> None:
    """Run the sandbox until interrupted (`mcp-workflows sandbox --port N`); faults also from the env var."""
    import uvicorn

    config = config or SandboxConfig()
    if not config.faults.rules:
        config = config.model_copy(update={"faults": FaultConfig.from_env()})
    logging.basicConfig(stream=sys.stderr, level=logging.INFO)
    logger.info(
        "Mistral Workflows sandbox on http://%s:%s (any bearer token works; `serve` pointed here needs no key)",
        host,
        port,
    )
    # log_config=None: uvicorn's default config sends access logs to stdout; ours all go to stderr.
    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        log_level="info",
        lifespan="on",
        log_config=None,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )
