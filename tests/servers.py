"""Real `phonebank serve` and `phonebank worker` processes for tests of the whole server."""

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis

# A simulated world where every contact answers within a second or two and talks long, so a
# caller is connected at once and decides when the call ends.
FAST_WORLD = {
    "human_share": 1.0,
    "machine_share": 0.0,
    "busy_share": 0.0,
    "no_answer_share": 0.0,
    "failed_share": 0.0,
    "human_ring_mean_seconds": 1.0,
    "human_ring_min_seconds": 0.3,
    "ringing_seconds": [0.1, 0.2],
    "talk_mean_seconds": 900.0,
}


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running `phonebank serve --demo`: on its own SQLite file, or on `url` with `env`."""

    database: Path
    log: Path
    world: dict[str, object] | None = None
    # Another database than the SQLite file (a PostgreSQL URL), and extra settings.
    url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    # Another database than the SQLite file (PostgreSQL), and more settings.
    url: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        """Where it answers."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        """Its database."""
        return self.url or f"sqlite+aiosqlite:///{self.database}"

    @property
    def api_key(self) -> str:
        """The admin key the last start printed."""
        keys = re.findall(r"Admin API key \(new at every start\): (pb_\S+)", self.log.read_text())
        assert keys, self.log.read_text()
        return str(keys[-1])

    def api(self) -> httpx.Client:
        """A client with the demo's admin key."""
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {self.api_key}"}, timeout=10
        )

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "PHONEBANK_DATABASE_URL": self.database_url,
            "COLUMNS": "300",
            **self.env,
        }
        env.pop("PHONEBANK_TEST_DATABASE_URL", None)
        if self.world is not None:
            env["PHONEBANK_SIMULATED_CARRIER"] = json.dumps(self.world)
        with self.log.open("a") as output:
            return subprocess.Popen(
                [sys.executable, "-m", "phonebank.cli.main", *args],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def start(self) -> None:
        """Start (or restart) the server and wait until it answers."""
        self.process = self._spawn("serve", "--demo", "--port", str(self.port))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.3)
        raise RuntimeError(f"server did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        """Kill the process at once, as a crash would (no shutdown runs)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the process the polite way."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Worker(Server):
    """A running `phonebank worker`: dials, serves no HTTP."""

    def start(self) -> None:
        """Start (or restart) the worker and wait until it runs."""
        before = self.log.read_text().count("dialer worker") if self.log.exists() else 0
        self.process = self._spawn("worker")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited:\n{self.log.read_text()}")
            if self.log.exists() and self.log.read_text().count("dialer worker") > before:
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker did not start:\n{self.log.read_text()}")

    @property
    def owner(self) -> str:
        """The name on the leases it holds (from its log)."""
        names = re.findall(r"dialer worker (\S+) started", self.log.read_text())
        assert names, self.log.read_text()
        return str(names[-1])


def _redis_answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


# Tests of several processes run on PostgreSQL (the suite's database server) with Redis.
TEST_REDIS_URL = os.environ.get("PHONEBANK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
_TEST_DATABASE_URL = os.environ.get("PHONEBANK_TEST_DATABASE_URL", "")
needs_redis = pytest.mark.skipif(
    not _redis_answers(TEST_REDIS_URL), reason="needs Redis at PHONEBANK_TEST_REDIS_URL"
)
needs_postgres_and_redis = pytest.mark.skipif(
    not _TEST_DATABASE_URL.startswith("postgresql") or not _redis_answers(TEST_REDIS_URL),
    reason="needs PHONEBANK_TEST_DATABASE_URL on PostgreSQL and Redis",
)


@dataclass
class Postgres:
    """A scratch PostgreSQL database beside the suite's, for processes to share."""

    url: str

    @classmethod
    def beside_test_database(cls, suffix: str) -> "Postgres":
        """An empty database named after the suite's, created if missing."""
        base, name = _TEST_DATABASE_URL.rsplit("/", 1)
        database = cls(f"{base}/{name}_{suffix}")

        async def create() -> None:
            admin = await asyncpg.connect(_plain(f"{base}/postgres"))
            try:
                if not await admin.fetchval(
                    "SELECT 1 FROM pg_database WHERE datname = $1", f"{name}_{suffix}"
                ):
                    await admin.execute(f'CREATE DATABASE "{name}_{suffix}"')
            finally:
                await admin.close()

        asyncio.run(create())
        database.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        return database

    def execute(self, statement: str) -> None:
        """Run statements."""

        async def run() -> None:
            connection = await asyncpg.connect(_plain(self.url))
            try:
                await connection.execute(statement)
            finally:
                await connection.close()

        asyncio.run(run())

    def rows(self, query: str, *args: object) -> list[tuple[Any, ...]]:
        """The rows of a query."""

        async def run() -> list[tuple[Any, ...]]:
            connection = await asyncpg.connect(_plain(self.url))
            try:
                return [tuple(row) for row in await connection.fetch(query, *args)]
            finally:
                await connection.close()

        return asyncio.run(run())


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@dataclass
class CallerClient:
    """A logged-in caller with an open session, acting through one server's caller API."""

    http: httpx.Client
    csrf: dict[str, str]
    session_url: str = ""

    @classmethod
    def log_in(cls, base_url: str, email: str, password: str) -> "CallerClient":
        """Log in and join the first campaign offered."""
        http = httpx.Client(base_url=base_url, timeout=15)
        login = http.post("/api/v1/caller/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.text
        caller = cls(http, {"X-CSRF-Token": login.json()["csrf_token"]})
        campaign_id = http.get("/api/v1/caller/campaigns").json()[0]["id"]
        joined = http.post(
            "/api/v1/caller/sessions", json={"campaign_id": campaign_id}, headers=caller.csrf
        )
        assert joined.status_code == 201, joined.text
        caller.session_url = f"/api/v1/caller/sessions/{joined.json()['id']}"
        return caller

    def view(self) -> dict[str, Any]:
        """The session as the caller's page sees it (saying the page is there, as pages do)."""
        self.http.post(f"{self.session_url}/heartbeat", headers=self.csrf)
        response = self.http.get(self.session_url)
        return dict(response.json()) if response.status_code == 200 else {}

    def state(self) -> str:
        """The session's state as the engine sees it."""
        return str(self.view().get("state"))

    def take_a_call(self, log: Path | Callable[[], Path], seconds: float = 90.0) -> str:
        """Wait for a contact, hang up, save a result; the call's id."""
        contact: dict[str, Any] = {}
        last: dict[str, Any] = {}

        def connected() -> bool:
            view = self.view()
            last.clear()
            last.update(view)
            contact.update(view.get("contact") or {})
            return view.get("state") == "connected" and bool(view.get("contact"))

        def gathered() -> Path:
            # The session as last seen, ahead of the logs: where a caller was left waiting.
            path = log if isinstance(log, Path) else log()
            path.write_text(f"last view of {self.session_url}: {last}\n{path.read_text()}")
            return path

        wait_for("a connection", connected, gathered, seconds)
        call_id = str(contact["call_id"])
        hung_up = self.http.post(f"{self.session_url}/hangup", headers=self.csrf)
        assert hung_up.status_code == 200, hung_up.text
        wait_for("wrap-up", lambda: self.state() == "wrap_up", log, seconds)
        saved = self.http.post(
            f"{self.session_url}/result", json={"disposition": "completed"}, headers=self.csrf
        )
        assert saved.status_code == 201, saved.text
        return call_id


def wait_for(
    what: str, check: Callable[[], bool], log: Path | Callable[[], Path], seconds: float = 90.0
) -> None:
    """Poll `check` until it holds; fail with the end of the log (or of what `log` gathers)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    text = (log if isinstance(log, Path) else log()).read_text()
    raise AssertionError(f"timed out waiting for {what}; log:\n{text[-6000:]}")
