"""A TLS-terminating reverse proxy for tests: HTTPS in front, plain HTTP to one server behind,
adding `X-Forwarded-Proto: https` and `X-Forwarded-For` as nginx or a load balancer would.

It connects to the server from its own address (`source`), so the server can be told to trust
exactly that proxy. Runs its event loop in a thread, for synchronous tests and browsers.
"""

import asyncio
import contextlib
import shutil
import ssl
import subprocess
import threading
from pathlib import Path

from tests.servers import free_port


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1 and its key, made with openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("openssl is needed to make a test certificate")
    cert, key = directory / "proxy.crt", directory / "proxy.key"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


class TlsProxy:
    """HTTPS on `port`, forwarding to `backend_port` from the address `source`."""

    def __init__(self, cert: Path, key: Path, backend_port: int, source: str) -> None:
        self.port = free_port()
        self.backend_port = backend_port
        self.source = source
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None

    @property
    def base_url(self) -> str:
        """Where clients reach the server through the proxy."""
        return f"https://localhost:{self.port}"

    def start(self) -> None:
        """Listen."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)

    def stop(self) -> None:
        """Stop listening and end the loop."""

        async def close() -> None:
            if self._server is not None:
                self._server.close()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", self.port, ssl=self.context
        )

    async def _serve(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        peer = client_out.get_extra_info("peername")[0]
        try:
            backend_in, backend_out = await asyncio.open_connection(
                "127.0.0.1", self.backend_port, local_addr=(self.source, 0)
            )
        except OSError:
            client_out.close()
            return
        answers = asyncio.create_task(self._pipe(backend_in, client_out))
        try:
            while True:
                head = await client_in.readuntil(b"\r\n\r\n")
                request_line, _, rest = head.partition(b"\r\n")
                kept = [
                    line for line in rest.split(b"\r\n")
                    if line and not line.lower().startswith(b"x-forwarded-")
                ]  # fmt: skip
                length, upgrade = 0, False
                for line in kept:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                    upgrade = upgrade or name.strip().lower() == b"upgrade"
                forwarded = [b"X-Forwarded-Proto: https", b"X-Forwarded-For: " + peer.encode()]
                backend_out.write(b"\r\n".join([request_line, *kept, *forwarded]) + b"\r\n\r\n")
                if length:
                    backend_out.write(await client_in.readexactly(length))
                await backend_out.drain()
                if upgrade:  # a WebSocket: from here on, frames both ways
                    await self._pipe(client_in, backend_out)
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            backend_out.close()
            with contextlib.suppress(Exception):
                await answers
            client_out.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        with contextlib.suppress(Exception):
            writer.close()
