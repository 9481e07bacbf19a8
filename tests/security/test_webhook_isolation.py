"""One receiver's slowness is its own: other subscriptions keep getting their events, and a
request that never finishes is cut at a total deadline."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from phonebank.db import utcnow
from phonebank.organizations.models import Organization
from phonebank.organizations.service import create_organization
from phonebank.webhooks.delivery import WebhookWorker
from phonebank.webhooks.models import WebhookDelivery
from phonebank.webhooks.outbox import Event, record_events
from phonebank.webhooks.service import create_subscription
from tests.webhooks.receiver import Receiver

SECRET = "whsec_isolation_0123456789abcdef"


class StuckReceiver:
    """Accepts connections and reads the request, then answers in `answer(writer)`."""

    def __init__(self, answer: Callable[[asyncio.StreamWriter], Awaitable[None]]) -> None:
        self.answer = answer
        self.requests = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        """Where it listens."""
        return f"http://127.0.0.1:{self.port}/hook"

    async def start(self) -> "StuckReceiver":
        """Listen on a free loopback port."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        self.requests += 1
        try:
            await self.answer(writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()


async def _subscribe(session: AsyncSession, name: str, url: str) -> uuid.UUID:
    organization = await create_organization(session, name=name)
    await create_subscription(
        session, organization_id=organization.id, url=url, events=["campaign.*"], secret=SECRET
    )
    return organization.id


async def _record(
    sessionmaker: async_sessionmaker[AsyncSession], organization_id: uuid.UUID, n: int
) -> None:
    async with sessionmaker() as session, session.begin():
        event = Event(organization_id, "campaign.status_changed", {"n": n, "to": "started"})
        await record_events(session, [event])


async def _until(check: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.05)
    return check()


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions that really commit (a running worker has its own transactions); the
    organizations made here are deleted afterwards."""
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    yield sessionmaker
    async with sessionmaker() as session, session.begin():
        await session.execute(delete(Organization).where(Organization.name.like("Isolation %")))


async def test_a_receiver_that_never_answers_delays_no_other_subscription(
    committed: async_sessionmaker[AsyncSession],
) -> None:
    released = asyncio.Event()

    async def hang(writer: asyncio.StreamWriter) -> None:
        await released.wait()

    stuck = await StuckReceiver(hang).start()
    healthy = await Receiver().start()
    async with committed() as session, session.begin():
        slow_org = await _subscribe(session, "Isolation slow", stuck.url)
        other_org = await _subscribe(session, "Isolation other", healthy.url)
    await _record(committed, slow_org, 1)
    await _record(committed, other_org, 1)
    # A deadline far longer than the test: only isolation lets the other receiver through.
    worker = WebhookWorker(committed, timeout_seconds=3600, poll_seconds=0.05)
    await worker.start()
    try:
        assert await _until(lambda: stuck.requests == 1 and len(healthy.requests) == 1)
        for n in range(2, 5):
            await _record(committed, other_org, n)
            assert await _until(lambda n=n: len(healthy.requests) == n), (
                f"event {n} of the other tenant waited for the stuck receiver"
            )
        assert not released.is_set() and stuck.requests == 1
    finally:
        released.set()
        await worker.stop()
        await stuck.stop()
        await healthy.stop()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test's connection: their commits are savepoints, rolled back after."""
    return async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


async def test_an_answer_trickled_byte_by_byte_is_cut_at_the_total_deadline(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async def trickle(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\n")
        # Each byte arrives well within any timeout per read; the answer never ends.
        while True:
            writer.write(b"X")
            await writer.drain()
            await asyncio.sleep(0.1)

    receiver = await StuckReceiver(trickle).start()
    async with sessionmaker() as session, session.begin():
        organization_id = await _subscribe(session, "Isolation trickle", receiver.url)
    await _record(sessionmaker, organization_id, 1)
    worker = WebhookWorker(sessionmaker, timeout_seconds=1)
    try:
        sent = await asyncio.wait_for(worker.deliver_due(utcnow()), timeout=30)
    finally:
        await worker.stop()
        await receiver.stop()
    assert sent == 1
    async with sessionmaker() as session:
        delivery = await session.scalar(select(WebhookDelivery))
    assert delivery is not None and delivery.status == "retrying"
    assert delivery.last_error is not None and "within 1 s" in delivery.last_error
