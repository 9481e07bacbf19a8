"""One limiter for every face, with no window edge, counting failed authentication too."""

import base64

import httpx
from fastapi import FastAPI

from phonebank.kit.ratelimit import MemoryRateLimiter
from tests.conftest import Tenant


async def test_obi_is_limited_like_every_other_face(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    app.state.rate_limiter = MemoryRateLimiter(limit=3)
    basic = base64.b64encode(f"ignored:{tenant.token}".encode()).decode()
    statuses = [
        (await client.get("/obi/campaigns", headers=tenant.headers)).status_code,
        (await client.get("/osdi/v1/people", headers=tenant.headers)).status_code,
        (await client.get("/api/v1/people", headers=tenant.headers)).status_code,
        (await client.get("/obi/campaigns", headers=tenant.headers)).status_code,
    ]
    assert statuses == [200, 200, 200, 429]
    refused = await client.get("/obi/campaigns", headers={"Authorization": f"Basic {basic}"})
    assert refused.status_code in (401, 429)
    assert (
        int((await client.get("/obi/campaigns", headers=tenant.headers)).headers["Retry-After"])
        >= 1
    )


async def test_a_budget_spent_at_a_minute_edge_is_not_spent_again_after_it() -> None:
    clock = [59.5]
    limiter = MemoryRateLimiter(limit=100, clock=lambda: clock[0])
    first = [(await limiter.hit("k")).allowed for _ in range(150)]
    clock[0] = 60.5  # one second later, across what a fixed window would reset
    second = [(await limiter.hit("k")).allowed for _ in range(150)]
    assert sum(first) == 100
    # 100 a minute earns back one request every 0.6 s, not a whole new budget.
    assert sum(second) == 1
    clock[0] = 120.5
    assert sum([(await limiter.hit("k")).allowed for _ in range(150)]) == 100


async def test_failed_authentication_is_counted_per_client_address(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    app.state.rate_limiter = MemoryRateLimiter(limit=3)
    wrong = {"Authorization": f"Bearer {tenant.token[:-4]}xxxx"}
    statuses = [
        (await client.get("/api/v1/people", headers=wrong)).status_code,
        (
            await client.get("/osdi/v1/people", headers={"OSDI-API-Token": "pb_nope_nope"})
        ).status_code,
        (await client.get("/obi/campaigns", headers=wrong)).status_code,
        (await client.get("/api/v1/people", headers=wrong)).status_code,
    ]
    assert statuses == [401, 401, 401, 429]
    # A valid key is counted on its own budget, not the address's.
    assert (await client.get("/api/v1/people", headers=tenant.headers)).status_code == 200
