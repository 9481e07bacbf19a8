"""`phonebank import people` and `phonebank export results` on a database file of their own."""

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from phonebank.campaigns.models import Campaign
from phonebank.cli.main import app
from phonebank.config import get_settings
from phonebank.db import create_engine, create_sessionmaker

CSV = "first name,last name,mobile,email\nAda,Lovelace,415 555 2671,ada@example.org\nBo,X,12,\n"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite file with one organization; yields its id."""
    monkeypatch.setenv("PHONEBANK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    made = runner.invoke(app, ["bootstrap", "--org", "CLI org", "--json"])
    yield json.loads(made.stdout)["organization_id"]
    get_settings.cache_clear()


def test_import_reports_bad_rows_and_merges_on_a_second_run(database: str, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(CSV)
    runner = CliRunner()
    first = runner.invoke(app, ["import", "people", str(source), "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout.strip().splitlines()[-1])
    assert report["rows"] == 2 and report["created"] == 1
    assert report["errors"] == [
        {"row": 3, "field": "phone_number", "reason": "'12' is not a valid phone number"}
    ]
    second = json.loads(
        runner.invoke(app, ["import", "people", str(source), "--json"]).stdout.splitlines()[-1]
    )
    assert second["created"] == 0 and second["updated"] == 1
    unknown = runner.invoke(app, ["import", "people", str(source), "--org", str(uuid.uuid4())])
    assert unknown.exit_code == 1 and "no organization" in unknown.output


def test_export_writes_the_header_and_refuses_unknown_campaigns(
    database: str, tmp_path: Path
) -> None:
    async def make_campaign() -> uuid.UUID:
        engine = create_engine(get_settings().database_url)
        async with create_sessionmaker(engine)() as session, session.begin():
            campaign = Campaign(organization_id=uuid.UUID(database), name="Export")
            session.add(campaign)
            await session.flush()
            campaign_id = campaign.id
        await engine.dispose()
        return campaign_id

    campaign_id = asyncio.run(make_campaign())
    target = tmp_path / "results.csv"
    runner = CliRunner()
    done = runner.invoke(
        app, ["export", "results", "--campaign", str(campaign_id), "--output", str(target)]
    )
    assert done.exit_code == 0, done.output
    assert target.read_text().splitlines()[0].startswith("result_id,saved_at,call_id")
    missing = runner.invoke(app, ["export", "results", "--campaign", str(uuid.uuid4())])
    assert missing.exit_code == 1
