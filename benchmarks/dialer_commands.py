"""What a caller action costs when the engine runs in another process: Redis round trips.

Times the same command (`view`, what every page refresh asks) carried out in process and sent
through Redis to a dialer's command server (one holder lookup in the database, one push, one
blocking pop), on SQLite or PostgreSQL.

    python benchmarks/dialer_commands.py --redis redis://127.0.0.1:6379/5 --count 2000
"""

import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from phonebank.campaigns.models import Campaign
from phonebank.db import create_engine, create_sessionmaker, utcnow
from phonebank.dialer.carriers.simulated import SimulatedCarrier, SimulatedCarrierConfig
from phonebank.dialer.commands import LocalLink
from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.models import DialerLease
from phonebank.dialer.remote import CommandClient, CommandServer, RemoteLink
from phonebank.dialer.service import DialerService
from phonebank.migrations import runner
from phonebank.organizations.service import create_organization

console = Console()


async def _run(url: str, redis_url: str, count: int) -> dict[str, list[float]]:
    engine = create_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await runner.upgrade(engine)
        sessionmaker = create_sessionmaker(engine)
        service = DialerService(sessionmaker)
        async with sessionmaker() as session, session.begin():
            organization = await create_organization(session, name="bench")
            campaign = Campaign(organization_id=organization.id, name="bench", status="paused")
            session.add(campaign)
            await session.flush()
            now = utcnow()
            session.add(
                DialerLease(
                    campaign_id=campaign.id,
                    owner=service.owner,
                    token=1,
                    acquired_at=now,
                    heartbeat=now,
                    expires_at=now + timedelta(hours=1),
                )
            )
        carrier = SimulatedCarrier(service.clock, SimulatedCarrierConfig())
        dialer = CampaignDialer(
            sessionmaker=sessionmaker, clock=service.clock, carrier=carrier, campaign_id=campaign.id
        )
        await dialer.start()
        session_id = uuid.uuid4()
        dialer.join(session_id, uuid.uuid4())
        service.dialers[campaign.id] = dialer
        server = CommandServer(redis_url, service)
        await server.start()
        client = CommandClient(redis_url)
        links = {
            "in process": LocalLink(dialer),
            "through Redis": RemoteLink(client, sessionmaker, campaign.id),
        }
        timings: dict[str, list[float]] = {}
        try:
            for name, link in links.items():
                await link.ask("view", session_id)  # warm up connections
                timings[name] = []
                for _ in range(count):
                    started = time.perf_counter()
                    await link.ask("view", session_id)
                    timings[name].append(time.perf_counter() - started)
        finally:
            await server.stop()
            await client.close()
            dialer.running = False
        return timings
    finally:
        await engine.dispose()


def main(
    redis: Annotated[str, typer.Option(help="Redis URL.")] = "redis://127.0.0.1:6379/0",
    count: Annotated[int, typer.Option(help="Commands per path.")] = 1000,
    postgres: Annotated[str | None, typer.Option(help="PostgreSQL URL (wiped).")] = None,
) -> None:
    """Print the round trip of a caller command, in process and through Redis."""
    with tempfile.TemporaryDirectory() as tmp:
        url = postgres or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        timings = asyncio.run(_run(url, redis, count))
    table = Table(title=f"caller command `view`, {count} times ({url.split(':')[0]})")
    for column in ("path", "median ms", "p95 ms", "per second"):
        table.add_column(column, justify="right")
    for name, seconds in timings.items():
        ordered = sorted(seconds)
        table.add_row(
            name,
            f"{statistics.median(ordered) * 1000:.2f}",
            f"{ordered[int(len(ordered) * 0.95)] * 1000:.2f}",
            f"{len(ordered) / sum(ordered):,.0f}",
        )
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
