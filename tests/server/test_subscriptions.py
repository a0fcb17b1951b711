"""Subscribing to an execution resource: updates when it ends (both eras), watches that stop when the
subscriber leaves (the upstream stream closes), a cap, and a publish side that goes through the bus."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.subscriptions import Subscription
from mcp.server.connection import Connection
from mcp.server.subscriptions import InMemorySubscriptionBus, ServerEvent
from mcp.shared.exceptions import MCPError
from mcp.shared.subscriptions import ResourceUpdated
from mcp_types import ResourceUpdatedNotification, TextResourceContents

from mcp_workflows.api.client import WorkflowsClient
from mcp_workflows.config import Settings
from mcp_workflows.server.app import build_server
from mcp_workflows.server.guard.scope import WorkflowScope
from mcp_workflows.server.subscriptions import running_subscriptions
from tests.server.conftest import Mode, Sandbox, approve, connected, eventually, started

pytestmark = [
    pytest.mark.anyio,
    # resources/subscribe and /unsubscribe are the handshake era's; the SDK marks them deprecated.
    pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning"),
]


def execution_uri(execution_id: str) -> str:
    return f"workflows://execution/{execution_id}"


async def status_of(client: Client, execution_id: str) -> str:
    content = (await client.read_resource(execution_uri(execution_id))).contents[0]
    assert isinstance(content, TextResourceContents)
    status: str = json.loads(content.text)["status"]
    return status


def streams(sandbox: Sandbox, count: int) -> Callable[[], Awaitable[bool]]:
    """A check: the sandbox has `count` event streams open (the watches' upstream connections)."""

    async def check() -> bool:
        return await sandbox.open_streams() == count

    return check


class Updates:
    """`notifications/resources/updated` a handshake-era client received."""

    def __init__(self) -> None:
        self.uris: list[str] = []

    async def __call__(self, message: Any) -> None:
        if isinstance(message, ResourceUpdatedNotification):
            self.uris.append(message.params.uri)


async def test_a_handshake_subscriber_hears_when_its_execution_completes(settings: Settings) -> None:
    updates = Updates()
    async with connected(settings, "legacy", message_handler=updates) as client:
        watched, other = await started(client), await started(client)
        await client.subscribe_resource(execution_uri(watched))
        await approve(client, other)  # an execution nobody subscribed to
        await client.call_tool("wait_for_execution", {"execution_id": other, "wait_seconds": 20})
        assert updates.uris == []
        await approve(client, watched)

        async def heard() -> bool:
            return updates.uris == [execution_uri(watched)]

        await eventually(heard, "resources/updated for the watched execution")
        assert await status_of(client, watched) == "COMPLETED"


async def test_a_listener_hears_when_its_execution_completes(settings: Settings) -> None:
    async with connected(settings, "auto") as client:
        watched = await started(client)
        wanted = [execution_uri(watched), "workflows://workflow/approval", "workflows://execution/missing"]
        async with client.listen(resource_subscriptions=wanted) as subscription:
            # Only what is really followed is acknowledged: the execution, not a definition or an unknown id.
            assert subscription.honored.resource_subscriptions == [execution_uri(watched)]
            await approve(client, watched)
            with anyio.fail_after(15):
                event = await subscription.__anext__()
        assert event == ResourceUpdated(uri=execution_uri(watched))
        assert await status_of(client, watched) == "COMPLETED"


@pytest.mark.parametrize("spelling", ["workflows://execution/order:42", "workflows://execution/order%3A42"])
async def test_updates_name_the_uri_as_the_subscriber_wrote_it(settings: Settings, mode: Mode, spelling: str) -> None:
    async with connected(settings, mode, message_handler=(updates := Updates())) as client:
        result = await client.call_tool(
            "execute_workflow",
            {"workflow": "approval", "input": {"request": "x"}, "execution_id": "order:42", "wait_seconds": 0},
        )
        assert not result.is_error, result.content
        async with following(client, mode, spelling) as events:
            await approve(client, "order:42")
            if mode == "legacy":

                async def heard() -> bool:
                    return updates.uris == [spelling]

                await eventually(heard, f"an update for {spelling}")
            else:
                assert events is not None
                with anyio.fail_after(15):
                    assert await events.__anext__() == ResourceUpdated(uri=spelling)


async def test_subscribing_to_an_ended_execution_sends_one_update_at_once(settings: Settings, mode: Mode) -> None:
    """A subscriber may have read it running just before it ended: it hears of the end anyway."""
    async with connected(settings, mode, message_handler=(updates := Updates())) as client:
        execution_id = await started(client, "greeting", {"name": "Ada"})
        await client.call_tool("wait_for_execution", {"execution_id": execution_id, "wait_seconds": 20})
        uri = execution_uri(execution_id)
        if mode == "legacy":
            await client.subscribe_resource(uri)

            async def heard() -> bool:
                return updates.uris == [uri]

            await eventually(heard, "one update for an execution that had ended")
        else:
            async with client.listen(resource_subscriptions=[uri]) as subscription:
                with anyio.fail_after(15):
                    assert await subscription.__anext__() == ResourceUpdated(uri=uri)


async def test_the_upstream_stream_closes_when_the_subscriber_leaves(
    settings: Settings, mode: Mode, sandbox: Sandbox
) -> None:
    await eventually(streams(sandbox, 0), "no stream left open by an earlier test")
    async with connected(settings, mode) as client:
        execution_id = await started(client)
        async with following(client, mode, execution_uri(execution_id)):
            await eventually(streams(sandbox, 1), "the watch opened the execution's event stream")
        await eventually(streams(sandbox, 0), "the watch closed its stream once the subscriber left")
        # The execution itself runs on: leaving a subscription never touches it.
        assert await status_of(client, execution_id) == "RUNNING"


@asynccontextmanager
async def following(client: Client, mode: Mode, uri: str) -> AsyncIterator[Subscription | None]:
    """Subscribed to `uri` for the duration, in the client's era (yields the listen stream, if any)."""
    if mode == "legacy":
        await client.subscribe_resource(uri)
        yield None
        await client.unsubscribe_resource(uri)
    else:
        async with client.listen(resource_subscriptions=[uri]) as subscription:
            assert subscription.honored.resource_subscriptions == [uri]
            yield subscription


async def test_subscribers_of_one_execution_share_one_watch(settings: Settings, sandbox: Sandbox) -> None:
    await eventually(streams(sandbox, 0), "no stream left open by an earlier test")
    async with connected(settings, "auto") as client:
        uri = execution_uri(await started(client))
        async with following(client, "auto", uri), following(client, "auto", uri):
            await eventually(streams(sandbox, 1), "one stream for two listeners")
            assert (await client.call_tool("list_executions", {})).structured_content is not None  # a round trip
            assert await sandbox.open_streams() == 1


async def test_the_number_of_watched_executions_is_capped(settings: Settings, mode: Mode) -> None:
    capped = settings.model_copy(update={"max_resource_watches": 1})
    async with connected(capped, mode) as client:
        first, second = execution_uri(await started(client)), execution_uri(await started(client))
        if mode == "legacy":
            await client.subscribe_resource(first)
            with pytest.raises(MCPError) as refused:
                await client.subscribe_resource(second)
            assert (
                "1 executions are followed already (MCP_WORKFLOWS_MAX_RESOURCE_WATCHES)" in refused.value.error.message
            )
            await client.unsubscribe_resource(first)
            await client.subscribe_resource(second)  # the slot is free again
        else:
            async with client.listen(resource_subscriptions=[first, second]) as subscription:
                assert subscription.honored.resource_subscriptions == [first]


async def test_only_executions_can_be_subscribed_to_in_the_handshake_era(settings: Settings) -> None:
    async with connected(settings, "legacy") as client:
        for uri, says in [
            ("workflows://workflow/approval", "only executions"),
            ("workflows://execution/missing", "Call list_executions"),
            ("workflows://nowhere/x", "resources/templates/list"),
        ]:
            with pytest.raises(MCPError) as refused:
                await client.subscribe_resource(uri)
            assert says in refused.value.error.message


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"stateless_http": True}, "needs an MCP session"),
        ({"max_resource_watches": 0}, "turned off"),
    ],
)
async def test_subscribe_is_refused_where_it_is_not_advertised(
    settings: Settings, overrides: dict[str, Any], says: str
) -> None:
    async with connected(settings.model_copy(update=overrides), "legacy") as client:
        uri = execution_uri(await started(client))
        with pytest.raises(MCPError) as refused:
            await client.subscribe_resource(uri)
        assert says in refused.value.error.message


