"""Webhook fixtures: a loopback receiver and a worker writing inside the test transaction."""

import random
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from phonebank.webhooks.delivery import RetryPolicy, WebhookWorker
from tests.webhooks.receiver import Receiver


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test's connection: their commits are savepoints, rolled back after."""
    return async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A receiver that is down for its first three requests."""
    server = await Receiver(fail_first=3).start()
    yield server
    await server.stop()


@pytest.fixture
async def worker(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[WebhookWorker]:
    """A delivery worker with the default retry policy and a seeded jitter."""
    worker = WebhookWorker(sessionmaker, policy=RetryPolicy(), rng=random.Random(7))
    yield worker
    await worker.stop()
