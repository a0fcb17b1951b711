"""A Tasks requester on the `mcp` Python client, which has none of its own: a `ClientExtension`
claiming `resultType: "task"`, and the three `tasks/*` requests (with `Mcp-Name: <taskId>`)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Literal

import anyio
from mcp.client.extension import ClaimContext, ClientExtension, ResultClaim
from mcp.client.session import ClientSession
from mcp_types import CallToolResult, Request, RequestParams, Result
from pydantic import ConfigDict

TASKS = "io.modelcontextprotocol/tasks"
DEADLINE_S = 30.0
Answer = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


class TaskHandle(Result):
    """`CreateTaskResult`: the task fields at the top level, `resultType: "task"`."""

    model_config = ConfigDict(extra="allow")
    result_type: Literal["task"]
    task_id: str
    status: str


class TaskIdParams(RequestParams):
    task_id: str


class UpdateParams(TaskIdParams):
    input_responses: dict[str, Any]


class GetTask(Request[TaskIdParams, Literal["tasks/get"]]):
    method: Literal["tasks/get"] = "tasks/get"
    params: TaskIdParams
    name_param: ClassVar[str | None] = "taskId"


class UpdateTask(Request[UpdateParams, Literal["tasks/update"]]):
    method: Literal["tasks/update"] = "tasks/update"
    params: UpdateParams
    name_param: ClassVar[str | None] = "taskId"


class CancelTask(Request[TaskIdParams, Literal["tasks/cancel"]]):
    method: Literal["tasks/cancel"] = "tasks/cancel"
    params: TaskIdParams
    name_param: ClassVar[str | None] = "taskId"


class Open(Result):
    """Any result, every wire field kept (read back with `wire()`)."""

    model_config = ConfigDict(extra="allow")


def wire(result: Result) -> dict[str, Any]:
    return result.model_dump(by_alias=True, mode="json", exclude_none=True)


async def get_task(session: ClientSession, task_id: str) -> dict[str, Any]:
    return wire(await session.send_request(GetTask(params=TaskIdParams(task_id=task_id)), Open))


async def update_task(session: ClientSession, task_id: str, responses: dict[str, Any]) -> dict[str, Any]:
    request = UpdateTask(params=UpdateParams(task_id=task_id, input_responses=responses))
    return wire(await session.send_request(request, Open))


async def cancel_task(session: ClientSession, task_id: str) -> dict[str, Any]:
    return wire(await session.send_request(CancelTask(params=TaskIdParams(task_id=task_id)), Open))


async def poll(
    session: ClientSession, task_id: str, until: Callable[[dict[str, Any]], bool], *, honour_interval: bool = True
) -> dict[str, Any]:
    """tasks/get until `until(task)`, at the server's pollIntervalMs, within a deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        task = await get_task(session, task_id)
        if until(task):
            return task
        assert time.monotonic() < deadline, f"task never reached the expected state; last: {task}"
        await anyio.sleep(task.get("pollIntervalMs", 1000) / 1000 if honour_interval else 0.01)


class Tasks(ClientExtension):
    """Resolves a task handle as a host would: poll, answer forms through `answer`, return the result."""

    identifier = TASKS

    def __init__(self, answer: Answer | None = None) -> None:
        self.answer = answer
        self.statuses: list[str] = []
        self.task_ids: list[str] = []

    def claims(self) -> list[ResultClaim[Any]]:
        return [ResultClaim(result_type="task", model=TaskHandle, resolve=self._resolve)]

    async def _resolve(self, handle: TaskHandle, ctx: ClaimContext) -> CallToolResult:
        self.task_ids.append(handle.task_id)
        self.statuses.append(handle.status)
        answered: set[str] = set()
        deadline = time.monotonic() + DEADLINE_S
        while True:
            task = await get_task(ctx.session, handle.task_id)
            self.statuses.append(task["status"])
            if task["status"] in ("completed", "failed", "cancelled"):
                break
            fresh = {k: v for k, v in task.get("inputRequests", {}).items() if k not in answered}
            if fresh:
                assert self.answer is not None, f"the task asked for input: {fresh}"
                responses = {key: await self.answer(key, request) for key, request in fresh.items()}
                await update_task(ctx.session, handle.task_id, responses)
                answered |= set(responses)
            assert time.monotonic() < deadline, f"the task never ended; last: {task}"
            await anyio.sleep(task["pollIntervalMs"] / 1000)
        assert task["status"] == "completed", task
        return CallToolResult.model_validate(task["result"])
