"""How many simultaneous calls and callers one dialer process drives on the real clock while
an answered contact still reaches a caller quickly: connect latency p99 under 250 ms.

Each step runs the real engine (`CampaignDialer`) on `RealClock` against PostgreSQL, with the
simulated carrier and simulated callers (who talk until the contact hangs up, wrap up and take
the next call, as in `phonebank simulate`) in a fast world: contacts answer within seconds,
talk about 15 s, and most numbers ring out, so many lines are in flight per caller. Steps
double the callers (50, 100, 200, ...) and print, per step: callers, peak calls in flight,
dials/s and the connect latency: from the moment the carrier's contact answers (the time
the simulated world planned, so a late event loop counts against it) to the bridge to a
caller, for answers a free caller was waiting for. The largest step under 250 ms is the
figure (the ramp ends after two steps over it in a row).

    python benchmarks/dialer_capacity.py --postgres postgresql+asyncpg://... --seconds 30
    python benchmarks/dialer_capacity.py --processes 2     # two dialer processes, summed

A process drives a campaign per `--per-campaign` callers (400 by default) on one clock, as
the dialer inside `serve` does: one campaign's engine dials at most 50 calls a second (a claim
of at most 50 calls per pacing decision, one decision a second), so one campaign alone stops
growing near 900 lines in flight whatever its callers. With `--processes N` every step splits
its callers over N processes, each driving its own campaigns, as N `phonebank worker`
processes would; their figures are summed (latencies pooled). The database is emptied first.
"""

import asyncio
import json
import math
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from phonebank.callers.models import Caller
from phonebank.callers.sessions import start_session
from phonebank.campaigns.models import Campaign
from phonebank.db import create_engine, create_sessionmaker
from phonebank.dialer.carriers.simulated import SimulatedCarrier, SimulatedCarrierConfig
from phonebank.dialer.clock import RealClock
from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.simulation import SimulatedCallers
from phonebank.migrations import runner
from phonebank.organizations.models import Organization

