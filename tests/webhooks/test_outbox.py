"""The outbox: which subscriptions get an event, and that events live and die with their change."""

import random
import uuid
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phonebank.campaigns.models import Campaign
from phonebank.campaigns.service import set_status
from phonebank.db import utcnow
from phonebank.organizations.service import create_organization
from phonebank.webhooks.delivery import WebhookWorker
from phonebank.webhooks.models import WebhookDelivery
from phonebank.webhooks.outbox import Event, record_events, wants
from phonebank.webhooks.service import create_subscription
from tests.webhooks.receiver import Received, Receiver


def test_names_families_and_everything() -> None:
    assert wants(["call.*"], "call.state_changed")
    assert wants(["*"], "result.created")
    assert wants(["result.created"], "result.created")
    assert not wants(["call.*"], "caller_session.started")
    assert not wants(["result.created"], "call.state_changed")


async def _deliveries(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0)


async def test_scoped_and_inactive_subscriptions_get_only_their_events(
    session: AsyncSession,
) -> None:
    organization = await create_organization(session, name="Scopes")
    other = await create_organization(session, name="Elsewhere")
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    everything = await create_subscription(
        session, organization_id=organization.id, url="https://a.example.org", events=["*"]
    )
    scoped = await create_subscription(
        session, organization_id=organization.id, url="https://b.example.org", events=["*"],
        scope=f"campaign:{mine}",
    )  # fmt: skip
    await create_subscription(
        session, organization_id=organization.id, url="https://c.example.org", events=["*"],
        active=False,
    )  # fmt: skip
    await create_subscription(
        session, organization_id=other.id, url="https://d.example.org", events=["*"]
    )
    events = [
        Event(organization.id, "campaign.status_changed", {}, scopes=(f"campaign:{mine}",)),
        Event(organization.id, "campaign.status_changed", {}, scopes=(f"campaign:{theirs}",)),
    ]
    assert await record_events(session, events) == 3
    rows = (await session.scalars(select(WebhookDelivery))).all()
    assert Counter(row.subscription_id for row in rows) == {everything.id: 2, scoped.id: 1}
    assert {row.event_id for row in rows} == {event.id for event in events}


async def test_a_rolled_back_change_leaves_no_event(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        organization = await create_organization(session, name="Rollback")
        await create_subscription(
            session, organization_id=organization.id, url="https://a.example.org", events=["*"]
        )
        campaign = Campaign(organization_id=organization.id, name="c")
        session.add(campaign)
    async with sessionmaker() as session:
        async with session.begin():
            stored = await session.get_one(Campaign, campaign.id)
            await set_status(session, campaign=stored, status="started")
            assert await _deliveries(session) == 1
            await session.rollback()
        assert await _deliveries(session) == 0
        assert (await session.get_one(Campaign, campaign.id, populate_existing=True)).status == (
            "draft"
        )


async def test_a_receiver_down_for_an_hour_loses_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    start = utcnow()
    clock = {"now": start}
    accepted: list[str] = []

    async def down_for_an_hour(request: Received) -> tuple[int, object]:
        if clock["now"] < start + timedelta(hours=1):
            return 502, {"error": "maintenance"}
        accepted.append(request.json()["id"])
        return 204, {}

    receiver = await Receiver(handler=down_for_an_hour).start()
    worker = WebhookWorker(sessionmaker, rng=random.Random(11))
    try:
        async with sessionmaker() as session, session.begin():
            organization = await create_organization(session, name="Patient")
            await create_subscription(
                session, organization_id=organization.id, url=receiver.url, events=["*"]
            )
            events = [Event(organization.id, "result.created", {"n": n}) for n in range(20)]
            await record_events(session, events)
        # Five hours, a minute at a time: the receiver refuses everything for the first hour.
        while clock["now"] < start + timedelta(hours=5):
            await worker.drain(clock["now"])
            clock["now"] = clock["now"] + timedelta(minutes=1)
        assert len(receiver.requests) > len(accepted)  # it was tried while down
        assert Counter(accepted) == Counter(str(event.id) for event in events)
        async with sessionmaker() as session:
            statuses = Counter(await session.scalars(select(WebhookDelivery.status)))
        assert statuses == {"delivered": 20}
    finally:
        await worker.stop()
        await receiver.stop()
