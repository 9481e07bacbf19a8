"""The hosted dialing flow end to end: a customer's server on loopback hands out numbers page
by page and hears every call state, signed; the simulated carrier dials on a virtual clock."""

import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller
from phonebank.callers.sessions import start_session
from phonebank.calls.models import Call
from phonebank.campaigns.models import Campaign
from phonebank.db import utcnow
from phonebank.dialer.carriers.simulated import SimulatedCarrier, SimulatedCarrierConfig
from phonebank.dialer.clock import Clock, VirtualClock
from phonebank.dialer.live import Agent, SilentNotifier
from phonebank.dialer.service import DialerService
from phonebank.hosted.feeder import NumbersFeeder, numbers_in_page
from phonebank.webhooks.delivery import WebhookWorker
from phonebank.webhooks.models import WebhookDelivery
from phonebank.webhooks.signing import verify
from tests.conftest import Tenant
from tests.webhooks.receiver import Received, Receiver

PAGES = {1: ["2125550191", "2125550192", "2125550193"], 2: [12125550194, "+12125550195"], 3: []}
STATES = ["dialing", "ringing", "answered", "connected", "ended"]


class Customer:
    """The customer's system: numbers by page, a call-state endpoint down for its first POSTs."""

    def __init__(self) -> None:
        self.pages_asked: list[tuple[str, str]] = []
        self.state_posts = 0

    async def handle(self, request: Received) -> tuple[int, Any]:
        """Serve a page of numbers, or take a call-state notification."""
        if request.method == "GET" and request.path == "/numbers":
            self.pages_asked.append((request.query["page"], request.query["limit"]))
            return 200, {"phone_numbers": PAGES.get(int(request.query["page"]), [])}
        self.state_posts += 1
        return (503, {"error": "deploying"}) if self.state_posts <= 4 else (200, {"ok": True})


class Volunteer(SilentNotifier):
    """A caller who saves a result a few seconds after each call ends."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.service: DialerService | None = None

    async def call_ended(self, agent: Agent, call_id: uuid.UUID) -> None:
        """Wrap up, then save the result through the campaign's engine."""
        assert self.service is not None
        dialer = next(d for d in self.service.dialers.values() if agent.session_id in d.agents)
        self.clock.call_later(5, partial(dialer.submit, agent.session_id, "completed"))


def _calling_hours_ahead() -> datetime:
    # Calls are due from when they were queued (now); the dialer's day starts tomorrow at
    # 15:00 UTC, inside the campaign's calling hours in New York whatever the real time.
    tomorrow = utcnow().date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(15, 0), tzinfo=UTC)


@pytest.fixture
async def customer_server() -> Any:
    """The customer's server on a free loopback port."""
    customer = Customer()
    server = await Receiver(handler=customer.handle).start()
    yield customer, server
    await server.stop()


