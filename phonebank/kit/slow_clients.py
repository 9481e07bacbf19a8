"""A deadline for a request's headers: a client that trickles them (or sends nothing) is cut
off, so slow clients cannot hold connections open for as long as they like.

uvicorn closes idle keep-alive connections, but once a byte of a request has arrived it waits
for the rest of the headers for ever; this protocol gives them `header_timeout_seconds`.
"""

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from phonebank.config import get_settings


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol, closing connections whose headers do not arrive in time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read here, not passed in: uvicorn's worker processes get the class by name.
        self.header_timeout = get_settings().header_timeout_seconds
        self._header_deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection must send its first request's headers in time."""
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        """Each further request on the connection gets the same allowance."""
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        """The headers are in: the request is served however long it takes."""
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        """Nothing left to time out."""
        self._disarm()
        super().connection_lost(exc)
