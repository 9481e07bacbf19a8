"""A client must send its request's headers within a timeout (tested on a real server)."""

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A `phonebank serve` process giving clients one second for their headers."""
    folder: Path = tmp_path_factory.mktemp("slow")
    running = Server(
        database=folder / "slow.db",
        log=folder / "server.log",
        env={"PHONEBANK_HEADER_TIMEOUT_SECONDS": "1", "PHONEBANK_RUN_DIALER": "false"},
    )
    running.start()
    yield running
    running.stop()


def _closed_by_server(connection: socket.socket) -> bool:
    try:
        return connection.recv(1024) == b""
    except (TimeoutError, BlockingIOError):
        return False
    except ConnectionError:
        return True


def test_headers_sent_a_byte_at_a_time_are_cut_off(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        connection.settimeout(0.5)
        closed = False
        # Twenty seconds of trickling, far past the one-second allowance.
        for _ in range(40):
            try:
                connection.sendall(b"X")
            except OSError:
                closed = True
                break
            if _closed_by_server(connection):
                closed = True
                break
        assert closed, "the server kept waiting for the headers"


def test_a_silent_connection_is_closed(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.settimeout(0.5)
        deadline = time.monotonic() + 20
        closed = False
        while time.monotonic() < deadline and not closed:
            closed = _closed_by_server(connection)
        assert closed


def test_prompt_clients_are_served(server: Server) -> None:
    for _ in range(3):
        assert httpx.get(f"{server.base_url}/healthz", timeout=10).status_code == 200