async def test_numbers_fetched_page_by_page_are_dialed_and_every_state_reaches_the_customer(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    customer_server: tuple[Customer, Receiver],
) -> None:
    customer, server = customer_server
    response = await client.post(
        "/api/v1/call",
        json={
            "dialer_type": "Power",
            "from": "+12125550100",
            "phone_number": "2125550190",
            "phone_numbers_url": f"{server.url}/numbers?source=crm",
            "call_state_url": f"{server.url}/calls/state",
            "limit": 3,
        },
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    hosted = response.json()
    campaign_id = uuid.UUID(hosted["campaign_id"])

    sessionmaker = app.state.sessionmaker
    clock = VirtualClock(_calling_hours_ahead())
    world = SimulatedCarrierConfig(
        human_share=1.0, machine_share=0, busy_share=0, no_answer_share=0, failed_share=0,
        talk_mean_seconds=30.0,
    )  # fmt: skip
    volunteer = Volunteer(clock)
    service = DialerService(
        sessionmaker,
        clock=clock,
        notifier=volunteer,
        carrier_factory=lambda c: SimulatedCarrier(c, world, seed=5),
    )
    volunteer.service = service
    feeder = NumbersFeeder(sessionmaker, clock, interval_seconds=5.0)
    worker = WebhookWorker(sessionmaker, rng=random.Random(2))
    clock.call_later(0, service._discover)
    feeder.start()
    await clock.run(until=clock.now() + timedelta(seconds=1))
    dialer = service.dialer_for(campaign_id)
    assert dialer is not None
    caller = Caller(organization_id=tenant.organization_id, name="Customer's caller")
    session.add(caller)
    await session.flush()
    caller_session = await start_session(
        session, organization_id=tenant.organization_id, caller_id=caller.id,
        campaign_id=campaign_id, now=clock.now(),
    )  # fmt: skip
    await session.commit()
    dialer.join(caller_session.id, caller.id)

    status = "started"
    for _ in range(120):
        await clock.run(until=clock.now() + timedelta(seconds=15))
        # Failed posts are retried after their backoff: let an hour pass for the worker.
        await worker.drain(utcnow() + timedelta(hours=1))
        campaign = await session.get_one(Campaign, campaign_id, populate_existing=True)
        status = campaign.status
        if status == "stopped" and service.dialer_for(campaign_id) is None:
            break
    await clock.run(until=clock.now() + timedelta(seconds=2))
    await worker.drain(utcnow() + timedelta(hours=3))
    await feeder.stop()
    await worker.stop()
    assert status == "stopped"

    # Pages were asked for one at a time, with the URL's own query kept, until an empty one.
    assert customer.pages_asked == [("1", "3"), ("2", "3"), ("3", "3")]
    posts = [r for r in server.requests if r.method == "POST"]
    accepted = posts[4:]
    assert customer.state_posts > 4
    ids = [post.json()["id"] for post in accepted]
    assert len(ids) == len(set(ids)), "an event reached the customer twice"
    assert {post.json()["id"] for post in posts} == set(ids), "a refused event was lost"
    for post in posts:
        assert verify(
            hosted["secret"],
            timestamp=post.headers["phonebank-timestamp"],
            body=post.body,
            signature_header=post.headers["phonebank-signature"],
        )
    # Each attempt's states, in time order: the full sequence, or a claim the dialer let go
    # of before dialing (claimed ahead, released after its hold) and dials again later.
    attempts: dict[str, list[tuple[datetime, int, str]]] = defaultdict(list)
    numbers: dict[str, str] = {}
    for post in accepted:
        body = post.json()
        if body["type"] == "call.state_changed":
            data = body["data"]
            at = datetime.fromisoformat(data["at"])
            attempts[data["attempt_id"]].append((at, STATES.index(data["state"]), data["state"]))
            numbers[data["attempt_id"]] = data["number"]
    dialed: set[str] = set()
    for attempt_id, seen in attempts.items():
        ordered = [state for _, _, state in sorted(seen)]
        assert ordered in (STATES, ["dialing", "ended"]), (numbers[attempt_id], ordered)
        if ordered == STATES:
            dialed.add(numbers[attempt_id])
    assert dialed == {"+1212555019" + str(n) for n in range(6)}
    ends = [p.json()["data"] for p in accepted if p.json()["type"] == "campaign.status_changed"]
    assert [end["to"] for end in ends if end["to"] == "stopped"] == ["stopped"]

    shown = (await client.get(f"/api/v1/call/{hosted['id']}", headers=tenant.headers)).json()
    assert shown["status"] == "stopped" and shown["exhausted"] is True
    assert (shown["pages_fetched"], shown["next_page"]) == (3, 4)
    assert (shown["total_calls"], shown["total_completed"]) == (6, 6)


async def test_a_failing_numbers_url_is_noted_and_asked_again(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    down = await Receiver(fail_first=1).start()
    try:
        hosted = (
            await client.post(
                "/api/v1/call",
                json={"dialer_type": "Preview", "from": "+12125550100",
                      "phone_numbers_url": f"{down.url}/numbers",
                      "call_state_url": f"{down.url}/state"},
                headers=tenant.headers,
            )
        ).json()  # fmt: skip
        feeder = NumbersFeeder(app.state.sessionmaker, VirtualClock(utcnow()))
        assert await feeder.feed() == 0
        shown = (await client.get(f"/api/v1/call/{hosted['id']}", headers=tenant.headers)).json()
        assert "HTTP" in shown["last_fetch_error"] and shown["next_page"] == 1
        # The default receiver answers `{"ok": true}`: not a page of numbers.
        assert await feeder.feed() == 0
        assert (
            "phone_numbers"
            in (await client.get(f"/api/v1/call/{hosted['id']}", headers=tenant.headers)).json()[
                "last_fetch_error"
            ]
        )
        await feeder.stop()
    finally:
        await down.stop()


def test_pages_may_be_lists_or_objects_of_numbers() -> None:
    assert numbers_in_page(["1", 2]) == ["1", "2"]
    assert numbers_in_page({"phone_numbers": [{"phone_number": "3"}, {"number": 4}]}) == ["3", "4"]
    assert numbers_in_page({"numbers": []}) == []
    with pytest.raises(ValueError):
        numbers_in_page({"ok": True})


async def test_a_dialing_with_every_call_final_and_no_more_numbers_stops(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    hosted = (
        await client.post(
            "/api/v1/call",
            json={"dialer_type": "Power", "from": "+12125550100", "phone_number": "2125550196",
                  "call_state_url": "https://customer.example.org/state"},
            headers=tenant.headers,
        )
    ).json()  # fmt: skip
    campaign_id = uuid.UUID(hosted["campaign_id"])
    feeder = NumbersFeeder(app.state.sessionmaker, VirtualClock(utcnow()))
    await feeder.feed()
    assert (await session.get_one(Campaign, campaign_id, populate_existing=True)).status == (
        "started"
    )  # its call is still to be made
    await session.execute(
        update(Call).where(Call.campaign_id == campaign_id).values(status="completed")
    )
    await session.commit()
    await feeder.feed()
    await feeder.stop()
    assert (await session.get_one(Campaign, campaign_id, populate_existing=True)).status == (
        "stopped"
    )
    told = await session.scalars(
        select(WebhookDelivery.payload)
        .where(WebhookDelivery.event == "campaign.status_changed")
        .order_by(WebhookDelivery.created_at)
    )
    assert [(p["data"]["from"], p["data"]["to"]) for p in told] == [
        ("draft", "started"),
        ("started", "stopped"),
    ]
