"""How fast the dialer's queue query answers on big campaigns.

Fills one campaign with N calls (spread over ten time zones, some not yet due, some with
attempts, some blocked) and times `next_callable(limit=50)`, on SQLite and on PostgreSQL.

    python benchmarks/next_callable.py --sizes 10000,100000,1000000 \
        --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/phonebank_bench
"""

import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from phonebank.calls.queue import next_callable
from phonebank.campaigns.models import Campaign
from phonebank.db import create_engine, create_sessionmaker
from phonebank.migrations import runner

ZONES = [
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "Europe/London",
    "Europe/Berlin", "America/New_York|America/Chicago",
]  # fmt: skip
# 15:00 UTC: 11:00 in New York, 05:00 in Honolulu: some zones are callable, some are not.
NOW = datetime(2026, 7, 15, 15, 0, tzinfo=UTC)
REPEATS = 20
console = Console()


async def _prepare(engine: AsyncEngine, size: int) -> tuple[uuid.UUID, uuid.UUID]:
    organization_id, campaign_id, person_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    postgres = engine.dialect.name == "postgresql"
    # SQLite keeps UUIDs as 32 hex digits; PostgreSQL as uuid.
    org, campaign, person = (
        (str(x) for x in (organization_id, campaign_id, person_id))
        if postgres
        else (x.hex for x in (organization_id, campaign_id, person_id))
    )
    zone_cases = " ".join(f"WHEN {i} THEN '{zone}'" for i, zone in enumerate(ZONES))
    if postgres:
        numbers = "generate_series(1, :size) AS n"
        new_id, ts, json_numbers = "gen_random_uuid()", "now()", "jsonb_build_array"
        later = "TIMESTAMPTZ '2026-07-16 00:00:00+00'"
        earlier = "TIMESTAMPTZ '2026-07-15 08:00:00+00' + n * INTERVAL '1 millisecond'"
    else:
        numbers = (
            "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < :size)"
            " SELECT n FROM s)"
        )
        new_id, ts, json_numbers = "lower(hex(randomblob(16)))", "datetime('now')", "json_array"
        later = "'2026-07-16 00:00:00.000000'"
        earlier = (
            "strftime('%Y-%m-%d %H:%M:%f000', '2026-07-15 08:00:00',"
            " '+' || (n % 3600) || ' seconds')"
        )
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO organizations (id, name, max_call_attempts, default_country,"
                " default_time_zone, created_at, modified_at)"
                f" VALUES (:org, 'bench', 10, 'US', 'America/New_York', {ts}, {ts})"
            ),
            {"org": org},
        )
        await connection.execute(
            text(
                "INSERT INTO campaigns (id, organization_id, name, status, dialing_mode,"
                " daily_start_hour, daily_stop_hour, time_zone, retry_count,"
                " retry_delay_busy_seconds, retry_delay_no_answer_seconds,"
                " retry_delay_machine_seconds, retry_delay_failed_seconds,"
                " retry_delay_abandoned_seconds, abandon_rate_target, ring_timeout_seconds,"
                " power_ratio, created_at, modified_at) VALUES (:campaign, :org, 'bench',"
                " 'started', 'predictive', 9, 21, 'America/New_York', 3, 900, 3600, 3600, 3600,"
                f" 86400, 1.0, 20, 1.0, {ts}, {ts})"
            ),
            {"org": org, "campaign": campaign},
        )
        await connection.execute(
            text(
                "INSERT INTO people (id, organization_id, languages_spoken, custom_fields,"
                f" created_at, modified_at) VALUES (:person, :org, '[]', '{{}}', {ts}, {ts})"
            ),
            {"org": org, "person": person},
        )
        number = (
            "'+1212' || substr('0000000' || n, -7, 7)"
            if not postgres
            else ("'+1212' || lpad(n::text, 7, '0')")
        )
        await connection.execute(
            text(
                "INSERT INTO calls (id, organization_id, campaign_id, person_id, status, type,"
                " numbers, next_number_index, next_number, time_zone, priority, next_call_at,"
                " attributes, attempts_count, requested_at, created_at, modified_at)"
                f" SELECT {new_id}, :org, :campaign, :person,"
                " CASE WHEN n % 10 = 0 THEN 'completed' ELSE 'requested' END, 'verification',"
                f" {json_numbers}({number}), 0, {number},"
                f" CASE n % {len(ZONES)} {zone_cases} END, n % 3,"
                f" CASE WHEN n % 4 = 0 THEN {later} ELSE {earlier} END, '{{}}', n % 5, "
                f"{ts}, {ts}, {ts} FROM {numbers}"
            ),
            {
                "org": org,
                "campaign": campaign,
                "person": person,
                "size": size,
            },
        )
        blocked = "'+1212' || substr('0000000' || n, -7, 7)" if not postgres else number
        await connection.execute(
            text(
                "INSERT INTO blocked_numbers (id, organization_id, number, created_at,"
                f" modified_at) SELECT {new_id}, :org, {blocked}, {ts}, {ts} FROM {numbers}"
                " WHERE n % 97 = 0"
            ),
            {"org": org, "size": size},
        )
        await connection.execute(text("ANALYZE"))
    return organization_id, campaign_id


async def _measure(url: str, size: int) -> tuple[float, float, int]:
    engine = create_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await runner.upgrade(engine)
        _, campaign_id = await _prepare(engine, size)
        timings = []
        async with create_sessionmaker(engine)() as session:
            campaign = await session.get_one(Campaign, campaign_id)
            found = 0
            for _ in range(REPEATS):
                started = time.perf_counter()
                found = len(await next_callable(session, campaign=campaign, now=NOW, limit=50))
                timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings), max(timings), found
    finally:
        await engine.dispose()


def main(
    sizes: Annotated[str, typer.Option(help="Comma-separated campaign sizes.")] = "10000,100000",
    postgres: Annotated[
        str | None, typer.Option(help="PostgreSQL URL of a scratch database (it is wiped).")
    ] = None,
) -> None:
    """Print next_callable latency per campaign size and database."""
    table = Table(title=f"next_callable(limit=50), median and max of {REPEATS} runs")
    for column in ("database", "calls", "median ms", "max ms", "returned"):
        table.add_column(column, justify="right")
    counts = [int(size) for size in sizes.split(",")]
    with tempfile.TemporaryDirectory() as scratch, Progress(console=console) as progress:
        targets = [("sqlite", None)] + ([("postgresql", postgres)] if postgres else [])
        task = progress.add_task("benchmarking", total=len(counts) * len(targets))
        for name, url in targets:
            for size in counts:
                db_url = url or f"sqlite+aiosqlite:///{Path(scratch) / f'bench-{size}.db'}"
                median, worst, found = asyncio.run(_measure(db_url, size))
                table.add_row(name, f"{size:,}", f"{median:.1f}", f"{worst:.1f}", str(found))
                progress.advance(task)
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
