"""On SQLite a large import makes other writes wait, not fail, and /healthz stays 200."""

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import Server

ROWS = 100_000


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A `phonebank serve` process on its own SQLite file."""
    running = Server(
        database=tmp_path / "imports.db",
        log=tmp_path / "server.log",
        env={"PHONEBANK_RUN_DIALER": "false", "PHONEBANK_RATE_LIMIT_PER_MINUTE": "0"},
    )
    running.start()
    yield running
    running.stop()


def _csv() -> bytes:
    rows = ["First Name,Phone"]
    rows += [f"Person {n},+1415{200 + n // 10_000:03d}{n % 10_000:04d}" for n in range(ROWS)]
    return ("\n".join(rows) + "\n").encode()


def test_writes_wait_for_a_large_import_and_health_stays_up(server: Server) -> None:
    body = _csv()
    imported: list[httpx.Response] = []

    def run_import() -> None:
        with server.api() as api:
            api.timeout = httpx.Timeout(600)
            imported.append(
                api.post("/api/v1/people/import", files={"file": ("p.csv", body, "text/csv")})
            )

    worker = threading.Thread(target=run_import)
    worker.start()
    health: list[int] = []
    writes: list[int] = []
    with server.api() as api:
        api.timeout = httpx.Timeout(600)
        while worker.is_alive():
            health.append(httpx.get(f"{server.base_url}/healthz", timeout=600).status_code)
            created = api.post("/api/v1/campaigns", json={"name": f"During {len(writes)}"})
            writes.append(created.status_code)
    worker.join()
    assert imported and imported[0].status_code == 200, imported[0].text if imported else None
    assert imported[0].json()["created"] == ROWS
    assert len(writes) > 1  # the writes overlapped the import
    assert set(health) == {200}, health
    assert set(writes) == {201}, writes
