"""Every route that takes an id, swept with another organization's key: always 404."""

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.sessions import start_session
from phonebank.calls.models import Result
from phonebank.db import utcnow
from phonebank.webhooks.models import WebhookDelivery
from phonebank.webhooks.outbox import Event, record_events
from tests.conftest import Tenant

QUESTION = {"name": "q2", "question_type": "Paragraph"}
TRANSFER = {"label": "Desk", "phone_number": "+12025550188"}


async def _make_osdi_objects(
    client: httpx.AsyncClient,
    owner: Tenant,
    session: AsyncSession,
    person: dict[str, Any],
    script: dict[str, Any],
    call: dict[str, Any],
) -> dict[str, str]:
    """The objects only the OSDI face addresses by id: taggings, items, answers, results."""
    headers = {"OSDI-API-Token": owner.token}
    person_link = {"osdi:person": {"href": f"/osdi/v1/people/{person['id']}"}}

    async def post(path: str, body: dict[str, Any]) -> str:
        response = await client.post(f"/osdi/v1{path}", json=body, headers=headers)
        assert response.status_code == 200, (path, response.text)
        return str(response.json()["identifiers"][0].split(":", 1)[1])

    tag_id = await post("/tags", {"name": "osdi tag"})
    list_id = await post("/lists", {"name": "osdi list"})
    await post(
        "/people/person_signup_helper",
        {
            "person": {"identifiers": [f"phonebank:{person['id']}"]},
            "add_questions_responses_uri": [
                {"question": f"/questions/{script['questions'][0]['id']}", "value": "yes"}
            ],
        },
    )
    answers = await client.get(f"/osdi/v1/people/{person['id']}/answers", headers=headers)
    result = Result(
        call_id=uuid.UUID(call["id"]), campaign_id=uuid.UUID(call["campaign_id"]), disposition="ok"
    )
    session.add(result)
    await session.flush()
    return {
        "tagging_id": await post(f"/tags/{tag_id}/taggings", {"_links": person_link}),
        "item_id": await post(f"/lists/{list_id}/items", {"_links": person_link}),
        "answer_id": answers.json()["_embedded"]["osdi:answers"][0]["identifiers"][0][10:],
        "phone_bank_id": call["campaign_id"],
        "result_id": str(result.id),
    }


async def _make_objects(
    client: httpx.AsyncClient, owner: Tenant, session: AsyncSession
) -> dict[str, str]:
    """One object of each kind in the owner's organization, keyed by path parameter name."""

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(f"/api/v1{path}", json=body, headers=owner.headers)
        assert response.status_code == 201, (path, response.text)
        result: dict[str, Any] = response.json()
        return result

    person = await post(
        "/people", {"given_name": "Owned", "phone_numbers": [{"number": "+12125550187"}]}
    )
    script = await post(
        "/scripts",
        {"name": "s", "questions": [{"name": "q", "question_type": "Paragraph"}],
         "transfers": [TRANSFER]},
    )  # fmt: skip
    campaign = await post("/campaigns", {"name": "c"})
    call = await post("/calls", {"person_id": person["id"], "campaign_id": campaign["id"]})
    account = await post("/service_accounts", {"name": "a", "scopes": ["people:read"]})
    hosted = await post(
        "/call",
        {"dialer_type": "Preview", "from": "+12125550100", "phone_number": "2125550185",
         "call_state_url": "https://example.org/state"},
    )  # fmt: skip
    await post("/phone_number_lists", {"identifier": "owned", "webhook_url": "https://e.org/u",
                                       "phone_numbers": ["2125550184"]})  # fmt: skip
    subscription = await post("/webhooks", {"url": "https://example.org/h", "events": ["*"]})
    await record_events(session, [Event(owner.organization_id, "result.created", {})])
    delivery_id = await session.scalar(
        select(WebhookDelivery.id).where(
            WebhookDelivery.subscription_id == uuid.UUID(subscription["id"])
        )
    )
    return {
        **await _make_osdi_objects(client, owner, session, person, script, call),
        "person_id": person["id"],
        "tag_id": (await post("/tags", {"name": "t"}))["id"],
        "list_id": (await post("/lists", {"name": "l"}))["id"],
        "script_id": script["id"],
        "question_id": script["questions"][0]["id"],
        "transfer_id": script["transfers"][0]["id"],
        "message_id": (await post("/messages", {"name": "m", "text": "hello"}))["id"],
        "campaign_id": campaign["id"],
        "group_id": (await post("/caller_groups", {"name": "g"}))["id"],
        "caller_id": (await post("/callers", {"name": "c"}))["id"],
        "blocked_number_id": (await post("/blocked_numbers", {"number": "+12125550186"}))["id"],
        "call_id": call["id"],
        "call_uuid": call["id"],
        "campaignId": campaign["id"],
        "customerId": call["id"],
        "account_id": account["service_account_id"],
        "key_uuid": account["id"],
        "subscription_id": subscription["id"],
        "delivery_id": str(delivery_id),
        "hosted_id": hosted["id"],
        "identifier": "owned",
    }


def _body(path: str, method: str, intruder_person: str) -> dict[str, Any] | None:
    """A valid body, so the request reaches the handler and its ownership check."""
    if method in {"get", "delete"}:
        return None
    if path.endswith(("/people", "/items", "/calls")) and method == "post":
        return {"person_ids": [intruder_person]}
    if path.endswith("/questions"):
        return QUESTION
    if path.endswith("/transfers"):
        return TRANSFER
    if path.endswith("/monitor"):
        return {"mode": "listen"}
    if path.endswith("/plan"):
        return {"callers": 1, "hours": 0.25}
    return {}


async def test_no_route_reaches_another_organizations_objects(
    app: Any,
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    other_tenant: Tenant,
) -> None:
    ids = await _make_objects(client, tenant, session)
    caller_session = await start_session(
        session,
        organization_id=tenant.organization_id,
        caller_id=uuid.UUID(ids["caller_id"]),
        campaign_id=uuid.UUID(ids["campaign_id"]),
        now=utcnow(),
    )
    await session.commit()
    ids["session_id"] = str(caller_session.id)
    intruder_person = (
        await client.post("/api/v1/people", json={"given_name": "I"}, headers=other_tenant.headers)
    ).json()["id"]
    swept = 0
    for path, operations in app.openapi()["paths"].items():
        # The caller API acts only on the logged-in caller's own sessions (tests/calling).
        if "{" not in path or path.startswith("/api/v1/caller/"):
            continue
        url = path
        for name, value in ids.items():
            url = url.replace("{" + name + "}", value)
        assert "{" not in url, f"no object for {path}"
        for method in operations:
            response = await client.request(
                method.upper(),
                url,
                json=_body(path, method, intruder_person),
                headers=other_tenant.headers,
            )
            assert response.status_code == 404, (method, path, response.status_code, response.text)
            swept += 1
    assert swept >= 40

    # And nothing of the owner's changed.
    for path in ("/people/{person_id}", "/campaigns/{campaign_id}", "/calls/{call_id}"):
        url = "/api/v1" + path.format(**ids)
        assert (await client.get(url, headers=tenant.headers)).status_code == 200
    campaign = (
        await client.get(f"/api/v1/campaigns/{ids['campaign_id']}", headers=tenant.headers)
    ).json()
    assert campaign["status"] == "draft" and campaign["total_calls"] == 1
    call = (await client.get(f"/api/v1/calls/{ids['call_id']}", headers=tenant.headers)).json()
    assert call["status"] == "requested" and call["attempts_count"] == 0
