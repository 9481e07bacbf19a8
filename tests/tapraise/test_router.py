"""TapRaise-compatible Calls API: camelCase shapes, cursor pages and PUT actions."""

import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.calls.conftest import add_campaign, add_person
from tests.conftest import Tenant

BASE = "/tapraise/api/v1/calls"


@pytest.fixture
async def person_uuid(session: AsyncSession, tenant: Tenant) -> str:
    """A person of the tenant."""
    return str(await add_person(session, tenant, "+16175550142"))


async def test_create_get_and_shape(
    client: httpx.AsyncClient, tenant: Tenant, person_uuid: str
) -> None:
    call_uuid = str(uuid.uuid4())
    user = str(uuid.uuid4())
    body = {
        "uuid": call_uuid,
        "personUuid": person_uuid,
        "type": "happy_call",
        "notes": "thank them",
        "requestedByUserUuid": user,
        "organisationUuid": str(tenant.organization_id),
    }
    created = await client.post(BASE, json=body, headers=tenant.headers)
    assert created.status_code == 201, created.text
    node = created.json()
    assert node["uuid"] == call_uuid and node["status"] == "requested"
    assert node["personUuid"] == person_uuid and node["organisationUuid"] == str(
        tenant.organization_id
    )
    assert node["attempts"] == [] and node["attemptsCount"] == 0
    assert node["requestedByUserUuid"] == user and node["type"] == "happy_call"
    for field in ("requestedAt", "cancelledAt", "completedAt", "expiredAt", "externalMetadata"):
        assert field in node
    again = await client.post(BASE, json=body, headers=tenant.headers)
    assert again.status_code == 409
    fetched = await client.get(f"{BASE}/{call_uuid}", headers=tenant.headers)
    assert fetched.json()["notes"] == "thank them"


async def test_forbidden_fields_named_in_camel_case(
    client: httpx.AsyncClient, tenant: Tenant, person_uuid: str, other_tenant: Tenant
) -> None:
    managed = await client.post(
        BASE,
        json={"personUuid": person_uuid, "completedAt": "2026-01-01T00:00:00Z"},
        headers=tenant.headers,
    )
    assert managed.status_code == 400 and managed.json()["field"] == "completedAt"
    external = await client.post(
        BASE,
        json={"personUuid": person_uuid, "externalMetadata": {"x": 1}, "type": "winback"},
        headers=tenant.headers,
    )
    assert external.status_code == 400 and external.json()["field"] == "type"
    foreign = await client.post(
        BASE, json={"personUuid": person_uuid}, headers=other_tenant.headers
    )
    assert foreign.status_code == 400 and foreign.json()["field"] == "personUuid"
    snake = await client.post(BASE, json={"person_uuid": person_uuid}, headers=tenant.headers)
    assert snake.status_code == 422
    other_org = await client.post(
        BASE,
        json={"personUuid": person_uuid, "organisationUuid": str(other_tenant.organization_id)},
        headers=tenant.headers,
    )
    assert other_org.status_code == 403


async def test_put_actions_with_seed_bodies(
    client: httpx.AsyncClient, tenant: Tenant, person_uuid: str, session: AsyncSession
) -> None:
    campaign = await add_campaign(session, tenant, retry_count=1)
    from phonebank.calls.models import Call

    call = Call(
        organization_id=tenant.organization_id,
        campaign_id=campaign,
        person_id=uuid.UUID(person_uuid),
    )
    session.add(call)
    await session.flush()
    user = str(uuid.uuid4())
    attempted = await client.put(
        f"{BASE}/{call.id}/attempts",
        json={"userUuid": user, "attemptedAt": "2026-05-01T00:00:00.000Z"},
        headers=tenant.headers,
    )
    assert attempted.status_code == 200, attempted.text
    assert attempted.json()["attempts"] == [
        {"userUuid": user, "attemptedAt": "2026-05-01T00:00:00Z"}
    ]
    completed = await client.put(
        f"{BASE}/{call.id}/complete",
        json={"userUuid": user, "result": "pledge_confirmed"},
        headers=tenant.headers,
    )
    assert completed.json()["status"] == "completed"
    assert completed.json()["result"] == "pledge_confirmed"
    refused = await client.put(f"{BASE}/{call.id}/cancel", json={}, headers=tenant.headers)
    assert refused.status_code == 409

    second = (
        await client.post(BASE, json={"personUuid": person_uuid}, headers=tenant.headers)
    ).json()
    cancelled = await client.put(
        f"{BASE}/{second['uuid']}/cancel",
        json={"cancelledAt": "2026-05-01T00:00:00.000Z"},
        headers=tenant.headers,
    )
    assert cancelled.json()["cancelledAt"] == "2026-05-01T00:00:00Z"
    third = (
        await client.post(BASE, json={"personUuid": person_uuid}, headers=tenant.headers)
    ).json()
    expired = await client.put(f"{BASE}/{third['uuid']}/expire", json={}, headers=tenant.headers)
    assert expired.json()["status"] == "expired" and expired.json()["expiredAt"]


async def test_cursor_pagination_newest_first(
    client: httpx.AsyncClient, tenant: Tenant, person_uuid: str
) -> None:
    made = [
        (await client.post(BASE, json={"personUuid": person_uuid}, headers=tenant.headers)).json()[
            "uuid"
        ]
        for _ in range(5)
    ]
    seen: list[str] = []
    after = None
    while True:
        params = {"first": 2} | ({"after": after} if after else {})
        page = (await client.get(BASE, params=params, headers=tenant.headers)).json()
        seen += [edge["node"]["uuid"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is bool(after)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == made[::-1]
    bad = await client.get(BASE, params={"after": "garbage!"}, headers=tenant.headers)
    assert bad.status_code == 400 and bad.json()["field"] == "after"
    recent = await client.get(
        BASE, params={"requestedAfter": "2999-01-01T00:00:00Z"}, headers=tenant.headers
    )
    assert recent.json()["edges"] == []
