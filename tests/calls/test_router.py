"""Native calls API: the lifecycle rules, scopes and tenancy."""

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from tests.calls.conftest import add_person
from tests.conftest import Tenant, make_tenant


async def create(client: httpx.AsyncClient, tenant: Tenant, **body: object) -> httpx.Response:
    """POST /api/v1/calls."""
    return await client.post("/api/v1/calls", json=body, headers=tenant.headers)


async def test_create_takes_numbers_and_zone_from_person(
    client: httpx.AsyncClient, tenant: Tenant, person_id: uuid.UUID, campaign_id: uuid.UUID
) -> None:
    response = await create(
        client, tenant, person_id=str(person_id), campaign_id=str(campaign_id), type="winback"
    )
    assert response.status_code == 201, response.text
    call = response.json()
    assert call["status"] == "requested" and call["type"] == "winback"
    assert call["numbers"] == ["+12125550101", "+18085550102"]
    assert call["time_zone"] == "America/New_York"
    assert call["attempts"] == [] and call["attempts_count"] == 0
    assert call["uri"].endswith(f"/api/v1/calls/{call['id']}")


async def test_same_uuid_twice_is_409_and_creates_nothing(
    client: httpx.AsyncClient, tenant: Tenant, person_id: uuid.UUID
) -> None:
    call_id = str(uuid.uuid4())
    first = await create(client, tenant, id=call_id, person_id=str(person_id))
    assert first.status_code == 201
    second = await create(client, tenant, id=call_id, person_id=str(person_id), notes="again")
    assert second.status_code == 409
    listed = (await client.get("/api/v1/calls", headers=tenant.headers)).json()
    assert listed["total"] == 1 and listed["items"][0]["notes"] is None


async def test_call_without_campaign_goes_to_draft_inbox_per_type(
    client: httpx.AsyncClient, tenant: Tenant, person_id: uuid.UUID
) -> None:
    first = (await create(client, tenant, person_id=str(person_id), type="happy_call")).json()
    second = (await create(client, tenant, person_id=str(person_id), type="happy_call")).json()
    third = (await create(client, tenant, person_id=str(person_id))).json()
    assert first["campaign_id"] == second["campaign_id"] != third["campaign_id"]
    assert third["type"] == "verification"


async def test_managed_call_refuses_external_only_fields(
    client: httpx.AsyncClient, tenant: Tenant, person_id: uuid.UUID
) -> None:
    for field, value in [
        ("status", "completed"),
        ("attempts", [{"user_uuid": str(uuid.uuid4())}]),
        ("result", {"outcome": "yes"}),
    ]:
        response = await create(client, tenant, person_id=str(person_id), **{field: value})
        assert response.status_code == 400, field
        assert response.json()["field"] == field


async def test_external_call_is_stored_as_given_and_frozen(
    client: httpx.AsyncClient, tenant: Tenant, person_id: uuid.UUID
) -> None:
    user = str(uuid.uuid4())
    body = {
        "person_id": str(person_id),
        "external_metadata": {"source": "crm", "id": 7},
        "status": "completed",
        "attempts": [{"user_uuid": user, "attempted_at": "2026-05-01T10:00:00Z"}],
        "result": "pledged",
        "completed_at": "2026-05-01T10:05:00Z",
    }
    response = await create(client, tenant, **body)
    assert response.status_code == 201, response.text
    call = response.json()
    assert call["status"] == "completed" and call["type"] == "verification"
    assert call["attempts_count"] == 1 and call["attempts"][0]["user_uuid"] == user
    assert call["result"] == "pledged"
    typed = await create(
        client, tenant, person_id=str(person_id), external_metadata={}, type="winback"
    )
    assert typed.status_code == 400 and typed.json()["field"] == "type"
    requested = (
        await create(client, tenant, person_id=str(person_id), external_metadata={"a": 1})
    ).json()
    cancel = await client.post(f"{requested['uri']}/cancel", headers=tenant.headers)
    assert cancel.status_code == 409 and "externally" in cancel.json()["detail"]


