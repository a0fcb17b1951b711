"""What every toolset shares: the result base class and the common parameter types."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

import anyio
from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer

A = TypeVar("A")
B = TypeVar("B")


class ToolResult(BaseModel):
    """Base of every tool result: fields that are None are left out.

    Models see fewer tokens, and the advertised output schema (server/schemas.py) marks such
    fields optional instead of nullable. Payloads the tool passes through (workflow results,
    schemas) keep their own nulls: only this model's own fields are dropped.
    """

    @model_serializer(mode="wrap")
    def _drop_none(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if not isinstance(data, dict):
            return data
        return {key: value for key, value in data.items() if value is not None}


Cursor = Annotated[
    str | None, Field(max_length=2048, description="next_cursor of the previous page; omit for the first page.")
]
Limit = Annotated[int, Field(ge=1, le=100, description="Page size, 1-100.")]
NextCursor = Annotated[str | None, Field(description="Pass as cursor for the next page; absent on the last page.")]


async def both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Await two independent calls concurrently; the first failure is raised as itself.

    (A task group would wrap it in an ExceptionGroup, hiding the typed API error that the
    server turns into an actionable message.)
    """
    results: dict[int, Any] = {}

    async def run(index: int, awaitable: Awaitable[Any]) -> None:
        results[index] = await awaitable

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(run, 0, first)
            group.start_soon(run, 1, second)
    except BaseExceptionGroup as group_error:
        raise group_error.exceptions[0] from None
    return results[0], results[1]
