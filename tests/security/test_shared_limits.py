"""Several API processes share one rate limit per key and one login backoff, through Redis."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.servers import TEST_REDIS_URL, Postgres, Server, needs_postgres_and_redis

pytestmark = needs_postgres_and_redis

LIMIT = 10


@pytest.fixture
def two_apis(tmp_path: Path) -> Iterator[list[Server]]:
    """Two `serve` processes on one PostgreSQL database and one Redis."""
    database = Postgres.beside_test_database("edge_limits")
    env = {
        "PHONEBANK_REDIS_URL": TEST_REDIS_URL,
        "PHONEBANK_RUN_DIALER": "false",
        "PHONEBANK_RUN_WEBHOOKS": "false",
        "PHONEBANK_RATE_LIMIT_PER_MINUTE": str(LIMIT),
    }
    servers = [
        Server(tmp_path / "unused.db", tmp_path / f"api{n}.log", url=database.url, env=env)
        for n in range(2)
    ]
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.stop()


def test_a_key_has_one_budget_across_processes(two_apis: list[Server]) -> None:
    key = two_apis[1].api_key
    statuses = [
        httpx.get(
            f"{two_apis[n % 2].base_url}/api/v1/campaigns",
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        ).status_code
        for n in range(LIMIT + 2)
    ]
    assert statuses[:LIMIT] == [200] * LIMIT
    assert statuses[LIMIT:] == [429, 429]


def test_failed_logins_back_off_across_processes(two_apis: list[Server]) -> None:
    email = f"{uuid.uuid4().hex}@nowhere.example.org"
    try:
        statuses = [
            httpx.post(
                f"{two_apis[n % 2].base_url}/api/v1/caller/login",
                json={"email": email, "password": "not the password"},
                timeout=10,
            ).status_code
            for n in range(6)
        ]
        assert statuses == [401] * 5 + [429]
    finally:
        # The shared Redis outlives the test: leave no failures behind for other tests.
        client = redis.Redis.from_url(TEST_REDIS_URL)
        client.delete(f"phonebank:logins:account:{email}", "phonebank:logins:address:127.0.0.1")
        client.close()
