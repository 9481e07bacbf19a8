"""Alembic environment: runs on a connection handed in, or on the configured async engine."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from phonebank.config import get_settings
from phonebank.db import create_engine
from phonebank.migrations.runner import foreign_keys_off, include_object_for
from phonebank.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    # On SQLite, every migration runs with foreign keys off: rebuilding a table must not
    # delete or unlink the rows of the tables pointing at it.
    with foreign_keys_off(connection):
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object_for(connection.dialect.name),
        )
        with context.begin_transaction():
            context.run_migrations()


async def _run_on_engine(url: str) -> None:
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    asyncio.run(_run_on_engine(url))
