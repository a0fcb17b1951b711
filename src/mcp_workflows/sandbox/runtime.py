"""The sandbox object one app owns: state, engine, scheduler, faults and counters."""

from __future__ import annotations

import asyncio

from starlette.requests import Request

from .config import SandboxConfig
from .engine import Engine
from .faults import Faults, Stats
from .scheduler import Scheduler
from .store import Store


class Sandbox:
    """Everything a route needs, reachable as `request.app.state.sandbox`."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.store = Store(config.keep_executions)
        self.engine = Engine(self.store, config)
        self.scheduler = Scheduler(self.store, self.engine, config)
        self.faults = Faults(config.faults)
        self.stats = Stats()
        self.closing = asyncio.Event()

    def begin_shutdown(self) -> None:
        """Make every open SSE stream end now, so the server can close its connections promptly."""
        self.closing.set()
        self.store.notify()

    async def start(self) -> None:
        """Start background work (the schedule timer); called from the app lifespan."""
        self.scheduler.start()

    async def stop(self) -> None:
        """Stop the timer and every running execution."""
        await self.scheduler.stop()
        await self.engine.shutdown()

    async def reset(self) -> None:
        """Back to the demo state: no executions, no schedules, initial faults, zero counters."""
        self.begin_shutdown()
        await self.stop()
        self.closing = asyncio.Event()
        self.store.load_demo()
        self.faults.configure(self.config.faults)
        self.stats.clear()
        self.scheduler.start()


def sandbox_of(request: Request) -> Sandbox:
    """The Sandbox of the app serving this request."""
    sandbox = request.app.state.sandbox
    assert isinstance(sandbox, Sandbox)
    return sandbox
