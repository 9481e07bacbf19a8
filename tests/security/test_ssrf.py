"""Outbound requests connect to the address that was checked, and redirects are checked too.

DNS rebinding needs a name server answering differently to two lookups; none runs here, so the
event loop's resolver is replaced by one that does (a public address first, loopback after).
"""

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from phonebank.kit import outbound
from phonebank.kit.outbound import PublicOnlyTransport
from tests.servers import free_port
from tests.webhooks.receiver import Receiver

# Stands in for a public address: loopback's 127.0.0.2, which the check is told is public.
CHECKED = "127.0.0.2"
REBOUND = "127.0.0.1"
NAME = "hooks.rebinding.test"


async def _listen(address: str, port: int, receiver: Receiver) -> asyncio.Server:
    return await asyncio.start_server(receiver._serve, address, port)


@pytest.fixture
async def rebinding_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """NAME answers CHECKED to its first lookup and REBOUND to every later one."""
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo
    answers: list[str] = []

    async def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name != NAME:
            return await real(host, port, *args, **kwargs)
        address = CHECKED if not answers else REBOUND
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 80)))]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(
        outbound,
        "_public",
        lambda address: ipaddress.ip_address(address) == ipaddress.ip_address(CHECKED),
    )
    return answers


@pytest.fixture
async def receivers() -> AsyncIterator[tuple[int, Receiver, Receiver]]:
    """The same port on the checked address and on the rebound one, each its own receiver."""
    port = free_port()
    checked, rebound = Receiver(), Receiver()
    servers = [await _listen(CHECKED, port, checked), await _listen(REBOUND, port, rebound)]
    yield port, checked, rebound
    for server in servers:
        server.close()


async def test_a_name_rebound_to_loopback_after_the_check_is_not_reached(
    rebinding_dns: list[str], receivers: tuple[int, Receiver, Receiver]
) -> None:
    port, checked, rebound = receivers
    async with httpx.AsyncClient(transport=PublicOnlyTransport(), timeout=10) as client:
        response = await client.post(f"http://{NAME}:{port}/hook", content=b"{}")
    assert response.status_code == 200
    assert rebound.requests == [], "the request went to the address of a second lookup"
    assert len(checked.requests) == 1
    assert checked.requests[0].headers["host"] == f"{NAME}:{port}"


async def test_a_redirect_to_loopback_is_checked_and_refused(rebinding_dns: list[str]) -> None:
    port = free_port()
    rebound = Receiver()
    target = await _listen(REBOUND, port, rebound)

    async def redirect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            f"HTTP/1.1 307 Moved\r\nLocation: http://{REBOUND}:{port}/feed\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        writer.close()

    mover = await asyncio.start_server(redirect, CHECKED, port)
    try:
        async with httpx.AsyncClient(
            transport=PublicOnlyTransport(), timeout=10, follow_redirects=True
        ) as client:
            with pytest.raises(httpx.ConnectError, match="not a public address"):
                await client.get(f"http://{NAME}:{port}/feed")
    finally:
        mover.close()
        target.close()
    assert rebound.requests == []
