"""Commands to an engine of another process, through the local Redis server."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from phonebank.db import utcnow
from phonebank.dialer.carriers.twilio import TwilioCarrier, TwilioConfig
from phonebank.dialer.carriers.twilio_events import Normalized
from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.models import DialerLease
from phonebank.dialer.remote import CommandClient, CommandServer
from phonebank.dialer.service import DialerService
from phonebank.errors import Conflict, Unavailable
from tests.dialer.conftest import World
from tests.servers import TEST_REDIS_URL, needs_redis

pytestmark = needs_redis

TWILIO = TwilioConfig.from_options(
    {
        "account_sid": "AC1",
        "auth_token": "secret",
        "caller_number": "+12025550100",
        "public_url": "https://phonebank.example.org",
    }
)


async def _hold(world: World, owner: str) -> None:
    # A live lease by the real clock, which API processes read it by.
    async with world.sessionmaker() as session, session.begin():
        now = utcnow()
        session.add(
            DialerLease(
                campaign_id=world.campaign_id,
                owner=owner,
                token=1,
                acquired_at=now,
                heartbeat=now,
                expires_at=now + timedelta(seconds=60),
            )
        )


@pytest.fixture
async def served(world: World) -> AsyncIterator[tuple[DialerService, CampaignDialer]]:
    """A dialer process's service driving the world's campaign, answering through Redis."""
    service = DialerService(world.sessionmaker, clock=world.clock)
    engine = world.dialer()
    await engine.start()
    service.dialers[world.campaign_id] = engine
    server = CommandServer(TEST_REDIS_URL, service)
    await server.start()
    try:
        yield service, engine
    finally:
        await server.stop()


async def test_a_command_runs_by_the_engines_rules_in_the_process_holding_the_campaign(
    world: World, served: tuple[DialerService, CampaignDialer]
) -> None:
    service, engine = served
    await _hold(world, service.owner)
    session_id = await world.log_in(engine)
    client = CommandClient(TEST_REDIS_URL)
    try:
        ask = client.ask
        viewed = await ask(world.sessionmaker, world.campaign_id, "view", session_id, {})
        assert viewed is not None and viewed.agent is not None
        paused = await ask(
            world.sessionmaker, world.campaign_id, "pause", session_id, {"paused": True}
        )
        assert paused is not None and paused.agent is not None and paused.agent.state == "paused"
        assert engine.agents[session_id].state == "paused"
        with pytest.raises(Conflict, match="you are paused: there is no call to hang up"):
            await ask(world.sessionmaker, world.campaign_id, "hang_up", session_id, {})
        in_flight = await ask(world.sessionmaker, world.campaign_id, "in_flight", session_id, {})
        assert in_flight is not None and in_flight.value == 0
    finally:
        await client.close()


async def test_no_holder_is_no_engine_and_a_silent_holder_is_a_503(
    world: World, served: tuple[DialerService, CampaignDialer]
) -> None:
    _, engine = served
    session_id = await world.log_in(engine)
    client = CommandClient(TEST_REDIS_URL, timeout=0.5)
    ask = client.ask
    try:
        assert await ask(world.sessionmaker, world.campaign_id, "view", session_id, {}) is None
        await _hold(world, "a-process-that-died")
        with pytest.raises(Unavailable):
            await ask(world.sessionmaker, world.campaign_id, "view", session_id, {})
    finally:
        await client.close()


async def test_a_silent_holder_is_a_503_at_the_production_reply_wait(
    world: World, served: tuple[DialerService, CampaignDialer]
) -> None:
    # The socket must outwait the reply wait: equal, the read timed out as the server
    # answered, and a dead worker's callers got 500s until its leases expired.
    _, engine = served
    session_id = await world.log_in(engine)
    client = CommandClient(TEST_REDIS_URL)
    try:
        await _hold(world, "a-process-that-died")
        with pytest.raises(Unavailable):
            await client.ask(world.sessionmaker, world.campaign_id, "view", session_id, {})
    finally:
        await client.close()


async def test_a_forwarded_carrier_callback_reaches_the_carrier_that_placed_the_call(
    world: World, served: tuple[DialerService, CampaignDialer]
) -> None:
    carrier = TwilioCarrier(world.clock, TWILIO)
    client = CommandClient(TEST_REDIS_URL)
    try:
        # The server subscribes in the background: publish until it hears.
        for _ in range(100):
            await client.forward_telephony(carrier.key, "CA1", Normalized("ringing"))
            await asyncio.sleep(0.05)
            if "CA1" in carrier._early:
                break
        # The call's id is not known yet here: the event waits for `originate` to return it.
        assert {event.kind for event in carrier._early["CA1"]} == {"ringing"}
    finally:
        await client.close()
        await carrier.close()


async def test_an_answered_call_is_taken_only_by_the_process_whose_carrier_placed_it(
    world: World, served: tuple[DialerService, CampaignDialer]
) -> None:
    carrier = TwilioCarrier(world.clock, TWILIO)
    client = CommandClient(TEST_REDIS_URL, timeout=0.5)
    answered = Normalized("answered", answered_by="human")
    try:
        # The server subscribes in the background: hand the call over until it hears.
        for _ in range(100):
            if await client.forward_answer(carrier.key, "CA2", answered):
                break
            await asyncio.sleep(0.05)
        assert [event.kind for event in carrier._early["CA2"]] == ["answered"]
        # A carrier no process has any more (its dialer died): nobody takes the call.
        assert not await client.forward_answer("a-dead-dialers-carrier", "CA3", answered)
    finally:
        await client.close()
        await carrier.close()
