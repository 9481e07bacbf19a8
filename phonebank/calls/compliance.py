"""A campaign's compliance report, derived from its attempts: abandon rates against the target
(per day, per hour, over the last 30 days), dials outside the contacts' calling hours and dials
to blocked numbers (both must be none).

Days and hours are the campaign's own (its time zone). A contact's calling hours are checked in
the zones of the number that was dialed, against the campaign's window within 08:00-21:00.
"""

import csv
import io
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.blocked_numbers.models import BlockedNumber
from phonebank.calls.export import escape_cell
from phonebank.calls.models import UNDIALED_OUTCOMES, Attempt
from phonebank.calls.policy import allowed_hours, inside_calling_hours
from phonebank.calls.schemas import AbandonPeriod, ComplianceReport, DialFinding
from phonebank.calls.statistics import abandon_rate
from phonebank.campaigns.models import Campaign
from phonebank.errors import Invalid
from phonebank.kit.phones import parse_phone

# Every figure of the report looks this far back.
REPORT_DAYS = 30
# Findings listed one by one; beyond it the report gives their count.
MAX_FINDINGS = 1000
# Outcomes that are not dials: nothing rang, so no rule about dialing applies.
NOT_DIALS = UNDIALED_OUTCOMES | {"rejected", "cancelled"}
LIVE_ANSWERS = ("human", "abandoned")
TABLES = ("days", "hours", "outside_calling_hours", "blocked_number_dials")


def _period(start: datetime, live: int, abandoned: int, target: float) -> AbandonPeriod:
    rate = abandon_rate(abandoned=abandoned, live_answers=live)
    return AbandonPeriod(
        start=start,
        live_answers=live,
        abandoned=abandoned,
        abandon_rate=rate,
        over_target=rate > target,
    )


async def _hourly_answers(
    session: AsyncSession, campaign_id: uuid.UUID, since: datetime
) -> tuple[Counter[datetime], Counter[datetime]]:
    """Live answers and abandons per UTC hour, streamed so a large campaign stays small."""
    live: Counter[datetime] = Counter()
    abandoned: Counter[datetime] = Counter()
    rows = await session.stream(
        select(Attempt.attempted_at, Attempt.outcome).where(
            Attempt.campaign_id == campaign_id,
            Attempt.attempted_at >= since,
            Attempt.outcome.in_(LIVE_ANSWERS),
        )
    )
    async for partition in rows.partitions(5000):
        for attempted_at, outcome in partition:
            hour = attempted_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
            live[hour] += 1
            abandoned[hour] += outcome == "abandoned"
    return live, abandoned


def _local_periods(
    live: Counter[datetime],
    abandoned: Counter[datetime],
    zone: ZoneInfo,
    target: float,
    *,
    by_day: bool,
) -> list[AbandonPeriod]:
    buckets: dict[datetime, list[int]] = {}
    for hour in live:
        local = hour.astimezone(zone)
        # A day starts at its local midnight, whatever offset its hours have (DST changes).
        start = datetime.combine(local.date(), time(0), zone) if by_day else local
        bucket = buckets.setdefault(start, [0, 0])
        bucket[0] += live[hour]
        bucket[1] += abandoned[hour]
    return [_period(start, n, a, target) for start, (n, a) in sorted(buckets.items())]


@lru_cache(maxsize=4096)
def _zones_of(number: str, default_country: str) -> str | None:
    try:
        zones = parse_phone(number, default_country=default_country, allow_possible=True)
    except Invalid:
        return None
    return "|".join(zones.time_zones) or None


def _finding(attempt: Attempt, zone_key: str | None, fallback: str, reason: str) -> DialFinding:
    first_zone = ZoneInfo((zone_key or fallback).split("|")[0])
    return DialFinding(
        attempt_id=attempt.id,
        call_id=attempt.call_id,
        number=attempt.number,
        attempted_at=attempt.attempted_at,
        outcome=attempt.outcome,
        time_zone=zone_key or fallback,
        local_time=attempt.attempted_at.astimezone(first_zone).strftime("%Y-%m-%d %H:%M"),
        reason=reason,
    )