async def test_attempts_expire_the_call_at_the_campaign_maximum(
    client: httpx.AsyncClient, tenant: Tenant, person_id: uuid.UUID, campaign_id: uuid.UUID
) -> None:
    call = (
        await create(client, tenant, person_id=str(person_id), campaign_id=str(campaign_id))
    ).json()
    user = str(uuid.uuid4())
    for count in (1, 2):
        response = await client.post(
            f"{call['uri']}/attempts", json={"user_uuid": user}, headers=tenant.headers
        )
        assert response.status_code == 201
        assert response.json()["attempts_count"] == count
        assert response.json()["status"] == "requested"
    last = await client.post(
        f"{call['uri']}/attempts",
        json={"user_uuid": user, "attempted_at": "2026-06-01T12:00:00Z"},
        headers=tenant.headers,
    )
    assert last.json()["status"] == "expired"
    assert last.json()["expired_at"].startswith("2026-06-01T12:00:00")
    assert last.json()["attempts"][2]["user_uuid"] == user
    after = await client.post(f"{call['uri']}/attempts", json={}, headers=tenant.headers)
    assert after.status_code == 409 and "expired" in after.json()["detail"]


async def test_organization_maximum_caps_the_campaign(
    client: httpx.AsyncClient, tenant: Tenant, person_id: uuid.UUID, campaign_id: uuid.UUID
) -> None:
    await client.patch(
        "/api/v1/organization", json={"max_call_attempts": 1}, headers=tenant.headers
    )
    call = (
        await create(client, tenant, person_id=str(person_id), campaign_id=str(campaign_id))
    ).json()
    response = await client.post(f"{call['uri']}/attempts", json={}, headers=tenant.headers)
    assert response.json()["status"] == "expired"


async def test_complete_cancel_expire_are_final(
    client: httpx.AsyncClient, tenant: Tenant, person_id: uuid.UUID
) -> None:
    user = str(uuid.uuid4())
    done = (await create(client, tenant, person_id=str(person_id))).json()
    completed = await client.post(
        f"{done['uri']}/complete",
        json={"user_uuid": user, "result": {"support": "yes"}},
        headers=tenant.headers,
    )
    assert completed.status_code == 200
    assert completed.json()["status"] == "completed"
    assert completed.json()["completed_by_user_uuid"] == user
    for action in ("complete", "cancel", "expire", "attempts"):
        again = await client.post(f"{done['uri']}/{action}", json={}, headers=tenant.headers)
        assert again.status_code == 409, action
        assert "final" in again.json()["detail"]

    cancelled = (await create(client, tenant, person_id=str(person_id))).json()
    response = await client.post(
        f"{cancelled['uri']}/cancel",
        json={"cancelled_at": "2026-01-02T03:04:05Z"},
        headers=tenant.headers,
    )
    assert response.json()["cancelled_at"].startswith("2026-01-02T03:04:05")
    expired = (await create(client, tenant, person_id=str(person_id))).json()
    response = await client.post(f"{expired['uri']}/expire", headers=tenant.headers)
    assert response.json()["status"] == "expired" and response.json()["expired_at"]


async def test_list_filters_newest_first(
    client: httpx.AsyncClient, tenant: Tenant, person_id: uuid.UUID, campaign_id: uuid.UUID
) -> None:
    ids = [
        (
            await create(client, tenant, person_id=str(person_id), campaign_id=str(campaign_id))
        ).json()["id"]
        for _ in range(3)
    ]
    await client.post(f"/api/v1/calls/{ids[0]}/cancel", headers=tenant.headers)
    listed = (await client.get("/api/v1/calls", headers=tenant.headers)).json()
    assert [item["id"] for item in listed["items"]] == ids[::-1]
    requested = (
        await client.get(
            "/api/v1/calls",
            params={"status": "requested", "campaign_id": str(campaign_id)},
            headers=tenant.headers,
        )
    ).json()
    assert {item["id"] for item in requested["items"]} == set(ids[1:])
    future = (
        await client.get(
            "/api/v1/calls",
            params={"requested_after": "2999-01-01T00:00:00Z"},
            headers=tenant.headers,
        )
    ).json()
    assert future["total"] == 0


