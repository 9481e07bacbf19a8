"""The event bus: in memory, and through the local Redis server (as several processes use it)."""

import asyncio
import uuid

import pytest

from phonebank.events.bus import InMemoryBus
from phonebank.events.redis_bus import RedisBus

REDIS_URL = "redis://127.0.0.1:6379/0"


async def test_in_memory_subscribers_get_events_of_their_channel_only() -> None:
    bus = InMemoryBus()
    async with bus.subscribe("session:a") as events:
        bus.publish("session:b", {"type": "state", "state": "paused"})
        bus.publish("session:a", {"type": "state", "state": "available"})
        assert await asyncio.wait_for(anext(events), 1) == {"type": "state", "state": "available"}
    assert bus.subscribers("session:a") == 0


async def test_a_slow_in_memory_subscriber_loses_old_events_not_new_ones() -> None:
    bus = InMemoryBus()
    async with bus.subscribe("c") as events:
        for n in range(300):
            bus.publish("c", {"n": n})
        assert (await anext(events))["n"] == 300 - 256


async def test_redis_carries_events_between_two_bus_instances() -> None:
    publisher, listener = RedisBus(REDIS_URL), RedisBus(REDIS_URL)
    channel = f"session:{uuid.uuid4()}"
    try:
        async with listener.subscribe(channel) as events:
            publisher.publish(channel, {"type": "connected", "call_id": "c1"})
            await publisher.flush()
            event = await asyncio.wait_for(anext(events), 5)
            assert event == {"type": "connected", "call_id": "c1"}
    finally:
        await publisher.close()
        await listener.close()


@pytest.mark.parametrize("payload", [{"when": "2026-11-22T15:00:00+00:00"}, {"nested": {"a": [1]}}])
async def test_redis_events_round_trip_as_json(payload: dict[str, object]) -> None:
    bus = RedisBus(REDIS_URL)
    channel = f"campaign:{uuid.uuid4()}"
    try:
        async with bus.subscribe(channel) as events:
            bus.publish(channel, payload)
            assert await asyncio.wait_for(anext(events), 5) == payload
    finally:
        await bus.close()
