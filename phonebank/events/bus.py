"""The event bus: live events for callers' pages.

A channel is a string (`session:<id>` for a caller session's events); an event is a
JSON-able dict. The single-process default keeps subscribers in memory; several processes share
one bus through a backend with the same interface.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol

logger = logging.getLogger("phonebank.events")

Event = dict[str, Any]
# A subscriber that falls this far behind loses its oldest events rather than the server memory.
SUBSCRIBER_BUFFER = 256


class EventBus(Protocol):
    """Publish events to channels; subscribe to a channel's events as they happen."""

    def publish(self, channel: str, event: Event) -> None:
        """Hand `event` to every current subscriber of `channel` (never blocks)."""

    def subscribe(
        self, channel: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Event]]:
        """Events published to `channel` from now on, until the context exits."""


class InMemoryBus:
    """The bus of a single process."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[Event]]] = {}

    def publish(self, channel: str, event: Event) -> None:
        """Hand `event` to every current subscriber of `channel` (never blocks)."""
        for queue in self._subscribers.get(channel, ()):
            if queue.full():
                queue.get_nowait()  # drop the oldest: a slow page must not stall the dialer
                logger.warning("event subscriber on %s is behind; dropped an event", channel)
            queue.put_nowait(event)

    def subscribers(self, channel: str) -> int:
        """How many subscribers `channel` has now."""
        return len(self._subscribers.get(channel, ()))

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Event]]:
        """Events published to `channel` from now on, until the context exits."""
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=SUBSCRIBER_BUFFER)
        self._subscribers.setdefault(channel, set()).add(queue)

        async def events() -> AsyncIterator[Event]:
            while True:
                yield await queue.get()

        try:
            yield events()
        finally:
            listeners = self._subscribers.get(channel)
            if listeners is not None:
                listeners.discard(queue)
                if not listeners:
                    del self._subscribers[channel]


def session_channel(session_id: object) -> str:
    """The channel of one caller session's events."""
    return f"session:{session_id}"
