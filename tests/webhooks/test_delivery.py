"""The delivery worker against a real loopback receiver: retries, signatures, dead letters."""

import random
import uuid
from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phonebank.db import utcnow
from phonebank.organizations.service import create_organization
from phonebank.webhooks.delivery import RetryPolicy, WebhookWorker
from phonebank.webhooks.models import WebhookDelivery
from phonebank.webhooks.outbox import Event, record_events
from phonebank.webhooks.service import create_subscription, replay_delivery
from phonebank.webhooks.signing import signature, verify
from tests.webhooks.receiver import Receiver

SECRET = "whsec_test_secret_0123456789"


async def _subscribe_and_record(
    sessionmaker: async_sessionmaker[AsyncSession], url: str, count: int
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    async with sessionmaker() as session, session.begin():
        organization = await create_organization(session, name="Hooks")
        subscription = await create_subscription(
            session, organization_id=organization.id, url=url, events=["campaign.*"], secret=SECRET
        )
        events = [
            Event(organization.id, "campaign.status_changed", {"n": n, "to": "started"})
            for n in range(count)
        ]
        # An event nobody asked for is not written.
        events.append(Event(organization.id, "result.created", {"n": -1}))
        assert await record_events(session, events) == count
        return subscription.id, [event.id for event in events[:count]]


async def _deliveries(
    sessionmaker: async_sessionmaker[AsyncSession], subscription_id: uuid.UUID
) -> list[WebhookDelivery]:
    async with sessionmaker() as session:
        statement = select(WebhookDelivery).where(
            WebhookDelivery.subscription_id == subscription_id
        )
        return list(await session.scalars(statement))


async def test_a_receiver_down_at_first_gets_every_event_once_signed(
    sessionmaker: async_sessionmaker[AsyncSession], receiver: Receiver, worker: WebhookWorker
) -> None:
    subscription_id, event_ids = await _subscribe_and_record(sessionmaker, receiver.url, 5)
    worker.batch_size = 2  # several batches, so failures and successes interleave
    now = utcnow()
    sent = await worker.drain(now)
    assert sent == 5 and len(receiver.requests) == 5  # three refused, two taken
    # Nothing is due again until its backoff has passed; an hour later everything is.
    assert await worker.drain(now) == 0
    assert await worker.drain(now + timedelta(hours=1)) == 3

    accepted = receiver.requests[3:]
    assert Counter(r.json()["id"] for r in accepted) == Counter(str(e) for e in event_ids)
    for request in receiver.requests:
        body = request.json()
        assert request.headers["phonebank-event-id"] == body["id"]
        assert request.headers["phonebank-event"] == "campaign.status_changed"
        assert verify(
            SECRET,
            timestamp=request.headers["phonebank-timestamp"],
            body=request.body,
            signature_header=request.headers["phonebank-signature"],
        )
        assert not verify(
            SECRET,
            timestamp=request.headers["phonebank-timestamp"],
            body=request.body + b" ",
            signature_header=request.headers["phonebank-signature"],
        )
    deliveries = await _deliveries(sessionmaker, subscription_id)
    assert {d.status for d in deliveries} == {"delivered"}
    assert sorted(d.attempts for d in deliveries) == [1, 1, 2, 2, 2]
    retried = [d for d in deliveries if d.attempts == 2]
    assert all(d.last_status_code == 200 and d.last_error is None for d in retried)


async def test_after_the_last_try_a_delivery_is_dead_until_replayed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    receiver = await Receiver(fail_first=3, fail_status=500).start()
    worker = WebhookWorker(
        sessionmaker, policy=RetryPolicy(max_attempts=3, base_seconds=1), rng=random.Random(1)
    )
    try:
        subscription_id, _ = await _subscribe_and_record(sessionmaker, receiver.url, 1)
        now = utcnow()
        for hour in range(5):
            await worker.drain(now + timedelta(hours=hour))
        [delivery] = await _deliveries(sessionmaker, subscription_id)
        assert (delivery.status, delivery.attempts) == ("dead", 3)
        assert delivery.last_error == "HTTP 500" and len(receiver.requests) == 3

        async with sessionmaker() as session, session.begin():
            found = await session.get_one(WebhookDelivery, delivery.id)
            await replay_delivery(session, delivery=found)
        assert await worker.drain() == 1
        [delivery] = await _deliveries(sessionmaker, subscription_id)
        assert delivery.status == "delivered" and delivery.delivered_at is not None
        assert receiver.requests[-1].json()["id"] == str(delivery.event_id)
    finally:
        await worker.stop()
        await receiver.stop()


async def test_an_unreachable_receiver_is_retried(
    sessionmaker: async_sessionmaker[AsyncSession], worker: WebhookWorker
) -> None:
    closed = await Receiver().start()
    await closed.stop()  # nothing listens on this port any more
    subscription_id, _ = await _subscribe_and_record(sessionmaker, closed.url, 1)
    now = utcnow()
    assert await worker.drain(now) == 1
    [delivery] = await _deliveries(sessionmaker, subscription_id)
    assert delivery.status == "retrying" and delivery.last_status_code is None
    assert delivery.last_error is not None and "Connect" in delivery.last_error
    wait = (delivery.next_attempt_at - now).total_seconds()
    assert 5 <= wait <= 10


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(base_seconds=10, cap_seconds=3600, max_attempts=12)
    rng = random.Random(3)
    for attempts in range(1, 12):
        full = min(3600, 10 * 2 ** (attempts - 1))
        delays = {policy.delay(attempts, rng) for _ in range(20)}
        assert all(full / 2 <= delay <= full for delay in delays)
        assert len(delays) > 1  # jittered
    # Even when every retry waits as little as the jitter allows, the tries cover an hour.
    shortest = sum(min(3600, 10 * 2 ** (n - 1)) / 2 for n in range(1, 12))
    assert shortest > 3600


def test_signatures_refuse_old_timestamps_and_other_secrets() -> None:
    body = b'{"id":"1"}'
    signed = signature(SECRET, 1_000_000, body)
    assert verify(SECRET, timestamp="1000000", body=body, signature_header=signed, now=1_000_100)
    assert not verify(SECRET, timestamp="1000000", body=body, signature_header=signed, now=1e7)
    assert not verify("other", timestamp="1000000", body=body, signature_header=signed, now=1e6)
    assert not verify(SECRET, timestamp="soon", body=body, signature_header=signed)
