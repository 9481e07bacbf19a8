"""The compliance report: abandon rates by day and hour against the target, and the dials the
rules forbid (outside calling hours, to blocked numbers), from the attempts stored."""

import csv
import io
import uuid
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from phonebank.blocked_numbers.models import BlockedNumber
from phonebank.calls.compliance import _local_periods, compliance_report
from phonebank.calls.models import Attempt, Call
from phonebank.campaigns.models import Campaign
from phonebank.db import utcnow
from tests.calls.conftest import add_campaign, add_person
from tests.conftest import Tenant, make_tenant

NEW_YORK = "+12125550101"
BLOCKED = "+12125550177"
ZONE = ZoneInfo("America/New_York")


async def _attempt(
    session: AsyncSession, call: Call, number: str, at: datetime, outcome: str
) -> Attempt:
    attempt = Attempt(
        call_id=call.id, campaign_id=call.campaign_id, number=number, attempted_at=at,
        outcome=outcome,
    )  # fmt: skip
    session.add(attempt)
    await session.flush()
    return attempt


@pytest.fixture
async def campaign(session: AsyncSession, tenant: Tenant) -> Campaign:
    """A New York campaign with a 2 % target and yesterday's attempts: 10:00 (1 abandon in 50
    live answers) and 11:00 (1 in 10) local, a dial at 03:00 local, and one to a number blocked
    before it was dialed."""
    campaign_id = await add_campaign(
        session, tenant, time_zone="America/New_York", abandon_rate_target=2.0
    )
    campaign = await session.get_one(Campaign, campaign_id)
    person_id = await add_person(session, tenant, NEW_YORK)
    call = Call(
        organization_id=tenant.organization_id, campaign_id=campaign_id, person_id=person_id,
        numbers=[NEW_YORK], next_number=NEW_YORK,
    )  # fmt: skip
    session.add(call)
    await session.flush()
    yesterday = (utcnow() - timedelta(days=1)).astimezone(ZONE).date()
    ten = datetime.combine(yesterday, time(10), ZONE).astimezone(UTC)
    for minute in range(49):
        await _attempt(session, call, NEW_YORK, ten + timedelta(minutes=minute), "human")
    await _attempt(session, call, NEW_YORK, ten + timedelta(minutes=50), "abandoned")
    eleven = ten + timedelta(hours=1)
    for minute in range(9):
        await _attempt(session, call, NEW_YORK, eleven + timedelta(minutes=minute), "human")
    await _attempt(session, call, NEW_YORK, eleven + timedelta(minutes=30), "abandoned")
    # Not dials: never checked against calling hours.
    three = datetime.combine(yesterday, time(3), ZONE).astimezone(UTC)
    await _attempt(session, call, NEW_YORK, three, "not_dialed")
    await _attempt(session, call, NEW_YORK, three, "no_answer")
    session.add(
        BlockedNumber(
            organization_id=tenant.organization_id, number=BLOCKED,
            created_at=ten - timedelta(days=2),
        )
    )  # fmt: skip
    await _attempt(session, call, BLOCKED, ten + timedelta(minutes=5), "busy")
    late = BlockedNumber(
        organization_id=tenant.organization_id, campaign_id=campaign_id,
        number="+12125550178", created_at=utcnow(),
    )  # fmt: skip
    session.add(late)
    # Blocked only after this dial: no finding.
    await _attempt(session, call, "+12125550178", ten + timedelta(minutes=6), "busy")
    return campaign


async def test_report_counts_rates_and_forbidden_dials(
    session: AsyncSession, campaign: Campaign
) -> None:
    report = await compliance_report(session, campaign=campaign, default_country="US", now=utcnow())
    assert (report.last_30_days.live_answers, report.last_30_days.abandoned) == (60, 2)
    assert report.last_30_days.abandon_rate == pytest.approx(2 / 60)
    [day] = report.days
    assert (day.start.hour, day.live_answers, day.over_target) == (0, 60, True)
    assert [(p.start.hour, p.live_answers, p.abandoned) for p in report.hours] == [
        (10, 50, 1),
        (11, 10, 1),
    ]
    assert [p.over_target for p in report.hours] == [False, True]  # 2 % and 10 % of 2 %
    [outside] = report.outside_calling_hours
    assert outside.local_time.endswith("03:00") and outside.outcome == "no_answer"
    assert report.outside_calling_hours_count == 1
    [blocked] = report.blocked_number_dials
    assert blocked.number == BLOCKED and report.blocked_number_dials_count == 1
    assert report.compliant is False


async def test_a_clean_campaign_is_compliant(session: AsyncSession, tenant: Tenant) -> None:
    campaign = await session.get_one(Campaign, await add_campaign(session, tenant))
    report = await compliance_report(session, campaign=campaign, default_country="US", now=utcnow())
    assert report.compliant and report.days == [] and report.last_30_days.abandon_rate == 0


async def test_api_json_and_csv_of_each_table(
    client: httpx.AsyncClient, campaign: Campaign, tenant: Tenant
) -> None:
    url = f"/api/v1/campaigns/{campaign.id}/compliance"
    response = await client.get(url, headers=tenant.headers)
    assert response.status_code == 200, response.text
    assert response.json()["outside_calling_hours_count"] == 1
    for table, rows in [("days", 1), ("hours", 2), ("outside_calling_hours", 1),
                        ("blocked_number_dials", 1)]:  # fmt: skip
        exported = await client.get(f"{url}.csv", params={"table": table}, headers=tenant.headers)
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-type"].startswith("text/csv")
        assert len(list(csv.reader(io.StringIO(exported.text)))) == rows + 1
    wrong = await client.get(f"{url}.csv", params={"table": "x"}, headers=tenant.headers)
    assert wrong.status_code == 422


async def test_scope_and_tenancy(
    client: httpx.AsyncClient,
    session: AsyncSession,
    campaign: Campaign,
    other_tenant: Tenant,
) -> None:
    url = f"/api/v1/campaigns/{campaign.id}/compliance"
    assert (await client.get(url, headers=other_tenant.headers)).status_code == 404
    reader = await make_tenant(session, "Readers", [Scope.CALLS_READ])
    assert (await client.get(url, headers=reader.headers)).status_code in (403, 404)
    missing = f"/api/v1/campaigns/{uuid.uuid4()}/compliance"
    assert (await client.get(missing, headers=other_tenant.headers)).status_code == 404


def test_a_day_with_a_clock_change_is_one_day() -> None:
    # 2026-11-01: New York goes from EDT to EST at 02:00; 01:00 and 05:00 local, two offsets.
    hours = [datetime(2026, 11, 1, 5, tzinfo=UTC), datetime(2026, 11, 1, 10, tzinfo=UTC)]
    [day] = _local_periods(Counter(hours), Counter(), ZONE, 0.01, by_day=True)
    assert day.live_answers == 2 and day.start.isoformat() == "2026-11-01T00:00:00-04:00"
