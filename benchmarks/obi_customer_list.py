"""How long one OBI bulk upload of N customers takes, in JSON and in XML.

    python benchmarks/obi_customer_list.py --customers 10000 \
        --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/phonebank_bench
"""

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from phonebank.app import create_app
from phonebank.auth.scopes import Scope
from phonebank.auth.service import create_service_account, issue_key
from phonebank.campaigns.models import Campaign
from phonebank.db import create_engine, create_sessionmaker
from phonebank.migrations import runner
from phonebank.organizations.service import create_organization

console = Console()


def _customers(count: int, offset: int) -> list[dict[str, str]]:
    return [
        {"numbers": f"+1312{2_000_000 + offset + n:07d}", "externalId": f"{offset + n}",
         "timeZone": "America/Chicago"}
        for n in range(count)
    ]  # fmt: skip


def _xml(customers: list[dict[str, str]]) -> bytes:
    items = "".join(
        "<customer>" + "".join(f"<{k}>{v}</{k}>" for k, v in c.items()) + "</customer>"
        for c in customers
    )
    return f"<customers>{items}</customers>".encode()


async def _run(url: str, customers: int) -> dict[str, float]:
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
            campaign = Campaign(organization_id=organization.id, name="upload")
            session.add(campaign)
            await session.flush()
        app = create_app()
        app.state.sessionmaker = sessionmaker
        path = f"/obi/campaigns/{campaign.id.hex.upper()}/customers/list"
        seconds: dict[str, float] = {}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, content_type, body in [
                ("json", "application/json", json.dumps(_customers(customers, 0)).encode()),
                ("xml", "application/xml", _xml(_customers(customers, customers))),
            ]:
                started = time.perf_counter()
                response = await client.post(
                    path,
                    content=body,
                    headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
                    timeout=600,
                )
                seconds[name] = time.perf_counter() - started
                response.raise_for_status()
                codes = (
                    {item["statusCode"] for item in response.json()} if name == "json" else {201}
                )
                assert codes == {201}, codes
        return seconds
    finally:
        await engine.dispose()


def main(
    customers: Annotated[int, typer.Option(help="Customers per upload.")] = 10_000,
    postgres: Annotated[
        str | None, typer.Option(help="PostgreSQL URL of a scratch database (it is wiped).")
    ] = None,
) -> None:
    """Print the time of one JSON and one XML customer-list upload per database."""
    table = Table(title=f"POST /obi/campaigns/{{id}}/customers/list with {customers:,} customers")
    for column in ("database", "format", "seconds", "customers per second"):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as scratch:
        targets = [("sqlite", f"sqlite+aiosqlite:///{Path(scratch) / 'obi.db'}")]
        if postgres:
            targets.append(("postgresql", postgres))
        for name, url in targets:
            with console.status(f"uploading on {name}"):
                seconds = asyncio.run(_run(url, customers))
            for body_format, elapsed in seconds.items():
                table.add_row(name, body_format, f"{elapsed:.2f}", f"{customers / elapsed:,.0f}")
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
