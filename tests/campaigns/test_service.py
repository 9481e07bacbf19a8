"""Campaign services the console uses beside the API's: duplicating a campaign."""

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.campaigns.schemas import CampaignCreate
from phonebank.campaigns.service import duplicate_campaign, get_campaign
from tests.conftest import Tenant


async def test_a_duplicate_is_a_draft_with_every_setting_but_its_own_code(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    body = {
        "name": "Rally",
        "dialing_mode": "predictive",
        "abandon_rate_target": 2.5,
        "ring_timeout_seconds": 30,
        "retry_count": 5,
        "retry_delay_busy_seconds": 120,
        "daily_start_hour": 10,
        "daily_stop_hour": 20,
        "time_zone": "Europe/Paris",
        "caller_id": "+12025550100",
        "status": "started",
    }
    made = await client.post("/api/v1/campaigns", json=body, headers=tenant.headers)
    original = await get_campaign(
        session, organization_id=tenant.organization_id, campaign_id=uuid.UUID(made.json()["id"])
    )
    copy = await duplicate_campaign(session, campaign=original)
    assert copy.id != original.id and copy.organization_id == original.organization_id
    assert copy.name == "Rally (copy)" and copy.status == "draft"
    assert copy.access_code and copy.access_code != original.access_code
    for name in set(CampaignCreate.model_fields) - {"name", "status"}:
        assert getattr(copy, name) == getattr(original, name), name
