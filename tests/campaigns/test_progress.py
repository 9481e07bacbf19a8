"""Each campaign's progress and today's contacts, as the console's campaign list shows them."""

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.models import Attempt, Call
from phonebank.campaigns.models import Campaign
from phonebank.campaigns.progress import campaign_progress, start_of_day
from phonebank.campaigns.schemas import CampaignCreate
from phonebank.campaigns.service import create_campaign
from phonebank.organizations.service import get_organization
from phonebank.people.models import Person
from tests.conftest import Tenant


async def _campaign(session: AsyncSession, tenant: Tenant) -> Campaign:
    organization = await get_organization(session, tenant.organization_id)
    return await create_campaign(
        session, organization=organization, data=CampaignCreate(name="Rally")
    )


def test_the_day_starts_at_midnight_where_the_organization_is() -> None:
    now = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)  # still the 7th in New York
    assert start_of_day(now, "America/New_York") == datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
    assert start_of_day(now, "Europe/Paris") == datetime(2026, 12, 7, 23, 0, tzinfo=UTC)


async def test_progress_counts_calls_and_todays_answers(
    session: AsyncSession, tenant: Tenant
) -> None:
    campaign = await _campaign(session, tenant)
    other = await _campaign(session, tenant)
    now = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
    calls = []
    for index, (status, attempts) in enumerate(
        [("requested", 0), ("requested", 1), ("completed", 1), ("expired", 3)]
    ):
        person = Person(organization_id=tenant.organization_id, given_name=f"P{index}")
        session.add(person)
        await session.flush()
        call = Call(
            organization_id=tenant.organization_id,
            campaign_id=campaign.id,
            person_id=person.id,
            status=status,
            attempts_count=attempts,
        )
        session.add(call)
        calls.append(call)
    await session.flush()
    yesterday = now - timedelta(days=1)
    for call, outcome, at in [
        (calls[1], "no_answer", now),
        (calls[2], "human", now),
        (calls[3], "human", yesterday),
        (calls[3], "abandoned", now),
        (calls[3], "machine", now),
    ]:
        session.add(
            Attempt(call_id=call.id, campaign_id=campaign.id, outcome=outcome, attempted_at=at)
        )
    await session.flush()

    progress = await campaign_progress(
        session,
        organization_id=tenant.organization_id,
        campaign_ids=[campaign.id, other.id],
        today_since=now - timedelta(hours=10),
    )
    mine = progress[campaign.id]
    assert (mine.called, mine.left, mine.done) == (3, 2, 2)
    assert (mine.contacts_today, mine.abandoned_today) == (1, 1)
    assert mine.abandon_rate_today == 0.5
    assert other.id not in progress  # no calls: the page shows zeros
