"""`kill -9` of the single-process server in the middle of a running campaign, then a restart.

No call is dialed twice at once, every placed attempt ends with an outcome (`interrupted` where
the process died), the result a caller saved is still there, and the figures agree with the
attempts.
"""

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from phonebank.cli.demo import DEMO_CALLER_EMAIL, DEMO_CALLER_PASSWORD
from tests.servers import FAST_WORLD, Server

# Most contacts answer after a short ring, so dials are always in flight; few ring out (each
# costs the 20 s ring timeout, and a run of them could outlast the test's patience by chance).
WORLD = {**FAST_WORLD, "human_share": 0.8, "no_answer_share": 0.2, "human_ring_mean_seconds": 3.0}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A demo server with a mixed, quick world."""
    running = Server(database=tmp_path / "crash.db", log=tmp_path / "server.log", world=WORLD)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _rows(database: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(query).fetchall()


def _wait_for(what: str, check: Callable[[], bool], log: Path, seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; server log:\n{log.read_text()[-3000:]}")


def test_a_killed_server_restarts_with_every_attempt_settled(server: Server) -> None:
    caller = httpx.Client(base_url=server.base_url, timeout=10)
    login = caller.post(
        "/api/v1/caller/login", json={"email": DEMO_CALLER_EMAIL, "password": DEMO_CALLER_PASSWORD}
    ).json()
    csrf = {"X-CSRF-Token": login["csrf_token"]}
    campaign_id = caller.get("/api/v1/caller/campaigns").json()[0]["id"]
    session_id = caller.post(
        "/api/v1/caller/sessions", json={"campaign_id": campaign_id}, headers=csrf
    ).json()["id"]
    url = f"/api/v1/caller/sessions/{session_id}"

    _wait_for("a connection", lambda: caller.get(url).json()["state"] == "connected", server.log)
    call_id = caller.get(url).json()["contact"]["call_id"]
    caller.post(f"{url}/hangup", headers=csrf)
    _wait_for("wrap-up", lambda: caller.get(url).json()["state"] == "wrap_up", server.log)
    saved = caller.post(f"{url}/result", json={"disposition": "completed"}, headers=csrf)
    assert saved.status_code == 201, saved.text
    # The caller takes the next call: let dials go out, then crash mid-flight.
    _wait_for(
        "a dial in flight",
        lambda: bool(_rows(server.database, "SELECT 1 FROM attempts WHERE outcome IS NULL")),
        server.log,
    )
    server.kill()
    open_before = _rows(server.database, "SELECT id FROM attempts WHERE outcome IS NULL")
    assert open_before, "the crash should leave dials open"

    server.start()
    _wait_for(
        "the open dials to be settled",
        lambda: all(
            _rows(server.database, f"SELECT outcome FROM attempts WHERE id = '{attempt_id}'")[0][0]
            for (attempt_id,) in open_before
        ),
        server.log,
    )
    settled = _rows(
        server.database,
        "SELECT outcome, cause FROM attempts WHERE id IN ({})".format(
            ",".join(f"'{attempt_id}'" for (attempt_id,) in open_before)
        ),
    )
    assert {cause for _, cause in settled} <= {"interrupted"}
    twice = _rows(
        server.database,
        "SELECT call_id FROM attempts WHERE outcome IS NULL GROUP BY call_id HAVING count(*) > 1",
    )
    assert twice == []
    result = _rows(
        server.database,
        f"SELECT r.disposition, c.status FROM results r JOIN calls c ON c.id = r.call_id "
        f"WHERE c.id = '{call_id.replace('-', '')}'",
    )
    assert result == [("completed", "completed")]

    with server.api() as api:
        figures = api.get(f"/api/v1/campaigns/{campaign_id}/live").json()
    [(dials,)] = _rows(
        server.database,
        f"SELECT count(*) FROM attempts WHERE campaign_id = '{campaign_id.replace('-', '')}' "
        "AND (outcome IS NULL OR outcome NOT IN ('not_dialed', 'rejected'))",
    )
    assert figures["dials"] <= dials  # dials placed after the figures were read may add up
    assert figures["contacts"] >= 1
