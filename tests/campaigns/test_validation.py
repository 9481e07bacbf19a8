"""Campaigns API: validation of bodies, and rules checked against the stored campaign."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.organizations.models import Organization
from tests.campaigns.factories import (
    REFERENCE_FIELDS,
    URL,
    create,
    make_references,
    problem_fields,
)
from tests.conftest import Tenant


async def test_caller_id_is_parsed_with_the_organization_country(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    organization = await session.get(Organization, tenant.organization_id)
    assert organization is not None
    organization.default_country = "GB"
    await session.flush()
    campaign = await create(client, tenant, caller_id="020 7183 8750")
    assert campaign["caller_id"] == "+442071838750"

    bad = await client.patch(campaign["uri"], json={"caller_id": "555"}, headers=tenant.headers)
    assert bad.status_code == 400
    assert problem_fields(bad) == {"caller_id"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"start_time": "2030-01-02T00:00:00Z", "end_time": "2030-01-01T00:00:00Z"}, "end_time"),
        ({"start_time": "2030-01-02T00:00:00Z", "end_time": "2030-01-02T00:00:00Z"}, "end_time"),
        ({"start_time": "tomorrow"}, "start_time"),
        ({"daily_start_hour": 24}, "daily_start_hour"),
        ({"daily_stop_hour": -1}, "daily_stop_hour"),
        ({"daily_stop_hour": 9}, "daily_stop_hour"),
        ({"abandon_rate_target": 3.01}, "abandon_rate_target"),
        ({"abandon_rate_target": -0.5}, "abandon_rate_target"),
        ({"ring_timeout_seconds": 14}, "ring_timeout_seconds"),
        ({"retry_count": 21}, "retry_count"),
        ({"retry_count": -1}, "retry_count"),
        ({"retry_delay_busy_seconds": -1}, "retry_delay_busy_seconds"),
        ({"retry_delay_abandoned_seconds": -5}, "retry_delay_abandoned_seconds"),
        ({"power_ratio": 0}, "power_ratio"),
        ({"power_ratio": 10.5}, "power_ratio"),
        ({"preview_seconds": -1}, "preview_seconds"),
        ({"dialing_mode": "robocall"}, "dialing_mode"),
        ({"status": "running"}, "status"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"pacer": "x" * 101}, "pacer"),
        ({"voicemail_audio_url": "ftp://example.org/a.mp3"}, "voicemail_audio_url"),
        ({"voicemail_audio_url": "example.org/a.mp3"}, "voicemail_audio_url"),
        ({"script_id": "not-a-uuid"}, "script_id"),
        ({"total_calls": 5}, "total_calls"),
    ],
)
async def test_create_shape_errors_are_422_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant, fields: dict[str, Any], field: str
) -> None:
    response = await client.post(URL, json={"name": "Rally", **fields}, headers=tenant.headers)
    assert response.status_code == 422, response.text
    assert problem_fields(response) == {field}


async def test_name_is_required(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(URL, json={"title": "No name"}, headers=tenant.headers)
    assert response.status_code == 422
    assert problem_fields(response) == {"name"}


async def test_accepted_edges(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign = await create(
        client,
        tenant,
        abandon_rate_target=3,
        ring_timeout_seconds=15,
        retry_count=0,
        power_ratio=10,
        preview_seconds=0,
        daily_start_hour=0,
        daily_stop_hour=23,
        dialing_mode="Predictive",
    )
    assert campaign["abandon_rate_target"] == 3.0
    assert campaign["ring_timeout_seconds"] == 15
    assert campaign["dialing_mode"] == "predictive"


@pytest.mark.parametrize(
    "field", ["name", "status", "dialing_mode", "time_zone", "daily_start_hour", "power_ratio"]
)
async def test_patch_cannot_clear_required_settings(
    client: httpx.AsyncClient, tenant: Tenant, field: str
) -> None:
    campaign = await create(client, tenant)
    response = await client.patch(campaign["uri"], json={field: None}, headers=tenant.headers)
    assert response.status_code == 422
    assert problem_fields(response) == {field}


async def test_patch_checks_one_time_against_the_stored_other(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign = await create(
        client, tenant, start_time="2030-01-01T09:00:00Z", end_time="2030-01-05T09:00:00Z"
    )
    early_end = await client.patch(
        campaign["uri"], json={"end_time": "2029-12-31T00:00:00Z"}, headers=tenant.headers
    )
    assert early_end.status_code == 400
    assert problem_fields(early_end) == {"end_time"}
    late_start = await client.patch(
        campaign["uri"], json={"start_time": "2030-01-05T09:00:00Z"}, headers=tenant.headers
    )
    assert late_start.status_code == 400
    assert problem_fields(late_start) == {"start_time"}
    both = await client.patch(
        campaign["uri"],
        json={"start_time": "2030-02-01T00:00:00Z", "end_time": "2030-01-01T00:00:00Z"},
        headers=tenant.headers,
    )
    assert both.status_code == 422
    assert problem_fields(both) == {"end_time"}
    moved = await client.patch(
        campaign["uri"], json={"end_time": "2030-01-03T09:00:00Z"}, headers=tenant.headers
    )
    assert moved.status_code == 200
    assert moved.json()["end_time"].startswith("2030-01-03T09:00:00")
    cleared = await client.patch(campaign["uri"], json={"start_time": None}, headers=tenant.headers)
    assert cleared.status_code == 200 and cleared.json()["start_time"] is None


async def test_patch_checks_one_daily_hour_against_the_stored_other(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign = await create(client, tenant, daily_start_hour=9, daily_stop_hour=17)
    stop = await client.patch(campaign["uri"], json={"daily_stop_hour": 9}, headers=tenant.headers)
    assert stop.status_code == 400
    assert problem_fields(stop) == {"daily_stop_hour"}
    start = await client.patch(
        campaign["uri"], json={"daily_start_hour": 17}, headers=tenant.headers
    )
    assert start.status_code == 400
    assert problem_fields(start) == {"daily_start_hour"}
    fetched = (await client.get(campaign["uri"], headers=tenant.headers)).json()
    assert (fetched["daily_start_hour"], fetched["daily_stop_hour"]) == (9, 17)


@pytest.mark.parametrize("field", REFERENCE_FIELDS)
async def test_cannot_attach_another_organizations_objects(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    other_tenant: Tenant,
    field: str,
) -> None:
    theirs = await make_references(session, other_tenant.organization_id)
    created = await client.post(
        URL, json={"name": "Rally", field: theirs[field]}, headers=tenant.headers
    )
    assert created.status_code == 400
    assert problem_fields(created) == {field}
    campaign = await create(client, tenant)
    patched = await client.patch(
        campaign["uri"], json={field: theirs[field]}, headers=tenant.headers
    )
    assert patched.status_code == 400
    assert problem_fields(patched) == {field}
    missing = await client.patch(
        campaign["uri"],
        json={field: "00000000-0000-4000-8000-000000000000"},
        headers=tenant.headers,
    )
    assert missing.status_code == 400
    assert problem_fields(missing) == {field}


async def test_message_references_need_the_matching_kind(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    references = await make_references(session, tenant.organization_id)
    swapped = await client.post(
        URL,
        json={"name": "Rally", "voicemail_message_id": references["safe_harbor_message_id"]},
        headers=tenant.headers,
    )
    assert swapped.status_code == 400
    assert problem_fields(swapped) == {"voicemail_message_id"}
    assert "safe_harbor" in swapped.json()["detail"]
    campaign = await create(client, tenant)
    other_way = await client.patch(
        campaign["uri"],
        json={"safe_harbor_message_id": references["voicemail_message_id"]},
        headers=tenant.headers,
    )
    assert other_way.status_code == 400
    assert problem_fields(other_way) == {"safe_harbor_message_id"}