DEFAULT_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:5432/phonebank_bench"
LATENCY_TARGET_MS = 250.0
WORLD = SimulatedCarrierConfig(
    human_share=0.30,
    machine_share=0.20,
    busy_share=0.05,
    no_answer_share=0.45,
    failed_share=0.0,
    human_ring_mean_seconds=3.0,
    human_ring_min_seconds=1.0,
    talk_mean_seconds=15.0,
)
WRAP_MEAN_SECONDS = 3.0
# Zones whose local time may fall inside the legal calling hours (08:00-21:00) now.
ZONES = ("America/Chicago", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Asia/Tokyo")
console = Console(width=120)


def calling_zone() -> str:
    """The zone whose local time is nearest early afternoon, so every contact may be called."""
    now = datetime.now(UTC)
    return min(ZONES, key=lambda zone: abs(now.astimezone(ZoneInfo(zone)).hour + 0.5 - 14))


async def reset(url: str) -> None:
    """An empty database, migrated."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await runner.upgrade(engine)
    finally:
        await engine.dispose()


async def seed(url: str, *, callers: int, contacts: int, zone: str) -> dict[str, Any]:
    """One organization with a started predictive campaign, its callers and contacts."""
    engine = create_engine(url)
    try:
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as session, session.begin():
            organization = Organization(name=f"Capacity {uuid.uuid4()}", default_time_zone=zone)
            session.add(organization)
            await session.flush()
            campaign = Campaign(
                organization_id=organization.id,
                name="Capacity",
                status="started",
                dialing_mode="predictive",
                abandon_rate_target=3.0,
                daily_start_hour=0,
                daily_stop_hour=23,
                time_zone=zone,
                ring_timeout_seconds=20,
            )
            session.add(campaign)
            people = [
                Caller(organization_id=organization.id, name=f"Caller {n}") for n in range(callers)
            ]
            session.add_all(people)
            await session.flush()
            ids = {
                "organization_id": str(organization.id),
                "campaign_id": str(campaign.id),
                "caller_ids": [str(caller.id) for caller in people],
            }
        async with engine.begin() as connection:
            params = {"org": ids["organization_id"], "campaign": ids["campaign_id"], "n": contacts}
            await connection.execute(
                text(
                    "INSERT INTO people (id, organization_id, given_name, languages_spoken,"
                    " custom_fields, created_at, modified_at)"
                    " SELECT md5(CAST(:campaign AS text) || n)::uuid, CAST(:org AS uuid),"
                    " 'Contact ' || n, '[]', '{}', now(), now()"
                    " FROM generate_series(1, :n) AS n"
                ),
                params,
            )
            await connection.execute(
                text(
                    "INSERT INTO calls (id, organization_id, campaign_id, person_id, status,"
                    " type, numbers, next_number_index, next_number, time_zone, priority,"
                    " next_call_at, attributes, attempts_count, requested_at, created_at,"
                    " modified_at)"
                    " SELECT gen_random_uuid(), CAST(:org AS uuid), CAST(:campaign AS uuid),"
                    " md5(CAST(:campaign AS text) || n)::uuid, 'requested', 'verification',"
                    " jsonb_build_array('+1312' || lpad(n::text, 7, '0')), 0,"
                    " '+1312' || lpad(n::text, 7, '0'), CAST(:zone AS text), 0, '2000-01-01',"
                    " '{}', 0, now(), now(), now() FROM generate_series(1, :n) AS n"
                ),
                {**params, "zone": zone},
            )
        return ids
    finally:
        await engine.dispose()


class TimedCarrier(SimulatedCarrier):
    """The simulated carrier, remembering when each human contact answers in its world."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers_at: dict[str, datetime] = {}
        self.originated = 0

    def _plan(self, carrier_call_id: str, start: datetime, ring_timeout: int) -> Any:
        planned = super()._plan(carrier_call_id, start, ring_timeout)
        self.originated += 1
        if planned.reported_as == "human":
            self.answers_at[carrier_call_id] = planned.outcome_at
        return planned


class MeasuredDialer(CampaignDialer):
    """The engine, timing each answer a free caller takes at once."""

    latencies: list[float]
    queued: int = 0

    async def _human(self, dial: Any) -> None:
        await super()._human(dial)
        assert isinstance(self.carrier, TimedCarrier)
        answered = self.carrier.answers_at.pop(dial.carrier_call_id, None)
        if answered is None:
            return
        if dial.bridged_at is None:
            self.queued += 1  # no caller free: the pacer's overdial, not the engine's speed
            return
        self.latencies.append((datetime.now(UTC) - answered).total_seconds())


@dataclass
class StepFigures:
    """What one process measured in one step."""

    callers: int
    peak_in_flight: int
    dials: int
    seconds: float
    latencies: list[float]
    queued: int
    cpu_seconds: float


async def _dialer(
    sessionmaker: Any, clock: RealClock, ids: dict[str, Any], seed_value: int
) -> MeasuredDialer:
    """One campaign's engine with its own simulated carrier and callers, its callers joined."""
    carrier = TimedCarrier(clock, WORLD, seed=seed_value)
    campaign_id = uuid.UUID(ids["campaign_id"])
    dialer = MeasuredDialer(
        sessionmaker=sessionmaker, clock=clock, carrier=carrier, campaign_id=campaign_id
    )
    dialer.latencies = []
    dialer.notifier = SimulatedCallers(dialer, wrap_mean_seconds=WRAP_MEAN_SECONDS, seed=seed_value)
    organization_id = uuid.UUID(ids["organization_id"])
    async with sessionmaker() as session, session.begin():
        for caller_id in ids["caller_ids"]:
            caller_session = await start_session(
                session,
                organization_id=organization_id,
                caller_id=uuid.UUID(caller_id),
                campaign_id=campaign_id,
                now=clock.now(),
            )
            dialer.join(caller_session.id, uuid.UUID(caller_id))
    return dialer


async def drive(
    url: str, campaigns: list[dict[str, Any]], seconds: float, seed_value: int
) -> StepFigures:
    """Run the campaigns' engines on one real clock for `seconds`, as one dialer process
    does (a carrier per engine), and measure them."""
    engine = create_engine(url)
    clock = RealClock()
    sessionmaker = create_sessionmaker(engine)
    dialers = [
        await _dialer(sessionmaker, clock, ids, seed_value * 1000 + n)
        for n, ids in enumerate(campaigns)
    ]
    carriers = [dialer.carrier for dialer in dialers]
    peak = 0

    async def sample() -> None:
        nonlocal peak
        peak = max(peak, sum(carrier.active_calls for carrier in carriers))
        clock.call_later(0.25, sample)

    cpu_started, started = time.process_time(), time.monotonic()
    for dialer in dialers:
        await dialer.start()
    clock.call_later(0, sample)
    try:
        await clock.run(until=clock.now() + timedelta(seconds=seconds))
    finally:
        elapsed = time.monotonic() - started
        cpu = time.process_time() - cpu_started
        for dialer in dialers:
            await dialer.stop()
        await engine.dispose()
    return StepFigures(
        callers=sum(len(ids["caller_ids"]) for ids in campaigns),
        peak_in_flight=peak,
        dials=sum(c.originated for c in carriers if isinstance(c, TimedCarrier)),
        seconds=elapsed,
        latencies=[value for dialer in dialers for value in dialer.latencies],
        queued=sum(dialer.queued for dialer in dialers),
        cpu_seconds=cpu,
    )


def percentile(values: list[float], share: float) -> float:
    """The value under which `share` of `values` lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else math.nan


def run_step(
    url: str, callers: int, processes: int, per_campaign: int, seconds: float, zone: str
) -> dict[str, Any]:
    """One step: seed the campaigns of each process, drive them at once, sum the figures."""
    share = [callers // processes + (1 if n < callers % processes else 0) for n in range(processes)]
    seeded: list[list[dict[str, Any]]] = []
    for count in share:
        sizes = [per_campaign] * (count // per_campaign) + (
            [count % per_campaign] if count % per_campaign else []
        )
        # Enough contacts that nobody runs out: at most about a dial a second per 3 callers.
        seeded.append(
            [
                asyncio.run(
                    seed(url, callers=size, contacts=int(size * seconds * 0.3) + 500, zone=zone)
                )
                for size in sizes
            ]
        )
    if processes == 1:
        results = [asyncio.run(drive(url, seeded[0], seconds, 1))]
    else:
        children = [
            subprocess.Popen(
                [*[sys.executable, __file__, "--postgres", url, "--seconds", str(seconds)],
                 *["--child", json.dumps(campaigns), "--seed", str(n + 1)]],
                stdout=subprocess.PIPE,
            )
            for n, campaigns in enumerate(seeded)
        ]  # fmt: skip
        results = []
        for child in children:
            output, _ = child.communicate(timeout=seconds + 300)
            results.append(StepFigures(**json.loads(output.decode().strip().splitlines()[-1])))
    latencies = [value for result in results for value in result.latencies]
    return {
        "callers": callers,
        "processes": processes,
        "campaigns": sum(len(campaigns) for campaigns in seeded),
        "peak_in_flight": sum(result.peak_in_flight for result in results),
        "dials_per_second": sum(result.dials / result.seconds for result in results),
        "connect_p50_ms": percentile(latencies, 0.5) * 1000,
        "connect_p99_ms": percentile(latencies, 0.99) * 1000,
        "connects": len(latencies),
        "queued": sum(result.queued for result in results),
        "cpu_share": sum(result.cpu_seconds / result.seconds for result in results),
    }


def main(
    postgres: Annotated[str, typer.Option(help="The database (emptied first).")] = (
        DEFAULT_DATABASE
    ),
    seconds: Annotated[float, typer.Option(help="How long each step runs.")] = 30.0,
    start: Annotated[int, typer.Option(help="Callers of the first step.")] = 50,
    most: Annotated[int, typer.Option(help="Callers past which no step runs.")] = 6400,
    processes: Annotated[int, typer.Option(help="Dialer processes sharing each step.")] = 1,
    per_campaign: Annotated[
        int, typer.Option(help="Callers per campaign; a process drives several campaigns.")
    ] = 400,
    child: Annotated[str | None, typer.Option(hidden=True)] = None,
    seed: Annotated[int, typer.Option(hidden=True)] = 1,
) -> None:
    """Ramp the callers until the connect latency p99 passes 250 ms; print every step."""
    if child is not None:  # one process of a step: drive its campaign, print its figures
        figures = asyncio.run(drive(postgres, json.loads(child), seconds, seed))
        print(json.dumps(asdict(figures)))
        return
    asyncio.run(reset(postgres))
    zone = calling_zone()
    table = Table(title=f"one step = {seconds:.0f} s on the real clock, {processes} process(es)")
    for column in (
        "callers", "campaigns", "peak calls in flight", "dials/s", "connects", "queued",
        "connect p50 ms", "connect p99 ms", "CPU (cores)",
    ):  # fmt: skip
        table.add_column(column, justify="right")
    best: dict[str, Any] | None = None
    callers, misses = start, 0
    # One slow step on a shared machine may be noise: the ramp ends after two in a row.
    while callers <= most and misses < 2:
        step = run_step(postgres, callers, processes, per_campaign, seconds, zone)
        console.print(json.dumps({key: round(value, 1) for key, value in step.items()}))
        table.add_row(
            str(step["callers"]),
            str(step["campaigns"]),
            str(step["peak_in_flight"]),
            f"{step['dials_per_second']:.0f}",
            str(step["connects"]),
            str(step["queued"]),
            f"{step['connect_p50_ms']:.0f}",
            f"{step['connect_p99_ms']:.0f}",
            f"{step['cpu_share']:.2f}",
        )
        if step["connect_p99_ms"] < LATENCY_TARGET_MS:
            best, misses = step, 0
        else:
            misses += 1
        callers *= 2
    console.print(table)
    if best is None:
        console.print(f"no step kept the connect p99 under {LATENCY_TARGET_MS:.0f} ms")
    else:
        console.print(
            f"capacity ({processes} process(es)): {best['callers']} callers,"
            f" {best['peak_in_flight']} calls in flight, {best['dials_per_second']:.0f} dials/s"
            f" with connect p99 {best['connect_p99_ms']:.0f} ms"
        )


if __name__ == "__main__":
    typer.run(main)
