"""The API under load: many concurrent clients on a mixed read/write load against a real
`phonebank serve` on PostgreSQL; prints requests/s, p50 and p99 latency and errors.

    python benchmarks/api_load.py --seconds 60 --clients 200
    python benchmarks/api_load.py --processes 2 --postgres postgresql+asyncpg://...

The database is emptied and rebuilt (migrations, then the demo organization and `--people`
more people). The server runs without the dialer, the webhook worker and the rate limit, as
an API process of the production layout does (docs/deployment.md). With `--processes N` it
runs N API processes (`phonebank serve --workers N`, sharing Redis). The load generator
shares the machine with the server: on few cores its own CPU use lowers the figures.
"""

import asyncio
import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from phonebank.cli.demo import seed_demo
from phonebank.db import create_engine, create_sessionmaker
from phonebank.migrations import runner
from phonebank.organizations.models import Organization
from phonebank.people.schemas import PersonCreate
from phonebank.people.service import create_person

DEFAULT_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:5432/phonebank_bench"
console = Console(width=120)


async def prepare(url: str, people: int) -> str:
    """An empty database, migrated, with the demo organization and more people: its key."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await runner.upgrade(engine)
        async with create_sessionmaker(engine)() as session, session.begin():
            login = await seed_demo(session)
            organization = await session.get(Organization, uuid.UUID(login.organization_id))
            assert organization is not None
            for index in range(people):
                data = {
                    "given_name": f"Person {index}",
                    "family_name": "Load",
                    "phone_numbers": [{"number": f"+1212555{index % 10000:04d}"}],
                }
                await create_person(
                    session, organization=organization, data=PersonCreate.model_validate(data)
                )
        return login.api_key
    finally:
        await engine.dispose()


def start_server(
    url: str, redis: str, port: int, processes: int, log: Path
) -> subprocess.Popen[bytes]:
    """The API processes, answering on `port` once this returns."""
    env = {
        **os.environ,
        "PHONEBANK_DATABASE_URL": url,
        "PHONEBANK_RUN_DIALER": "false",
        "PHONEBANK_RUN_WEBHOOKS": "false",
        "PHONEBANK_RATE_LIMIT_PER_MINUTE": "0",
        "PHONEBANK_LOG_LEVEL": "warning",
        # Several API processes share their events and rate limits through Redis.
        "PHONEBANK_REDIS_URL": redis,
    }
    command = [sys.executable, "-m", "phonebank.cli.main", "serve", "--port", str(port)]
    command += ["--workers", str(processes)]
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"server did not start:\n{log.read_text()}")


@dataclass
class Tally:
    """Latencies and errors, by kind of request."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)


@dataclass
class World:
    """What the clients pick from: ids known to exist."""

    people: list[str]
    campaign: str


Request = Callable[[httpx.AsyncClient, World, random.Random], Awaitable[httpx.Response]]


async def list_people(client: httpx.AsyncClient, world: World, rng: random.Random) -> Any:
    return await client.get("/api/v1/people", params={"page": rng.randint(1, 8)})


async def get_person(client: httpx.AsyncClient, world: World, rng: random.Random) -> Any:
    return await client.get(f"/api/v1/people/{rng.choice(world.people)}")


async def create_a_person(client: httpx.AsyncClient, world: World, rng: random.Random) -> Any:
    number = f"+1202555{rng.randint(0, 9999):04d}"
    body = {"given_name": "Load", "family_name": "Client", "phone_numbers": [{"number": number}]}
    response = await client.post("/api/v1/people", json=body)
    if response.status_code == 201:
        world.people.append(response.json()["id"])
    return response


async def list_calls(client: httpx.AsyncClient, world: World, rng: random.Random) -> Any:
    return await client.get("/api/v1/calls", params={"page": rng.randint(1, 4)})


async def campaign_figures(client: httpx.AsyncClient, world: World, rng: random.Random) -> Any:
    return await client.get(f"/api/v1/campaigns/{world.campaign}/live")


async def get_campaign(client: httpx.AsyncClient, world: World, rng: random.Random) -> Any:
    return await client.get(f"/api/v1/campaigns/{world.campaign}")


async def list_campaigns(client: httpx.AsyncClient, world: World, rng: random.Random) -> Any:
    return await client.get("/api/v1/campaigns")


async def list_tags(client: httpx.AsyncClient, world: World, rng: random.Random) -> Any:
    return await client.get("/api/v1/tags")


# The mix: what share of the requests each kind is.
MIX: list[tuple[str, Request, int]] = [
    ("list people", list_people, 25),
    ("get person", get_person, 20),
    ("create person", create_a_person, 10),
    ("list calls", list_calls, 15),
    ("campaign live figures", campaign_figures, 10),
    ("get campaign", get_campaign, 10),
    ("list campaigns", list_campaigns, 5),
    ("list tags", list_tags, 5),
]


