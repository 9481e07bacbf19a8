"""`phonebank import people` and `phonebank export results`: lists in and out in bulk."""

import asyncio
import json
import sys
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.export import results_csv
from phonebank.calls.filling import fill_campaign
from phonebank.campaigns.models import Campaign
from phonebank.config import get_settings
from phonebank.db import create_engine, create_sessionmaker
from phonebank.errors import DomainError, Invalid, NotFound
from phonebank.organizations.models import Organization
from phonebank.people.importing import ImportReport, import_people, parse_mapping
from phonebank.scripts.models import Script

import_app = typer.Typer(help="Bring data in.", no_args_is_help=True)
export_app = typer.Typer(help="Take data out.", no_args_is_help=True)
console = Console(stderr=True)


async def _organization(
    session: AsyncSession, org: uuid.UUID | None, campaign: Campaign | None
) -> Organization:
    if campaign is not None:
        return await session.get_one(Organization, campaign.organization_id)
    if org is not None:
        found = await session.get(Organization, org)
        if found is None:
            raise NotFound(f"no organization {org}")
        return found
    organizations = list(await session.scalars(select(Organization).limit(2)))
    if len(organizations) != 1:
        raise Invalid("this database holds several organizations: say which with --org")
    return organizations[0]


async def _campaign(session: AsyncSession, campaign_id: uuid.UUID | None) -> Campaign | None:
    if campaign_id is None:
        return None
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id}")
    return campaign


def _run(work: Callable[[], Coroutine[Any, Any, None]]) -> None:
    try:
        asyncio.run(work())
    except DomainError as error:
        console.print(f"[red]error:[/red] {error.detail}")
        raise typer.Exit(code=1) from None


@import_app.command("people")
def import_people_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV with a header.")],
    org: Annotated[uuid.UUID | None, typer.Option(help="Organization id.")] = None,
    campaign: Annotated[uuid.UUID | None, typer.Option(help="Add them to this campaign.")] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="column=field (given_name, family_name, phone_number, "
            "email_address, custom_fields.NAME or skip); repeatable.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import people from CSV: merged by email and phone, bad rows reported, nothing else lost."""
    try:
        mapping = parse_mapping(map_ or [])
    except DomainError as error:
        raise typer.BadParameter(error.detail) from None
    data = file.read_bytes()
    total = max(0, data.count(b"\n") - 1 + (0 if data.endswith(b"\n") else 1))

    async def work() -> None:
        engine = create_engine(get_settings().database_url)
        try:
            async with create_sessionmaker(engine)() as session, session.begin():
                target = await _campaign(session, campaign)
                organization = await _organization(session, org, target)
                with Progress(
                    TextColumn("importing"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=console,
                    transient=as_json,
                ) as progress:
                    task = progress.add_task("rows", total=total)
                    report = await import_people(
                        session,
                        organization=organization,
                        data=data,
                        mapping=mapping,
                        on_progress=lambda rows: progress.update(task, completed=rows),
                        keep_person_ids=target is not None,
                    )
                added = 0
                if target is not None and report.person_ids:
                    added = (
                        await fill_campaign(session, campaign=target, person_ids=report.person_ids)
                    ).added
        finally:
            await engine.dispose()
        _print_report(report, added, as_json)

    _run(work)


def _print_report(report: ImportReport, added: int, as_json: bool) -> None:
    body = {
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "added_to_campaign": added,
        "errors": [{"row": e.row, "field": e.field, "reason": e.reason} for e in report.errors],
    }
    if as_json:
        typer.echo(json.dumps(body))
        return
    console.print(
        f"{report.rows:,} rows: [green]{report.created:,} new[/green], {report.updated:,} updated, "
        f"{added:,} added to the campaign, [red]{len(report.errors):,} refused[/red]"
    )
    for error in report.errors[:50]:
        console.print(f"  row {error.row}: {error.field}: {error.reason}")
    if len(report.errors) > 50:
        console.print(f"  ... and {len(report.errors) - 50:,} more (use --json for all)")


@export_app.command("results")
def export_results_command(
    campaign: Annotated[uuid.UUID, typer.Option(help="Campaign id.")],
    output: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
) -> None:
    """Write a campaign's results as CSV: a row per contact, a column per question."""

    async def work() -> None:
        engine = create_engine(get_settings().database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                target = await _campaign(session, campaign)
                assert target is not None
                script = await session.get(Script, target.script_id) if target.script_id else None
                questions = [q.name for q in script.questions] if script else []
                notes = [n.name for n in script.note_fields] if script else []
                sink = output.open("w", newline="") if output else sys.stdout
                try:
                    async for chunk in results_csv(session, target.id, questions, notes):
                        sink.write(chunk)
                finally:
                    if output:
                        sink.close()
        finally:
            await engine.dispose()

    _run(work)
