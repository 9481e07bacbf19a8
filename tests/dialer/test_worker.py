"""Dialer workers as real processes on PostgreSQL and Redis: the production layout.

Two API processes (`phonebank serve` without a dialer) and two `phonebank worker` processes share
one database and one Redis. Callers act through either API process; the campaign is driven by
whichever worker holds its lease. A worker killed with SIGKILL loses the campaign to the other
within the lease's expiry; a worker killed and restarted settles what it left open.
"""

import itertools
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from phonebank.cli.demo import DEMO_CALLER_EMAIL, DEMO_CALLER_PASSWORD
from phonebank.dialer.leases import LEASE_SECONDS
from tests.servers import (
    FAST_WORLD,
    TEST_REDIS_URL,
    CallerClient,
    Postgres,
    Server,
    Worker,
    needs_postgres_and_redis,
    wait_for,
)

pytestmark = needs_postgres_and_redis

# Most contacts answer after a short ring and talk long, so dials are always in flight. Few ring
# out: each costs the 20 s ring timeout, and a run of them would keep a caller waiting past the
# test's patience by chance alone (half of them did, about one run in ten).
WORLD = {**FAST_WORLD, "human_share": 0.8, "no_answer_share": 0.2, "human_ring_mean_seconds": 3.0}
SECOND_CALLER = ("second.caller@demo.phonebank.org", "second-caller-password")
# Dials of a dead worker's campaign start again within this long (the lease's expiry, then
# the next discovery and the first pacing decision).
TAKEOVER_SECONDS = 10.0


class Layout:
    """API processes and dialer workers on one scratch database."""

    def __init__(self, tmp_path: Path, apis: int, workers: int) -> None:
        self.database = Postgres.beside_test_database("processes")
        env = {
            "PHONEBANK_REDIS_URL": TEST_REDIS_URL,
            "PHONEBANK_RUN_DIALER": "false",
            "PHONEBANK_RUN_WEBHOOKS": "false",
        }
        self.apis = [
            Server(tmp_path / "unused.db", tmp_path / f"api{n}.log", WORLD, url=self.database.url,
                   env=env)
            for n in range(apis)
        ]  # fmt: skip
        self.workers = [
            Worker(tmp_path / "unused.db", tmp_path / f"worker{n}.log", WORLD,
                   url=self.database.url, env=env)
            for n in range(workers)
        ]  # fmt: skip
        self.log = tmp_path / "all.log"

    def start(self) -> None:
        """The API processes one after the other (the first migrates), then the workers."""
        for process in [*self.apis, *self.workers]:
            process.start()

    def stop(self) -> None:
        """Stop every process politely."""
        for process in [*self.workers, *self.apis]:
            process.stop()

    def logs(self) -> Path:
        """Every process's log in one file, for failure messages."""
        self.log.write_text(
            "\n".join(
                f"===== {p.log.name}\n{p.log.read_text()[-3000:]}"
                for p in [*self.apis, *self.workers]
                if p.log.exists()
            )
        )
        return self.log

    def rows(self, query: str, *args: object) -> list[tuple[object, ...]]:
        """Rows of the shared database."""
        return self.database.rows(query, *args)

    def lease_owner(self) -> str | None:
        """Who holds the demo campaign's lease now."""
        rows = self.rows("SELECT owner FROM dialer_leases WHERE expires_at > now()")
        return str(rows[0][0]) if rows else None

    def open_attempts(self) -> set[str]:
        """Attempts placed and not ended."""
        return {str(row[0]) for row in self.rows("SELECT id FROM attempts WHERE outcome IS NULL")}


@pytest.fixture
def layout(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Layout]:
    """The processes the test asks for (`apis`, `workers`), stopped afterwards."""
    apis, workers = request.param
    running = Layout(tmp_path, apis, workers)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def _add_second_caller(layout: Layout) -> None:
    with layout.apis[0].api() as admin:
        groups = admin.get("/api/v1/caller_groups").json()
        group_id = next(g["id"] for g in groups["items"] if g["name"] == "Demo callers")
        email, password = SECOND_CALLER
        made = admin.post(
            "/api/v1/callers",
            json={"name": "Second", "email": email, "password": password,
                  "caller_group_id": group_id},
        )  # fmt: skip
        assert made.status_code == 201, made.text


def _check_no_overlap(layout: Layout) -> None:
    # No call (and no number) ever had two attempts open at the same time.
    for key in ("call_id", "number"):
        attempts = layout.rows(
            f"SELECT {key}, attempted_at, ended_at FROM attempts "
            f"WHERE outcome IS DISTINCT FROM 'not_dialed' ORDER BY {key}, attempted_at"
        )
        for before, after in itertools.pairwise(attempts):
            if before[0] == after[0]:
                assert before[2] is not None and before[2] <= after[1], (key, before, after)


