"""Redis down: requests that need it answer 503 with a clear problem, /healthz says so, and
everything works again once Redis is back, with no restart.

The test runs its own redis-server on a free port and stops it; the shared one is untouched.
"""

import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from phonebank.app import create_app
from phonebank.config import get_settings
from tests.conftest import Tenant, _sessionmaker
from tests.servers import free_port

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


class OwnRedis:
    """A redis-server of this test alone, which it may stop and start again."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Where it listens."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it and wait until it answers."""
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        """Stop it (the outage)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A running redis-server on a free port, stopped after the test."""
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def redis_client(
    connection: AsyncConnection, own_redis: OwnRedis
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The application configured with that Redis (rate limits, commands, events)."""
    settings = get_settings().model_copy(update={"redis_url": own_redis.url})
    app = create_app(settings)
    app.state.sessionmaker = _sessionmaker(connection)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield app, client


async def test_requests_needing_redis_answer_503_until_it_returns(
    redis_client: tuple[FastAPI, httpx.AsyncClient], own_redis: OwnRedis, tenant: Tenant
) -> None:
    _, client = redis_client
    assert (await client.get("/api/v1/people", headers=tenant.headers)).status_code == 200
    health = await client.get("/healthz")
    assert health.status_code == 200 and health.json()["redis"] == "ok"

    own_redis.stop()
    down = await client.get("/api/v1/people", headers=tenant.headers)
    assert down.status_code == 503, down.text
    assert down.headers["content-type"] == "application/problem+json"
    assert "Redis" in down.json()["detail"]
    assert int(down.headers["Retry-After"]) >= 1
    health = await client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["redis"] == "unreachable" and health.json()["database"] == "ok"

    own_redis.start()  # same port: the clients reconnect by themselves
    assert (await client.get("/api/v1/people", headers=tenant.headers)).status_code == 200
    health = await client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
