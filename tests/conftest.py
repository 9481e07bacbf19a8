"""Test harness: schema built by the migrations, each test inside a rolled-back transaction.

The suite runs on a fresh SQLite file by default and on PostgreSQL when
PHONEBANK_TEST_DATABASE_URL is set.
"""

import os

# The suite's webhook receivers and customer servers listen on loopback.
os.environ.setdefault("PHONEBANK_ALLOW_PRIVATE_WEBHOOKS", "true")

import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from phonebank.app import create_app
from phonebank.auth.scopes import Scope
from phonebank.auth.service import create_service_account, issue_key
from phonebank.db import create_engine
from phonebank.migrations import runner
from phonebank.organizations.service import create_organization


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running in the main
    thread for the rest of the session, where asynchronous tests could no longer start."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/web/"))


def database_url_for(tmp_dir: str) -> str:
    """The database the suite runs on."""
    return os.environ.get("PHONEBANK_TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_dir}/t.db"


async def reset_database(engine: AsyncEngine) -> None:
    """Start from an empty database, so the migrations build everything."""
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
async def engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    """The test database, migrated to head once per run."""
    engine = create_engine(database_url_for(str(tmp_path_factory.mktemp("db"))))
    await reset_database(engine)
    await runner.upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One connection whose outer transaction is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        if transaction.is_active:
            await transaction.rollback()


def _sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # Commits inside the test release savepoints; the outer transaction still rolls back.
    return async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
async def session(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """A session for arranging and checking data directly."""
    async with _sessionmaker(connection)() as session:
        yield session


@pytest.fixture
def app(connection: AsyncConnection) -> FastAPI:
    """The application, bound to the test transaction."""
    app = create_app()
    app.state.sessionmaker = _sessionmaker(connection)
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client speaking to the application in-process."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@dataclass
class Tenant:
    """An organization with an API key, as a client would hold it."""

    organization_id: uuid.UUID
    token: str
    key_id: str
    secret: str

    @property
    def headers(self) -> dict[str, str]:
        """Bearer authentication headers."""
        return {"Authorization": f"Bearer {self.token}"}


async def make_tenant(
    session: AsyncSession, name: str, scopes: Iterable[Scope] = (Scope.ADMIN,)
) -> Tenant:
    """An organization and a key with `scopes`."""
    organization = await create_organization(session, name=name)
    account = await create_service_account(
        session, organization_id=organization.id, name=f"{name} key", scopes=scopes
    )
    issued = await issue_key(session, service_account=account)
    await session.flush()
    return Tenant(organization.id, issued.token, issued.api_key.key_id, issued.secret)


@pytest.fixture
async def tenant(session: AsyncSession) -> Tenant:
    """An organization with an admin key."""
    return await make_tenant(session, "Org A")


@pytest.fixture
async def other_tenant(session: AsyncSession) -> Tenant:
    """A second organization, whose key must never reach the first one's data."""
    return await make_tenant(session, "Org B")
