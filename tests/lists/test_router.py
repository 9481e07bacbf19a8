"""Lists API: lists, their items, and adding many people at once by id or by tag."""

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.lists.models import ListItem
from phonebank.lists.service import person_ids_in_list
from tests.conftest import Tenant, make_tenant
from tests.tags.test_router import count_inserts, make_people, make_tag

LISTS = "/api/v1/lists"


async def make_list(client: httpx.AsyncClient, tenant: Tenant, name: str = "targets") -> str:
    response = await client.post(LISTS, json={"name": name}, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def add(
    client: httpx.AsyncClient, tenant: Tenant, list_id: str, body: dict[str, object]
) -> httpx.Response:
    return await client.post(f"{LISTS}/{list_id}/items", json=body, headers=tenant.headers)


def as_strings(ids: list[uuid.UUID]) -> list[str]:
    return [str(person_id) for person_id in ids]


async def test_create_get_list_update_delete(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = {
        "name": "district 7",
        "title": "District 7 voters",
        "description": "Everyone in district 7",
        "summary": "D7",
        "origin_system": "crm",
    }
    created = await client.post(LISTS, json=body, headers=tenant.headers)
    assert created.status_code == 201, created.text
    person_list = created.json()
    assert {key: person_list[key] for key in body} == body
    assert person_list["total_items"] == 0
    assert person_list["uri"] == f"http://testserver/api/v1/lists/{person_list['id']}"
    await make_list(client, tenant, "newer")

    listed = (await client.get(LISTS, headers=tenant.headers)).json()
    assert [item["name"] for item in listed["items"]] == ["newer", "district 7"]
    filtered = (await client.get(f"{LISTS}?name=district 7", headers=tenant.headers)).json()
    assert [item["id"] for item in filtered["items"]] == [person_list["id"]]

    patch = {"title": "D7 voters", "summary": None}
    updated = await client.patch(person_list["uri"], json=patch, headers=tenant.headers)
    assert updated.status_code == 200, updated.text
    assert updated.json()["title"] == "D7 voters" and updated.json()["summary"] is None
    assert updated.json()["name"] == "district 7" and updated.json()["total_items"] == 0

    assert (await client.delete(person_list["uri"], headers=tenant.headers)).status_code == 204
    assert (await client.get(person_list["uri"], headers=tenant.headers)).status_code == 404


async def test_validation_names_the_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    missing = await client.post(LISTS, json={"title": "x"}, headers=tenant.headers)
    assert missing.status_code == 422
    assert [error["field"] for error in missing.json()["errors"]] == ["name"]
    too_long = await client.post(
        LISTS, json={"name": "n", "title": "t" * 301}, headers=tenant.headers
    )
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "title"
    list_id = await make_list(client, tenant)
    null_name = await client.patch(
        f"{LISTS}/{list_id}", json={"name": None}, headers=tenant.headers
    )
    assert null_name.status_code == 422 and null_name.json()["errors"][0]["field"] == "name"
    unknown = await client.patch(f"{LISTS}/{list_id}", json={"size": 3}, headers=tenant.headers)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "size"


async def test_add_people_is_idempotent_and_counted(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    first, second, third = await make_people(session, tenant.organization_id, 3)
    list_id = await make_list(client, tenant)

    added = await add(client, tenant, list_id, {"person_ids": as_strings([first, second, second])})
    assert added.status_code == 200, added.text
    assert added.json() == {"added": 2, "already_present": 0}
    again = await add(client, tenant, list_id, {"person_ids": as_strings([first, third])})
    assert again.json() == {"added": 1, "already_present": 1}

    fetched = (await client.get(f"{LISTS}/{list_id}", headers=tenant.headers)).json()
    assert fetched["total_items"] == 3
    listed = (await client.get(LISTS, headers=tenant.headers)).json()
    assert listed["items"][0]["total_items"] == 3
    page = (await client.get(f"{LISTS}/{list_id}/items?per_page=2", headers=tenant.headers)).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert page["items"][0]["given_name"].startswith("P")
    members = await session.scalars(person_ids_in_list(session, list_id=uuid.UUID(list_id)))
    assert set(members.all()) == {first, second, third}

    removed = await client.delete(f"{LISTS}/{list_id}/items/{first}", headers=tenant.headers)
    assert removed.status_code == 204
    gone = await client.delete(f"{LISTS}/{list_id}/items/{first}", headers=tenant.headers)
    assert gone.status_code == 404
    fetched = (await client.get(f"{LISTS}/{list_id}", headers=tenant.headers)).json()
    assert fetched["total_items"] == 2


async def test_add_everyone_with_a_tag(
    client: httpx.AsyncClient, session: AsyncSession, connection: AsyncConnection, tenant: Tenant
) -> None:
    tagged = await make_people(session, tenant.organization_id, 5)
    untagged = await make_people(session, tenant.organization_id, 2)
    tag_id = await make_tag(client, tenant)
    tagging = await client.post(
        f"/api/v1/tags/{tag_id}/people",
        json={"person_ids": as_strings(tagged)},
        headers=tenant.headers,
    )
    assert tagging.json()["added"] == 5
    list_id = await make_list(client, tenant)
    await add(client, tenant, list_id, {"person_ids": as_strings([tagged[0], untagged[0]])})

    inserts = count_inserts(connection, "list_items")
    response = await add(client, tenant, list_id, {"tag_id": tag_id})
    assert response.status_code == 200, response.text
    assert len(inserts) == 1 and "SELECT" in inserts[0].upper()
    assert response.json() == {"added": 4, "already_present": 1}
    members = await session.scalars(person_ids_in_list(session, list_id=uuid.UUID(list_id)))
    assert set(members.all()) == {*tagged, untagged[0]}
    again = await add(client, tenant, list_id, {"tag_id": tag_id})
    assert again.json() == {"added": 0, "already_present": 5}


async def test_bad_bodies_name_the_field(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    (mine,) = await make_people(session, tenant.organization_id, 1)
    (theirs,) = await make_people(session, other_tenant.organization_id, 1)
    their_tag = await make_tag(client, other_tenant)
    my_tag = await make_tag(client, tenant)
    list_id = await make_list(client, tenant)

    foreign = await add(client, tenant, list_id, {"person_ids": as_strings([mine, theirs])})
    assert foreign.status_code == 400 and foreign.json()["field"] == "person_ids[1]"
    assert foreign.headers["content-type"] == "application/problem+json"
    unknown = await add(client, tenant, list_id, {"person_ids": [str(uuid.uuid4())]})
    assert unknown.status_code == 400 and unknown.json()["field"] == "person_ids[0]"
    foreign_tag = await add(client, tenant, list_id, {"tag_id": their_tag})
    assert foreign_tag.status_code == 400 and foreign_tag.json()["field"] == "tag_id"
    both = await add(client, tenant, list_id, {"person_ids": [str(mine)], "tag_id": my_tag})
    assert both.status_code == 400 and both.json()["field"] == "tag_id"
    neither = await add(client, tenant, list_id, {})
    assert neither.status_code == 400 and neither.json()["field"] == "person_ids"
    malformed = await add(client, tenant, list_id, {"person_ids": ["x"], "tag_id": "y"})
    assert malformed.status_code == 422
    assert {error["field"] for error in malformed.json()["errors"]} == {"person_ids[0]", "tag_id"}
    empty = await add(client, tenant, list_id, {"person_ids": []})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "person_ids"
    assert (await session.scalars(select(ListItem.id))).all() == []


async def test_bulk_add_of_2000_people_in_one_request(
    client: httpx.AsyncClient, session: AsyncSession, connection: AsyncConnection, tenant: Tenant
) -> None:
    ids = await make_people(session, tenant.organization_id, 2000)
    list_id = await make_list(client, tenant)
    inserts = count_inserts(connection, "list_items")
    response = await add(client, tenant, list_id, {"person_ids": as_strings(ids)})
    assert response.status_code == 200, response.text
    assert len(inserts) == 1, "the add must be one INSERT ... SELECT"
    assert response.json() == {"added": 2000, "already_present": 0}
    fetched = (await client.get(f"{LISTS}/{list_id}", headers=tenant.headers)).json()
    assert fetched["total_items"] == 2000
    page = (await client.get(f"{LISTS}/{list_id}/items", headers=tenant.headers)).json()
    assert page["total"] == 2000 and page["total_pages"] == 80
    stored = (await session.scalars(select(ListItem.id))).all()
    assert len(set(stored)) == 2000 and all(item.version == 4 for item in stored)


async def test_deleting_list_keeps_people(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    (person_id,) = await make_people(session, tenant.organization_id, 1)
    list_id = await make_list(client, tenant)
    await add(client, tenant, list_id, {"person_ids": [str(person_id)]})
    assert (await client.delete(f"{LISTS}/{list_id}", headers=tenant.headers)).status_code == 204
    person = await client.get(f"/api/v1/people/{person_id}", headers=tenant.headers)
    assert person.status_code == 200
    assert (await session.scalars(select(ListItem.id))).all() == []


async def test_other_organization_gets_404(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    (mine,) = await make_people(session, tenant.organization_id, 1)
    (theirs,) = await make_people(session, other_tenant.organization_id, 1)
    their_tag = await make_tag(client, other_tenant)
    list_id = await make_list(client, tenant)
    url = f"{LISTS}/{list_id}"
    await add(client, tenant, list_id, {"person_ids": [str(mine)]})
    attempts = [
        ("GET", url, None),
        ("PATCH", url, {"name": "x"}),
        ("DELETE", url, None),
        ("GET", f"{url}/items", None),
        ("POST", f"{url}/items", {"person_ids": [str(theirs)]}),
        ("POST", f"{url}/items", {"tag_id": their_tag}),
        ("DELETE", f"{url}/items/{mine}", None),
    ]
    for method, target, body in attempts:
        response = await client.request(method, target, json=body, headers=other_tenant.headers)
        assert response.status_code == 404, (method, target)
    assert (await client.get(LISTS, headers=other_tenant.headers)).json()["total"] == 0
    fetched = (await client.get(url, headers=tenant.headers)).json()
    assert fetched["name"] == "targets" and fetched["total_items"] == 1
    foreign = await client.delete(f"{url}/items/{theirs}", headers=tenant.headers)
    assert foreign.status_code == 404


async def test_scopes(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    list_id = await make_list(client, tenant)
    reader = await make_tenant(session, "Readers", [Scope.PEOPLE_READ])
    assert (await client.get(LISTS, headers=reader.headers)).status_code == 200
    writes = [
        ("POST", LISTS, {"name": "x"}),
        ("PATCH", f"{LISTS}/{list_id}", {"name": "x"}),
        ("DELETE", f"{LISTS}/{list_id}", None),
        ("POST", f"{LISTS}/{list_id}/items", {"person_ids": [str(uuid.uuid4())]}),
        ("DELETE", f"{LISTS}/{list_id}/items/{uuid.uuid4()}", None),
    ]
    for method, target, body in writes:
        response = await client.request(method, target, json=body, headers=reader.headers)
        assert response.status_code == 403, (method, target)
        assert "people:write" in response.json()["detail"]
    outsider = await make_tenant(session, "Callers", [Scope.CALLS_READ])
    for target in (LISTS, f"{LISTS}/{list_id}", f"{LISTS}/{list_id}/items"):
        response = await client.get(target, headers=outsider.headers)
        assert response.status_code == 403, target
        assert "people:read" in response.json()["detail"]
