"""An in-memory SQLite database for simulations, called without a thread hop.

The async SQLite driver runs every call on a worker thread and wakes the event loop for each
result; that hand-off costs far more than an in-memory query. A simulation owns its loop and
its database, so here each call runs inline on the loop's thread instead. Never use this for
a server: a slow query would stall every request.
"""

import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

# Prepared statements kept per connection. Batched writes bind lists of varying length, and
# each length is a statement of its own: the default (128) would evict the hot statements.
CACHED_STATEMENTS = 4096


class _RunInline:
    """Stands in for aiosqlite's queue to its worker thread: runs each call at once."""

    def put_nowait(self, item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:  # handed to the awaiting caller, as the thread would
            if future is not None and not future.done():
                future.set_exception(error)
            return
        if future is not None and not future.done():
            future.set_result(result)


class _InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run on the calling thread."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunInline()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # no worker thread to start


def _open(image: bytes | None) -> sqlite3.Connection:
    connection = sqlite3.connect(
        ":memory:", check_same_thread=False, cached_statements=CACHED_STATEMENTS
    )
    if image is not None:
        connection.deserialize(image)
    return connection


def create_memory_engine(image: bytes | None = None) -> AsyncEngine:
    """An engine on a private in-memory SQLite database, for one simulation; it starts as a
    copy of `image` (from `serialize`) when one is given."""
    from phonebank.db import configure_sqlite

    async def connect() -> aiosqlite.Connection:
        return await _InlineConnection(lambda: _open(image))

    engine = create_async_engine("sqlite+aiosqlite://", async_creator=connect, poolclass=StaticPool)
    configure_sqlite(engine)
    return engine


async def serialize(engine: AsyncEngine) -> bytes:
    """The whole database of a memory engine as bytes, to start other engines from."""
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        inline: Any = raw.driver_connection
        image: bytes = inline._conn.serialize()
        return image
