"""Race-free ``wait_for_next_item``: items kept in the order they came, read with a cursor.

A wait returns the first matching item that came after the item the previous wait returned,
whether it came before or after the wait started; so ``wait_for_next_item(role="user")`` then
``wait_for_next_item(role="assistant")`` finds the assistant's item even when it arrived
between the two calls. Items are kept from the first wait on: the first wait sees only items
that come after it starts, as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from openai_realtime.errors import RealtimeTimeoutError
from openai_realtime.protocol.items import ConversationItem

__all__ = ["ItemFeed", "item_filter"]


def item_filter(role: str | None, item_type: str | None) -> Callable[[ConversationItem], bool]:
    """A predicate matching items of ``role`` and ``item_type`` (``None`` matches any)."""

    def matches(item: ConversationItem) -> bool:
        return (role is None or item.role == role) and (item_type is None or item.type == item_type)

    return matches


class ItemFeed:
    """Items in arrival order, a read cursor, and the waits blocked on the next item."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._items: list[ConversationItem] = []
        self._reading = False  # nothing is kept until someone has waited once
        self._arrivals: list[asyncio.Future[None]] = []

    def push(self, item: ConversationItem) -> None:
        """An item arrived; keep it (once someone reads) and wake the waits."""
        if not self._reading:
            return
        self._items.append(item)
        arrivals, self._arrivals = self._arrivals, []
        for arrival in arrivals:
            if not arrival.done():
                arrival.set_result(None)

    def fail(self, error: BaseException) -> None:
        """Fail the waits blocked now (the connection ended); items already here stay."""
        arrivals, self._arrivals = self._arrivals, []
        for arrival in arrivals:
            if not arrival.done():
                arrival.set_exception(error)

    def clear(self) -> None:
        """Forget every item (the conversation was reset)."""
        self._items.clear()

    async def next(
        self, matches: Callable[[ConversationItem], bool], timeout: float | None
    ) -> ConversationItem:
        """The first matching item after the cursor; waits for one when there is none.

        Raises:
            RealtimeTimeoutError: Not within ``timeout`` seconds.
            ConnectionClosedError: The connection ended while waiting.
        """
        self._reading = True
        deadline = asyncio.timeout(timeout)
        try:
            async with deadline:
                while True:
                    for index, item in enumerate(self._items):
                        if matches(item):
                            # Everything up to the returned item has been read.
                            del self._items[: index + 1]
                            return item
                    self._items.clear()
                    # One future per wait: a wait that times out cancels only its own.
                    arrival = asyncio.get_running_loop().create_future()
                    self._arrivals.append(arrival)
                    await arrival
        except TimeoutError:
            if deadline.expired():
                raise RealtimeTimeoutError(f"no {self._what} within {timeout} s") from None
            raise
