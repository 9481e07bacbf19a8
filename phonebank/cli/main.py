"""The `phonebank` command: serve, migrate, and manage organizations and keys."""

import asyncio
import json
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank import __version__
from phonebank.auth.scopes import Scope
from phonebank.auth.service import create_service_account, issue_key
from phonebank.cli.data import export_app, import_app
from phonebank.cli.simulate import simulate
from phonebank.config import Settings, get_settings
from phonebank.db import create_engine, create_sessionmaker
from phonebank.errors import DomainError
from phonebank.kit.redaction import install_redaction
from phonebank.migrations import runner
from phonebank.organizations.service import create_organization, get_organization

app = typer.Typer(help="Phonebank: an open-source outbound calling server.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(apikey_app, name="apikey")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.command()(simulate)
console = Console(stderr=True)
T = TypeVar("T")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"phonebank {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Phonebank: an open-source outbound calling server."""


def check_port_free(host: str, port: int) -> None:
    """Exit with a clear message when nothing could listen on host:port (taken, or no such
    interface), before anything is printed as ready."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the server will: a port left in TIME_WAIT by a previous run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            console.print(
                f"[red]error:[/red] cannot listen on {host}:{port}: {error.strerror}. "
                "Stop what uses it, or choose another port with --port "
                "(`make run PORT=8080`)."
            )
            raise typer.Exit(code=1) from None


def run_in_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed unit of work on the configured database."""

    async def main() -> T:
        engine = create_engine(get_settings().database_url)
        try:
            async with create_sessionmaker(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except DomainError as error:
        console.print(f"[red]error:[/red] {error.detail}")
        raise typer.Exit(code=1) from None


async def _upgrade(url: str) -> None:
    engine = create_engine(url)
    try:
        await runner.upgrade(engine)
    finally:
        await engine.dispose()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the configured database."""
    asyncio.run(_upgrade(get_settings().database_url))
    console.print("[green]database is up to date[/green]")


def _parse_scopes(raw: str) -> list[Scope]:
    try:
        return [Scope(part.strip()) for part in raw.split(",") if part.strip()]
    except ValueError as error:
        known = ", ".join(scope.value for scope in Scope)
        raise typer.BadParameter(f"{error}; known scopes: {known}") from None


@app.command()
def bootstrap(
    org: Annotated[str, typer.Option(help="Name of the new organization.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Create an organization with an admin service account, and print its API key once."""

    async def work(session: AsyncSession) -> dict[str, str]:
        organization = await create_organization(session, name=org)
        account = await create_service_account(
            session, organization_id=organization.id, name="admin", scopes=[Scope.ADMIN]
        )
        issued = await issue_key(session, service_account=account)
        return {"organization_id": str(organization.id), "api_key": issued.token}

    result = run_in_session(work)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        console.print(f"organization [bold]{result['organization_id']}[/bold]")
        console.print(f"admin API key (shown once): [bold]{result['api_key']}[/bold]")


@apikey_app.command("create")
def apikey_create(
    org: Annotated[uuid.UUID, typer.Option(help="Organization id.")],
    scopes: Annotated[str, typer.Option(help="Comma-separated scopes, e.g. calls:read,admin")],
    name: Annotated[str, typer.Option(help="Name of the service account.")] = "cli",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Create a service account with the given scopes and print its API key once."""
    wanted = _parse_scopes(scopes)

    async def work(session: AsyncSession) -> dict[str, object]:
        organization = await get_organization(session, org)
        account = await create_service_account(
            session, organization_id=organization.id, name=name, scopes=wanted
        )
        issued = await issue_key(session, service_account=account)
        return {
            "organization_id": str(organization.id),
            "service_account_id": str(account.id),
            "scopes": account.scopes,
            "api_key": issued.token,
        }

    result = run_in_session(work)
    typer.echo(json.dumps(result) if as_json else f"API key (shown once): {result['api_key']}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[
        bool, typer.Option(help="Load the demo organization and print its key.")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="API processes to run; above 1 they share events and engines through "
            "PHONEBANK_REDIS_URL.",
        ),
    ] = 1,
) -> None:
    """Migrate the database, then serve the API, the pages and (unless turned off) the dialer."""
    import uvicorn

    from phonebank.app import create_app
    from phonebank.cli.demo import DEMO_SIMULATED_CARRIER, print_demo_banner, seed_demo
    from phonebank.kit.slow_clients import HeaderDeadlineProtocol

    settings = get_settings()
    if workers > 1 and not settings.redis_url:
        raise typer.BadParameter(
            "several API processes need PHONEBANK_REDIS_URL", param_hint="--workers"
        )
    check_port_free(host, port)
    asyncio.run(_upgrade(settings.database_url))
    if demo and settings.carrier == "simulated" and settings.simulated_carrier is None:
        # A livelier world than the realistic default, so a demo caller is not kept waiting.
        settings = settings.model_copy(update={"simulated_carrier": DEMO_SIMULATED_CARRIER})
        # The API processes read their settings from the environment.
        os.environ["PHONEBANK_SIMULATED_CARRIER"] = json.dumps(DEMO_SIMULATED_CARRIER)
    if demo:
        print_demo_banner(run_in_session(seed_demo), base_url=f"http://{host}:{port}")
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": settings.log_level,
        "ws_ping_interval": _socket_ping_seconds(settings),
        "ws_ping_timeout": _socket_ping_seconds(settings),
        # Behind a TLS proxy, the trusted proxy's headers make URLs, cookies and checks https.
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        # Slow clients: a request's headers must arrive within PHONEBANK_HEADER_TIMEOUT_SECONDS.
        "http": HeaderDeadlineProtocol,
    }
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    uvicorn.run("phonebank.app:create_app", factory=True, workers=workers, **options)


def _socket_ping_seconds(settings: Settings) -> float:
    from phonebank.dialer.presence import seen_every

    # A page whose network went leaves its WebSocket open on our side until a ping goes
    # unanswered: pinging within the presence timeout lets the dialer see the caller gone.
    return seen_every(settings.caller_presence_timeout_seconds)


@app.command()
def worker() -> None:
    """Run a dialer worker: drive started campaigns (leased, one worker each), no HTTP."""
    from phonebank.dialer.worker import run_worker

    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    install_redaction()
    asyncio.run(run_worker(settings))


if __name__ == "__main__":
    app()
