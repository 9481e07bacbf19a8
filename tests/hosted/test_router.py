"""`/api/v1/call` and `/api/v1/phone_number_lists`: starting hosted dialings, uploading lists."""

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.calls.models import Call
from phonebank.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.conftest import Tenant, make_tenant

STATE_URL = "https://customer.example.org/calls/state"
NUMBERS_URL = "https://customer.example.org/numbers"


def _call(**fields: object) -> dict[str, object]:
    return {"dialer_type": "Power", "from": "+12125550100", "call_state_url": STATE_URL} | fields


async def test_inline_numbers_are_queued_in_a_started_campaign(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    response = await client.post(
        "/api/v1/call",
        json=_call(phone_number=[12125550181, "(212) 555-0182", "12125550181", "nonsense"]),
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["calls_added"] == 2 and created["status"] == "started"
    assert created["dialer_type"] == "Power" and created["from"] == "+12125550100"
    assert created["rejected"] == [
        {"index": 3, "number": "nonsense", "reason": "'nonsense' is not a valid phone number"}
    ]
    assert created["call_state_url"] == STATE_URL and created["secret"].startswith("whsec_")
    numbers = await session.scalars(
        select(Call.next_number).where(Call.campaign_id == uuid.UUID(created["campaign_id"]))
    )
    assert sorted(numbers) == ["+12125550181", "+12125550182"]
    campaign = await client.get(created["campaign_uri"], headers=tenant.headers)
    assert campaign.json()["dialing_mode"] == "power" and campaign.json()["caller_id"]

    shown = await client.get(f"/api/v1/call/{created['id']}", headers=tenant.headers)
    assert shown.status_code == 200 and "secret" not in shown.json()
    assert shown.json()["total_calls"] == 2 and shown.json()["exhausted"] is False
    listed = (await client.get("/api/v1/call", headers=tenant.headers)).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]


async def test_the_call_state_url_is_a_subscription_scoped_to_the_campaign(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    created = (
        await client.post(
            "/api/v1/call", json=_call(phone_numbers_url=NUMBERS_URL), headers=tenant.headers
        )
    ).json()
    other = (
        await client.post(
            "/api/v1/call", json=_call(phone_number="2125550183"), headers=tenant.headers
        )
    ).json()
    subscription = await session.scalar(
        select(WebhookSubscription).where(WebhookSubscription.url == STATE_URL).limit(1)
    )
    assert subscription is not None
    scopes = set(await session.scalars(select(WebhookSubscription.scope)))
    assert scopes == {f"campaign:{created['campaign_id']}", f"campaign:{other['campaign_id']}"}
    # Each dialing's URL hears only its own campaign: here, that it started.
    deliveries = (await session.scalars(select(WebhookDelivery))).all()
    by_campaign = sorted(d.payload["data"]["campaign_id"] for d in deliveries)
    assert by_campaign == sorted([created["campaign_id"], other["campaign_id"]])
    assert {d.payload["data"]["to"] for d in deliveries} == {"started"}


async def test_a_call_needs_a_source_and_known_names(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    nothing = await client.post("/api/v1/call", json=_call(), headers=tenant.headers)
    assert nothing.status_code == 422
    mode = await client.post(
        "/api/v1/call", json=_call(dialer_type="Robot", phone_number="2125550183"),
        headers=tenant.headers,
    )  # fmt: skip
    assert mode.status_code == 422
    missing = await client.post("/api/v1/call", json=_call(list_id="nope"), headers=tenant.headers)
    assert missing.status_code == 400 and missing.json()["field"] == "list_id"


async def test_an_uploaded_list_is_announced_and_dialed_by_its_identifier(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    body = {
        "identifier": "crm-campaign-42",
        "webhook_url": "https://customer.example.org/uploads",
        "phone_numbers": ["2125550184", 12125550185, "12"],
    }
    response = await client.post("/api/v1/phone_number_lists", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    upload = response.json()
    assert (upload["status"], upload["total"], upload["accepted"]) == ("processed", 3, 2)
    assert upload["rejected"][0]["index"] == 2 and upload["secret"].startswith("whsec_")
    assert upload["uri"].endswith("/api/v1/phone_number_lists/crm-campaign-42")
    again = await client.post("/api/v1/phone_number_lists", json=body, headers=tenant.headers)
    assert again.status_code == 409 and again.json()["field"] == "identifier"
    [notice] = (await session.scalars(select(WebhookDelivery))).all()
    assert notice.event == "upload.processed"
    assert notice.payload["data"]["identifier"] == "crm-campaign-42"
    assert notice.payload["data"]["accepted"] == 2

    shown = await client.get(upload["uri"], headers=tenant.headers)
    assert shown.status_code == 200 and "secret" not in shown.json()
    listed = await client.get("/api/v1/phone_number_lists", headers=tenant.headers)
    assert listed.json()["total"] == 1
    call = await client.post(
        "/api/v1/call", json=_call(list_id="crm-campaign-42", phone_number="2125550184"),
        headers=tenant.headers,
    )  # fmt: skip
    assert call.status_code == 201, call.text
    # The inline number is the uploaded one too: one person, one call.
    assert call.json()["calls_added"] == 2 and call.json()["list_id"] == "crm-campaign-42"


async def test_another_organization_sees_nothing_and_scopes_are_required(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    created = (
        await client.post("/api/v1/call", json=_call(phone_number="2125550186"),
                          headers=tenant.headers)
    ).json()  # fmt: skip
    upload = {"identifier": "mine", "webhook_url": STATE_URL, "phone_numbers": ["2125550187"]}
    await client.post("/api/v1/phone_number_lists", json=upload, headers=tenant.headers)
    for uri in (f"/api/v1/call/{created['id']}", "/api/v1/phone_number_lists/mine"):
        assert (await client.get(uri, headers=other_tenant.headers)).status_code == 404
    dial_theirs = await client.post(
        "/api/v1/call", json=_call(list_id="mine"), headers=other_tenant.headers
    )
    assert dial_theirs.status_code == 400
    reader = await make_tenant(session, "Readers", [Scope.CAMPAIGNS_READ, Scope.PEOPLE_READ])
    refused = await client.post(
        "/api/v1/call", json=_call(phone_number="2125550186"), headers=reader.headers
    )
    assert refused.status_code == 403
    refused = await client.post("/api/v1/phone_number_lists", json=upload, headers=reader.headers)
    assert refused.status_code == 403
