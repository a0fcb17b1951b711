"""Concurrent upstream calls whose failures stay typed.

A task group raises an ExceptionGroup, which would hide the typed API error (NotFound,
Unauthorized...) the server turns into an actionable message; here the first real failure is
raised as itself. Every place that runs upstream calls side by side goes through `gather`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

import anyio

T = TypeVar("T")


def first_failure(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first leaf of a (possibly nested) exception group that is not a cancellation."""
    cancelled = anyio.get_cancelled_exc_class()
    leaves: list[BaseException] = []

    def collect(error: BaseException) -> None:
        if isinstance(error, BaseExceptionGroup):
            for inner in error.exceptions:
                collect(inner)
        else:
            leaves.append(error)

    collect(group)
    return next((leaf for leaf in leaves if not isinstance(leaf, cancelled)), leaves[0])


async def gather(awaitables: Sequence[Awaitable[T]], *, limit: int = 8) -> list[T]:
    """Await all, at most `limit` at a time, in order; the first failure is raised as itself."""
    results: dict[int, Any] = {}
    limiter = anyio.CapacityLimiter(limit)

    async def run(index: int, awaitable: Awaitable[T]) -> None:
        async with limiter:
            results[index] = await awaitable

    try:
        async with anyio.create_task_group() as group:
            for index, awaitable in enumerate(awaitables):
                group.start_soon(run, index, awaitable)
    except BaseExceptionGroup as failures:
        raise first_failure(failures) from None
    return [results[index] for index in range(len(awaitables))]
