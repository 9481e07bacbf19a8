"""Callers and caller groups API."""

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.callers.models import Caller
from tests.conftest import Tenant, make_tenant

ALICE = {
    "name": "Alice Ng",
    "email": "Alice@Example.org",
    "password": "correct horse",
    "pin": "1234",
    "phone_number": "(415) 555-2671",
}


async def _group(client: httpx.AsyncClient, tenant: Tenant, name: str = "Evening") -> dict:
    response = await client.post(
        "/api/v1/caller_groups", json={"name": name}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _caller(client: httpx.AsyncClient, tenant: Tenant, **fields: object) -> dict:
    response = await client.post("/api/v1/callers", json=fields, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


# --- caller groups -----------------------------------------------------------------------------


async def test_caller_group_lifecycle(client: httpx.AsyncClient, tenant: Tenant) -> None:
    created = await client.post(
        "/api/v1/caller_groups",
        json={"name": "Evening", "description": "After work"},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    group = created.json()
    assert group["name"] == "Evening" and group["description"] == "After work"
    assert group["uri"] == f"http://testserver/api/v1/caller_groups/{group['id']}"

    await _group(client, tenant, "Alpha")
    listed = (await client.get("/api/v1/caller_groups", headers=tenant.headers)).json()
    assert [item["name"] for item in listed["items"]] == ["Alpha", "Evening"]
    assert listed["total"] == 2

    patched = await client.patch(group["uri"], json={"name": "Nights"}, headers=tenant.headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Nights"
    assert patched.json()["description"] == "After work"
    fetched = await client.get(group["uri"], headers=tenant.headers)
    assert fetched.json()["name"] == "Nights"

    assert (await client.delete(group["uri"], headers=tenant.headers)).status_code == 204
    assert (await client.get(group["uri"], headers=tenant.headers)).status_code == 404


async def test_caller_group_name_is_unique_per_organization(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await _group(client, tenant, "Evening")
    again = await client.post(
        "/api/v1/caller_groups", json={"name": "Evening"}, headers=tenant.headers
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["field"] == "name"
    # Another organization may use the same name.
    await _group(client, other_tenant, "Evening")

    second = await _group(client, tenant, "Morning")
    renamed = await client.patch(second["uri"], json={"name": "Evening"}, headers=tenant.headers)
    assert renamed.status_code == 409 and renamed.json()["field"] == "name"
    # Renaming a group to its own name is no clash.
    same = await client.patch(second["uri"], json={"name": "Morning"}, headers=tenant.headers)
    assert same.status_code == 200


async def test_caller_group_validation(client: httpx.AsyncClient, tenant: Tenant) -> None:
    empty = await client.post("/api/v1/caller_groups", json={"name": ""}, headers=tenant.headers)
    assert empty.status_code == 422
    assert [error["field"] for error in empty.json()["errors"]] == ["name"]
    extra = await client.post(
        "/api/v1/caller_groups", json={"name": "A", "color": "red"}, headers=tenant.headers
    )
    assert extra.status_code == 422
    assert [error["field"] for error in extra.json()["errors"]] == ["color"]
    group = await _group(client, tenant)
    cleared = await client.patch(group["uri"], json={"name": None}, headers=tenant.headers)
    assert cleared.status_code == 400 and cleared.json()["field"] == "name"


async def test_deleting_a_group_leaves_its_callers_without_one(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    group = await _group(client, tenant)
    caller = await _caller(client, tenant, name="Bo", caller_group_id=group["id"])
    assert caller["caller_group_id"] == group["id"]
    assert (await client.delete(group["uri"], headers=tenant.headers)).status_code == 204
    fetched = await client.get(caller["uri"], headers=tenant.headers)
    assert fetched.status_code == 200
    assert fetched.json()["caller_group_id"] is None


# --- callers -----------------------------------------------------------------------------------


async def test_create_caller_hides_secrets_and_normalizes(
    client: httpx.AsyncClient, tenant: Tenant, session: AsyncSession
) -> None:
    group = await _group(client, tenant)
    response = await client.post(
        "/api/v1/callers",
        json={**ALICE, "caller_group_id": group["id"], "is_supervisor": True},
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    caller = response.json()
    assert caller["email"] == "alice@example.org"
    assert caller["phone_number"] == "+14155552671"
    assert caller["has_password"] is True and caller["has_pin"] is True
    assert caller["is_supervisor"] is True and caller["active"] is True
    assert caller["phones_only"] is False
    assert caller["caller_group_id"] == group["id"]
    assert caller["uri"] == f"http://testserver/api/v1/callers/{caller['id']}"
    for secret in ("password", "pin", "password_hash", "pin_hash"):
        assert secret not in caller
    assert "correct horse" not in response.text

    stored = await session.get(Caller, uuid.UUID(caller["id"]))
    assert stored is not None and stored.password_hash and stored.pin_hash
    assert stored.password_hash.startswith("$argon2")
    assert stored.pin_hash.startswith("$argon2") and "1234" not in stored.pin_hash

    minimal = await _caller(client, tenant, name="Bo")
    assert minimal["has_password"] is False and minimal["has_pin"] is False
    assert minimal["email"] is None and minimal["phone_number"] is None

    fetched = await client.get(caller["uri"], headers=tenant.headers)
    assert fetched.status_code == 200 and fetched.json()["name"] == "Alice Ng"


async def test_caller_request_validation_names_the_field(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    cases = [
        ({"name": "A", "password": "short"}, "password"),
        ({"name": "A", "pin": "12a4"}, "pin"),
        ({"name": "A", "pin": "123"}, "pin"),
        ({"name": "A", "pin": "123456789"}, "pin"),
        ({"name": "A", "email": "not-an-email"}, "email"),
        ({"email": "a@example.org"}, "name"),
        ({"name": "A", "shoe_size": 9}, "shoe_size"),
    ]
    for body, field in cases:
        response = await client.post("/api/v1/callers", json=body, headers=tenant.headers)
        assert response.status_code == 422, body
        assert [error["field"] for error in response.json()["errors"]] == [field], body


async def test_caller_rule_violations_are_400_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    bad_phone = await client.post(
        "/api/v1/callers", json={"name": "A", "phone_number": "+1 555"}, headers=tenant.headers
    )
    assert bad_phone.status_code == 400
    assert bad_phone.headers["content-type"] == "application/problem+json"
    assert bad_phone.json()["field"] == "phone_number"

    phones_only = await client.post(
        "/api/v1/callers", json={"name": "A", "phones_only": True}, headers=tenant.headers
    )
    assert phones_only.status_code == 400 and phones_only.json()["field"] == "phone_number"

    foreign_group = await _group(client, other_tenant)
    attached = await client.post(
        "/api/v1/callers",
        json={"name": "A", "caller_group_id": foreign_group["id"]},
        headers=tenant.headers,
    )
    assert attached.status_code == 400
    assert attached.json()["errors"] == [
        {"field": "caller_group_id", "message": attached.json()["detail"]}
    ]
    missing = await client.post(
        "/api/v1/callers",
        json={"name": "A", "caller_group_id": str(uuid.uuid4())},
        headers=tenant.headers,
    )
    assert missing.status_code == 400 and missing.json()["field"] == "caller_group_id"
    listed = await client.get("/api/v1/callers", headers=tenant.headers)
    assert listed.json()["total"] == 0


async def test_email_is_unique_among_callers(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await _caller(client, tenant, name="Alice", email="alice@example.org")
    again = await client.post(
        "/api/v1/callers",
        json={"name": "Other", "email": "ALICE@example.org"},
        headers=tenant.headers,
    )
    assert again.status_code == 409 and again.json()["field"] == "email"
    await _caller(client, other_tenant, name="Alice", email="alice@example.org")

    bo = await _caller(client, tenant, name="Bo", email="bo@example.org")
    taken = await client.patch(
        bo["uri"], json={"email": "alice@example.org"}, headers=tenant.headers
    )
    assert taken.status_code == 409 and taken.json()["field"] == "email"
    kept = await client.patch(bo["uri"], json={"email": "BO@example.org"}, headers=tenant.headers)
    assert kept.status_code == 200 and kept.json()["email"] == "bo@example.org"


async def test_update_caller(
    client: httpx.AsyncClient, tenant: Tenant, session: AsyncSession
) -> None:
    caller = await _caller(client, tenant, **ALICE)
    stored = await session.get(Caller, uuid.UUID(caller["id"]))
    assert stored is not None
    old_pin_hash = stored.pin_hash

    group = await _group(client, tenant)
    patch = {
        "name": "Alice Nguyen",
        "pin": "987654",
        "password": None,
        "phones_only": True,
        "caller_group_id": group["id"],
    }
    updated = await client.patch(caller["uri"], json=patch, headers=tenant.headers)
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["name"] == "Alice Nguyen" and body["phones_only"] is True
    assert body["has_password"] is False and body["has_pin"] is True
    assert body["caller_group_id"] == group["id"]
    assert body["email"] == "alice@example.org" and body["phone_number"] == "+14155552671"
    await session.refresh(stored)
    assert stored.password_hash is None and stored.pin_hash != old_pin_hash

    # A phones-only caller cannot lose their number.
    cleared = await client.patch(caller["uri"], json={"phone_number": None}, headers=tenant.headers)
    assert cleared.status_code == 400 and cleared.json()["field"] == "phone_number"
    nulled = await client.patch(caller["uri"], json={"active": None}, headers=tenant.headers)
    assert nulled.status_code == 400 and nulled.json()["field"] == "active"
    bad = await client.patch(caller["uri"], json={"phone_number": "12"}, headers=tenant.headers)
    assert bad.status_code == 400 and bad.json()["field"] == "phone_number"
    fetched = (await client.get(caller["uri"], headers=tenant.headers)).json()
    assert fetched["phone_number"] == "+14155552671" and fetched["active"] is True


async def test_delete_deactivates(client: httpx.AsyncClient, tenant: Tenant) -> None:
    caller = await _caller(client, tenant, name="Alice")
    response = await client.delete(caller["uri"], headers=tenant.headers)
    assert response.status_code == 200
    assert response.json()["active"] is False and response.json()["id"] == caller["id"]
    fetched = await client.get(caller["uri"], headers=tenant.headers)
    assert fetched.status_code == 200 and fetched.json()["active"] is False


async def test_list_callers_filters_and_paginates(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    group = await _group(client, tenant)
    await _caller(client, tenant, name="Carla", email="carla@example.org")
    await _caller(client, tenant, name="Alice", caller_group_id=group["id"])
    await _caller(client, tenant, name="Bo", email="bo@volunteers.org", active=False)

    async def names(query: str) -> list[str]:
        response = await client.get(f"/api/v1/callers{query}", headers=tenant.headers)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert await names("") == ["Alice", "Bo", "Carla"]
    assert await names(f"?caller_group_id={group['id']}") == ["Alice"]
    assert await names("?active=false") == ["Bo"]
    assert await names("?active=true") == ["Alice", "Carla"]
    assert await names("?q=VOLUNTEERS") == ["Bo"]
    assert await names("?q=arl") == ["Carla"]
    page = (await client.get("/api/v1/callers?per_page=2&page=2", headers=tenant.headers)).json()
    assert page["total"] == 3 and page["total_pages"] == 2
    assert [item["name"] for item in page["items"]] == ["Carla"]
    bad = await client.get("/api/v1/callers?caller_group_id=nope", headers=tenant.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "caller_group_id"


async def test_other_organization_gets_404(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    group = await _group(client, tenant)
    caller = await _caller(client, tenant, name="Alice", caller_group_id=group["id"])
    for uri, body in ((group["uri"], {"name": "X"}), (caller["uri"], {"name": "X"})):
        for method in ("GET", "PATCH", "DELETE"):
            response = await client.request(
                method, uri, json=body if method == "PATCH" else None, headers=other_tenant.headers
            )
            assert response.status_code == 404, (uri, method)
    for path in ("/api/v1/callers", "/api/v1/caller_groups"):
        assert (await client.get(path, headers=other_tenant.headers)).json()["total"] == 0
    # Their group cannot be attached to our caller.
    theirs = await _group(client, other_tenant, "Theirs")
    attached = await client.patch(
        caller["uri"], json={"caller_group_id": theirs["id"]}, headers=tenant.headers
    )
    assert attached.status_code == 400 and attached.json()["field"] == "caller_group_id"
    fetched = (await client.get(caller["uri"], headers=tenant.headers)).json()
    assert fetched["name"] == "Alice" and fetched["active"] is True
    assert fetched["caller_group_id"] == group["id"]


async def test_scopes(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    group = await _group(client, tenant)
    caller = await _caller(client, tenant, name="Alice")
    reader = await make_tenant(session, "Readers", [Scope.CALLERS_READ])
    outsider = await make_tenant(session, "Outsiders", [Scope.PEOPLE_READ, Scope.CAMPAIGNS_WRITE])
    assert (await client.get("/api/v1/callers", headers=reader.headers)).status_code == 200
    assert (await client.get("/api/v1/caller_groups", headers=reader.headers)).status_code == 200
    writes = [
        ("POST", "/api/v1/callers", {"name": "X"}),
        ("POST", "/api/v1/caller_groups", {"name": "X"}),
        ("PATCH", caller["uri"], {"name": "X"}),
        ("PATCH", group["uri"], {"name": "X"}),
        ("DELETE", caller["uri"], None),
        ("DELETE", group["uri"], None),
    ]
    for method, uri, body in writes:
        response = await client.request(method, uri, json=body, headers=reader.headers)
        assert response.status_code == 403, (method, uri)
        assert response.headers["content-type"] == "application/problem+json"
    for path in ("/api/v1/callers", "/api/v1/caller_groups", caller["uri"], group["uri"]):
        assert (await client.get(path, headers=outsider.headers)).status_code == 403, path
    unauthenticated = await client.get("/api/v1/callers")
    assert unauthenticated.status_code == 401


async def test_an_organizer_is_a_supervisor_and_a_supervisor_is_not_an_organizer(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    organizer = await client.post(
        "/api/v1/callers", json={**ALICE, "is_organizer": True}, headers=tenant.headers
    )
    assert organizer.status_code == 201, organizer.text
    assert organizer.json()["is_organizer"] is True and organizer.json()["is_supervisor"] is True
    supervisor = await client.post(
        "/api/v1/callers",
        json={"name": "Sam", "email": "sam@example.org", "is_supervisor": True},
        headers=tenant.headers,
    )
    assert supervisor.json()["is_organizer"] is False
    demoted = await client.patch(
        organizer.json()["uri"], json={"is_organizer": False}, headers=tenant.headers
    )
    assert demoted.json()["is_organizer"] is False and demoted.json()["is_supervisor"] is True
    cleared = await client.patch(
        organizer.json()["uri"], json={"is_organizer": None}, headers=tenant.headers
    )
    assert cleared.status_code == 400 and cleared.json()["field"] == "is_organizer"
