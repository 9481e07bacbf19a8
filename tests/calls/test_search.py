"""Searching a campaign's calls: patterns in the database, summaries, loading by id."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.contacts import ContactCall, add_contact_calls
from phonebank.calls.search import (
    CallSearch,
    calls_by_id,
    search_campaign_calls,
    summarize_campaign_calls,
)
from phonebank.campaigns.models import Campaign
from phonebank.errors import Invalid
from phonebank.organizations.models import Organization
from tests.calls.conftest import add_campaign
from tests.conftest import Tenant


async def test_patterns_escape_sql_wildcards_and_summaries_follow(
    session: AsyncSession, tenant: Tenant
) -> None:
    organization = await session.get_one(Organization, tenant.organization_id)
    campaign = await session.get_one(Campaign, await add_campaign(session, tenant))
    entries = [
        ContactCall(numbers=["+13122345670"], external_id="50%_off", priority=1),
        ContactCall(numbers=["+13122345671"], external_id="50xyoff", priority=2,
                    attributes={"Tier": "Gold"}),
    ]  # fmt: skip
    outcomes = await add_contact_calls(
        session, organization=organization, campaign=campaign, entries=entries
    )
    ids = [outcome.call_id for outcome in outcomes]

    async def external_ids(**patterns: str) -> list[str | None]:
        found = await search_campaign_calls(
            session, campaign_id=campaign.id, search=CallSearch(patterns=patterns)
        )
        return [call.external_id for call in found]

    assert await external_ids(external_id="50%_off") == ["50%_off"]  # no SQL wildcards
    assert await external_ids(external_id="50*off") == ["50%_off", "50xyoff"]
    assert await external_ids(external_id="50??OFF") == ["50%_off", "50xyoff"]
    assert await external_ids(priority="2") == ["50xyoff"]
    with pytest.raises(Invalid):
        await external_ids(notes="*")
    summaries = await summarize_campaign_calls(
        session, campaign_id=campaign.id, search=CallSearch(patterns={"priority": "2"})
    )
    [summary] = summaries
    assert (summary.id, summary.status, summary.dialing) == (ids[1], "requested", False)
    assert (summary.last_outcome, summary.last_disposition, summary.last_number) == (None,) * 3
    assert summary.numbers == ["+13122345671"] and summary.attributes == {"Tier": "Gold"}
    loaded = await calls_by_id(session, call_ids=[ids[1], ids[0]])
    assert [call.id for call in loaded] == [ids[1], ids[0]]