async def client_loop(
    client: httpx.AsyncClient, world: World, tally: Tally, deadline: float, seed: int
) -> None:
    """One client: requests back to back until the deadline."""
    rng = random.Random(seed)
    names = [name for name, _, _ in MIX]
    calls = {name: request for name, request, _ in MIX}
    weights = [weight for _, _, weight in MIX]
    while time.monotonic() < deadline:
        name = rng.choices(names, weights)[0]
        started = time.perf_counter()
        try:
            response = await calls[name](client, world, rng)
        except httpx.HTTPError as error:
            tally.errors[f"{name}: {type(error).__name__}"] += 1
            continue
        tally.latencies[name].append(time.perf_counter() - started)
        if response.status_code >= 400:
            tally.errors[f"{name}: HTTP {response.status_code}"] += 1


async def run_load(base_url: str, key: str, clients: int, seconds: float) -> tuple[Tally, float]:
    """`clients` concurrent clients for `seconds`; the tally and the measured wall time."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=30
    ) as client:
        people = (await client.get("/api/v1/people", params={"per_page": 100})).json()["items"]
        campaigns = (await client.get("/api/v1/campaigns")).json()["items"]
        world = World([person["id"] for person in people], campaigns[0]["id"])
        tally = Tally()
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(client_loop(client, world, tally, deadline, seed) for seed in range(clients))
        )
        return tally, time.monotonic() - started


def percentile(values: list[float], share: float) -> float:
    """The value under which `share` of `values` lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(tally: Tally, wall: float, clients: int, processes: int) -> dict[str, Any]:
    """Print the table; return the overall figures."""
    table = Table(title=f"{clients} clients, {processes} API process(es), {wall:.0f} s")
    for column in ("request", "count", "req/s", "p50 ms", "p99 ms"):
        table.add_column(column, justify="left" if column == "request" else "right")
    everything: list[float] = []
    for name, _, _ in MIX:
        values = tally.latencies.get(name, [])
        everything += values
        table.add_row(
            name,
            str(len(values)),
            f"{len(values) / wall:.0f}",
            f"{percentile(values, 0.5) * 1000:.0f}",
            f"{percentile(values, 0.99) * 1000:.0f}",
        )
    figures = {
        "requests": len(everything),
        "requests_per_second": round(len(everything) / wall, 1),
        "p50_ms": round(percentile(everything, 0.5) * 1000, 1),
        "p99_ms": round(percentile(everything, 0.99) * 1000, 1),
        "errors": sum(tally.errors.values()),
    }
    table.add_row(
        "all",
        str(figures["requests"]),
        f"{figures['requests_per_second']:.0f}",
        f"{figures['p50_ms']:.0f}",
        f"{figures['p99_ms']:.0f}",
        style="bold",
    )
    console.print(table)
    console.print(f"errors: {figures['errors']} {dict(tally.errors) or ''}")
    return figures


def main(
    seconds: Annotated[float, typer.Option(help="How long the load runs.")] = 60.0,
    clients: Annotated[int, typer.Option(help="Concurrent clients.")] = 200,
    processes: Annotated[int, typer.Option(help="API processes of the server.")] = 1,
    people: Annotated[int, typer.Option(help="People added beside the demo's.")] = 2000,
    postgres: Annotated[str, typer.Option(help="The database (emptied first).")] = (
        DEFAULT_DATABASE
    ),
    redis: Annotated[str, typer.Option(help="Redis the API processes share.")] = (
        "redis://127.0.0.1:6379/0"
    ),
    port: Annotated[int, typer.Option(help="Where the server listens.")] = 8790,
    log: Annotated[Path, typer.Option(help="The server's output.")] = Path("api_load.log"),
) -> None:
    """Load a real server with concurrent clients and print the figures."""
    console.print(f"preparing {postgres.rsplit('/', 1)[-1]} ...")
    key = asyncio.run(prepare(postgres, people))
    server = start_server(postgres, redis, port, processes, log)
    try:
        cpu_before, client_before = _server_cpu(server.pid), time.process_time()
        tally, wall = asyncio.run(run_load(f"http://127.0.0.1:{port}", key, clients, seconds))
        cpu = _server_cpu(server.pid) - cpu_before
        client_cpu = time.process_time() - client_before
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    figures = report(tally, wall, clients, processes)
    figures["server_cpu_seconds"] = round(cpu, 1)
    # When this nears the wall time, the load generator, not the server, sets the pace.
    figures["client_cpu_seconds"] = round(client_cpu, 1)
    # Steadier than requests/s on a shared machine: what one CPU second of the server serves.
    figures["requests_per_server_cpu_second"] = round(figures["requests"] / max(cpu, 0.01), 1)
    console.print(json.dumps(figures))


def _server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server process and its children (Linux /proc)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        process_id, parent = int(stat.parent.name), int(fields[1])
        if process_id == pid or parent == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


if __name__ == "__main__":
    typer.run(main)
