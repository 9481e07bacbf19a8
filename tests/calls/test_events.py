"""Calls changed through the API report attempts and status changes to webhook subscribers."""

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.webhooks.models import WebhookDelivery
from tests.conftest import Tenant


async def _events(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at))
    return [row.payload for row in rows]


async def test_attempts_and_completion_through_the_api_are_events(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    hook = {"url": "https://example.org/h", "events": ["attempt.completed", "call.status_changed"]}
    assert (await client.post("/api/v1/webhooks", json=hook, headers=tenant.headers)).is_success
    person = await client.post(
        "/api/v1/people",
        json={"given_name": "Ann", "phone_numbers": [{"number": "+12125550187"}]},
        headers=tenant.headers,
    )
    call = (
        await client.post(
            "/api/v1/calls", json={"person_id": person.json()["id"]}, headers=tenant.headers
        )
    ).json()
    uri = f"/api/v1/calls/{call['id']}"
    attempt = await client.post(uri + "/attempts", json={"outcome": "busy"}, headers=tenant.headers)
    assert attempt.status_code == 201
    done = await client.post(uri + "/complete", json={"result": "won"}, headers=tenant.headers)
    assert done.status_code == 200
    cancelled = await client.post(uri + "/cancel", headers=tenant.headers)
    assert cancelled.status_code == 409  # final: no event for a refused change

    events = await _events(session)
    assert [event["type"] for event in events] == ["attempt.completed", "call.status_changed"]
    assert events[0]["data"]["outcome"] == "busy"
    assert events[0]["data"]["call_status"] == "requested"
    change = events[1]["data"]
    assert (change["from"], change["to"], change["result"]) == ("requested", "completed", "won")
    assert change["call_id"] == call["id"]