async def test_person_and_campaign_of_other_org_are_400(
    client: httpx.AsyncClient,
    tenant: Tenant,
    other_tenant: Tenant,
    session: AsyncSession,
    campaign_id: uuid.UUID,
) -> None:
    foreign_person = await add_person(session, other_tenant, "+13125550103")
    response = await create(client, tenant, person_id=str(foreign_person))
    assert response.status_code == 400 and response.json()["field"] == "person_id"
    mine = await add_person(session, tenant, "+13125550104")
    response = await create(
        client, other_tenant, person_id=str(foreign_person), campaign_id=str(campaign_id)
    )
    assert response.status_code == 400 and response.json()["field"] == "campaign_id"
    call = (await create(client, tenant, person_id=str(mine))).json()
    for method, path in [("GET", ""), ("POST", "/cancel"), ("POST", "/attempts")]:
        response = await client.request(
            method, f"/api/v1/calls/{call['id']}{path}", headers=other_tenant.headers
        )
        assert response.status_code == 404, path
    assert (await client.get("/api/v1/calls", headers=other_tenant.headers)).json()["total"] == 0


async def test_each_action_needs_its_scope(
    client: httpx.AsyncClient, tenant: Tenant, session: AsyncSession, person_id: uuid.UUID
) -> None:
    call = (await create(client, tenant, person_id=str(person_id))).json()
    for scope, action in [
        (Scope.CALLS_ATTEMPT, "attempts"),
        (Scope.CALLS_COMPLETE, "complete"),
        (Scope.CALLS_CANCEL, "cancel"),
        (Scope.CALLS_EXPIRE, "expire"),
    ]:
        others = [
            s
            for s in (
                Scope.CALLS_READ,
                Scope.CALLS_WRITE,
                Scope.CALLS_ATTEMPT,
                Scope.CALLS_COMPLETE,
                Scope.CALLS_CANCEL,
                Scope.CALLS_EXPIRE,
            )
            if s != scope
        ]
        key = await make_tenant_key(session, tenant, others)
        denied = await client.post(f"/api/v1/calls/{call['id']}/{action}", headers=key)
        assert denied.status_code == 403, action
    reader = await make_tenant(session, "R", scopes=[Scope.CALLS_READ])
    denied = await client.post(
        "/api/v1/calls", json={"person_id": str(person_id)}, headers=reader.headers
    )
    assert denied.status_code == 403


async def make_tenant_key(
    session: AsyncSession, tenant: Tenant, scopes: list[Scope]
) -> dict[str, str]:
    """Headers of another key of the same organization holding only `scopes`."""
    from phonebank.auth.service import create_service_account, issue_key

    account = await create_service_account(
        session, organization_id=tenant.organization_id, name="narrow", scopes=scopes
    )
    issued = await issue_key(session, service_account=account)
    return {"Authorization": f"Bearer {issued.token}"}


async def test_attempts_never_dialed_use_up_none_of_the_calls_attempts(
    client: httpx.AsyncClient, tenant: Tenant, person_id: uuid.UUID, campaign_id: uuid.UUID
) -> None:
    call = (
        await create(client, tenant, person_id=str(person_id), campaign_id=str(campaign_id))
    ).json()
    for outcome, count in (("no_answer", 1), ("busy", 2), ("skipped", 2), ("not_dialed", 2)):
        response = await client.post(
            f"{call['uri']}/attempts", json={"outcome": outcome}, headers=tenant.headers
        )
        assert response.status_code == 201
        assert (response.json()["attempts_count"], response.json()["status"]) == (
            count,
            "requested",
        )
    last = await client.post(
        f"{call['uri']}/attempts", json={"outcome": "no_answer"}, headers=tenant.headers
    )
    body = last.json()
    assert (body["attempts_count"], body["status"]) == (3, "expired")
    assert [a["outcome"] for a in body["attempts"]] == [
        "no_answer", "busy", "skipped", "not_dialed", "no_answer"
    ]  # fmt: skip
