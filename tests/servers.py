"""Real `phonebank serve` processes for tests that need the whole server (pages, crashes)."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

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
    """A running `phonebank serve --demo` on its own SQLite file."""

    database: Path
    log: Path
    world: dict[str, object] | None = None
    # Another database than the SQLite file (a PostgreSQL URL), and extra settings.
    url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

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

    def start(self) -> None:
        """Start (or restart) the server and wait until it answers."""
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
            self.process = subprocess.Popen(
                [sys.executable, "-m", "phonebank.cli.main", "serve", "--demo",
                 "--port", str(self.port)],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
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
