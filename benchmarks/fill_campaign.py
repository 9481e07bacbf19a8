"""How long one request takes to fill a campaign from a list of N people.

    python benchmarks/fill_campaign.py --people 100000 \
        --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/phonebank_bench
"""

import asyncio
import tempfile
import time
import uuid
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, text

from phonebank.app import create_app
from phonebank.auth.scopes import Scope
from phonebank.auth.service import create_service_account, issue_key
from phonebank.campaigns.models import Campaign
from phonebank.db import create_engine, create_sessionmaker
from phonebank.lists.models import ListItem, PersonList
from phonebank.migrations import runner
from phonebank.organizations.service import create_organization
from phonebank.people.models import Person, PhoneNumber

CHUNK = 5_000
console = Console()


async def _run(url: str, people: int) -> tuple[float, dict[str, int]]:
    engine = create_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await runner.upgrade(engine)
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as session, session.begin():
            organization = await create_organization(session, name="bench")
            account = await create_service_account(
                session, organization_id=organization.id, name="bench", scopes=[Scope.ADMIN]
            )
            token = (await issue_key(session, service_account=account)).token
            person_list = PersonList(organization_id=organization.id, name="everyone")
            campaign = Campaign(organization_id=organization.id, name="fill")
            session.add_all([person_list, campaign])
            await session.flush()
            for start in range(0, people, CHUNK):
                ids = [uuid.uuid4() for _ in range(min(CHUNK, people - start))]
                await session.execute(
                    insert(Person),
                    [{"id": i, "organization_id": organization.id, "given_name": "B"} for i in ids],
                )
                await session.execute(
                    insert(PhoneNumber),
                    [
                        {
                            "person_id": person_id,
                            "organization_id": organization.id,
                            "number": f"+1212{(start + n) % 10_000_000:07d}",
                            "primary": True,
                            "time_zones": ["America/New_York"],
                        }
                        for n, person_id in enumerate(ids)
                    ],
                )
                await session.execute(
                    insert(ListItem), [{"list_id": person_list.id, "person_id": i} for i in ids]
                )
        app = create_app()
        app.state.sessionmaker = sessionmaker
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            started = time.perf_counter()
            response = await client.post(
                f"/api/v1/campaigns/{campaign.id}/calls",
                json={"list_id": str(person_list.id)},
                headers={"Authorization": f"Bearer {token}"},
                timeout=600,
            )
            elapsed = time.perf_counter() - started
        response.raise_for_status()
        return elapsed, response.json()
    finally:
        await engine.dispose()


def main(
    people: Annotated[int, typer.Option(help="People on the list.")] = 100_000,
    postgres: Annotated[
        str | None, typer.Option(help="PostgreSQL URL of a scratch database (it is wiped).")
    ] = None,
) -> None:
    """Print the time of one bulk-add request per database."""
    table = Table(title=f"POST /campaigns/{{id}}/calls with a list of {people:,} people")
    for column in ("database", "seconds", "calls added", "calls per second"):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as scratch:
        targets = [("sqlite", f"sqlite+aiosqlite:///{Path(scratch) / 'fill.db'}")]
        if postgres:
            targets.append(("postgresql", postgres))
        for name, url in targets:
            with console.status(f"filling on {name}"):
                elapsed, result = asyncio.run(_run(url, people))
            table.add_row(
                name, f"{elapsed:.2f}", f"{result['added']:,}", f"{result['added'] / elapsed:,.0f}"
            )
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
