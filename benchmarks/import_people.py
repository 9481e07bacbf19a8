"""Importing N generated people from CSV into PostgreSQL, next to PostgreSQL's own COPY.

    python benchmarks/import_people.py --rows 1000000 \
        --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/phonebank_bench

The database given is wiped. The import is the product's (`phonebank import people`): it reads
the CSV, normalises every phone number and email, merges by email and phone and writes people,
numbers and addresses. COPY loads the same file, as text, into an unindexed table: the fastest
PostgreSQL can take these rows in. The target is at least one third of COPY's rate.
"""

import asyncio
import csv
import io
import random
import time
from typing import Annotated

import asyncpg
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import text

from phonebank.db import create_engine, create_sessionmaker
from phonebank.migrations import runner
from phonebank.organizations.service import create_organization
from phonebank.people.importing import import_people

console = Console()
TARGET_SHARE_OF_COPY = 1 / 3
# Real lists cluster: a campaign's people live in a few dozen area codes.
AREA_CODES = ("212", "347", "617", "305", "312", "713", "303", "602", "415", "206", "404", "503")
GIVEN = ("Ada", "Ben", "Carmen", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jon")
FAMILY = ("Nguyen", "Okafor", "Patel", "Quinn", "Rossi", "Silva", "Tanaka", "Umar", "Vega")


def generate(rows: int, seed: int = 7) -> bytes:
    """A CSV of `rows` distinct people, numbers in the forms people type them."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["First Name", "Last Name", "Phone", "Email", "Ward"])
    for n in range(rows):
        area = AREA_CODES[n % len(AREA_CODES)]
        exchange = 200 + (n // 10_000) % 800
        line = n % 10_000
        phone = rng.choice(
            (f"({area}) {exchange}-{line:04d}", f"+1{area}{exchange}{line:04d}",
             f"{area}.{exchange}.{line:04d}")
        )  # fmt: skip
        writer.writerow([rng.choice(GIVEN), rng.choice(FAMILY), phone, f"p{n}@example.org", n % 40])
    return out.getvalue().encode()


async def _import(url: str, data: bytes, rows: int) -> tuple[float, list[tuple[float, int]]]:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await runner.upgrade(engine)
        async with create_sessionmaker(engine)() as session, session.begin():
            organization = await create_organization(session, name="bench")
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
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        async with connection.transaction():
            await connection.execute("SET LOCAL session_replication_role = replica")
        return True
    except asyncpg.InsufficientPrivilegeError:
        return False
    finally:
        await connection.close()


async def _copy(url: str, data: bytes) -> float:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
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
        await connection.close()


def main(
    postgres: Annotated[str, typer.Option(help="PostgreSQL URL (the database is wiped).")],
    rows: Annotated[int, typer.Option(help="People to generate and import.")] = 1_000_000,
) -> None:
    """Print rows per second of the import and of COPY, and whether the target is met."""
    console.print(f"generating {rows:,} people")
    data = generate(rows)
    import_seconds, steps = asyncio.run(_import(postgres, data, rows))
    copy_seconds = asyncio.run(_copy(postgres, data))
    table = Table(title=f"Importing {rows:,} people ({len(data) / 1e6:.0f} MB of CSV)")
    for column in ("load", "seconds", "rows/s"):
        table.add_column(column, justify="right")
    table.add_row("phonebank import", f"{import_seconds:.1f}", f"{rows / import_seconds:,.0f}")
    table.add_row("PostgreSQL COPY", f"{copy_seconds:.1f}", f"{rows / copy_seconds:,.0f}")
    console.print(table)
    timeline = ", ".join(f"{100 * done / rows:.0f}% at {at:.1f}s" for at, done in steps)
    console.print(f"import progress: {timeline}")
    checks = "once per import" if asyncio.run(_checks_once(postgres)) else "row by row"
    console.print(f"foreign keys of the rows written checked {checks}")
    share = copy_seconds / import_seconds
    verdict = "met" if share >= TARGET_SHARE_OF_COPY else "missed"
    console.print(
        f"import rate = {share:.2f} x COPY's (target >= {TARGET_SHARE_OF_COPY:.2f}): {verdict}"
    )


if __name__ == "__main__":
    typer.run(main)
