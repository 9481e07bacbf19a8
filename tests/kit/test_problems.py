"""A value the database itself refuses is the client's error (400), never a 500."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

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
