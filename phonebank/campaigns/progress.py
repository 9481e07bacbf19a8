"""Each campaign's progress and today's contacts, counted from the record for campaign lists."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.models import Attempt, Call
from phonebank.calls.statistics import abandon_rate


@dataclass(frozen=True)
class CampaignProgress:
    """Calls tried at least once, still to finish, and finished; today's contacts and abandons."""

    called: int = 0
    left: int = 0
    done: int = 0
    contacts_today: int = 0
    abandoned_today: int = 0

    @property
    def abandon_rate_today(self) -> float:
        """Abandoned answers over all answers by a person today (0 with none)."""
        live = self.contacts_today + self.abandoned_today
        return abandon_rate(abandoned=self.abandoned_today, live_answers=live)


def start_of_day(now: datetime, zone: str) -> datetime:
    """Midnight of `now`'s day in the time zone `zone`."""
    local = now.astimezone(ZoneInfo(zone))
    return datetime.combine(local.date(), time(), tzinfo=local.tzinfo)


async def campaign_progress(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    campaign_ids: Sequence[uuid.UUID],
    today_since: datetime,
) -> dict[uuid.UUID, CampaignProgress]:
    """Progress per campaign in two grouped queries (contacts counted since `today_since`)."""
    if not campaign_ids:
        return {}
    calls = (
        select(
            Call.campaign_id,
            func.count(),
            func.coalesce(func.sum(case((Call.status == "requested", 1), else_=0)), 0),
            func.coalesce(func.sum(case((Call.attempts_count > 0, 1), else_=0)), 0),
        )
        .where(Call.organization_id == organization_id, Call.campaign_id.in_(campaign_ids))
        .group_by(Call.campaign_id)
    )
    counts: dict[uuid.UUID, list[int]] = {}
    for campaign_id, total, left, called in await session.execute(calls):
        counts[campaign_id] = [int(called), int(left), int(total) - int(left), 0, 0]
    today = (
        select(Attempt.campaign_id, Attempt.outcome, func.count())
        .where(
            Attempt.campaign_id.in_(campaign_ids),
            Attempt.attempted_at >= today_since,
            Attempt.outcome.in_(("human", "abandoned")),
        )
        .group_by(Attempt.campaign_id, Attempt.outcome)
    )
    for campaign_id, outcome, count in await session.execute(today):
        row = counts.setdefault(campaign_id, [0, 0, 0, 0, 0])
        row[3 if outcome == "human" else 4] = int(count)
    return {campaign_id: CampaignProgress(*row) for campaign_id, row in counts.items()}
