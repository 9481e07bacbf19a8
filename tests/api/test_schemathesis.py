"""Generated requests against every face operation of a real server: never a 5xx, and every
answer as the OpenAPI document describes it (status, content type, body, headers)."""

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text
from sqlalchemy.engine import make_url

from phonebank.app import create_app
from phonebank.db import create_engine
from tests.servers import Server

FACES = r"^/(api|osdi|obi|tapraise|telephony)/"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Path parameters that name objects, and the native collection holding such objects.
ID_SOURCES = {
    "person_id": "/people",
    "campaign_id": "/campaigns",
    "campaignId": "/campaigns",
    "phone_bank_id": "/campaigns",
    "list_id": "/lists",
    "tag_id": "/tags",
    "script_id": "/scripts",
    "call_id": "/calls",
    "call_uuid": "/calls",
    "customerId": "/calls",
    "caller_id": "/callers",
    "group_id": "/caller_groups",
    "message_id": "/messages",
}
# Filled once the server runs: real ids, so generated requests also reach past the lookups.
KNOWN_IDS: dict[str, str] = {}

# The coverage phase (every boundary of every parameter) triples the run time; the examples and
# fuzzing phases find the same kinds of faults within the suite's budget.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(create_app().openapi(), config=CONFIG).include(
    path_regex=FACES
)


@schema.hook("flatmap_path_parameters")
def real_ids(_context: Any, path_parameters: dict[str, Any]) -> Any:
    """Half the cases name generated ids, half the server's own objects."""
    known = {name: KNOWN_IDS[name] for name in path_parameters or {} if name in KNOWN_IDS}
    if not known:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, **known}])


async def _fresh_database(url: str) -> str:
    """A database of its own beside the suite's (the server commits what it is sent)."""
    suite = make_url(url)
    own = suite.set(database=f"{suite.database}_api")
    engine = create_engine(suite.set(database="postgres").render_as_string(hide_password=False))
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            name = own.database
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`phonebank serve --demo` with its demo data, no dialer and no rate limit."""
    directory = tmp_path_factory.mktemp("schemathesis")
    suite_url = os.environ.get("PHONEBANK_TEST_DATABASE_URL", "")
    url = asyncio.run(_fresh_database(suite_url)) if suite_url.startswith("postgres") else None
    server = Server(
        directory / "api.db",
        directory / "server.log",
        url=url,
        env={
            "PHONEBANK_RUN_DIALER": "false",
            "PHONEBANK_RATE_LIMIT_PER_MINUTE": "0",
            "PHONEBANK_LOG_LEVEL": "warning",
            # Session plans small enough to answer well within a case's timeout.
            "PHONEBANK_PLANNING_TIME_LIMIT_SECONDS": "3",
            "PHONEBANK_PLANNING_DIALS_PER_MODE": "100",
        },
    )
    server.start()
    with server.api() as api:
        for name, collection in ID_SOURCES.items():
            items = api.get(f"/api/v1{collection}", params={"per_page": 1}).json()["items"]
            if items:
                KNOWN_IDS[name] = items[0]["id"]
    try:
        yield server
    finally:
        server.stop()
        assert "Traceback" not in Path(server.log).read_text(), server.log.read_text()


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_as_documented(case: Case, server: Server) -> None:
    headers = {"Authorization": f"Bearer {server.api_key}"}
    case.call_and_validate(base_url=server.base_url, headers=headers, checks=CHECKS, timeout=30)


def test_the_document_covers_every_face() -> None:
    paths = create_app().openapi()["paths"]
    for prefix in ("/api/v1/", "/osdi/v1/", "/obi/", "/tapraise/"):
        assert any(path.startswith(prefix) for path in paths), prefix
    assert len(list(schema.get_all_operations())) > 150


def test_a_generated_case_reaches_the_server(server: Server) -> None:
    response = httpx.get(f"{server.base_url}/openapi.json", timeout=10)
    assert response.status_code == 200
    assert "Problem" in response.json()["components"]["schemas"]
