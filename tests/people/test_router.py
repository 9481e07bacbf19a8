"""People API."""

import httpx

from tests.conftest import Tenant

ALICE = {
    "given_name": "Alice",
    "family_name": "Ng",
    "email_addresses": [{"address": "Alice@Example.org"}],
    "phone_numbers": [{"number": "(415) 555-2671", "number_type": "Mobile"}],
    "identifiers": ["crm:42"],
    "custom_fields": {"district": "7"},
}


async def test_create_normalizes_number_and_lists(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post("/api/v1/people", json=ALICE, headers=tenant.headers)
    assert response.status_code == 201, response.text
    person = response.json()
    assert person["phone_numbers"][0]["number"] == "+14155552671"
    assert person["phone_numbers"][0]["time_zones"] == ["America/Los_Angeles"]
    assert person["phone_numbers"][0]["primary"] is True
    assert person["email_addresses"][0]["address"] == "alice@example.org"
    assert person["uri"] == f"http://testserver/api/v1/people/{person['id']}"

    listed = await client.get("/api/v1/people?phone=4155552671", headers=tenant.headers)
    assert listed.json()["total"] == 1
    fetched = await client.get(person["uri"], headers=tenant.headers)
    assert fetched.json()["identifiers"] == ["crm:42"]


async def test_bad_phone_number_names_the_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = {"given_name": "Bob", "phone_numbers": [{"number": "+1 555"}]}
    response = await client.post("/api/v1/people", json=body, headers=tenant.headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "phone_numbers[0].number"


async def test_wrong_types_and_unknown_fields_are_422(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/api/v1/people", json={"given_name": 5, "shoe_size": 9}, headers=tenant.headers
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"given_name", "shoe_size"}


async def test_duplicate_identifier_is_conflict(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await client.post("/api/v1/people", json=ALICE, headers=tenant.headers)
    again = await client.post("/api/v1/people", json=ALICE, headers=tenant.headers)
    assert again.status_code == 409


async def test_update_replaces_lists_and_delete(client: httpx.AsyncClient, tenant: Tenant) -> None:
    person = (await client.post("/api/v1/people", json=ALICE, headers=tenant.headers)).json()
    patch = {"family_name": "Nguyen", "phone_numbers": [{"number": "+442071838750"}]}
    updated = await client.patch(person["uri"], json=patch, headers=tenant.headers)
    assert updated.status_code == 200, updated.text
    assert updated.json()["family_name"] == "Nguyen"
    assert [p["number"] for p in updated.json()["phone_numbers"]] == ["+442071838750"]
    assert updated.json()["given_name"] == "Alice"
    assert (await client.delete(person["uri"], headers=tenant.headers)).status_code == 204
    assert (await client.get(person["uri"], headers=tenant.headers)).status_code == 404


async def test_pagination_links(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for index in range(5):
        await client.post(
            "/api/v1/people", json={"given_name": f"P{index}"}, headers=tenant.headers
        )
    page = (await client.get("/api/v1/people?per_page=2&page=2", headers=tenant.headers)).json()
    assert page["total"] == 5 and page["total_pages"] == 3 and len(page["items"]) == 2
    assert "page=3" in page["links"]["next"] and "page=1" in page["links"]["prev"]
    assert "page=3" in page["links"]["last"]


async def test_other_organization_cannot_see_or_change(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    person = (await client.post("/api/v1/people", json=ALICE, headers=tenant.headers)).json()
    for method in ("GET", "PATCH", "DELETE"):
        body = {"given_name": "X"} if method == "PATCH" else None
        response = await client.request(
            method, person["uri"], json=body, headers=other_tenant.headers
        )
        assert response.status_code == 404, method
    listed = await client.get("/api/v1/people", headers=other_tenant.headers)
    assert listed.json()["total"] == 0
