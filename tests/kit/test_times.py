"""Timestamps without a zone, in every face's bodies and filters, are read as UTC; never a 500."""

import uuid
from datetime import datetime, timedelta, timezone

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.kit.times import as_utc
from tests.calls.conftest import add_person
from tests.conftest import Tenant

NAIVE = "2026-12-07T10:00:00"


def test_as_utc_reads_naive_as_utc_and_converts_offsets() -> None:
    assert as_utc(datetime(2026, 12, 7, 10)).isoformat() == "2026-12-07T10:00:00+00:00"
    paris = datetime(2026, 12, 7, 11, tzinfo=timezone(timedelta(hours=1)))
    assert as_utc(paris).isoformat() == "2026-12-07T10:00:00+00:00"


async def test_list_filters_take_naive_timestamps(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for url in [
        f"/api/v1/calls?updated_after={NAIVE}",
        f"/api/v1/calls?requested_after={NAIVE}",
        f"/tapraise/api/v1/calls?updatedAfter={NAIVE}",
        f"/tapraise/api/v1/calls?requestedAfter={NAIVE}",
        f"/api/v1/people?filter=modified_date gt '{NAIVE}'",
    ]:
        response = await client.get(url, headers=tenant.headers)
        assert response.status_code == 200, (url, response.text)


async def test_bodies_take_naive_timestamps_as_utc(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    person_id = await add_person(session, tenant, "+12125550101")
    call = await client.post(
        "/api/v1/calls",
        json={
            "id": str(uuid.uuid4()),
            "person_id": str(person_id),
            "status": "completed",
            "external_metadata": {"source": "crm"},
            "requested_at": NAIVE,
            "completed_at": NAIVE,
        },
        headers=tenant.headers,
    )
    assert call.status_code == 201, call.text
    assert call.json()["requested_at"].startswith("2026-12-07T10:00:00")
    assert call.json()["requested_at"].endswith(("Z", "+00:00"))

    campaign = await client.post(
        "/api/v1/campaigns",
        json={"name": "Naive times", "start_time": NAIVE, "end_time": "2026-12-08T10:00:00"},
        headers=tenant.headers,
    )
    assert campaign.status_code == 201, campaign.text
    assert campaign.json()["start_time"].startswith("2026-12-07T10:00:00")
