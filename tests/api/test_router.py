"""The browsable index, health, docs, and error hygiene."""

import httpx

from phonebank.api.router import RESOURCES


async def test_index_lists_every_resource_with_its_uri(client: httpx.AsyncClient) -> None:
    index = (await client.get("/api/v1")).json()
    assert index["uri"] == "http://testserver/api/v1"
    names = {resource["name"]: resource["uri"] for resource in index["resources"]}
    assert set(names) == {name for name, _, _ in RESOURCES}
    assert names["people"] == "http://testserver/api/v1/people"


async def test_health_and_docs(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert health.json()["database"] == "ok"
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/people" in spec["paths"]


async def test_unknown_route_is_problem_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_malformed_json_is_422_not_500(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/people", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code in {401, 422}
