"""Where the state that outlives one request lives: in this process by default, in one Redis shared
by every replica when MCP_WORKFLOWS_REDIS_URL is set.

Behind a load balancer any replica may answer any request, so three things must agree across
them: spent confirmations (a token spent on one replica is spent on all), the caps' counts, and
change notifications (an event raised on one replica reaches a listener connected to another).
The embedded default keeps them as a single process needs: a SQLite file for spent
confirmations (shared by the processes of one machine), counts and notifications in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.subscriptions import InMemorySubscriptionBus, SubscriptionBus

from mcp_workflows.config import Settings
from mcp_workflows.server.guard.caps import MemoryWindowCounter, WindowCounter
from mcp_workflows.server.guard.spent import ConfirmationStore, SqliteConfirmationStore, default_state_dir


class SharedStateUnavailable(ToolError):
    """The shared store did not answer: the call it guards is refused, with nothing changed, and
    told what to do. `problem` alone is for the log when the action had already happened."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"{problem}. Nothing was changed. Retry in a moment; if it keeps failing, the operator should check "
            "that the shared store is up and MCP_WORKFLOWS_REDIS_URL."
        )
        self.problem = problem


@dataclass(frozen=True)
class Stores:
    """What the server lifespan hands to the guard."""

    confirmations: ConfirmationStore
    counter: WindowCounter


class SharedState(Protocol):
    """The bus is given to the MCP server when it is built; the stores open with its lifespan."""

    @property
    def bus(self) -> SubscriptionBus: ...

    def opened(self) -> AbstractAsyncContextManager[Stores]: ...


class EmbeddedState:
    """One process (and the SQLite file of its machine)."""

    def __init__(self, state_dir: Path) -> None:
        self._state_dir = state_dir
        self._bus = InMemorySubscriptionBus()

    @property
    def bus(self) -> SubscriptionBus:
        return self._bus

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[Stores]:
        yield Stores(SqliteConfirmationStore(self._state_dir), MemoryWindowCounter())


def shared_state(settings: Settings) -> SharedState:
    """Redis when MCP_WORKFLOWS_REDIS_URL is set (the `redis` extra, imported only then); else embedded."""
    if settings.redis_url is None:
        return EmbeddedState(Path(settings.state_dir) if settings.state_dir else default_state_dir())
    from mcp_workflows.server.redis_state.state import RedisState

    return RedisState(settings.redis_url.get_secret_value(), settings.redis_key_prefix)
