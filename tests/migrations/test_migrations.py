"""The migrations build the schema the models describe, and take it down again."""

import uuid
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from phonebank.calls.models import Attempt, Call, Result
from phonebank.campaigns.models import Campaign
from phonebank.db import create_engine
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
