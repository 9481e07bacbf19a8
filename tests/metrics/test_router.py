"""`/metrics`: figures of the record, and request latency by route template."""

import httpx
from fastapi import FastAPI

from tests.conftest import Tenant


async def _metrics(app: FastAPI, host: str = "127.0.0.1") -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=(host, 9999))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.get("/metrics")


async def test_metrics_show_the_record_and_request_latency(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign = (
        await client.post(
            "/api/v1/campaigns", json={"name": "m", "status": "started"}, headers=tenant.headers
        )
    ).json()
    await client.get(f"/api/v1/campaigns/{campaign['id']}", headers=tenant.headers)
    response = await _metrics(app)
    assert response.status_code == 200
    text = response.text
    assert "phonebank_request_duration_seconds_count" in text
    assert 'route="/api/v1/campaigns/{campaign_id}"' in text  # templates, never ids
    assert campaign["id"] not in text.split("phonebank_request_duration")[1]
    assert "# TYPE phonebank_callers gauge" in text


async def test_metrics_are_refused_to_other_machines(app: FastAPI) -> None:
    response = await _metrics(app, host="203.0.113.9")
    assert response.status_code == 403


async def test_unknown_paths_share_one_label(app: FastAPI, client: httpx.AsyncClient) -> None:
    await client.get("/no/such/page/12345")
    await client.get("/healthz")
    text = (await _metrics(app)).text
    assert 'route="unmatched"' in text and "/no/such/page" not in text
    assert 'route="/healthz"' in text
