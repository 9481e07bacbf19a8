"""Reading the callers' time ledger: seconds per state, by campaign and caller, in a window.

Spans are clipped to the window, so a span across midnight counts on both days; the state a
session is in now counts from `state_since` until `now`.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import CallerSession, CallerSessionSpan

# States in which a caller is busy with one contact: logging out then drops that contact.
CONTACT_STATES = frozenset({"previewing", "dialing", "connected", "wrap_up"})

LedgerKey = tuple[uuid.UUID, uuid.UUID]  # (campaign id, caller id)


@dataclass
class LedgerFigures:
    """Time per state, and logouts in the middle of a contact, for one campaign and caller."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    # Sessions that ended while their caller was busy with a contact.
    sessions_ended_with_contact: set[uuid.UUID] = field(default_factory=set)

    @property
    def logouts_with_contact(self) -> int:
        """Logouts (or kicks) while the caller was previewing, dialing, talking or wrapping up."""
        return len(self.sessions_ended_with_contact)

    @property
    def logged_in_seconds(self) -> float:
        """Time logged in: every state but `ended`."""
        return sum(value for state, value in self.seconds.items() if state != "ended")


def _overlap(
    started: datetime, ended: datetime, start: datetime | None, end: datetime | None
) -> float:
    low = max(started, start) if start is not None else started
    high = min(ended, end) if end is not None else ended
    return max(0.0, (high - low).total_seconds())


def _sessions(
    organization_id: uuid.UUID,
    campaign_ids: Sequence[uuid.UUID] | None,
    caller_ids: Sequence[uuid.UUID] | None,
) -> Select[CallerSession]:
    statement = select(CallerSession).where(CallerSession.organization_id == organization_id)
    if campaign_ids is not None:
        statement = statement.where(CallerSession.campaign_id.in_(list(campaign_ids)))
    if caller_ids is not None:
        statement = statement.where(CallerSession.caller_id.in_(list(caller_ids)))
    return statement


async def ledger_figures(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    now: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
    campaign_ids: Sequence[uuid.UUID] | None = None,
    caller_ids: Sequence[uuid.UUID] | None = None,
) -> dict[LedgerKey, LedgerFigures]:
    """Seconds per state in [start, end) for each (campaign, caller) that was logged in then."""
    figures: dict[LedgerKey, LedgerFigures] = defaultdict(LedgerFigures)
    sessions = _sessions(organization_id, campaign_ids, caller_ids)
    if end is not None:
        sessions = sessions.where(CallerSession.started_at < end)
    if start is not None:
        sessions = sessions.where(
            or_(CallerSession.ended_at.is_(None), CallerSession.ended_at >= start)
        )
    chosen = sessions.subquery()
    rows = await session.execute(
        select(
            chosen.c.id,
            chosen.c.campaign_id,
            chosen.c.caller_id,
            chosen.c.ended_at,
            CallerSessionSpan.state,
            CallerSessionSpan.started_at,
            CallerSessionSpan.ended_at,
        )
        .join(CallerSessionSpan, CallerSessionSpan.session_id == chosen.c.id)
        .where(
            CallerSessionSpan.ended_at.is_not(None),
            CallerSessionSpan.ended_at > start if start is not None else true(),
            CallerSessionSpan.started_at < end if end is not None else true(),
        )
    )
    for session_id, campaign_id, caller_id, session_ended, state, started, ended in rows:
        item = figures[(campaign_id, caller_id)]
        item.seconds[state] += _overlap(started, ended, start, end)
        # A logout closes the span of the state it interrupted at the session's end (a dial
        # cut by the logout may add an empty wrap-up span there too: one logout all the same).
        in_window = (start is None or ended >= start) and (end is None or ended < end)
        if state in CONTACT_STATES and session_ended == ended and in_window:
            item.sessions_ended_with_contact.add(session_id)
    for current in await session.scalars(sessions.where(CallerSession.state != "ended")):
        seconds = _overlap(current.state_since, max(now, current.state_since), start, end)
        if seconds > 0:
            figures[(current.campaign_id, current.caller_id)].seconds[current.state] += seconds
    return dict(figures)


async def logged_on(
    session: AsyncSession, *, organization_id: uuid.UUID, campaign_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Callers logged into each campaign now (sessions not ended)."""
    if not campaign_ids:
        return {}
    rows = await session.execute(
        select(CallerSession.campaign_id, func.count(func.distinct(CallerSession.caller_id)))
        .where(
            CallerSession.organization_id == organization_id,
            CallerSession.campaign_id.in_(list(campaign_ids)),
            CallerSession.state != "ended",
        )
        .group_by(CallerSession.campaign_id)
    )
    return {campaign_id: int(count) for campaign_id, count in rows}
