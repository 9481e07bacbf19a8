"""`/api/v1/webhooks`: subscriptions, their delivery logs and replays, per organization."""

import uuid

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.webhooks.models import WebhookDelivery
from tests.conftest import Tenant, make_tenant

HOOK = {"url": "https://example.org/hooks", "events": ["campaign.*", "result.created"]}


async def _subscribe(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, object]:
    response = await client.post("/api/v1/webhooks", json=HOOK, headers=tenant.headers)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_subscriptions_are_created_listed_changed_and_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await _subscribe(client, tenant)
    secret = str(created["secret"])
    assert secret.startswith("whsec_") and created["secret_hint"] == "..." + secret[-4:]
    uri = f"/api/v1/webhooks/{created['id']}"
    shown = (await client.get(uri, headers=tenant.headers)).json()
    assert "secret" not in shown and shown["events"] == HOOK["events"]
    listed = (await client.get("/api/v1/webhooks", headers=tenant.headers)).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]

    changed = await client.patch(
        uri, json={"active": False, "secret": "x" * 20}, headers=tenant.headers
    )
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert changed.json()["secret_hint"] == "...xxxx"
    assert (await client.delete(uri, headers=tenant.headers)).status_code == 204
    assert (await client.get(uri, headers=tenant.headers)).status_code == 404


async def test_bad_subscriptions_name_the_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    unknown = await client.post(
        "/api/v1/webhooks",
        json={"url": "https://example.org", "events": ["call.exploded"]},
        headers=tenant.headers,
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "events"
    not_http = await client.post(
        "/api/v1/webhooks", json={"url": "ftp://x", "events": ["*"]}, headers=tenant.headers
    )
    assert not_http.status_code == 422


async def test_status_changes_fill_the_delivery_log_and_failed_ones_replay(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    created = await _subscribe(client, tenant)
    campaign = (
        await client.post("/api/v1/campaigns", json={"name": "c"}, headers=tenant.headers)
    ).json()
    await client.post(f"/api/v1/campaigns/{campaign['id']}/start", headers=tenant.headers)
    await client.post(f"/api/v1/campaigns/{campaign['id']}/pause", headers=tenant.headers)
    log = (
        await client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=tenant.headers)
    ).json()
    assert [item["payload"]["data"]["to"] for item in log["items"]] == ["paused", "started"]
    first = log["items"][-1]
    assert first["status"] == "pending" and first["payload"]["id"] == first["event_id"]
    assert first["payload"]["data"] == {
        "campaign_id": campaign["id"],
        "from": "draft",
        "to": "started",
    }

    replay = f"/api/v1/webhooks/{created['id']}/deliveries/{first['id']}/replay"
    refused = await client.post(replay, headers=tenant.headers)
    assert refused.status_code == 409
    delivery_id = uuid.UUID(first["id"])
    await session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(status="dead")
    )
    dead = await client.get(
        f"/api/v1/webhooks/{created['id']}/deliveries?status=dead", headers=tenant.headers
    )
    assert [item["id"] for item in dead.json()["items"]] == [first["id"]]
    replayed = await client.post(replay, headers=tenant.headers)
    assert replayed.status_code == 200 and replayed.json()["status"] == "pending"
    stored = await session.scalar(
        select(WebhookDelivery.attempts).where(WebhookDelivery.id == delivery_id)
    )
    assert stored == 0


async def test_another_organization_sees_nothing(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    created = await _subscribe(client, tenant)
    uri = f"/api/v1/webhooks/{created['id']}"
    for method in ("GET", "PATCH", "DELETE"):
        body = {"active": False} if method == "PATCH" else None
        response = await client.request(method, uri, json=body, headers=other_tenant.headers)
        assert response.status_code == 404
    assert (await client.get(uri + "/deliveries", headers=other_tenant.headers)).status_code == 404
    listed = (await client.get("/api/v1/webhooks", headers=other_tenant.headers)).json()
    assert listed["total"] == 0


async def test_scopes_are_required(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    reader = await make_tenant(session, "Hook readers", [Scope.WEBHOOKS_READ])
    outsider = await make_tenant(session, "Campaigns only", [Scope.CAMPAIGNS_WRITE])
    assert (await client.get("/api/v1/webhooks", headers=reader.headers)).status_code == 200
    assert (await client.get("/api/v1/webhooks", headers=outsider.headers)).status_code == 403
    created = await client.post("/api/v1/webhooks", json=HOOK, headers=reader.headers)
    assert created.status_code == 403
