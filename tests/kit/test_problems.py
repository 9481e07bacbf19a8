"""A value the database itself refuses is the client's error (400), never a 500."""

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from phonebank.config import get_settings
from phonebank.db import create_engine
from phonebank.kit.problems import install_problem_handlers
from phonebank.osdi.hal import install_osdi_errors


def _app(engine: AsyncEngine) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    install_osdi_errors(app)

    async def store(value: int) -> dict[str, int]:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT CAST(:value AS smallint)"), {"value": value})
        return {"value": value}

    app.get("/api/v1/store")(store)
    app.get("/osdi/v1/store")(store)
    return app


async def test_a_value_out_of_the_databases_range_is_a_400(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite stores any integer in any column")
    transport = httpx.ASGITransport(app=_app(engine), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/api/v1/store?value=7")).status_code == 200
        native = await client.get("/api/v1/store?value=99999")
        osdi = await client.get("/osdi/v1/store?value=99999")
    assert native.status_code == 400
    assert native.headers["content-type"] == "application/problem+json"
    assert "cannot be stored" in native.json()["detail"]
    assert osdi.status_code == 400
    assert osdi.json()["osdi:error"]["response_code"] == 400


async def test_a_write_that_outwaits_sqlites_lock_is_a_503_to_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two engines on one SQLite file: the second writer gives up, and the client is told to
    come back, not that the server failed."""
    # A short wait, so the test does not sit out the production one.
    monkeypatch.setenv("PHONEBANK_SQLITE_BUSY_TIMEOUT_SECONDS", "0.2")
    get_settings.cache_clear()
    url = f"sqlite+aiosqlite:///{tmp_path}/busy.db"
    holder, waiter = create_engine(url), create_engine(url)
    app = FastAPI()
    install_problem_handlers(app)

    async def write() -> dict[str, bool]:
        async with waiter.connect() as connection:
            await connection.exec_driver_sql("PRAGMA busy_timeout=0")
            await connection.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
        return {"written": True}

    app.post("/api/v1/write")(write)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with (
            holder.connect() as connection,
            httpx.AsyncClient(transport=transport, base_url="http://test") as client,
        ):
            await connection.execute(text("CREATE TABLE held (x INTEGER)"))  # the write lock
            answer = await client.post("/api/v1/write")
    finally:
        await holder.dispose()
        await waiter.dispose()
        get_settings.cache_clear()  # the settings of the environment again, for other tests
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "10"
