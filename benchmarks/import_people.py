"""Importing N generated people from CSV into PostgreSQL, next to PostgreSQL's own COPY.

    python benchmarks/import_people.py --rows 1000000 \
        --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/phonebank_bench

The database given is wiped. The import is the product's (`phonebank import people`): it reads
the CSV, normalises every phone number and email, merges by email and phone and writes people,
numbers and addresses. Two COPYs of the same rows stand beside it: the file, as text, into an
unindexed table (the fastest PostgreSQL takes these bytes in), and the same people, already
normalised, into Phonebank's own three tables with their indexes and foreign keys (the fastest
any import that stores them can be). The target is at least one third of COPY's rate.
"""

import asyncio
import csv
import io
import json
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated

import asyncpg
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from phonebank.db import create_engine, create_sessionmaker
from phonebank.migrations import runner
from phonebank.organizations.models import Organization
from phonebank.organizations.service import create_organization
from phonebank.people.importing import import_people

console = Console()
TARGET_SHARE_OF_COPY = 1 / 3
# Real lists cluster: a campaign's people live in a few dozen area codes.
AREA_CODES = ("212", "347", "617", "305", "312", "713", "303", "602", "415", "206", "404", "503")
GIVEN = ("Ada", "Ben", "Carmen", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jon")
FAMILY = ("Nguyen", "Okafor", "Patel", "Quinn", "Rossi", "Silva", "Tanaka", "Umar", "Vega")


Person = tuple[str, str, str, str, str, int]  # given, family, typed phone, E.164, email, ward


def people(rows: int, seed: int = 7) -> list[Person]:
    """`rows` distinct people, their numbers in the forms people type them (and in E.164)."""
    rng = random.Random(seed)
    generated: list[Person] = []
    for n in range(rows):
        area = AREA_CODES[n % len(AREA_CODES)]
        exchange = 200 + (n // 10_000) % 800
        line = n % 10_000
        typed = rng.choice(
            (f"({area}) {exchange}-{line:04d}", f"+1{area}{exchange}{line:04d}",
             f"{area}.{exchange}.{line:04d}")
        )  # fmt: skip
        e164 = f"+1{area}{exchange}{line:04d}"
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        generated.append((given, family, typed, e164, f"p{n}@example.org", n % 40))
    return generated


def as_csv(generated: list[Person]) -> bytes:
    """The people as the CSV file an organizer uploads."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["First Name", "Last Name", "Phone", "Email", "Ward"])
    for given, family, typed, _, email, ward in generated:
        writer.writerow([given, family, typed, email, ward])
    return out.getvalue().encode()


async def _fresh_database(engine: AsyncEngine) -> Organization:
    """Wipe the database, build the schema, and make the organization the people go to."""
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await runner.upgrade(engine)
    async with create_sessionmaker(engine)() as session, session.begin():
        return await create_organization(session, name="bench")


async def _import(url: str, data: bytes, rows: int) -> tuple[float, list[tuple[float, int]]]:
    engine = create_engine(url)
    try:
        organization = await _fresh_database(engine)
        steps: list[tuple[float, int]] = []
        with Progress(BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()) as progress:
            task = progress.add_task("import", total=rows)
            started = time.perf_counter()

            def heard(done: int) -> None:
                steps.append((time.perf_counter() - started, done))
                progress.update(task, completed=done)

            async with create_sessionmaker(engine)() as session, session.begin():
                report = await import_people(
                    session,
                    organization=organization,
                    data=data,
                    on_progress=heard,
                    keep_person_ids=False,  # as `phonebank import people` without --campaign
                )
            seconds = time.perf_counter() - started
        assert report.created == rows and not report.errors, (report.created, report.errors[:3])
        return seconds, steps
    finally:
        await engine.dispose()


async def _checks_once(url: str) -> bool:
    """Whether the role may skip per-row foreign-key checks (see `people.importing_sql`)."""
    connection = await asyncpg.connect(_asyncpg_url(url))
    try:
        async with connection.transaction():
            await connection.execute("SET LOCAL session_replication_role = replica")
        return True
    except asyncpg.InsufficientPrivilegeError:
        return False
    finally:
        await connection.close()


def _asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _copy(url: str, data: bytes) -> float:
    """COPY of the file, as text, into an unindexed table."""
    connection = await asyncpg.connect(_asyncpg_url(url))
    try:
        await connection.execute(
            "DROP TABLE IF EXISTS copy_people; CREATE TABLE copy_people "
            "(given_name text, family_name text, phone text, email text, ward text)"
        )
        started = time.perf_counter()
        await connection.copy_to_table(
            "copy_people", source=io.BytesIO(data), format="csv", header=True
        )
        return time.perf_counter() - started
    finally:
        await connection.execute("DROP TABLE IF EXISTS copy_people")
        await connection.close()


async def _copy_into_tables(url: str, generated: list[Person]) -> float:
    """COPY of the same people, already normalised, into Phonebank's own tables.

    The rows are made before the clock starts: what is timed is PostgreSQL writing the three
    tables the import writes, with the same indexes, foreign keys checked as the import checks
    them. No import that
    writes these tables can be faster; the import's own work is everything beyond it.
    """
    engine = create_engine(url)
    try:
        organization_id = (await _fresh_database(engine)).id
    finally:
        await engine.dispose()
    connection = await asyncpg.connect(_asyncpg_url(url))
    try:
        now = datetime.now(UTC)
        # Ascending keys: the cheapest order for the indexes, so the baseline is at its fastest.
        base = uuid.uuid4().int & ~((1 << 64) - 1)
        ids = [uuid.UUID(int=base + n) for n in range(len(generated))]
        person_rows = [
            (ids[i], organization_id, p[0], p[1], "[]", json.dumps({"ward": str(p[5])}), now, now)
            for i, p in enumerate(generated)
        ]
        email_rows = [
            (uuid.UUID(int=base + len(ids) + i), ids[i], organization_id, 0, p[4], True)
            for i, p in enumerate(generated)
        ]
        phone_rows = [
            (
                uuid.UUID(int=base + 2 * len(ids) + i),
                ids[i],
                organization_id,
                0,
                p[3],
                True,
                False,
                "US",
                '["America/New_York"]',
            )
            for i, p in enumerate(generated)
        ]
        started = time.perf_counter()
        async with connection.transaction():
            if await _checks_once(url):
                # As the import does when the role may: the keys are known good, skip their checks.
                await connection.execute("SET LOCAL session_replication_role = replica")
            await connection.copy_records_to_table(
                "people",
                records=person_rows,
                columns=["id", "organization_id", "given_name", "family_name",
                         "languages_spoken", "custom_fields", "created_at", "modified_at"],
            )  # fmt: skip
            await connection.copy_records_to_table(
                "email_addresses",
                records=email_rows,
                columns=["id", "person_id", "organization_id", "position", "address", "primary"],
            )
            await connection.copy_records_to_table(
                "phone_numbers",
                records=phone_rows,
                columns=["id", "person_id", "organization_id", "position", "number", "primary",
                         "do_not_call", "country", "time_zones"],
            )  # fmt: skip
        return time.perf_counter() - started
    finally:
        await connection.close()


def main(
    postgres: Annotated[str, typer.Option(help="PostgreSQL URL (the database is wiped).")],
    rows: Annotated[int, typer.Option(help="People to generate and import.")] = 1_000_000,
) -> None:
    """Print rows per second of the import and of COPY, and whether the target is met."""
    console.print(f"generating {rows:,} people")
    generated = people(rows)
    data = as_csv(generated)
    import_seconds, steps = asyncio.run(_import(postgres, data, rows))
    copy_seconds = asyncio.run(_copy(postgres, data))
    tables_seconds = asyncio.run(_copy_into_tables(postgres, generated))
    table = Table(title=f"Importing {rows:,} people ({len(data) / 1e6:.0f} MB of CSV)")
    for column in ("load", "seconds", "rows/s", "import's share"):
        table.add_column(column, justify="right")
    loads = (
        ("phonebank import (CSV to people, numbers, emails)", import_seconds),
        ("COPY of the CSV into an unindexed table", copy_seconds),
        ("COPY of the same people into people, numbers, emails", tables_seconds),
    )
    for name, seconds in loads:
        table.add_row(
            name, f"{seconds:.1f}", f"{rows / seconds:,.0f}", f"{seconds / import_seconds:.2f}"
        )
    console.print(table)
    timeline = ", ".join(f"{100 * done / rows:.0f}% at {at:.1f}s" for at, done in steps)
    console.print(f"import progress: {timeline}")
    checks = "once per import" if asyncio.run(_checks_once(postgres)) else "row by row"
    console.print(f"foreign keys of the rows written checked {checks}")
    for name, seconds in loads[1:]:
        share = seconds / import_seconds
        verdict = "met" if share >= TARGET_SHARE_OF_COPY else "missed"
        console.print(
            f"import rate = {share:.2f} x {name} (target >= {TARGET_SHARE_OF_COPY:.2f}): {verdict}"
        )


if __name__ == "__main__":
    typer.run(main)
