"""HTTP requests Phonebank makes to addresses its clients give (webhooks, numbers feeds).

A client's URL must not reach the server's own network: loopback, private, link-local and
other reserved addresses are refused at connect time (after DNS), unless
`PHONEBANK_ALLOW_PRIVATE_WEBHOOKS` is set for a deployment whose receivers live inside.

The name is resolved once: the connection goes to the address that was checked (the URL's
host is replaced by it, the `Host` header and TLS server name keep the name), so a name that
answers a public address to the check and a private one to the connect (DNS rebinding) gets
nowhere. Every redirect comes back through the transport and is checked the same way.
"""

import asyncio
import ipaddress
import socket

import httpx

from phonebank.config import get_settings


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


class PublicOnlyTransport(httpx.AsyncBaseTransport):
    """Sends requests only to hosts whose every address is public, to the address checked."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Refuse a private destination; send the rest to the very address checked."""
        host = request.url.host
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, request.url.port or 443, type=socket.SOCK_STREAM
            )
        except OSError as error:
            raise httpx.ConnectError(f"cannot resolve {host}: {error}", request=request) from None
        addresses = {str(info[4][0]) for info in infos}
        if not addresses or not all(_public(address) for address in addresses):
            raise httpx.ConnectError(
                f"refused: {host} is not a public address (set PHONEBANK_ALLOW_PRIVATE_WEBHOOKS "
                "to deliver inside your network)",
                request=request,
            )
        # Pin the connection to a checked address; the name stays in Host (set when the
        # request was built) and in the TLS server name, so certificates still verify.
        pinned = str(infos[0][4][0]).split("%", 1)[0]
        request.url = request.url.copy_with(host=pinned)
        request.extensions = {**request.extensions, "sni_hostname": host}
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the connections."""
        await self._inner.aclose()


def outbound_client(*, timeout_seconds: float, follow_redirects: bool = False) -> httpx.AsyncClient:
    """A client for URLs that clients of Phonebank chose."""
    transport = None if get_settings().allow_private_webhooks else PublicOnlyTransport()
    return httpx.AsyncClient(
        timeout=timeout_seconds, follow_redirects=follow_redirects, transport=transport
    )
