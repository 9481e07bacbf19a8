"""The migrations build the schema the models describe, and take it down again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from phonebank.db import create_engine
from phonebank.migrations import runner
from phonebank.models import Base
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
