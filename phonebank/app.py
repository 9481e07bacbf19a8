"""The ASGI application: every face mounted over one set of services."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.types import ASGIApp, Receive, Scope, Send

from phonebank import __version__
from phonebank.api.router import router as api_router
from phonebank.calling.live import BusNotifier
from phonebank.config import Settings, get_settings
from phonebank.db import create_engine, create_sessionmaker
from phonebank.dialer.carriers.twilio import TwilioConfig
from phonebank.dialer.service import DialerService
from phonebank.events.bus import InMemoryBus
from phonebank.kit.problems import install_problem_handlers
from phonebank.kit.urls import set_base_url
from phonebank.osdi.hal import install_osdi_errors
from phonebank.osdi.router import router as osdi_router
from phonebank.tapraise.router import router as tapraise_router
from phonebank.telephony.router import hooks as telephony_hooks
from phonebank.telephony.router import router as telephony_router
from phonebank.web.router import STATIC_DIR
from phonebank.web.router import router as web_router

logger = logging.getLogger("phonebank")


class BaseUrlMiddleware:
    """Remember each request's base URL so resources can carry absolute `uri`s."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in {"http", "websocket"}:
            headers = dict(scope.get("headers") or [])
            host = headers.get(b"host", b"").decode("latin-1")
            if host:
                set_base_url(f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}")
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; the database engine is made at startup unless already set."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owns_engine = not hasattr(app.state, "sessionmaker")
        if owns_engine:
            app.state.engine = create_engine(settings.database_url, echo=settings.sql_echo)
            app.state.sessionmaker = create_sessionmaker(app.state.engine)
        dialer = None
        if settings.run_dialer:
            dialer = DialerService(
                app.state.sessionmaker,
                carrier_name=settings.carrier,
                carrier_options=settings.carrier_options(),
                notifier=BusNotifier(app.state.bus, app.state.sessionmaker),
            )
            app.state.dialer = dialer
            await dialer.start()
        try:
            yield
        finally:
            if dialer is not None:
                await dialer.stop()
            if owns_engine:
                await app.state.engine.dispose()

    app = FastAPI(
        title="Phonebank",
        version=__version__,
        summary="Open-source outbound calling server.",
        lifespan=lifespan,
    )
    app.state.bus = InMemoryBus()
    twilio = settings.twilio_options()
    if settings.carrier == "twilio" and twilio is None:
        raise ValueError("PHONEBANK_CARRIER=twilio needs PHONEBANK_TWILIO_ACCOUNT_SID and the rest")
    # The Twilio webhooks answer only when an account is configured.
    app.state.twilio = TwilioConfig.from_options(twilio) if twilio is not None else None
    install_problem_handlers(app)
    install_osdi_errors(app)
    app.add_middleware(BaseUrlMiddleware)
    app.include_router(api_router)
    app.include_router(tapraise_router)
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(osdi_router)
    app.include_router(telephony_router)
    app.include_router(telephony_hooks)

    @app.get("/healthz", tags=["health"])
    async def healthz(request: Request) -> JSONResponse:
        """Health: the process answers and the database responds."""
        try:
            async with request.app.state.sessionmaker() as session:
                await session.execute(text("SELECT 1"))
            database = "ok"
        except Exception:
            logger.exception("health check: database unreachable")
            database = "unreachable"
        healthy = database == "ok"
        body = {
            "status": "ok" if healthy else "degraded",
            "version": __version__,
            "database": database,
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    return app
