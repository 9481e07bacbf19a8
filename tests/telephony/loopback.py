"""Twilio on loopback: the stand-in on one port, the application's webhooks on another.

`twilio_loop(app, ...)` serves `app` with uvicorn (so the stand-in's callbacks travel real
HTTP and are checked the way Twilio's are), starts the stand-in, and sets the application's
Twilio settings to point at both: our public URL is the uvicorn address, the REST endpoint
is the stand-in's.
"""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI

from phonebank.dialer.carriers.twilio import TwilioConfig
from tests.telephony.standin import TwilioStandIn

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
CALLER_NUMBER = "+14155550000"


@dataclass
class TwilioLoop:
    """The stand-in, the served application's URL, and the carrier settings joining them."""

    standin: TwilioStandIn
    public_url: str
    config: TwilioConfig

    def options(self) -> dict[str, Any]:
        """The carrier options (as `make_carrier` takes them)."""
        return {name: getattr(self.config, name) for name in self.config.__dataclass_fields__}


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """Serve `app` on a free loopback port (no lifespan: the test owns the app's state)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
    )
    task = asyncio.ensure_future(server.serve(sockets=[listener]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        listener.close()


@asynccontextmanager
async def twilio_loop(app: FastAPI, **standin_settings: Any) -> AsyncIterator[TwilioLoop]:
    """The application served, the stand-in started, and the app's Twilio settings set."""
    standin = TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN, **standin_settings)
    api_base = await standin.start()
    try:
        async with served(app) as public_url:
            config = TwilioConfig(
                account_sid=ACCOUNT_SID,
                auth_token=AUTH_TOKEN,
                caller_number=CALLER_NUMBER,
                public_url=public_url,
                api_base=api_base,
            )
            app.state.twilio = config
            yield TwilioLoop(standin, public_url, config)
    finally:
        await standin.stop()
