"""Simulated campaigns: the real engine on a virtual clock with simulated contacts and callers.

Used for training runs, capacity planning and to measure pacers: `phonebank simulate`.
"""

import gc
import json
import math
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import phonebank.models  # noqa: F401  (every table, for the ORM's foreign keys without migrations)
from phonebank.callers.models import Caller
from phonebank.callers.sessions import start_session
from phonebank.calls.models import UNDIALED_OUTCOMES
from phonebank.campaigns.models import Campaign
from phonebank.db import create_sessionmaker
from phonebank.dialer.carriers.simulated import SimulatedCarrier, SimulatedCarrierConfig
from phonebank.dialer.clock import VirtualClock
from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.live import Agent, SilentNotifier
from phonebank.dialer.memory_db import create_memory_engine, serialize
from phonebank.dialer.pacers.registry import load_pacer
from phonebank.dialer.presence import FloorRules
from phonebank.migrations import runner
from phonebank.organizations.models import Organization

MODES = ("preview", "power", "predictive")
CONTACT_ZONE = "America/Chicago"
# Seconds a simulated volunteer looks at a preview before dialing.
PREVIEW_THINK_SECONDS = 5.0
# Garbage collection during a run: a simulated day makes millions of short-lived objects, and
# the default thresholds would scan the youngest ones hundreds of times more often and the whole
# heap (the ORM's many long-lived objects) again and again, about a tenth of the run's time.
GC_THRESHOLDS = (10_000, 50, 100)


@dataclass(frozen=True)
class Scenario:
    """A simulated day: who calls, who answers, how long they talk."""

    name: str
    callers: int
    human: float
    machine: float
    busy: float
    no_answer: float
    talk_mean_seconds: float
    wrap_mean_seconds: float
    hours: float = 8.0
    failed: float = 0.0
    human_ring_mean_seconds: float = 9.0
    ring_timeout_seconds: int = 20

    def carrier_config(self) -> SimulatedCarrierConfig:
        """The simulated carrier of this scenario (machine times per the defaults)."""
        return SimulatedCarrierConfig(
            human_share=self.human,
            machine_share=self.machine,
            busy_share=self.busy,
            no_answer_share=self.no_answer,
            failed_share=self.failed,
            talk_mean_seconds=self.talk_mean_seconds,
            human_ring_mean_seconds=self.human_ring_mean_seconds,
        )


SCENARIOS = {
    "volunteer-small": Scenario("volunteer-small", 5, 0.10, 0.20, 0.05, 0.65, 90, 20),
    "phonebank": Scenario("phonebank", 20, 0.12, 0.20, 0.05, 0.63, 90, 20),
    "callcenter": Scenario("callcenter", 100, 0.25, 0.20, 0.05, 0.50, 120, 15),
}


def load_scenario(name: str | None, config_file: Path | None) -> Scenario:
    """A built-in scenario, or one read from a JSON file (any field may be set there)."""
    if config_file is not None:
        values = json.loads(config_file.read_text())
        base = SCENARIOS.get(values.pop("scenario", "") or (name or ""), SCENARIOS["phonebank"])
        return replace(base, name=values.pop("name", config_file.stem), **values)
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    return SCENARIOS[name]


