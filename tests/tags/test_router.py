"""Tags API: tags, taggings and tagging many people at once."""

import uuid
from typing import Any

import httpx
from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.people.models import Person
from phonebank.tags.models import Tagging
from phonebank.tags.service import person_ids_with_tag
from tests.conftest import Tenant, make_tenant

TAGS = "/api/v1/tags"


async def make_people(
    session: AsyncSession, organization_id: uuid.UUID, count: int
) -> list[uuid.UUID]:
    """`count` people of the organization, stored with one executemany."""
    ids = [uuid.uuid4() for _ in range(count)]
    rows = [
        {"id": person_id, "organization_id": organization_id, "given_name": f"P{index}"}
        for index, person_id in enumerate(ids)
    ]
    await session.execute(insert(Person), rows)
    await session.flush()
    return ids


def count_inserts(connection: AsyncConnection, table: str) -> list[str]:
    """The statements inserting into `table` that run on the connection from now on."""
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()} "):
            statements.append(statement)

    event.listen(connection.sync_connection, "before_cursor_execute", record)
    return statements


async def make_tag(client: httpx.AsyncClient, tenant: Tenant, name: str = "volunteer") -> str:
    response = await client.post(TAGS, json={"name": name}, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_create_get_list_update_delete(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = {"name": "donor", "description": "Gave in 2024", "origin_system": "crm"}
    created = await client.post(TAGS, json=body, headers=tenant.headers)
    assert created.status_code == 201, created.text
    tag = created.json()
    assert tag["name"] == "donor" and tag["origin_system"] == "crm"
    assert tag["uri"] == f"http://testserver/api/v1/tags/{tag['id']}"
    await make_tag(client, tenant, "another")

    fetched = await client.get(tag["uri"], headers=tenant.headers)
    assert fetched.json()["description"] == "Gave in 2024"
    listed = (await client.get(TAGS, headers=tenant.headers)).json()
    assert [item["name"] for item in listed["items"]] == ["another", "donor"]
    filtered = (await client.get(f"{TAGS}?name=donor", headers=tenant.headers)).json()
    assert filtered["total"] == 1 and filtered["items"][0]["id"] == tag["id"]

    patch = {"name": "major donor", "description": None}
    updated = await client.patch(tag["uri"], json=patch, headers=tenant.headers)
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "major donor"
    assert updated.json()["description"] is None
    assert updated.json()["origin_system"] == "crm"

    assert (await client.delete(tag["uri"], headers=tenant.headers)).status_code == 204
    assert (await client.get(tag["uri"], headers=tenant.headers)).status_code == 404


async def test_duplicate_name_is_conflict(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await make_tag(client, tenant, "donor")
    other_id = await make_tag(client, tenant, "volunteer")
    again = await client.post(TAGS, json={"name": "donor"}, headers=tenant.headers)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["field"] == "name"
    renamed = await client.patch(
        f"{TAGS}/{other_id}", json={"name": "donor"}, headers=tenant.headers
    )
    assert renamed.status_code == 409 and renamed.json()["field"] == "name"
    same = await client.patch(
        f"{TAGS}/{other_id}", json={"name": "volunteer"}, headers=tenant.headers
    )
    assert same.status_code == 200


async def test_same_name_in_another_organization_is_fine(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await make_tag(client, tenant, "donor")
    await make_tag(client, other_tenant, "donor")


async def test_validation_names_the_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    missing = await client.post(TAGS, json={"description": "x"}, headers=tenant.headers)
    assert missing.status_code == 422
    assert [error["field"] for error in missing.json()["errors"]] == ["name"]
    unknown = await client.post(TAGS, json={"name": "a", "colour": 1}, headers=tenant.headers)
    assert unknown.status_code == 422
    assert [error["field"] for error in unknown.json()["errors"]] == ["colour"]
    blank = await client.post(TAGS, json={"name": "  "}, headers=tenant.headers)
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "name"
    tag_id = await make_tag(client, tenant)
    null_name = await client.patch(f"{TAGS}/{tag_id}", json={"name": None}, headers=tenant.headers)
    assert null_name.status_code == 422 and null_name.json()["errors"][0]["field"] == "name"
    not_uuid = await client.get(f"{TAGS}/not-a-uuid", headers=tenant.headers)
    assert not_uuid.status_code == 422


async def test_tag_people_is_idempotent_and_counts(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    first, second, third = await make_people(session, tenant.organization_id, 3)
    tag_id = await make_tag(client, tenant)
    people_url = f"{TAGS}/{tag_id}/people"

    added = await client.post(
        people_url,
        json={"person_ids": [str(first), str(second), str(first)]},
        headers=tenant.headers,
    )
    assert added.status_code == 200, added.text
    assert added.json() == {"added": 2, "already_present": 0}
    again = await client.post(
        people_url, json={"person_ids": [str(second), str(third)]}, headers=tenant.headers
    )
    assert again.json() == {"added": 1, "already_present": 1}

    page = (await client.get(f"{people_url}?per_page=2", headers=tenant.headers)).json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["total_pages"] == 2
    assert page["items"][0]["uri"].startswith("http://testserver/api/v1/people/")
    tagged = set(
        (await session.scalars(person_ids_with_tag(session, tag_id=uuid.UUID(tag_id)))).all()
    )
    assert tagged == {first, second, third}

    removed = await client.delete(f"{people_url}/{second}", headers=tenant.headers)
    assert removed.status_code == 204
    again_removed = await client.delete(f"{people_url}/{second}", headers=tenant.headers)
    assert again_removed.status_code == 404
    page = (await client.get(people_url, headers=tenant.headers)).json()
    assert {item["id"] for item in page["items"]} == {str(first), str(third)}


async def test_bad_person_ids_name_the_index(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    (mine,) = await make_people(session, tenant.organization_id, 1)
    (theirs,) = await make_people(session, other_tenant.organization_id, 1)
    tag_id = await make_tag(client, tenant)
    people_url = f"{TAGS}/{tag_id}/people"

    foreign = await client.post(
        people_url, json={"person_ids": [str(mine), str(theirs)]}, headers=tenant.headers
    )
    assert foreign.status_code == 400
    assert foreign.json()["field"] == "person_ids[1]"
    missing = await client.post(
        people_url, json={"person_ids": [str(uuid.uuid4())]}, headers=tenant.headers
    )
    assert missing.status_code == 400 and missing.json()["field"] == "person_ids[0]"
    malformed = await client.post(
        people_url, json={"person_ids": [str(mine), "nope"]}, headers=tenant.headers
    )
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "person_ids[1]"
    empty = await client.post(people_url, json={"person_ids": []}, headers=tenant.headers)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "person_ids"
    # Nothing was tagged by the refused requests.
    assert (await session.scalars(select(Tagging.id))).all() == []


async def test_bulk_tagging_of_2000_people_in_one_request(
    client: httpx.AsyncClient, session: AsyncSession, connection: AsyncConnection, tenant: Tenant
) -> None:
    ids = await make_people(session, tenant.organization_id, 2000)
    tag_id = await make_tag(client, tenant)
    inserts = count_inserts(connection, "taggings")
    response = await client.post(
        f"{TAGS}/{tag_id}/people",
        json={"person_ids": [str(person_id) for person_id in ids]},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    assert len(inserts) == 1, "the add must be one INSERT ... SELECT"
    assert response.json() == {"added": 2000, "already_present": 0}
    page = (await client.get(f"{TAGS}/{tag_id}/people", headers=tenant.headers)).json()
    assert page["total"] == 2000
    stored = (await session.scalars(select(Tagging.id))).all()
    assert len(set(stored)) == 2000 and all(item.version == 4 for item in stored)


async def test_deleting_tag_keeps_people(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    (person_id,) = await make_people(session, tenant.organization_id, 1)
    tag_id = await make_tag(client, tenant)
    await client.post(
        f"{TAGS}/{tag_id}/people", json={"person_ids": [str(person_id)]}, headers=tenant.headers
    )
    assert (await client.delete(f"{TAGS}/{tag_id}", headers=tenant.headers)).status_code == 204
    person = await client.get(f"/api/v1/people/{person_id}", headers=tenant.headers)
    assert person.status_code == 200
    assert (await session.scalars(select(Tagging.id))).all() == []


async def test_other_organization_gets_404(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    (mine,) = await make_people(session, tenant.organization_id, 1)
    (theirs,) = await make_people(session, other_tenant.organization_id, 1)
    tag_id = await make_tag(client, tenant)
    url = f"{TAGS}/{tag_id}"
    await client.post(f"{url}/people", json={"person_ids": [str(mine)]}, headers=tenant.headers)
    attempts = [
        ("GET", url, None),
        ("PATCH", url, {"name": "x"}),
        ("DELETE", url, None),
        ("GET", f"{url}/people", None),
        ("POST", f"{url}/people", {"person_ids": [str(theirs)]}),
        ("DELETE", f"{url}/people/{mine}", None),
    ]
    for method, target, body in attempts:
        response = await client.request(method, target, json=body, headers=other_tenant.headers)
        assert response.status_code == 404, (method, target)
    listed = await client.get(TAGS, headers=other_tenant.headers)
    assert listed.json()["total"] == 0
    # The tag and its tagging are untouched.
    page = (await client.get(f"{url}/people", headers=tenant.headers)).json()
    assert [item["id"] for item in page["items"]] == [str(mine)]
    # Nor can the owner untag a person of another organization through its own tag.
    foreign = await client.delete(f"{url}/people/{theirs}", headers=tenant.headers)
    assert foreign.status_code == 404


async def test_scopes(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    tag_id = await make_tag(client, tenant)
    reader = await make_tenant(session, "Readers", [Scope.PEOPLE_READ])
    assert (await client.get(TAGS, headers=reader.headers)).status_code == 200
    writes = [
        ("POST", TAGS, {"name": "x"}),
        ("PATCH", f"{TAGS}/{tag_id}", {"name": "x"}),
        ("DELETE", f"{TAGS}/{tag_id}", None),
        ("POST", f"{TAGS}/{tag_id}/people", {"person_ids": [str(uuid.uuid4())]}),
        ("DELETE", f"{TAGS}/{tag_id}/people/{uuid.uuid4()}", None),
    ]
    for method, target, body in writes:
        response = await client.request(method, target, json=body, headers=reader.headers)
        assert response.status_code == 403, (method, target)
        assert "people:write" in response.json()["detail"]
    outsider = await make_tenant(session, "Callers", [Scope.CALLS_READ])
    for target in (TAGS, f"{TAGS}/{tag_id}", f"{TAGS}/{tag_id}/people"):
        response = await client.get(target, headers=outsider.headers)
        assert response.status_code == 403, target
        assert "people:read" in response.json()["detail"]
