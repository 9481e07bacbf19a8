"""NUL characters anywhere in a request are a validation error naming where they are."""

import httpx

from tests.conftest import Tenant


async def test_a_nul_in_the_query_names_the_parameter(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get("/api/v1/callers?q=a%00b", headers=tenant.headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "q", "message": "must not contain NUL (\\u0000) characters"}
    ]


async def test_a_nul_in_the_path_names_the_parameter(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get("/api/v1/people/a%00b", headers=tenant.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "person_id"


async def test_a_nul_deep_in_a_json_body_names_the_field(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {"given_name": "Ann", "phone_numbers": [{"number": "+1212555\u00000187"}]}
    response = await client.post("/api/v1/people", json=body, headers=tenant.headers)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["phone_numbers[0].number"]
    listed = await client.get("/api/v1/people", headers=tenant.headers)
    assert listed.json()["total"] == 0


async def test_an_escaped_backslash_is_plain_text(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # The JSON text holds `\\u0000`: a backslash and five characters, no NUL at all.
    body = {"given_name": "back\\u0000slash"}
    response = await client.post("/api/v1/people", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    assert response.json()["given_name"] == "back\\u0000slash"


async def test_the_osdi_face_answers_with_its_own_error(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        "/osdi/v1/tags", json={"name": "a\u0000b"}, headers={"OSDI-API-Token": tenant.token}
    )
    assert response.status_code == 400
    error = response.json()["osdi:error"]
    assert error["resource_status"][0]["errors"][0]["properties"] == ["name"]
