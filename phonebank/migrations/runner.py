"""Run Alembic programmatically: from the CLI, from tests, and at server start."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
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
    async with engine.begin() as connection:

        def run(sync_connection: Any) -> None:
            config = alembic_config()
            config.attributes["connection"] = sync_connection
            action(config)

        await connection.run_sync(run)
