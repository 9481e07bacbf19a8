"""`/metrics` in Prometheus' text format: what the dialer and the API are doing.

Figures of the record (dials and outcomes, abandon rate, callers by state, webhook backlog) are
read from the database at each scrape, so every process reports the same truth; request
latency is measured in the process that serves the scrape.
"""

import hmac
import time

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from phonebank.callers.models import CallerSession
from phonebank.calls.models import Attempt
from phonebank.campaigns.models import Campaign
from phonebank.config import get_settings
from phonebank.webhooks.models import WebhookDelivery

router = APIRouter(include_in_schema=False)
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost", "testclient"})
PROCESS_REGISTRY = CollectorRegistry()
REQUEST_SECONDS = Histogram(
    "phonebank_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "route", "status"],
    registry=PROCESS_REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def _template(scope: Scope) -> str:
    # The path with its parameters named, so labels stay few: /calls/{call_id}, not each id.
    params = scope.get("path_params") or {}
    if not params and scope.get("route") is None:
        return "unmatched"
    path = str(scope["path"])
    for name, value in params.items():
        path = path.replace(str(value), "{" + name + "}", 1)
    return path


class LatencyMiddleware:
    """Time every HTTP request, labelled by its route template (not its ids)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            REQUEST_SECONDS.labels(scope["method"], _template(scope), str(status)).observe(
                time.perf_counter() - started
            )


async def _record_gauges(request: Request) -> CollectorRegistry:
    registry = CollectorRegistry()
    attempts = Gauge(
        "phonebank_attempts", "Attempts by campaign and outcome (open: in flight).",
        ["campaign", "outcome"], registry=registry,
    )  # fmt: skip
    abandon = Gauge(
        "phonebank_abandon_rate", "Abandoned / human answers, by campaign.", ["campaign"],
        registry=registry,
    )  # fmt: skip
    callers = Gauge(
        "phonebank_callers", "Open caller sessions by campaign and state.",
        ["campaign", "state"], registry=registry,
    )  # fmt: skip
    backlog = Gauge(
        "phonebank_webhook_deliveries", "Webhook deliveries by status.", ["status"],
        registry=registry,
    )  # fmt: skip
    async with request.app.state.sessionmaker() as session:
        started = set(
            await session.scalars(select(Campaign.id).where(Campaign.status == "started"))
        )
        humans: dict[str, list[int]] = {}
        for campaign_id, outcome, count in await session.execute(
            select(Attempt.campaign_id, Attempt.outcome, func.count())
            .where(Attempt.campaign_id.in_(started))
            .group_by(Attempt.campaign_id, Attempt.outcome)
        ):
            attempts.labels(str(campaign_id), outcome or "open").set(count)
            pair = humans.setdefault(str(campaign_id), [0, 0])
            if outcome in {"human", "abandoned"}:
                pair[0] += count
                pair[1] += count if outcome == "abandoned" else 0
        for campaign_id, (answered, abandoned) in humans.items():
            abandon.labels(campaign_id).set(abandoned / answered if answered else 0.0)
        for campaign_id, state, count in await session.execute(
            select(CallerSession.campaign_id, CallerSession.state, func.count())
            .where(CallerSession.ended_at.is_(None))
            .group_by(CallerSession.campaign_id, CallerSession.state)
        ):
            callers.labels(str(campaign_id), state).set(count)
        for status, count in await session.execute(
            select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
        ):
            backlog.labels(status).set(count)
    return registry


def _allowed(request: Request) -> bool:
    # A scraper sends the configured token; without one only this machine may read the figures.
    token = get_settings().metrics_token
    if token:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given, token)
    return request.client is not None and request.client.host in LOOPBACK


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Prometheus metrics of the record and of this process."""
    if not _allowed(request):
        return Response("metrics need the configured token\n", status_code=403)
    registry = await _record_gauges(request)
    body = generate_latest(registry) + generate_latest(PROCESS_REGISTRY)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
