"""Campaigns API: create, read, change, delete, list, validation, tenancy and scopes."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.organizations.models import Organization
from tests.campaigns.factories import (
    REFERENCE_FIELDS,
    URL,
    create,
    key_headers,
    make_calls,
    make_references,
    problem_fields,
)
from tests.conftest import Tenant


async def test_create_takes_defaults_and_organization_time_zone(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    organization = await session.get(Organization, tenant.organization_id)
    assert organization is not None
    organization.default_time_zone = "America/Chicago"
    await session.flush()

    campaign = await create(client, tenant)
    assert campaign["uri"] == f"http://testserver{URL}/{campaign['id']}"
    assert campaign["status"] == "draft"
    assert campaign["dialing_mode"] == "preview"
    assert campaign["time_zone"] == "America/Chicago"
    assert (campaign["daily_start_hour"], campaign["daily_stop_hour"]) == (9, 21)
    assert campaign["retry_count"] == 3
    assert campaign["abandon_rate_target"] == 1.0
    assert campaign["ring_timeout_seconds"] == 20
    assert campaign["preview_seconds"] is None
    assert (campaign["total_calls"], campaign["total_completed"]) == (0, 0)


async def test_create_with_every_field_round_trips(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    references = await make_references(session, tenant.organization_id)
    body = {
        "name": "Rally for Mountains",
        "title": "Rally Team 2",
        "description": "<p>Call the mountain people</p>",
        "summary": "One paragraph.",
        "origin_system": "OSDI Sample System",
        "status": "scheduled",
        "dialing_mode": "manual",
        "pacer": "predictive",
        "start_time": "2030-02-19T08:00:00Z",
        "end_time": "2030-02-20T08:00:00+02:00",
        "daily_start_hour": 10,
        "daily_stop_hour": 17,
        "time_zone": "Europe/Paris",
        "caller_id": "18552345678",
        "voicemail_audio_url": "http://example.org/audio/rally.mp3",
        "retry_count": 5,
        "retry_delay_busy_seconds": 60,
        "retry_delay_no_answer_seconds": 120,
        "retry_delay_machine_seconds": 180,
        "retry_delay_failed_seconds": 0,
        "retry_delay_abandoned_seconds": 3600,
        "abandon_rate_target": 2.5,
        "ring_timeout_seconds": 25,
        "power_ratio": 2.5,
        "preview_seconds": 30,
        **references,
    }
    campaign = await create(client, tenant, **body)
    fetched = (await client.get(campaign["uri"], headers=tenant.headers)).json()
    for stored in (campaign, fetched):
        assert stored["caller_id"] == "+18552345678"
        assert stored["dialing_mode"] == "preview"
        assert stored["status"] == "scheduled"
        assert stored["start_time"].startswith("2030-02-19T08:00:00")
        assert stored["end_time"].startswith("2030-02-20T06:00:00")
        unchanged = set(body) - {"caller_id", "dialing_mode", "start_time", "end_time"}
        assert {name: stored[name] for name in unchanged} == {
            name: body[name] for name in unchanged
        }
    assert fetched["inbox_type"] is None


async def test_patch_changes_only_given_fields(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign = await create(client, tenant, title="Old", caller_id="+14155552671")
    updated = await client.patch(
        campaign["uri"],
        json={"title": None, "dialing_mode": "power", "power_ratio": 3, "retry_count": 0},
        headers=tenant.headers,
    )
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["title"] is None
    assert (body["dialing_mode"], body["power_ratio"], body["retry_count"]) == ("power", 3.0, 0)
    assert body["name"] == "Rally" and body["caller_id"] == "+14155552671"


async def test_references_are_stored_and_cleared(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    references = await make_references(session, tenant.organization_id)
    campaign = await create(client, tenant)
    updated = await client.patch(campaign["uri"], json=references, headers=tenant.headers)
    assert updated.status_code == 200, updated.text
    assert {field: updated.json()[field] for field in REFERENCE_FIELDS} == references
    cleared = await client.patch(campaign["uri"], json={"script_id": None}, headers=tenant.headers)
    assert cleared.json()["script_id"] is None
    assert cleared.json()["target_list_id"] == references["target_list_id"]


async def test_list_is_newest_first_filtered_and_paginated(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await create(client, tenant, name="First", dialing_mode="power")
    await create(client, tenant, name="Second", status="started", dialing_mode="predictive")
    await create(client, tenant, name="Third")
    await create(client, other_tenant, name="Theirs")

    listed = (await client.get(URL, headers=tenant.headers)).json()
    assert [item["name"] for item in listed["items"]] == ["Third", "Second", "First"]
    assert listed["total"] == 3

    async def names(query: str) -> list[str]:
        response = await client.get(f"{URL}?{query}", headers=tenant.headers)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert await names("status=started") == ["Second"]
    assert await names("status=draft") == ["Third", "First"]
    assert await names("dialing_mode=power") == ["First"]
    assert await names("dialing_mode=manual") == ["Third"]
    assert await names("status=draft&dialing_mode=predictive") == []

    page = (await client.get(f"{URL}?per_page=2&page=2", headers=tenant.headers)).json()
    assert [item["name"] for item in page["items"]] == ["First"]
    assert page["total_pages"] == 2 and "page=1" in page["links"]["prev"]

    bad = await client.get(f"{URL}?status=running", headers=tenant.headers)
    assert bad.status_code == 422
    assert problem_fields(bad) == {"status"}
    bad_mode = await client.get(f"{URL}?dialing_mode=robocall", headers=tenant.headers)
    assert bad_mode.status_code == 422
    assert problem_fields(bad_mode) == {"dialing_mode"}


async def test_call_counts_on_get_and_list(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    busy = await create(client, tenant, name="Busy")
    idle = await create(client, tenant, name="Idle")
    statuses = ["requested", "completed", "completed", "cancelled", "expired"]
    await make_calls(session, tenant.organization_id, busy["id"], statuses)

    fetched = (await client.get(busy["uri"], headers=tenant.headers)).json()
    assert (fetched["total_calls"], fetched["total_completed"]) == (5, 2)
    listed = (await client.get(URL, headers=tenant.headers)).json()
    counts = {
        item["name"]: (item["total_calls"], item["total_completed"]) for item in listed["items"]
    }
    assert counts == {"Busy": (5, 2), "Idle": (0, 0)}
    patched = await client.patch(idle["uri"], json={"title": "t"}, headers=tenant.headers)
    assert patched.json()["total_calls"] == 0


async def test_delete_removes_the_campaign_and_its_calls(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    campaign = await create(client, tenant)
    await make_calls(session, tenant.organization_id, campaign["id"], ["requested"])
    assert (await client.delete(campaign["uri"], headers=tenant.headers)).status_code == 204
    assert (await client.get(campaign["uri"], headers=tenant.headers)).status_code == 404
    assert (await client.delete(campaign["uri"], headers=tenant.headers)).status_code == 404


async def test_other_organization_gets_404(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    campaign = await create(client, tenant)
    uri = campaign["uri"]
    requests = [
        ("GET", uri, None),
        ("PATCH", uri, {"title": "Hijacked"}),
        ("DELETE", uri, None),
        *[("POST", f"{uri}/{action}", None) for action in ("start", "pause", "stop", "resume")],
    ]
    for method, url, body in requests:
        response = await client.request(method, url, json=body, headers=other_tenant.headers)
        assert response.status_code == 404, (method, url)
        assert response.headers["content-type"] == "application/problem+json"
    listed = await client.get(URL, headers=other_tenant.headers)
    assert listed.json()["total"] == 0
    mine = (await client.get(uri, headers=tenant.headers)).json()
    assert (mine["title"], mine["status"]) == (None, "draft")


async def test_missing_scope_is_403(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    campaign = await create(client, tenant)
    uri = campaign["uri"]
    reader = await key_headers(session, tenant.organization_id, [Scope.CAMPAIGNS_READ])
    people_only = await key_headers(session, tenant.organization_id, [Scope.PEOPLE_WRITE])

    for method, url, body in [
        ("POST", URL, {"name": "Nope"}),
        ("PATCH", uri, {"title": "Nope"}),
        ("DELETE", uri, None),
        *[("POST", f"{uri}/{action}", None) for action in ("start", "pause", "stop", "resume")],
    ]:
        response = await client.request(method, url, json=body, headers=reader)
        assert response.status_code == 403, (method, url)
        assert "campaigns:write" in response.json()["detail"]
    for url in (URL, uri):
        response = await client.get(url, headers=people_only)
        assert response.status_code == 403, url
        assert "campaigns:read" in response.json()["detail"]

    fetched = await client.get(uri, headers=reader)
    assert fetched.status_code == 200
    assert (fetched.json()["title"], fetched.json()["status"]) == (None, "draft")
    assert (await client.get(URL)).status_code == 401


async def test_write_scope_alone_can_create(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    writer = await key_headers(session, tenant.organization_id, [Scope.CAMPAIGNS_WRITE])
    response = await client.post(URL, json={"name": "By writer"}, headers=writer)
    assert response.status_code == 201
    assert response.json()["name"] == "By writer"
