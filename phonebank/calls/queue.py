"""The campaign call queue: which calls the dialer may dial right now, best first."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cache, lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Uuid,
    and_,
    bindparam,
    exists,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, raiseload

from phonebank.blocked_numbers.service import blocked_clause
from phonebank.calls.models import Call
from phonebank.calls.policy import allowed_hours, inside_calling_hours
from phonebank.calls.service import campaign_max_attempts
from phonebank.campaigns.models import Campaign
from phonebank.db import UTCDateTime


def inside_campaign_window(campaign: Campaign, now: datetime) -> bool:
    """Whether `now` is within the campaign's start and end times (either may be open)."""
    if campaign.start_time is not None and now < campaign.start_time:
        return False
    return campaign.end_time is None or now < campaign.end_time


# A loose index scan: one index probe per distinct zone instead of reading every waiting call.
_DISTINCT_ZONES = text(
    """
    WITH RECURSIVE zones(zone) AS (
        SELECT (SELECT time_zone FROM calls
                WHERE campaign_id = :campaign AND status = 'requested' AND time_zone IS NOT NULL
                ORDER BY time_zone LIMIT 1)
        UNION ALL
        SELECT (SELECT time_zone FROM calls
                WHERE campaign_id = :campaign AND status = 'requested' AND time_zone > zones.zone
                ORDER BY time_zone LIMIT 1)
        FROM zones WHERE zones.zone IS NOT NULL
    )
    SELECT zone FROM zones WHERE zone IS NOT NULL
    """
).bindparams(bindparam("campaign", type_=Uuid()))


async def waiting_zone_keys(session: AsyncSession, campaign_id: uuid.UUID) -> list[str | None]:
    """The distinct zone keys of the campaign's waiting calls (None: calls of unknown zone)."""
    keys: list[str | None] = list(
        (await session.scalars(_DISTINCT_ZONES, {"campaign": campaign_id})).all()
    )
    unknown = await session.scalar(
        select(
            exists().where(
                Call.campaign_id == campaign_id,
                Call.status == "requested",
                Call.time_zone.is_(None),
            )
        )
    )
    return [*keys, None] if unknown else keys


async def callable_zones(
    session: AsyncSession,
    campaign: Campaign,
    now: datetime,
    zone_keys: Sequence[str | None] | None = None,
) -> list[str | None]:
    """The zone keys of the campaign's waiting calls that are inside calling hours now.

    A dialer may pass the waiting zone keys it looked up a moment ago (they change only when
    calls are added); which of them are inside calling hours is always worked out for `now`.
    """
    hours = allowed_hours(campaign.daily_start_hour, campaign.daily_stop_hour)
    keys = zone_keys if zone_keys is not None else await waiting_zone_keys(session, campaign.id)
    return [
        key
        for key in keys
        if inside_calling_hours(key, now, hours=hours, fallback_zone=campaign.time_zone)
    ]


@cache
def _number_rules() -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Its number is not blocked and not being dialed anywhere (the same for every query).

    Built once: adapting the columns of an alias is costly, and a busy dialer asks often.
    """
    in_flight = aliased(Call)
    return (
        not_(blocked_clause(Call.organization_id, Call.next_number, Call.campaign_id)),
        not_(
            exists().where(
                and_(
                    in_flight.organization_id == Call.organization_id,
                    in_flight.next_number == Call.next_number,
                    in_flight.dialing_since.is_not(None),
                )
            )
        ),
    )


class CallableQuery(NamedTuple):
    """The queue's statement and the values of its parameters for one moment."""

    statement: Select[Any]
    params: dict[str, Any]


@lru_cache(maxsize=64)
def _queue_statement(zones: tuple[str, ...], unknown_zone: bool) -> Select[Any]:
    """The queue statement for these zone keys, with the campaign, time and attempt limit as
    parameters: one object per set of zones, so its compiled form and cache key are reused."""
    zone_filter: ColumnElement[bool] = Call.time_zone.in_(zones)
    if unknown_zone:
        zone_filter = or_(zone_filter, Call.time_zone.is_(None))
    return (
        select(Call)
        .where(
            Call.campaign_id == bindparam("queue_campaign", type_=Uuid()),
            Call.status == "requested",
            Call.external_metadata.is_(None),
            Call.next_number.is_not(None),
            Call.next_call_at <= bindparam("queue_now", type_=UTCDateTime()),
            Call.attempts_count < bindparam("queue_max_attempts", type_=Integer()),
            Call.dialing_since.is_(None),
            zone_filter,
            *_number_rules(),
        )
        .order_by(Call.priority.desc(), Call.next_call_at, Call.id)
    )


async def callable_query(
    session: AsyncSession,
    *,
    campaign: Campaign,
    now: datetime,
    zone_keys: Sequence[str | None] | None = None,
    max_attempts: int | None = None,
) -> CallableQuery | None:
    """The query of the calls the dialer may dial now, best first; None when there are none.

    Callable: requested and managed here, due, attempts left, in the campaign's window and the
    contact's local calling hours, its number not blocked and not being dialed anywhere.
    A dialer may pass the campaign's attempt limit it looked up with the campaign.
    """
    if not inside_campaign_window(campaign, now):
        return None
    zones = await callable_zones(session, campaign, now, zone_keys)
    if not zones:
        return None
    if max_attempts is None:
        max_attempts = await campaign_max_attempts(session, campaign)
    known = tuple(sorted(zone for zone in zones if zone is not None))
    return CallableQuery(
        _queue_statement(known, None in zones),
        {"queue_campaign": campaign.id, "queue_now": now, "queue_max_attempts": max_attempts},
    )


async def next_callable(
    session: AsyncSession, *, campaign: Campaign, now: datetime, limit: int
) -> Sequence[Call]:
    """Up to `limit` calls the dialer may dial now, by priority then due time."""
    query = await callable_query(session, campaign=campaign, now=now)
    if query is None or limit <= 0:
        return []
    # The dialer needs the calls, not their history of attempts.
    statement = query.statement.limit(limit).options(raiseload(Call.attempts))
    return list((await session.execute(statement, query.params)).scalars())
