"""The migrations build the schema the models describe, and take it down again."""

import uuid
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Uuid, column, insert, inspect, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.sql.expression import ColumnClause

from phonebank.calls.models import Attempt, Call, Result
from phonebank.campaigns.models import Campaign
from phonebank.db import JSONType, UTCDateTime, create_engine
from phonebank.migrations import runner
from phonebank.models import Base
from phonebank.organizations.models import Organization
from phonebank.people.models import Person
from tests.conftest import database_url_for, reset_database


@pytest.fixture
async def scratch_engine(tmp_path: object, engine: AsyncEngine) -> AsyncEngine:
    """A separate SQLite file, or the shared PostgreSQL database (rebuilt after)."""
    if engine.dialect.name == "postgresql":
        return engine
    return create_engine(database_url_for(str(tmp_path)))


async def test_upgrade_matches_models_and_downgrade_empties(scratch_engine: AsyncEngine) -> None:
    await reset_database(scratch_engine)
    await runner.upgrade(scratch_engine)
    async with scratch_engine.connect() as connection:
        tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    assert set(Base.metadata.tables) <= tables
    async with scratch_engine.connect() as connection:
        drift = await connection.run_sync(
            lambda c: compare_metadata(
                MigrationContext.configure(
                    c, opts={"include_object": runner.include_object_for(c.dialect.name)}
                ),
                Base.metadata,
            )
        )
    assert drift == [], f"models and migrations differ: {drift}"
    await runner.downgrade(scratch_engine, "base")
    async with scratch_engine.connect() as connection:
        left = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    assert left <= {"alembic_version"}
    await runner.upgrade(scratch_engine)


