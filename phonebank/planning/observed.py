"""A campaign's own rates, read from its recent attempts and its callers' wrap-ups."""

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import CallerSession, CallerSessionSpan
from phonebank.calls.models import Attempt
from phonebank.dialer.simulation import SCENARIOS

# Outcomes of a dial the carrier reached an end for; abandoned calls were answered by a person.
DIALED = ("human", "abandoned", "machine", "busy", "no_answer", "failed")
# Recent behaviour is the better guide to tonight: only the newest attempts and wrap-ups count.
RECENT_ATTEMPTS = 5000
RECENT_WRAP_UPS = 2000
# Below these counts a figure is noise, and the default stands in for it.
MIN_DIALS = 30
MIN_DURATIONS = 5
DEFAULTS = SCENARIOS["phonebank"]
DEFAULT_RING_SECONDS = 9.0


@dataclass
class ObservedRates:
    """The shares and mean times a plan simulates, with where each came from."""

    attempts: int
    human: float
    machine: float
    busy: float
    no_answer: float
    failed: float
    ring_seconds: float
    talk_seconds: float
    wrap_seconds: float
    talks: int = 0
    wrap_ups: int = 0
    observed_figures: list[str] = field(default_factory=list)
    default_figures: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        """`observed`, `defaults`, or `mixed` when only some figures were observed."""
        if not self.default_figures:
            return "observed"
        return "mixed" if self.observed_figures else "defaults"


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds()


async def observe_rates(session: AsyncSession, *, campaign_id: uuid.UUID) -> ObservedRates:
    """The campaign's outcome shares and ring, talk and wrap-up times; defaults where too few."""
    rows = (
        await session.execute(
            select(
                Attempt.outcome,
                Attempt.attempted_at,
                Attempt.answered_at,
                Attempt.bridged_at,
                Attempt.ended_at,
                Attempt.wrap_ended_at,
            )
            .where(Attempt.campaign_id == campaign_id, Attempt.outcome.in_(DIALED))
            .order_by(Attempt.attempted_at.desc())
            .limit(RECENT_ATTEMPTS)
        )
    ).all()
    outcomes = Counter(str(row.outcome) for row in rows)
    rings = [
        seconds
        for row in rows
        if row.outcome in ("human", "abandoned")
        and (seconds := _seconds(row.attempted_at, row.answered_at)) is not None
    ]
    talks = [
        seconds
        for row in rows
        if row.outcome == "human" and (seconds := _seconds(row.bridged_at, row.ended_at))
    ]
    wraps = await _wrap_ups(session, campaign_id)
    if not wraps:  # attempts reported through the API carry their own wrap-up end
        wraps = [
            seconds
            for row in rows
            if row.outcome == "human"
            and (seconds := _seconds(row.ended_at, row.wrap_ended_at)) is not None
        ]
    return _rates(len(rows), outcomes, rings, talks, wraps)


async def _wrap_ups(session: AsyncSession, campaign_id: uuid.UUID) -> list[float]:
    rows = (
        await session.execute(
            select(CallerSessionSpan.started_at, CallerSessionSpan.ended_at)
            .join(CallerSession, CallerSession.id == CallerSessionSpan.session_id)
            .where(
                CallerSession.campaign_id == campaign_id,
                CallerSessionSpan.state == "wrap_up",
                CallerSessionSpan.ended_at.is_not(None),
            )
            .order_by(CallerSessionSpan.started_at.desc())
            .limit(RECENT_WRAP_UPS)
        )
    ).all()
    return [seconds for start, end in rows if (seconds := _seconds(start, end)) is not None]


def _rates(
    dials: int,
    outcomes: Counter[str],
    rings: list[float],
    talks: list[float],
    wraps: list[float],
) -> ObservedRates:
    observed: list[str] = []
    defaults: list[str] = []

    def pick(name: str, values: list[float], default: float) -> float:
        if len(values) >= MIN_DURATIONS:
            observed.append(name)
            return fmean(values)
        defaults.append(name)
        return default

    shares = ("human_share", "machine_share", "busy_share", "no_answer_share", "failed_share")
    if dials >= MIN_DIALS:
        observed.extend(shares)
        human = (outcomes["human"] + outcomes["abandoned"]) / dials
        machine, busy = outcomes["machine"] / dials, outcomes["busy"] / dials
        no_answer, failed = outcomes["no_answer"] / dials, outcomes["failed"] / dials
    else:
        defaults.extend(shares)
        human, machine, busy = DEFAULTS.human, DEFAULTS.machine, DEFAULTS.busy
        no_answer, failed = DEFAULTS.no_answer, DEFAULTS.failed
    return ObservedRates(
        attempts=dials,
        human=human,
        machine=machine,
        busy=busy,
        no_answer=no_answer,
        failed=failed,
        ring_seconds=pick("ring_seconds", rings, DEFAULT_RING_SECONDS),
        talk_seconds=pick("talk_seconds", talks, DEFAULTS.talk_mean_seconds),
        wrap_seconds=pick("wrap_seconds", wraps, DEFAULTS.wrap_mean_seconds),
        talks=len(talks),
        wrap_ups=len(wraps),
        observed_figures=observed,
        default_figures=defaults,
    )


def default_rates() -> ObservedRates:
    """The simulator's defaults, as a campaign with no record yet is planned with."""
    return _rates(0, Counter(), [], [], [])
