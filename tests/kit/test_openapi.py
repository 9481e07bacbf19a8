"""The OpenAPI document names each face operation's errors in the shape the face sends."""

import re
from typing import Any

import httpx
from fastapi import FastAPI

from tests.conftest import Tenant


def _operations(app: FastAPI, prefix: str) -> list[tuple[str, str, dict[str, Any]]]:
    paths = app.openapi()["paths"]
    return [
        (method, path, operation)
        for path, operations in paths.items()
        if path.startswith(prefix)
        for method, operation in operations.items()
    ]


def test_native_operations_document_their_problems(app: FastAPI) -> None:
    document = app.openapi()
    assert document["components"]["schemas"]["Problem"]["required"] == [
        "type", "title", "status", "detail",
    ]  # fmt: skip
    for method, path, operation in _operations(app, "/api/v1/"):
        responses = operation["responses"]
        wanted = {"422"} | (
            {"401", "403", "404", "409", "429"} if operation.get("security") else set()
        )
        assert wanted <= set(responses), (method, path, sorted(responses))
        for status in wanted:
            content = responses[status]["content"]
            assert content == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }


def test_osdi_operations_speak_hal_and_answer_bad_input_with_400(app: FastAPI) -> None:
    for method, path, operation in _operations(app, "/osdi/v1/"):
        responses = operation["responses"]
        assert "422" not in responses, (method, path)
        assert "application/hal+json" in responses["400"]["content"]
        success = [status for status in responses if status.startswith("2")]
        for status in success:
            assert "application/json" not in responses[status].get("content", {})


def test_obi_operations_offer_json_and_xml(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    listing = paths["/obi/campaigns"]["get"]["responses"]
    assert set(listing["200"]["content"]) == {"application/json", "application/xml"}
    assert "406" in listing
    adding = paths["/obi/campaigns/{campaignId}/customers"]["post"]["responses"]
    assert set(adding["201"]["content"]) == {"text/html"}
    assert "415" in adding


def test_the_caller_api_declares_its_login_cookie(app: FastAPI) -> None:
    document = app.openapi()
    schemes = document["components"]["securitySchemes"]
    cookie = [name for name, scheme in schemes.items() if scheme.get("in") == "cookie"]
    assert cookie
    me = document["paths"]["/api/v1/caller/me"]["get"]
    assert me["security"] == [{cookie[0]: []}]
    assert "401" in me["responses"]


def test_operation_ids_are_readable_and_unique_and_every_operation_has_a_summary(
    app: FastAPI,
) -> None:
    operations = _operations(app, "/")
    ids = [operation["operationId"] for _, _, operation in operations]
    assert len(ids) == len(set(ids))
    for method, path, operation in operations:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", operation["operationId"]), (method, path)
        summary = operation.get("summary", "")
        assert summary and summary == operation["description"].splitlines()[0], (method, path)
    by_id = {operation["operationId"]: (method, path) for method, path, operation in operations}
    assert by_id["people.list"] == ("get", "/api/v1/people")
    assert by_id["campaigns.start"] == ("post", "/api/v1/campaigns/{campaign_id}/start")
    assert by_id["osdi.get_person"] == ("get", "/osdi/v1/people/{person_id}")


async def test_every_json_body_has_an_example_the_server_validates(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """Sent as documented (ids of nothing: 404 or 400 is fine), no example is a 422."""
    for method, path, operation in _operations(app, "/"):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is None:
            continue
        assert "example" in body, (method, path)
        if not path.startswith("/api/v1/") or path.startswith("/api/v1/caller/"):
            continue  # the caller API takes a browser login, not a key
        url = re.sub(r"\{[^}]+\}", "3fa85f64-5717-4562-b3fc-2c963f66afa6", path)
        response = await client.request(method, url, json=body["example"], headers=tenant.headers)
        assert response.status_code != 422, (method, path, body["example"], response.text)


async def test_the_main_examples_create_what_they_show(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    paths = app.openapi()["paths"]
    for path in ("/api/v1/people", "/api/v1/scripts", "/api/v1/webhooks"):
        example = paths[path]["post"]["requestBody"]["content"]["application/json"]["example"]
        response = await client.post(path, json=example, headers=tenant.headers)
        assert response.status_code == 201, (path, response.text)
