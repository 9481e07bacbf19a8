"""Run Alembic programmatically: from the CLI, from tests, and at server start."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).parent
# Indexes with a DESC column: SQLite does not report sort order, so they always look changed.
SORTED_INDEXES = frozenset({"ix_calls_queue"})


def include_object_for(dialect_name: str) -> Callable[..., bool]:
    """An Alembic `include_object` hook that hides diffs a dialect cannot see correctly."""

    def include_object(
        _object: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any
    ) -> bool:
        return not (dialect_name == "sqlite" and type_ == "index" and name in SORTED_INDEXES)

    return include_object


class BrokenLinks(RuntimeError):
    """A migration left rows pointing at rows that do not exist: nothing of it was committed."""


@contextmanager
def foreign_keys_off(connection: Connection) -> Iterator[None]:
    """On SQLite, run the block in one transaction with foreign keys off, checked before commit.

    Batch mode rebuilds a table by dropping the old one, and with foreign keys on that drop
    deletes its rows first, firing every ON DELETE rule of the tables pointing at it. Other
    databases change tables in place: there the block runs as it is.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    # The pragma is ignored inside a transaction, and ours begin with BEGIN IMMEDIATE as soon
    # as SQLAlchemy starts one: it goes to the driver's connection while none is open.
    if connection.in_transaction():
        raise RuntimeError("SQLite migrations need a connection outside any transaction")
    was_on = bool(_sqlite_pragma(connection, "PRAGMA foreign_keys"))
    _set_sqlite_foreign_keys(connection, on=False)
    try:
        with connection.begin():
            yield
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise BrokenLinks(
                    "the migration left rows linked to missing rows (table, rowid, parent): "
                    + ", ".join(f"({row[0]}, {row[1]}, {row[2]})" for row in broken[:10])
                )
    finally:
        _set_sqlite_foreign_keys(connection, on=was_on)


def _set_sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    _sqlite_pragma(connection, f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    if bool(_sqlite_pragma(connection, "PRAGMA foreign_keys")) != on:
        raise RuntimeError(f"SQLite did not turn foreign keys {'on' if on else 'off'}")


def _sqlite_pragma(connection: Connection, statement: str) -> Any:
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement)
        row = cursor.fetchone()
    finally:
        cursor.close()
    return row[0] if row else None


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database behind the engine up to `revision`."""
    await _run(engine, lambda config: command.upgrade(config, revision))


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    """Take the database behind the engine down to `revision`."""
    await _run(engine, lambda config: command.downgrade(config, revision))


async def _run(engine: AsyncEngine, action: Callable[[Config], None]) -> None:
    # A connection outside any transaction: the environment opens it (see `foreign_keys_off`).
    async with engine.connect() as connection:

        def run(sync_connection: Any) -> None:
            config = alembic_config()
            config.attributes["connection"] = sync_connection
            action(config)

        await connection.run_sync(run)
        await connection.commit()