async def test_watches_publish_through_the_servers_bus(settings: Settings, mode: Mode) -> None:
    """The seam for a bus shared by replicas (Redis): every event a watch raises goes through it."""
    server = build_server(settings)
    published: list[ServerEvent] = []
    server.bus.subscribe(published.append)
    async with Client(server, mode=mode) as client:
        execution_id = await started(client)
        async with following(client, mode, execution_uri(execution_id)):
            await approve(client, execution_id)

            async def seen() -> bool:
                return published == [ResourceUpdated(uri=execution_uri(execution_id))]

            await eventually(seen, "the update published on the server's bus")


class RecordingOutbound:
    """A handshake-era connection's channel to its client, recording the notifications sent on it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []

    async def send_raw_request(self, method: str, params: Any, opts: Any = None) -> dict[str, Any]:
        raise AssertionError(f"no request expected, got {method}")

    async def notify(self, method: str, params: Any, opts: Any = None) -> None:
        self.sent.append((method, params))


async def test_a_connection_that_closes_releases_its_watches_and_gets_only_its_updates(
    settings: Settings, sandbox: Sandbox
) -> None:
    """Two handshake-era connections on one server (as over stateful HTTP): each hears of its own
    executions only, and one closing stops the watches it held while the server runs on."""
    await eventually(streams(sandbox, 0), "no stream left open by an earlier test")
    async with connected(settings, "legacy") as client:  # for its tools: the executions below
        first, second = await started(client), await started(client)
        bus = InMemorySubscriptionBus()
        api = WorkflowsClient(base_url=sandbox.url, api_key="sandbox")
        async with (
            api,
            running_subscriptions(
                api, WorkflowScope(), bus, limit=10, base_url=sandbox.url, sessions=True
            ) as subscriptions,
        ):
            one, two = RecordingOutbound(), RecordingOutbound()
            a = Connection(one, protocol_version="2025-11-25")
            b = Connection(two, protocol_version="2025-11-25")
            await subscriptions.subscribe(a, execution_uri(first))
            await subscriptions.subscribe(b, execution_uri(second))
            await eventually(streams(sandbox, 2), "a watch per execution")
            await approve(client, second)

            async def b_heard() -> bool:
                return two.sent == [("notifications/resources/updated", {"uri": execution_uri(second)})]

            await eventually(b_heard, "the update reached the connection that subscribed")
            await a.exit_stack.aclose()  # the first connection goes away without unsubscribing
            await eventually(streams(sandbox, 0), "the closed connection's watch stopped")
            assert one.sent == []
            assert subscriptions.watches.running() == []