async def _outside_hours(
    session: AsyncSession, campaign: Campaign, since: datetime, default_country: str
) -> tuple[int, list[DialFinding]]:
    hours = allowed_hours(campaign.daily_start_hour, campaign.daily_stop_hour)
    found: list[DialFinding] = []
    count = 0
    rows = await session.stream_scalars(
        select(Attempt)
        .where(
            Attempt.campaign_id == campaign.id,
            Attempt.attempted_at >= since,
            Attempt.number.is_not(None),
            or_(Attempt.outcome.is_(None), Attempt.outcome.not_in(NOT_DIALS)),
        )
        .order_by(Attempt.attempted_at)
    )
    async for attempt in rows:
        assert attempt.number is not None
        zone_key = _zones_of(attempt.number, default_country)
        if inside_calling_hours(
            zone_key, attempt.attempted_at, hours=hours, fallback_zone=campaign.time_zone
        ):
            continue
        count += 1
        if len(found) < MAX_FINDINGS:
            found.append(_finding(attempt, zone_key, campaign.time_zone, "outside calling hours"))
    return count, found


async def _blocked_dials(
    session: AsyncSession, campaign: Campaign, since: datetime, default_country: str
) -> tuple[int, list[DialFinding]]:
    blocked = and_(
        BlockedNumber.organization_id == campaign.organization_id,
        BlockedNumber.number == Attempt.number,
        or_(BlockedNumber.campaign_id.is_(None), BlockedNumber.campaign_id == campaign.id),
        # Blocked before the dial: a number blocked afterwards was not dialed against the list.
        BlockedNumber.created_at <= Attempt.attempted_at,
    )
    attempts = (
        await session.scalars(
            select(Attempt)
            .where(
                Attempt.campaign_id == campaign.id,
                Attempt.attempted_at >= since,
                or_(Attempt.outcome.is_(None), Attempt.outcome.not_in(NOT_DIALS)),
                select(BlockedNumber.id).where(blocked).exists(),
            )
            .order_by(Attempt.attempted_at)
            .limit(MAX_FINDINGS + 1)
        )
    ).all()
    found = [
        _finding(
            attempt,
            _zones_of(attempt.number or "", default_country),
            campaign.time_zone,
            "number blocked",
        )
        for attempt in attempts[:MAX_FINDINGS]
    ]
    return len(attempts), found


async def compliance_report(
    session: AsyncSession, *, campaign: Campaign, default_country: str, now: datetime
) -> ComplianceReport:
    """The campaign's compliance over the last 30 days, in its own time zone."""
    since = now - timedelta(days=REPORT_DAYS)
    target = campaign.abandon_rate_target / 100
    zone = ZoneInfo(campaign.time_zone)
    live, abandoned = await _hourly_answers(session, campaign.id, since)
    outside_count, outside = await _outside_hours(session, campaign, since, default_country)
    blocked_count, blocked = await _blocked_dials(session, campaign, since, default_country)
    last_30 = _period(since, sum(live.values()), sum(abandoned.values()), target)
    return ComplianceReport(
        campaign_id=campaign.id,
        time_zone=campaign.time_zone,
        abandon_target=target,
        since=since,
        until=now,
        last_30_days=last_30,
        days=_local_periods(live, abandoned, zone, target, by_day=True),
        hours=_local_periods(live, abandoned, zone, target, by_day=False),
        outside_calling_hours_count=outside_count,
        outside_calling_hours=outside,
        blocked_number_dials_count=blocked_count,
        blocked_number_dials=blocked,
        compliant=not last_30.over_target and outside_count == 0 and blocked_count == 0,
    )


def _rows(table: str, report: ComplianceReport) -> tuple[Sequence[str], Iterable[Sequence[object]]]:
    if table in ("days", "hours"):
        periods = report.days if table == "days" else report.hours
        header: tuple[str, ...] = (
            "start", "live_answers", "abandoned", "abandon_rate", "target", "over_target"
        )  # fmt: skip
        return header, (
            (p.start.isoformat(), p.live_answers, p.abandoned, f"{p.abandon_rate:.4f}",
             f"{report.abandon_target:.4f}", p.over_target)
            for p in periods
        )  # fmt: skip
    findings = (
        report.outside_calling_hours
        if table == "outside_calling_hours"
        else report.blocked_number_dials
    )
    header = ("attempted_at", "local_time", "time_zone", "number", "outcome", "reason",
              "attempt_id", "call_id")  # fmt: skip
    return header, (
        (f.attempted_at.isoformat(), f.local_time, f.time_zone, f.number, f.outcome, f.reason,
         f.attempt_id, f.call_id)
        for f in findings
    )  # fmt: skip


def compliance_csv(report: ComplianceReport, table: str) -> str:
    """One table of the report as CSV (`days`, `hours`, `outside_calling_hours`,
    `blocked_number_dials`), every cell escaped against spreadsheet formulas."""
    if table not in TABLES:
        raise Invalid(f"table must be one of {', '.join(TABLES)}", field="table")
    header, rows = _rows(table, report)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([escape_cell(cell) for cell in header])
    writer.writerows([escape_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
