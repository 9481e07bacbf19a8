"""Requests to client-chosen URLs never reach the server's own network unless allowed."""

import httpx
import pytest

from phonebank.kit.outbound import PublicOnlyTransport


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:9/hook",
        "http://192.168.0.10/hook",
    ],
)
async def test_private_destinations_are_refused(url: str) -> None:
    async with httpx.AsyncClient(transport=PublicOnlyTransport()) as client:
        with pytest.raises(httpx.ConnectError, match="not a public address"):
            await client.post(url, content=b"{}")