@dataclass
class SimulationResult:
    """The figures of one simulated day."""

    scenario: str
    mode: str
    callers: int
    hours: float
    abandon_target: float
    dials: int
    human_answers: int
    machine_answers: int
    abandoned: int
    abandon_rate: float
    max_hourly_abandon_rate: float
    agent_utilization: float
    utilization_bound: float
    utilization_of_bound: float
    talk_minutes_per_agent_hour: float
    contacts_per_agent_hour: float
    mean_agent_wait_seconds: float
    wall_seconds: float
    dials_per_wall_second: float
    hourly: list[dict[str, float]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        return asdict(self)


class SimulatedCallers(SilentNotifier):
    """Volunteers who talk until the contact hangs up, wrap up, and take the next call."""

    def __init__(self, dialer: CampaignDialer, *, wrap_mean_seconds: float, seed: int) -> None:
        self.dialer = dialer
        self.wrap_mean_seconds = wrap_mean_seconds
        self.rng = random.Random(seed)

    async def previewing(self, agent: Agent, call_id: uuid.UUID) -> None:
        """Read the contact, then dial."""
        self.dialer.clock.call_later(
            PREVIEW_THINK_SECONDS, partial(self.dialer.dial_preview, agent.session_id)
        )

    async def connected(self, agent: Agent, call_id: uuid.UUID) -> None:
        """Talk: the contact decides when the call ends."""

    async def call_ended(self, agent: Agent, call_id: uuid.UUID) -> None:
        """Wrap up for an exponential time, then save the result and go on."""
        wrap = self.rng.expovariate(1 / self.wrap_mean_seconds)
        self.dialer.clock.call_later(wrap, partial(self.dialer.submit, agent.session_id, "talked"))


async def migrated_schema() -> bytes:
    """An empty simulation database with every migration applied, as bytes: runs started
    from it skip the migrations (most of a short run's time)."""
    engine = create_memory_engine()
    try:
        await runner.upgrade(engine)
        return await serialize(engine)
    finally:
        await engine.dispose()


def _contacts_needed(scenario: Scenario) -> int:
    per_agent_hour = 3600 / (scenario.talk_mean_seconds + scenario.wrap_mean_seconds)
    humans = scenario.callers * scenario.hours * per_agent_hour
    return int(humans / max(scenario.human, 0.01) * 1.5) + 1000


async def _seed(
    engine: AsyncEngine, scenario: Scenario, mode: str, abandon_target: float, pacer: str | None
) -> tuple[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID]]]:
    sessionmaker = create_sessionmaker(engine)
    start_hour = 9
    async with sessionmaker() as session, session.begin():
        organization = Organization(name="Simulation", default_time_zone=CONTACT_ZONE)
        session.add(organization)
        await session.flush()
        campaign = Campaign(
            organization_id=organization.id,
            name=f"{scenario.name} ({mode})",
            status="started",
            dialing_mode=mode,
            pacer=pacer,
            abandon_rate_target=abandon_target,
            daily_start_hour=start_hour,
            daily_stop_hour=min(23, start_hour + math.ceil(scenario.hours)),
            time_zone=CONTACT_ZONE,
            ring_timeout_seconds=scenario.ring_timeout_seconds,
        )
        session.add(campaign)
        callers = [
            Caller(organization_id=organization.id, name=f"Caller {n + 1}")
            for n in range(scenario.callers)
        ]
        session.add_all(callers)
        await session.flush()
        organization_id, campaign_id = organization.id.hex, campaign.id.hex
    async with engine.begin() as connection:
        # Generated contacts, one number each, all in the contacts' zone: set-based inserts.
        series = "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < :count)"
        count = _contacts_needed(scenario)
        params = {"org": organization_id, "campaign": campaign_id, "count": count}
        await connection.execute(
            text(
                f"INSERT INTO people (id, organization_id, given_name, languages_spoken,"
                f" custom_fields, created_at, modified_at) {series}"
                " SELECT printf('%032x', n), :org, 'Contact ' || n, '[]', '{}',"
                " datetime('now'), datetime('now') FROM s"
            ),
            params,
        )
        await connection.execute(
            text(
                f"INSERT INTO calls (id, organization_id, campaign_id, person_id, status, type,"
                " numbers, next_number_index, next_number, time_zone, priority, next_call_at,"
                " attributes, attempts_count, requested_at, created_at, modified_at)"
                f" {series} SELECT lower(hex(randomblob(16))), :org, :campaign,"
                " printf('%032x', n), 'requested', 'verification',"
                " json_array('+1312' || substr('0000000' || n, -7, 7)), 0,"
                " '+1312' || substr('0000000' || n, -7, 7), '" + CONTACT_ZONE + "', 0,"
                " '2000-01-01 00:00:00.000000', '{}', 0, datetime('now'), datetime('now'),"
                " datetime('now') FROM s"
            ),
            params,
        )
    return campaign.id, [(caller.id, caller.organization_id) for caller in callers]


async def run_simulation(
    scenario: Scenario,
    *,
    mode: str,
    abandon_target: float,
    seed: int = 1,
    pacer: str | None = None,
    progress: Callable[[float], None] | None = None,
    deadline: float | None = None,
    schema: bytes | None = None,
) -> SimulationResult:
    """Play one day of `scenario` in `mode` and measure it.

    With a `deadline` (a `time.perf_counter()` value) the day ends early when the wall clock
    passes it, and the result covers the hours played (its `hours`). A `schema` (from
    `migrated_schema`) spares the run its migrations.
    """
    if pacer is not None:
        load_pacer(pacer)  # fail early on a bad dotted path
    wall_started = time.perf_counter()
    engine = create_memory_engine(schema)
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        if schema is None:
            await runner.upgrade(engine)
        campaign_id, callers = await _seed(engine, scenario, mode, abandon_target, pacer)
        local_start = datetime(2026, 3, 3, 9, 0, tzinfo=ZoneInfo(CONTACT_ZONE))
        start = local_start.astimezone(UTC)
        clock = VirtualClock(start)
        carrier = SimulatedCarrier(clock, scenario.carrier_config(), seed=seed)
        sessionmaker = create_sessionmaker(engine)
        dialer = CampaignDialer(
            sessionmaker=sessionmaker,
            clock=clock,
            carrier=carrier,
            campaign_id=campaign_id,
            flush_seconds=30.0,
            status_poll_seconds=300.0,
            # Simulated callers always save their result: their wrap-up is the model's alone.
            floor=FloorRules(wrap_up_max_seconds=math.inf),
        )
        dialer.notifier = SimulatedCallers(
            dialer, wrap_mean_seconds=scenario.wrap_mean_seconds, seed=seed + 1
        )
        async with sessionmaker() as session, session.begin():
            for caller_id, organization_id in callers:
                caller_session = await start_session(
                    session,
                    organization_id=organization_id,
                    caller_id=caller_id,
                    campaign_id=campaign_id,
                    now=start,
                )
                dialer.join(caller_session.id, caller_id)
        await dialer.start()
        end = start + timedelta(hours=scenario.hours)
        # Short steps under a deadline, so the day stops soon after it passes.
        step = timedelta(minutes=5 if deadline is None else 1)
        moment = start
        while moment < end:
            moment = min(end, moment + step)
            await clock.run(until=moment)
            if progress is not None:
                progress((moment - start) / (end - start))
            if deadline is not None and time.perf_counter() >= deadline:
                end = moment
                scenario = replace(scenario, hours=(end - start).total_seconds() / 3600)
        await dialer.stop()
        wall = time.perf_counter() - wall_started
        return await _measure(engine, scenario, mode, abandon_target, start, end, wall)
    finally:
        gc.set_threshold(*thresholds)
        await engine.dispose()


