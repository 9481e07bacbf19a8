"""The ASGI application: every face mounted over one set of services."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from redis.exceptions import RedisError
from sqlalchemy import text
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from phonebank import __version__
from phonebank.api.router import router as api_router
from phonebank.calling.throttle import MemoryThrottle, RedisThrottle
from phonebank.config import Settings, get_settings
from phonebank.db import READ_ONLY, create_engine, create_sessionmaker
from phonebank.dialer.carriers.twilio import TwilioConfig
from phonebank.dialer.remote import CommandClient
from phonebank.dialer.worker import DialerRuntime
from phonebank.events.bus import InMemoryBus
from phonebank.events.redis_bus import RedisBus
from phonebank.kit.guards import reject_nul_characters
from phonebank.kit.limits import BodyLimitMiddleware, BodyLimits
from phonebank.kit.openapi import install_error_docs, operation_id
from phonebank.kit.problems import install_problem_handlers
from phonebank.kit.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from phonebank.kit.redaction import install_redaction
from phonebank.kit.redis import connect as connect_redis
from phonebank.kit.urls import set_base_url
from phonebank.metrics.router import LatencyMiddleware
from phonebank.metrics.router import router as metrics_router
from phonebank.obi.router import router as obi_router
from phonebank.osdi.hal import install_osdi_errors
from phonebank.osdi.router import router as osdi_router
from phonebank.tapraise.router import router as tapraise_router
from phonebank.telephony.router import hooks as telephony_hooks
from phonebank.telephony.router import router as telephony_router
from phonebank.web.console import install_console
from phonebank.web.docs import router as docs_router
from phonebank.web.router import STATIC_DIR
from phonebank.web.router import router as web_router
from phonebank.webhooks.delivery import WebhookWorker

logger = logging.getLogger("phonebank")


class RateLimitHeadersMiddleware:
    """Tell every authenticated client where its key stands against the rate limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            allowance = scope.get("state", {}).get("rate_limit")
            if message["type"] == "http.response.start" and allowance is not None:
                headers = MutableHeaders(scope=message)
                for name, value in allowance.headers().items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


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


def make_rate_limiter(settings: Settings) -> RateLimiter | None:
    """Per-key limits: shared through Redis when several processes serve, else in memory."""
    if settings.rate_limit_per_minute <= 0:
        return None
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url, settings.rate_limit_per_minute)
    return MemoryRateLimiter(settings.rate_limit_per_minute)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; the database engine is made at startup unless already set."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The server configured its logging before starting us: mask keys in every handler.
        install_redaction()
        owns_engine = not hasattr(app.state, "sessionmaker")
        if owns_engine:
            app.state.engine = create_engine(settings.database_url, echo=settings.sql_echo)
            app.state.sessionmaker = create_sessionmaker(app.state.engine)
        dialer = None
        if settings.run_dialer:
            dialer = DialerRuntime(settings, app.state.sessionmaker, app.state.bus)
            app.state.dialer = dialer.service
            await dialer.start()
        webhooks = None
        if settings.run_webhooks:
            webhooks = WebhookWorker(app.state.sessionmaker)
            await webhooks.start()
        try:
            yield
        finally:
            if dialer is not None:
                await dialer.stop()
            if app.state.commands is not None:
                await app.state.commands.close()
            if isinstance(app.state.bus, RedisBus):
                await app.state.bus.close()
            if app.state.redis_probe is not None:
                await app.state.redis_probe.aclose()
            if isinstance(app.state.login_throttle, RedisThrottle):
                await app.state.login_throttle.close()
            if isinstance(app.state.rate_limiter, RedisRateLimiter):
                await app.state.rate_limiter.close()
            if webhooks is not None:
                await webhooks.stop()
            if owns_engine:
                await app.state.engine.dispose()

    app = FastAPI(
        title="Phonebank",
        version=__version__,
        summary="Open-source outbound calling server.",
        lifespan=lifespan,
        # The documentation pages are served from packaged assets by `web.docs`.
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(reject_nul_characters)],
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    # One process: events in memory. Several (PHONEBANK_REDIS_URL): through Redis.
    app.state.bus = RedisBus(settings.redis_url) if settings.redis_url else InMemoryBus()
    app.state.rate_limiter = make_rate_limiter(settings)
    # Failed logins, counted across processes like the rate limits.
    app.state.login_throttle = (
        RedisThrottle(settings.redis_url) if settings.redis_url else MemoryThrottle()
    )
    # What /healthz asks when Redis is part of the deployment.
    app.state.redis_probe = connect_redis(settings.redis_url) if settings.redis_url else None
    # Several processes: caller actions reach engines of other processes through Redis.
    app.state.commands = CommandClient(settings.redis_url) if settings.redis_url else None
    twilio = settings.twilio_options()
    if settings.carrier == "twilio" and twilio is None:
        raise ValueError("PHONEBANK_CARRIER=twilio needs PHONEBANK_TWILIO_ACCOUNT_SID and the rest")
    # The Twilio webhooks answer only when an account is configured.
    app.state.twilio = TwilioConfig.from_options(twilio) if twilio is not None else None
    install_problem_handlers(app)
    install_osdi_errors(app)
    app.add_middleware(BaseUrlMiddleware)
    app.add_middleware(RateLimitHeadersMiddleware)
    app.add_middleware(LatencyMiddleware)
    # Outermost: an oversized or too deeply nested body is refused before anything reads it.
    app.add_middleware(
        BodyLimitMiddleware,
        limits=BodyLimits(
            json=settings.max_json_body_bytes,
            upload=settings.max_upload_body_bytes,
            obi_bulk=settings.max_obi_bulk_body_bytes,
        ),
    )
    app.include_router(api_router)
    app.include_router(tapraise_router)
    app.include_router(web_router)
    install_console(app)
    app.include_router(docs_router)
    app.include_router(metrics_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(osdi_router)
    app.include_router(obi_router)
    app.include_router(telephony_router)
    app.include_router(telephony_hooks)
    install_error_docs(app)

    @app.get("/healthz", tags=["health"])
    async def healthz(request: Request) -> JSONResponse:
        """Health: the process answers, the database responds, and Redis when configured."""
        try:
            async with request.app.state.sessionmaker() as session:
                # Read-only: on SQLite it answers while an import holds the write lock.
                await session.connection(execution_options={READ_ONLY: True})
                await session.execute(text("SELECT 1"))
            database = "ok"
        except Exception:
            logger.exception("health check: database unreachable")
            database = "unreachable"
        body = {"version": __version__, "database": database}
        probe = request.app.state.redis_probe
        if probe is not None:
            try:
                await probe.ping()
                body["redis"] = "ok"
            except RedisError as error:
                logger.warning("health check: Redis unreachable: %s", error)
                body["redis"] = "unreachable"
        healthy = all(value == "ok" for name, value in body.items() if name != "version")
        body = {"status": "ok" if healthy else "degraded", **body}
        return JSONResponse(body, status_code=200 if healthy else 503)

    return app
