"""An append-only log addressed by sequence number that can still drop one owner's items.

Streams resume by position (`broker_sequence`, log cursor), so positions must keep their meaning after
an evicted execution's items are removed: items keep the seq they were given, reads find their place by
bisecting on it, and resuming from a removed position continues with the next item still kept.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from typing import Generic, Protocol, TypeVar


class Sequenced(Protocol):
    @property
    def seq(self) -> int: ...


T = TypeVar("T", bound=Sequenced)


def _seq(item: Sequenced) -> int:
    return item.seq


class SeqLog(Generic[T]):
    """Items in seq order; `after(n)` is what a stream resuming after position n reads next."""

    def __init__(self, owner: Callable[[T], str | None]) -> None:
        self._items: list[T] = []
        self._owner = owner
        self._spans: dict[str, tuple[int, int]] = {}
        self.last_seq = 0

    def next_seq(self) -> int:
        return self.last_seq + 1

    def append(self, item: T) -> None:
        """Add an item whose seq came from `next_seq`, remembering the seq range of its owner."""
        self._items.append(item)
        self.last_seq = item.seq
        key = self._owner(item)
        if key is not None:
            first = self._spans.get(key, (item.seq, item.seq))[0]
            self._spans[key] = (first, item.seq)

    def after(self, seq: int) -> list[T]:
        """The kept items with a seq greater than `seq` (a copy, safe to iterate while appending)."""
        return self._items[bisect_right(self._items, seq, key=_seq) :]

    def drop_owner(self, key: str) -> None:
        """Remove every item of `key`, scanning only the seq range it spans."""
        span = self._spans.pop(key, None)
        if span is None:
            return
        lo = bisect_left(self._items, span[0], key=_seq)
        hi = bisect_right(self._items, span[1], key=_seq)
        self._items[lo:hi] = [item for item in self._items[lo:hi] if self._owner(item) != key]

    def clear(self) -> None:
        """Empty the log and start numbering from 1 again (sandbox reset)."""
        self._items.clear()
        self._spans.clear()
        self.last_seq = 0

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)
