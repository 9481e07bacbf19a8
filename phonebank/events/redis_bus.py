"""The event bus through Redis pub/sub: events of a dialer in one process reach pages in another.

`publish` never blocks the dialer: it hands the event to a background sender. Each subscription
holds its own pub/sub connection for as long as its page listens.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis

from phonebank.events.bus import SUBSCRIBER_BUFFER, Event

logger = logging.getLogger("phonebank.events")
PREFIX = "phonebank:"


class RedisBus:
    """The bus of several processes, over one Redis server."""

    def __init__(self, url: str) -> None:
        self._redis: Redis = Redis.from_url(url)
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=10 * SUBSCRIBER_BUFFER)
        self._sender: asyncio.Task[None] | None = None

    def publish(self, channel: str, event: Event) -> None:
        """Queue `event` for every subscriber of `channel`, in any process (never blocks)."""
        if self._sender is None or self._sender.done():
            self._sender = asyncio.get_running_loop().create_task(self._send())
        try:
            self._outbox.put_nowait((PREFIX + channel, json.dumps(event, default=str)))
        except asyncio.QueueFull:
            logger.warning("event bus is behind; dropped an event for %s", channel)

    async def _send(self) -> None:
        while True:
            channel, payload = await self._outbox.get()
            try:
                await self._redis.publish(channel, payload)
            except Exception:  # Redis down: pages miss live events, the record is unaffected
                logger.exception("could not publish to %s", channel)
            finally:
                self._outbox.task_done()

    async def flush(self) -> None:
        """Wait until every queued event has been handed to Redis (tests, shutdown)."""
        await self._outbox.join()

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Event]]:
        """Events published to `channel` from now on, by any process, until the context exits."""
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(PREFIX + channel)

        async def events() -> AsyncIterator[Event]:
            while True:
                message = await pubsub.get_message(timeout=None)
                if message is not None and message.get("type") == "message":
                    yield json.loads(message["data"])

        try:
            yield events()
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe()
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        """Send what is queued, then let the connection go."""
        await self.flush()
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
        await self._redis.aclose()