@pytest.mark.parametrize("layout", [(2, 2)], indirect=True)
def test_a_killed_worker_loses_its_campaign_to_the_other_within_the_lease(
    layout: Layout,
) -> None:
    _add_second_caller(layout)
    first_api, second_api = layout.apis
    alice = CallerClient.log_in(first_api.base_url, DEMO_CALLER_EMAIL, DEMO_CALLER_PASSWORD)
    bob = CallerClient.log_in(second_api.base_url, *SECOND_CALLER)
    saved = [caller.take_a_call(layout.logs) for caller in (alice, bob)]

    owner = layout.lease_owner()
    victim = next(w for w in layout.workers if w.owner == owner)
    survivor = next(w for w in layout.workers if w is not victim)
    wait_for("a dial in flight", lambda: bool(layout.open_attempts()), layout.logs)
    victim.kill()
    [(killed_at,)] = layout.rows("SELECT now()")
    open_at_kill = layout.open_attempts()
    assert open_at_kill, "the kill should leave dials open"

    wait_for(
        "the survivor to dial",
        lambda: (
            layout.lease_owner() == survivor.owner
            and bool(layout.rows("SELECT 1 FROM attempts WHERE attempted_at > $1", killed_at))
        ),
        layout.logs,
        seconds=60,
    )
    [(first_new_dial,)] = layout.rows(
        "SELECT min(attempted_at) FROM attempts WHERE attempted_at > $1", killed_at
    )
    takeover = (first_new_dial - killed_at).total_seconds()
    print(f"first dial after the kill: {takeover:.1f} s (lease {LEASE_SECONDS:.0f} s)")
    assert takeover <= TAKEOVER_SECONDS
    # Every dial the dead worker left open ended as interrupted when the survivor took over.
    settled = layout.rows(
        "SELECT outcome, cause FROM attempts WHERE id = ANY($1::uuid[])", list(open_at_kill)
    )
    assert settled and {tuple(row) for row in settled} == {("failed", "interrupted")}

    # Both callers go on through their API processes, now served by the survivor.
    saved += [caller.take_a_call(layout.logs) for caller in (alice, bob)]
    survivor.stop()  # a clean stop ends what it dials and gives the lease up
    assert layout.rows("SELECT count(*) FROM dialer_leases") == [(0,)]
    assert layout.open_attempts() == set()
    _check_no_overlap(layout)
    results = layout.rows(
        "SELECT r.call_id::text, c.status FROM results r JOIN calls c ON c.id = r.call_id"
    )
    assert sorted(results) == sorted((call_id, "completed") for call_id in saved)


@pytest.mark.parametrize("layout", [(1, 1)], indirect=True)
def test_a_worker_killed_mid_campaign_restarts_with_every_attempt_settled(
    layout: Layout,
) -> None:
    [api], [worker] = layout.apis, layout.workers
    caller = CallerClient.log_in(api.base_url, DEMO_CALLER_EMAIL, DEMO_CALLER_PASSWORD)
    call_id = caller.take_a_call(layout.logs)
    wait_for("a dial in flight", lambda: bool(layout.open_attempts()), layout.logs)
    worker.kill()
    open_before = layout.open_attempts()
    assert open_before, "the crash should leave dials open"

    worker.start()
    wait_for(
        "the open dials to be settled",
        lambda: not open_before & layout.open_attempts(),
        layout.logs,
        seconds=60,
    )
    settled = layout.rows(
        "SELECT outcome, cause FROM attempts WHERE id = ANY($1::uuid[])", list(open_before)
    )
    assert {tuple(row) for row in settled} == {("failed", "interrupted")}
    # The caller is taken back by the restarted worker and goes on calling.
    second_call = caller.take_a_call(layout.logs)
    _check_no_overlap(layout)
    results = layout.rows(
        "SELECT r.call_id::text, r.disposition, c.status FROM results r "
        "JOIN calls c ON c.id = r.call_id"
    )
    assert sorted(results) == sorted(
        [(call_id, "completed", "completed"), (second_call, "completed", "completed")]
    )

    with api.api() as admin:
        campaign_id = admin.get("/api/v1/campaigns").json()["items"][0]["id"]
        figures = admin.get(f"/api/v1/campaigns/{campaign_id}/live").json()
    [(dials,)] = layout.rows(
        "SELECT count(*) FROM attempts WHERE outcome IS NULL "
        "OR outcome NOT IN ('not_dialed', 'rejected')"
    )
    assert figures["dials"] <= dials  # dials placed after the figures were read may add up
    assert figures["contacts"] >= 2


@pytest.mark.parametrize("layout", [(1, 1)], indirect=True)
def test_a_session_ended_while_its_dialer_cannot_hear_is_never_reopened(
    layout: Layout, tmp_path: Path
) -> None:
    [api] = layout.apis
    # An API process cut off from the dialers (as in a Redis outage): its commands go to a
    # Redis database no dialer reads, so the dialer never hears of what it ends.
    base, _ = TEST_REDIS_URL.rsplit("/", 1)
    cut_off = Server(
        tmp_path / "unused.db", tmp_path / "cut-off.log", WORLD, url=layout.database.url,
        env={"PHONEBANK_REDIS_URL": f"{base}/15", "PHONEBANK_RUN_DIALER": "false",
             "PHONEBANK_RUN_WEBHOOKS": "false"},
    )  # fmt: skip
    cut_off.start()
    try:
        caller = CallerClient.log_in(api.base_url, DEMO_CALLER_EMAIL, DEMO_CALLER_PASSWORD)
        session_id = caller.session_url.rsplit("/", 1)[1]
        caller.take_a_call(layout.logs)  # the caller is available again, and the dialer dials
        with cut_off.api() as admin:
            kicked = admin.post(f"/api/v1/caller_sessions/{session_id}/kick")
        assert kicked.status_code == 200, kicked.text
        [(kicked_at,)] = layout.rows("SELECT now()")
        # More than enough for the next person to answer (every contact answers within seconds).
        time.sleep(12)

        [(state, ended_at, reason, caller_id)] = layout.rows(
            "SELECT state, ended_at, end_reason, caller_id FROM caller_sessions WHERE id = $1",
            uuid.UUID(session_id),
        )
        assert (state, reason) == ("ended", "kicked")
        assert ended_at is not None and ended_at <= kicked_at
        # Nobody was put through to the kicked caller once the dialer could read the record.
        ghosts = layout.rows(
            "SELECT id FROM attempts WHERE caller_id = $1 AND bridged_at > $2",
            caller_id,
            kicked_at + timedelta(seconds=3),
        )
        assert ghosts == [], layout.logs().read_text()[-4000:]
        assert caller.state() == "ended"
    finally:
        cut_off.stop()
