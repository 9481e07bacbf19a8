"""Every route that takes an id, swept with another organization's key: always 404."""

from typing import Any

import httpx

from tests.conftest import Tenant

QUESTION = {"name": "q2", "question_type": "Paragraph"}
TRANSFER = {"label": "Desk", "phone_number": "+12025550188"}


async def _make_objects(client: httpx.AsyncClient, owner: Tenant) -> dict[str, str]:
    """One object of each kind in the owner's organization, keyed by path parameter name."""

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(f"/api/v1{path}", json=body, headers=owner.headers)
        assert response.status_code == 201, (path, response.text)
        result: dict[str, Any] = response.json()
        return result

    person = await post(
        "/people", {"given_name": "Owned", "phone_numbers": [{"number": "+12125550187"}]}
    )
    script = await post(
        "/scripts",
        {"name": "s", "questions": [{"name": "q", "question_type": "Paragraph"}],
         "transfers": [TRANSFER]},
    )  # fmt: skip
    campaign = await post("/campaigns", {"name": "c"})
    call = await post("/calls", {"person_id": person["id"], "campaign_id": campaign["id"]})
    account = await post("/service_accounts", {"name": "a", "scopes": ["people:read"]})
    return {
        "person_id": person["id"],
        "tag_id": (await post("/tags", {"name": "t"}))["id"],
        "list_id": (await post("/lists", {"name": "l"}))["id"],
        "script_id": script["id"],
        "question_id": script["questions"][0]["id"],
        "transfer_id": script["transfers"][0]["id"],
        "message_id": (await post("/messages", {"name": "m", "text": "hello"}))["id"],
        "campaign_id": campaign["id"],
        "group_id": (await post("/caller_groups", {"name": "g"}))["id"],
        "caller_id": (await post("/callers", {"name": "c"}))["id"],
        "blocked_number_id": (await post("/blocked_numbers", {"number": "+12125550186"}))["id"],
        "call_id": call["id"],
        "call_uuid": call["id"],
        "campaignId": campaign["id"],
        "customerId": call["id"],
        "account_id": account["service_account_id"],
        "key_uuid": account["id"],
    }


def _body(path: str, method: str, intruder_person: str) -> dict[str, Any] | None:
    """A valid body, so the request reaches the handler and its ownership check."""
    if method in {"get", "delete"}:
        return None
    if path.endswith(("/people", "/items", "/calls")) and method == "post":
        return {"person_ids": [intruder_person]}
    if path.endswith("/questions"):
        return QUESTION
    if path.endswith("/transfers"):
        return TRANSFER
    return {}


async def test_no_route_reaches_another_organizations_objects(
    app: Any, client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    ids = await _make_objects(client, tenant)
    intruder_person = (
        await client.post("/api/v1/people", json={"given_name": "I"}, headers=other_tenant.headers)
    ).json()["id"]
    swept = 0
    for path, operations in app.openapi()["paths"].items():
        if "{" not in path:
            continue
        url = path
        for name, value in ids.items():
            url = url.replace("{" + name + "}", value)
        assert "{" not in url, f"no object for {path}"
        for method in operations:
            response = await client.request(
                method.upper(),
                url,
                json=_body(path, method, intruder_person),
                headers=other_tenant.headers,
            )
            assert response.status_code == 404, (method, path, response.status_code, response.text)
            swept += 1
    assert swept >= 40

    # And nothing of the owner's changed.
    for path in ("/people/{person_id}", "/campaigns/{campaign_id}", "/calls/{call_id}"):
        url = "/api/v1" + path.format(**ids)
        assert (await client.get(url, headers=tenant.headers)).status_code == 200
    campaign = (
        await client.get(f"/api/v1/campaigns/{ids['campaign_id']}", headers=tenant.headers)
    ).json()
    assert campaign["status"] == "draft" and campaign["total_calls"] == 1
    call = (await client.get(f"/api/v1/calls/{ids['call_id']}", headers=tenant.headers)).json()
    assert call["status"] == "requested" and call["attempts_count"] == 0