async def _measure(
    engine: AsyncEngine,
    scenario: Scenario,
    mode: str,
    abandon_target: float,
    start: datetime,
    end: datetime,
    wall: float,
) -> SimulationResult:
    async with engine.connect() as connection:
        outcomes: dict[str, int] = {
            str(outcome): int(count)
            for outcome, count in await connection.execute(
                text("SELECT outcome, count(*) FROM attempts GROUP BY outcome")
            )
        }
        hourly_rows = (
            await connection.execute(
                text(
                    "SELECT CAST((julianday(ended_at) - julianday(:start)) * 24 AS INTEGER) AS h,"
                    " sum(outcome = 'abandoned'), sum(outcome IN ('human', 'abandoned'))"
                    " FROM attempts WHERE outcome IS NOT NULL AND ended_at IS NOT NULL"
                    " GROUP BY h ORDER BY h"
                ),
                {"start": start.replace(tzinfo=None).isoformat(sep=" ")},
            )
        ).all()
        spans: dict[str, float] = {
            str(state): float(seconds or 0.0)
            for state, seconds in await connection.execute(
                text(
                    "SELECT state, sum((julianday(ended_at) - julianday(started_at)) * 86400)"
                    " FROM caller_session_spans GROUP BY state"
                )
            )
        }
        hourly_utilization: dict[int, float] = {}
        for hour in range(math.ceil(scenario.hours)):
            low = (start + timedelta(hours=hour)).replace(tzinfo=None).isoformat(sep=" ")
            high = (start + timedelta(hours=hour + 1)).replace(tzinfo=None).isoformat(sep=" ")
            # Each span's overlap with the hour, for talk time and for all logged-in time.
            overlap = (
                "max(0, min(julianday(ended_at), julianday(:high))"
                " - max(julianday(started_at), julianday(:low))) * 86400"
            )
            talked, logged = (
                await connection.execute(
                    text(
                        f"SELECT sum(CASE WHEN state = 'connected' THEN {overlap} ELSE 0 END),"
                        f" sum({overlap}) FROM caller_session_spans WHERE state != 'ended'"
                    ),
                    {"low": low, "high": high},
                )
            ).one()
            hourly_utilization[hour] = float(talked or 0) / float(logged) if logged else 0.0
        waits = (
            await connection.execute(
                text(
                    "SELECT avg((julianday(ended_at) - julianday(started_at)) * 86400)"
                    " FROM caller_session_spans WHERE state = 'available'"
                )
            )
        ).scalar()
    humans = int(outcomes.get("human", 0))
    abandoned = int(outcomes.get("abandoned", 0))
    human_answers = humans + abandoned
    dials = sum(
        int(count) for outcome, count in outcomes.items() if outcome not in UNDIALED_OUTCOMES
    )
    logged_in = sum(float(seconds) for state, seconds in spans.items() if state != "ended")
    talk = float(spans.get("connected", 0.0))
    agent_hours = logged_in / 3600 if logged_in else 1.0
    bound = scenario.talk_mean_seconds / (scenario.talk_mean_seconds + scenario.wrap_mean_seconds)
    utilization = talk / logged_in if logged_in else 0.0
    hourly = [
        {
            "hour": float(hour),
            "abandon_rate": (float(ab) / float(hu)) if hu else 0.0,
            "human_answers": float(hu or 0),
            "utilization": hourly_utilization.get(int(hour), 0.0),
        }
        for hour, ab, hu in hourly_rows
        if hour is not None and hour < scenario.hours
    ]
    return SimulationResult(
        scenario=scenario.name,
        mode=mode,
        callers=scenario.callers,
        hours=scenario.hours,
        abandon_target=abandon_target / 100,
        dials=dials,
        human_answers=human_answers,
        machine_answers=int(outcomes.get("machine", 0)),
        abandoned=abandoned,
        abandon_rate=abandoned / human_answers if human_answers else 0.0,
        max_hourly_abandon_rate=max((h["abandon_rate"] for h in hourly), default=0.0),
        agent_utilization=utilization,
        utilization_bound=bound,
        utilization_of_bound=utilization / bound,
        talk_minutes_per_agent_hour=talk / 60 / agent_hours,
        contacts_per_agent_hour=humans / agent_hours,
        mean_agent_wait_seconds=float(waits or 0.0),
        wall_seconds=wall,
        dials_per_wall_second=dials / wall if wall else 0.0,
        hourly=hourly,
    )
