"""Campaign status: the transitions table, the status actions, and deleting running campaigns."""

from typing import Any

import httpx
import pytest

from tests.conftest import Tenant

URL = "/api/v1/campaigns"
STATUSES = ("draft", "scheduled", "started", "paused", "stopped")
# Written out independently of the service's table, so a change there must show up here.
ALLOWED = {
    ("draft", "scheduled"),
    ("draft", "started"),
    ("draft", "stopped"),
    ("scheduled", "started"),
    ("scheduled", "draft"),
    ("scheduled", "stopped"),
    ("started", "paused"),
    ("started", "stopped"),
    ("paused", "started"),
    ("paused", "stopped"),
}
# How to reach each status from a new draft.
PATHS = {
    "draft": [],
    "scheduled": ["scheduled"],
    "started": ["started"],
    "paused": ["started", "paused"],
    "stopped": ["stopped"],
}


async def campaign_in(client: httpx.AsyncClient, tenant: Tenant, status: str) -> dict[str, Any]:
    response = await client.post(URL, json={"name": "Rally"}, headers=tenant.headers)
    campaign: dict[str, Any] = response.json()
    for step in PATHS[status]:
        moved = await client.patch(campaign["uri"], json={"status": step}, headers=tenant.headers)
        assert moved.status_code == 200, moved.text
        campaign = moved.json()
    assert campaign["status"] == status
    return campaign


async def action(
    client: httpx.AsyncClient, tenant: Tenant, campaign: dict[str, Any], name: str
) -> httpx.Response:
    return await client.post(f"{campaign['uri']}/{name}", headers=tenant.headers)


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("wanted", STATUSES)
async def test_patch_status_follows_the_transitions_table(
    client: httpx.AsyncClient, tenant: Tenant, current: str, wanted: str
) -> None:
    campaign = await campaign_in(client, tenant, current)
    response = await client.patch(campaign["uri"], json={"status": wanted}, headers=tenant.headers)
    if (current, wanted) in ALLOWED or current == wanted:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == wanted
    else:
        assert response.status_code == 409, response.text
        assert response.json()["field"] == "status"
        assert current in response.json()["detail"]
        fetched = (await client.get(campaign["uri"], headers=tenant.headers)).json()
        assert fetched["status"] == current


async def test_stopped_is_final_and_says_why(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign = await campaign_in(client, tenant, "stopped")
    for name in ("start", "pause", "resume"):
        response = await action(client, tenant, campaign, name)
        assert response.status_code == 409, name
        assert response.headers["content-type"] == "application/problem+json"
        assert "stopped campaign is final" in response.json()["detail"]
    again = await action(client, tenant, campaign, "stop")
    assert again.status_code == 200 and again.json()["status"] == "stopped"


async def test_actions_walk_a_campaign_through_its_life(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign = await campaign_in(client, tenant, "draft")
    steps = [("start", "started"), ("pause", "paused"), ("resume", "started"), ("stop", "stopped")]
    for name, expected in steps:
        response = await action(client, tenant, campaign, name)
        assert response.status_code == 200, (name, response.text)
        assert response.json()["status"] == expected
        assert response.json()["total_calls"] == 0
        fetched = (await client.get(campaign["uri"], headers=tenant.headers)).json()
        assert fetched["status"] == expected


async def test_start_from_scheduled_and_paused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for status in ("scheduled", "paused"):
        campaign = await campaign_in(client, tenant, status)
        response = await action(client, tenant, campaign, "start")
        assert response.status_code == 200
        assert response.json()["status"] == "started"


@pytest.mark.parametrize(
    ("status", "name"),
    [
        ("draft", "pause"),
        ("scheduled", "pause"),
        ("paused", "pause"),
        ("draft", "resume"),
        ("scheduled", "resume"),
    ],
)
async def test_actions_refused_in_the_wrong_status(
    client: httpx.AsyncClient, tenant: Tenant, status: str, name: str
) -> None:
    campaign = await campaign_in(client, tenant, status)
    response = await action(client, tenant, campaign, name)
    if (status, name) == ("paused", "pause"):
        # Asking for the status a campaign already has changes nothing.
        assert response.status_code == 200 and response.json()["status"] == "paused"
        return
    assert response.status_code == 409
    assert response.json()["field"] == "status"
    fetched = (await client.get(campaign["uri"], headers=tenant.headers)).json()
    assert fetched["status"] == status


async def test_create_in_a_status_follows_the_table(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    started = await client.post(
        URL, json={"name": "Live", "status": "started"}, headers=tenant.headers
    )
    assert started.status_code == 201 and started.json()["status"] == "started"
    paused = await client.post(
        URL, json={"name": "Never", "status": "paused"}, headers=tenant.headers
    )
    assert paused.status_code == 409
    assert paused.json()["field"] == "status"
    listed = (await client.get(URL, headers=tenant.headers)).json()
    assert [item["name"] for item in listed["items"]] == ["Live"]


async def test_refused_status_change_keeps_the_other_changes_out(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign = await campaign_in(client, tenant, "stopped")
    response = await client.patch(
        campaign["uri"], json={"title": "Changed", "status": "started"}, headers=tenant.headers
    )
    assert response.status_code == 409
    fetched = (await client.get(campaign["uri"], headers=tenant.headers)).json()
    assert (fetched["title"], fetched["status"]) == (None, "stopped")
    other_fields = await client.patch(
        campaign["uri"], json={"title": "Post-mortem"}, headers=tenant.headers
    )
    assert other_fields.status_code == 200 and other_fields.json()["title"] == "Post-mortem"


async def test_started_campaign_cannot_be_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign = await campaign_in(client, tenant, "started")
    refused = await client.delete(campaign["uri"], headers=tenant.headers)
    assert refused.status_code == 409
    assert refused.json()["field"] == "status"
    assert "stop it first" in refused.json()["detail"]
    assert (await client.get(campaign["uri"], headers=tenant.headers)).status_code == 200

    await action(client, tenant, campaign, "pause")
    assert (await client.delete(campaign["uri"], headers=tenant.headers)).status_code == 204
    for status in ("draft", "scheduled", "stopped"):
        other = await campaign_in(client, tenant, status)
        assert (await client.delete(other["uri"], headers=tenant.headers)).status_code == 204


async def test_unknown_action_is_404(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign = await campaign_in(client, tenant, "draft")
    response = await client.post(f"{campaign['uri']}/launch", headers=tenant.headers)
    assert response.status_code == 404