async def _call_with_result(engine: AsyncEngine) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A call with one dialed attempt and the result saved for it: (call, attempt, result)."""
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    async with sessionmaker() as session, session.begin():
        organization = Organization(name="Migrated")
        session.add(organization)
        await session.flush()
        campaign = Campaign(organization_id=organization.id, name="Migrated campaign")
        person = Person(organization_id=organization.id, given_name="Contact")
        session.add_all([campaign, person])
        await session.flush()
        call = Call(
            organization_id=organization.id,
            campaign_id=campaign.id,
            person_id=person.id,
            numbers=["+12125550100"],
            next_number="+12125550100",
            next_call_at=datetime(2026, 3, 3, tzinfo=UTC),
        )
        session.add(call)
        await session.flush()
        attempt = Attempt(call_id=call.id, campaign_id=campaign.id, outcome="human")
        session.add(attempt)
        await session.flush()
        result = Result(
            call_id=call.id, campaign_id=campaign.id, attempt_id=attempt.id, disposition="yes"
        )
        session.add(result)
        await session.flush()
        return call.id, attempt.id, result.id


async def _add_attempt(engine: AsyncEngine, call_id: uuid.UUID, outcome: str) -> uuid.UUID:
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    async with sessionmaker() as session, session.begin():
        call = await session.get_one(Call, call_id)
        attempt = Attempt(call_id=call_id, campaign_id=call.campaign_id, outcome=outcome)
        session.add(attempt)
        await session.flush()
        return attempt.id


async def _outcomes_and_link(
    engine: AsyncEngine, result_id: uuid.UUID
) -> tuple[list[str | None], uuid.UUID | None]:
    async with engine.connect() as connection:
        outcomes = (await connection.scalars(select(Attempt.outcome).order_by(Attempt.id))).all()
        link = await connection.scalar(select(Result.attempt_id).where(Result.id == result_id))
    return sorted(outcomes, key=str), link


async def test_skipped_outcome_comes_and_goes_keeping_attempts_and_their_results(
    scratch_engine: AsyncEngine,
) -> None:
    await reset_database(scratch_engine)
    await runner.upgrade(scratch_engine, "0008_dialer_leases")
    try:
        call_id, attempt_id, result_id = await _call_with_result(scratch_engine)
        with pytest.raises(IntegrityError):
            await _add_attempt(scratch_engine, call_id, "skipped")

        await runner.upgrade(scratch_engine, "0009_skipped_attempt_outcome")
        await _add_attempt(scratch_engine, call_id, "skipped")
        # SQLite rebuilds the table to change its check: the result keeps its attempt.
        assert await _outcomes_and_link(scratch_engine, result_id) == (
            ["human", "skipped"],
            attempt_id,
        )
        with pytest.raises(IntegrityError):
            await _add_attempt(scratch_engine, call_id, "shrugged")

        await runner.downgrade(scratch_engine, "0008_dialer_leases")
        assert await _outcomes_and_link(scratch_engine, result_id) == (
            ["human", "not_dialed"],
            attempt_id,
        )
        with pytest.raises(IntegrityError):
            await _add_attempt(scratch_engine, call_id, "skipped")
    finally:
        await reset_database(scratch_engine)
        await runner.upgrade(scratch_engine)


_NOW = datetime(2026, 3, 3, 12, tzinfo=UTC)
_STAMPS = {"created_at": _NOW, "modified_at": _NOW}
# The rows an existing database holds, with the columns of revision 0001, and the links
# (foreign keys) each one keeps.
_LINKS = {
    "organizations": ["id"],
    "callers": ["id", "organization_id"],
    "campaigns": ["id", "organization_id"],
    "people": ["id", "organization_id"],
    "calls": ["id", "organization_id", "campaign_id", "person_id"],
    "attempts": ["id", "call_id", "campaign_id", "caller_id"],
    "caller_sessions": ["id", "caller_id", "campaign_id", "current_call_id"],
    "results": ["id", "call_id", "campaign_id", "attempt_id", "caller_id"],
    "webhook_subscriptions": ["id", "organization_id"],
    "webhook_deliveries": ["id", "subscription_id"],
}


def _rows_of_0001() -> dict[str, dict[str, object]]:
    org, caller, campaign, person, call, attempt, session, result, hook, delivery = (
        uuid.uuid4() for _ in range(10)
    )
    return {
        "organizations": {
            "id": org,
            "name": "Existing",
            "max_call_attempts": 3,
            "default_country": "US",
            "default_time_zone": "America/New_York",
            **_STAMPS,
        },
        "callers": {
            "id": caller,
            "organization_id": org,
            "name": "Caller",
            "phones_only": False,
            "is_supervisor": False,
            "active": True,
            **_STAMPS,
        },
        "campaigns": {
            "id": campaign,
            "organization_id": org,
            "name": "Existing campaign",
            "status": "started",
            "dialing_mode": "power",
            "daily_start_hour": 9,
            "daily_stop_hour": 21,
            "time_zone": "America/New_York",
            "retry_count": 2,
            "retry_delay_busy_seconds": 600,
            "retry_delay_no_answer_seconds": 3600,
            "retry_delay_machine_seconds": 3600,
            "retry_delay_failed_seconds": 3600,
            "retry_delay_abandoned_seconds": 600,
            "abandon_rate_target": 3.0,
            "ring_timeout_seconds": 30,
            "power_ratio": 1.0,
            **_STAMPS,
        },
        "people": {
            "id": person,
            "organization_id": org,
            "given_name": "Contact",
            "languages_spoken": [],
            "custom_fields": {},
            **_STAMPS,
        },
        "calls": {
            "id": call,
            "organization_id": org,
            "campaign_id": campaign,
            "person_id": person,
            "status": "requested",
            "type": "happy_call",
            "numbers": ["+12125550100"],
            "next_number_index": 0,
            "priority": 0,
            "attributes": {},
            "attempts_count": 1,
            "requested_at": _NOW,
            **_STAMPS,
        },
        "attempts": {
            "id": attempt,
            "call_id": call,
            "campaign_id": campaign,
            "caller_id": caller,
            "number": "+12125550100",
            "attempted_at": _NOW,
            "outcome": "human",
        },
        "caller_sessions": {
            "id": session,
            "organization_id": org,
            "caller_id": caller,
            "campaign_id": campaign,
            "state": "connected",
            "state_since": _NOW,
            "started_at": _NOW,
            "current_call_id": call,
        },
        "results": {
            "id": result,
            "call_id": call,
            "campaign_id": campaign,
            "attempt_id": attempt,
            "caller_id": caller,
            "disposition": "yes",
            "notes": {},
            **_STAMPS,
        },
        "webhook_subscriptions": {
            "id": hook,
            "organization_id": org,
            "url": "https://example.org/hook",
            "events": ["attempt.completed"],
            "secret": "secret",
            "active": True,
            **_STAMPS,
        },
        "webhook_deliveries": {
            "id": delivery,
            "subscription_id": hook,
            "event": "attempt.completed",
            "payload": {},
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": _NOW,
            "created_at": _NOW,
        },
    }


def _column(name: str, value: object) -> ColumnClause[object]:
    if isinstance(value, uuid.UUID):
        return column(name, Uuid())
    if isinstance(value, datetime):
        return column(name, UTCDateTime())
    if isinstance(value, list | dict):
        return column(name, JSONType)
    return column(name)


async def _insert_rows(engine: AsyncEngine, rows: dict[str, dict[str, object]]) -> None:
    async with engine.begin() as connection:
        for name, values in rows.items():
            columns = [_column(key, value) for key, value in values.items()]
            await connection.execute(insert(table(name, *columns)).values(values))


async def _links(engine: AsyncEngine) -> dict[str, list[tuple[object, ...]]]:
    async with engine.connect() as connection:
        return {
            name: sorted(
                (
                    await connection.execute(
                        select(*table(name, *(column(key, Uuid()) for key in keys)).c)
                    )
                ).all(),
                key=str,
            )
            for name, keys in _LINKS.items()
        }


async def test_upgrades_keep_existing_rows_and_their_links(scratch_engine: AsyncEngine) -> None:
    await reset_database(scratch_engine)
    script = ScriptDirectory.from_config(runner.alembic_config())
    revisions = [revision.revision for revision in reversed(list(script.walk_revisions()))]
    await runner.upgrade(scratch_engine, revisions[0])
    try:
        await _insert_rows(scratch_engine, _rows_of_0001())
        before = await _links(scratch_engine)
        assert all(len(rows) == 1 for rows in before.values())
        # One revision at a time, so a failure names the migration that lost something.
        for revision in revisions[1:]:
            await runner.upgrade(scratch_engine, revision)
            assert await _links(scratch_engine) == before, f"{revision} lost or unlinked rows"
        if scratch_engine.dialect.name == "sqlite":
            async with scratch_engine.connect() as connection:
                assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        await reset_database(scratch_engine)
        await runner.upgrade(scratch_engine)


async def test_sqlite_migrations_run_with_foreign_keys_off_and_fail_on_broken_links(
    tmp_path: object,
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/links.db")
    async with engine.begin() as connection:
        await connection.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        await connection.exec_driver_sql(
            "CREATE TABLE child (id INTEGER PRIMARY KEY,"
            " parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE)"
        )
        await connection.exec_driver_sql("INSERT INTO parent VALUES (1)")
        await connection.exec_driver_sql("INSERT INTO child VALUES (1, 1)")

    def rebuild_parent(connection: Connection) -> int:
        with runner.foreign_keys_off(connection):
            connection.exec_driver_sql("CREATE TABLE new_parent (id INTEGER PRIMARY KEY)")
            connection.exec_driver_sql("INSERT INTO new_parent SELECT id FROM parent")
            connection.exec_driver_sql("DROP TABLE parent")
            connection.exec_driver_sql("ALTER TABLE new_parent RENAME TO parent")
            off: int = connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one()
        return off

    def break_link(connection: Connection) -> None:
        with runner.foreign_keys_off(connection):
            connection.exec_driver_sql("DELETE FROM parent")

    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(rebuild_parent) == 0
            assert await connection.scalar(text("SELECT count(*) FROM child")) == 1
            await connection.rollback()
            with pytest.raises(runner.BrokenLinks, match="child"):
                await connection.run_sync(break_link)
            # Nothing of the failed block was kept, and foreign keys are back on.
            assert await connection.scalar(text("SELECT count(*) FROM parent")) == 1
            assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
            # Inside a transaction the pragma would be ignored: refused instead.
            with pytest.raises(RuntimeError, match="outside any transaction"):
                await connection.run_sync(break_link)
    finally:
        await engine.dispose()
