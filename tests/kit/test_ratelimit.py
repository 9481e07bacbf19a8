"""Rate limits per key: counted in memory or in Redis, refused with 429 and Retry-After."""

import uuid

import httpx
from fastapi import FastAPI

from phonebank.kit.ratelimit import MemoryRateLimiter, RedisRateLimiter
from tests.conftest import Tenant


async def test_memory_limiter_counts_per_key() -> None:
    limiter = MemoryRateLimiter(limit=2)
    first, second, third = [await limiter.hit("a") for _ in range(3)]
    assert (first.remaining, second.remaining, third.allowed) == (1, 0, False)
    assert (await limiter.hit("b")).allowed
    assert 1 <= third.reset_seconds <= 60


async def test_redis_limiter_is_shared_by_every_instance() -> None:
    key = str(uuid.uuid4())
    one = RedisRateLimiter("redis://127.0.0.1:6379/0", limit=3)
    two = RedisRateLimiter("redis://127.0.0.1:6379/0", limit=3)
    try:
        results = [await one.hit(key), await two.hit(key), await one.hit(key), await two.hit(key)]
        assert [r.allowed for r in results] == [True, True, True, False]
        assert results[2].remaining == 0
    finally:
        await one.close()
        await two.close()


async def test_a_key_over_its_limit_gets_429_with_retry_after(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    app.state.rate_limiter = MemoryRateLimiter(limit=2)
    first = await client.get("/api/v1/people", headers=tenant.headers)
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    await client.get("/api/v1/people", headers=tenant.headers)
    refused = await client.get("/api/v1/people", headers=tenant.headers)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["content-type"] == "application/problem+json"
    assert "2 requests a minute" in refused.json()["detail"]
    other = await client.get("/api/v1/people", headers=other_tenant.headers)
    assert other.status_code == 200  # another key has its own budget
