"""The delivery worker: sends due outbox rows, signed, and retries failures with backoff.

Rows are leased (their next try moved past the send) in a short transaction, sent with no
transaction open, and their outcome written in a second one. A crash between the two leaves
the lease to expire and the row is sent again: delivery is at least once, and receivers
deduplicate by the event id (`Phonebank-Event-Id`, also `id` in the body).
"""

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phonebank.db import utcnow
from phonebank.kit.outbound import outbound_client
from phonebank.webhooks.models import WebhookDelivery, WebhookSubscription
from phonebank.webhooks.signing import (
    DELIVERY_ID_HEADER,
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    signature_headers,
)

logger = logging.getLogger("phonebank.webhooks")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, then dead-letter.

    The defaults try 12 times over roughly two to four and a half hours, so a receiver that
    is down for an hour loses nothing.
    """

    max_attempts: int = 12
    base_seconds: float = 10.0
    cap_seconds: float = 3600.0

    def delay(self, attempts: int, rng: random.Random) -> float:
        """Seconds to wait after the `attempts`-th failed try: doubling, capped, jittered."""
        full = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        # Jitter spreads the retries of many deliveries that failed together.
        return rng.uniform(full / 2, full)


@dataclass(frozen=True)
class _Due:
    delivery_id: Any
    subscription_id: Any
    event_id: Any
    event: str
    payload: dict[str, Any]
    attempts: int
    url: str
    secret: str


@dataclass(frozen=True)
class _Sent:
    due: _Due
    status_code: int | None
    error: str | None


class WebhookWorker:
    """Delivers the outbox in the background of `phonebank serve`.

    Each subscription is served by its own task, one delivery at a time and in order, so a
    slow or dead receiver delays only its own events; every request has a total deadline
    (connect, send and the whole answer), not one per read.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        client: httpx.AsyncClient | None = None,
        policy: RetryPolicy | None = None,
        batch_size: int = 100,
        concurrency: int = 50,
        per_subscription: int = 10,
        timeout_seconds: float = 10.0,
        poll_seconds: float = 1.0,
        lease_seconds: float = 120.0,
        rng: random.Random | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.client = client or outbound_client(timeout_seconds=timeout_seconds)
        self._owns_client = client is None
        self.policy = policy or RetryPolicy()
        self.batch_size = batch_size
        # Receivers served at once, and deliveries one receiver is given per lease: a lease
        # outlives the deliveries of one turn even when each takes its whole deadline.
        self.concurrency = concurrency
        self.per_subscription = per_subscription
        self.timeout_seconds = timeout_seconds
        self.poll_seconds = poll_seconds
        self.lease_seconds = max(lease_seconds, per_subscription * timeout_seconds * 1.2)
        self.rng = rng or random.Random()
        self._task: asyncio.Task[None] | None = None
        self._turns: dict[Any, asyncio.Task[list[_Sent]]] = {}

    async def _lease(
        self, now: datetime, *, busy: Collection[Any] = (), receivers: int | None = None
    ) -> list[_Due]:
        async with self.sessionmaker() as session, session.begin():
            statement = (
                select(WebhookDelivery, WebhookSubscription.url, WebhookSubscription.secret)
                .join(
                    WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id
                )
                .where(
                    WebhookDelivery.status.in_(("pending", "retrying")),
                    WebhookDelivery.next_attempt_at <= now,
                    WebhookSubscription.active.is_(True),
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.created_at)
                .limit(self.batch_size)
            )
            if busy:
                # A receiver still working through its turn gets no more until it is done.
                statement = statement.where(WebhookDelivery.subscription_id.not_in(list(busy)))
            if session.get_bind().dialect.name == "postgresql":
                # Several workers share the outbox: each takes rows the others do not hold.
                statement = statement.with_for_update(skip_locked=True, of=WebhookDelivery)
            rows = (await session.execute(statement)).all()
            taken: dict[Any, int] = {}
            due: list[_Due] = []
            for d, url, secret in rows:
                count = taken.get(d.subscription_id, 0)
                if count >= self.per_subscription:
                    continue
                if count == 0 and receivers is not None and len(taken) >= receivers:
                    continue
                taken[d.subscription_id] = count + 1
                due.append(
                    _Due(d.id, d.subscription_id, d.event_id, d.event, d.payload, d.attempts,
                         url, secret)
                )  # fmt: skip
            if due:
                await session.execute(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id.in_([item.delivery_id for item in due]))
                    .values(next_attempt_at=now + timedelta(seconds=self.lease_seconds))
                    .execution_options(synchronize_session=False)
                )
            return due

    async def _send(self, due: _Due) -> _Sent:
        body = json.dumps(due.payload, separators=(",", ":")).encode()
        timestamp = int(utcnow().timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Phonebank-Webhooks/1",
            EVENT_ID_HEADER: str(due.event_id),
            EVENT_TYPE_HEADER: due.event,
            DELIVERY_ID_HEADER: str(due.delivery_id),
            **signature_headers(
                due.secret, message_id=str(due.event_id), timestamp=timestamp, body=body
            ),
        }
        try:
            # One deadline for the whole exchange: a receiver trickling its answer byte by
            # byte would never trip a timeout per read.
            async with asyncio.timeout(self.timeout_seconds):
                response = await self.client.post(due.url, content=body, headers=headers)
        except TimeoutError:
            return _Sent(due, None, f"no answer within {self.timeout_seconds:g} s")
        except httpx.HTTPError as error:
            return _Sent(due, None, f"{type(error).__name__}: {error}"[:1000])
        if 200 <= response.status_code < 300:
            return _Sent(due, response.status_code, None)
        return _Sent(due, response.status_code, f"HTTP {response.status_code}")

    async def _send_turn(self, due: Sequence[_Due]) -> list[_Sent]:
        # One receiver's deliveries, in order, one at a time.
        return [await self._send(item) for item in due]

    def _outcome(self, sent: _Sent, now: datetime) -> dict[str, Any]:
        attempts = sent.due.attempts + 1
        row: dict[str, Any] = {
            "id": sent.due.delivery_id,
            "attempts": attempts,
            "last_attempt_at": now,
            "last_status_code": sent.status_code,
            "last_error": sent.error,
        }
        if sent.error is None:
            return row | {"status": "delivered", "delivered_at": now, "next_attempt_at": now}
        if attempts >= self.policy.max_attempts:
            return row | {"status": "dead", "next_attempt_at": now}
        wait = self.policy.delay(attempts, self.rng)
        return row | {"status": "retrying", "next_attempt_at": now + timedelta(seconds=wait)}

    async def _record(self, sent: Sequence[_Sent], now: datetime) -> None:
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                update(WebhookDelivery), [self._outcome(item, now) for item in sent]
            )
        for item in sent:
            if item.error is not None:
                logger.info("webhook %s to %s failed: %s", item.due.event, item.due.url, item.error)

    async def deliver_due(self, now: datetime | None = None) -> int:
        """Send one batch of due deliveries and record how each went; how many were sent."""
        now = now or utcnow()
        due = await self._lease(now)
        if not due:
            return 0
        turns = await asyncio.gather(*(self._send_turn(items) for items in _by_receiver(due)))
        await self._record([sent for turn in turns for sent in turn], now)
        return len(due)

    async def drain(self, now: datetime | None = None) -> int:
        """Send batches until nothing is due at `now`; how many sends were made."""
        total = 0
        while sent := await self.deliver_due(now):
            total += sent
        return total

    async def step(self) -> int:
        """Record the receivers' finished turns, and start turns for idle receivers with
        deliveries due; how many deliveries were started."""
        finished = [key for key, task in self._turns.items() if task.done()]
        sent = [item for key in finished for item in self._turns.pop(key).result()]
        if sent:
            await self._record(sent, utcnow())
        free = self.concurrency - len(self._turns)
        if free <= 0:
            return 0
        due = await self._lease(utcnow(), busy=set(self._turns), receivers=free)
        for items in _by_receiver(due):
            self._turns[items[0].subscription_id] = asyncio.create_task(self._send_turn(items))
        return len(due)

    async def _run(self) -> None:
        while True:
            try:
                await self.step()
            except Exception:
                logger.exception("webhook delivery failed; retrying")
            # Wake when a turn ends (its outcome to record, its receiver free) or to poll.
            turns = list(self._turns.values())
            if turns:
                await asyncio.wait(
                    turns, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
                )
            else:
                await asyncio.sleep(self.poll_seconds)

    async def start(self) -> None:
        """Deliver in the background until stopped."""
        self._task = asyncio.create_task(self._run(), name="phonebank-webhooks")

    async def stop(self) -> None:
        """Stop delivering; leased rows are sent again after their lease."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for turn in self._turns.values():
            turn.cancel()
        await asyncio.gather(*self._turns.values(), return_exceptions=True)
        self._turns.clear()
        if self._owns_client:
            await self.client.aclose()


def _by_receiver(due: Sequence[_Due]) -> list[list[_Due]]:
    """Deliveries grouped by subscription, each group in the order it was leased."""
    groups: dict[Any, list[_Due]] = {}
    for item in due:
        groups.setdefault(item.subscription_id, []).append(item)
    return list(groups.values())
