"""A dialer that died mid-dial leaves nothing half-dialed once the campaign's dialer restarts.

Nor anything ringing: the calls it placed are ended through the carrier, by the ids it wrote
down soon after dialing.
"""

import asyncio
import logging
from collections.abc import Callable

import pytest
from sqlalchemy import select, update

from phonebank.app import create_app
from phonebank.calls.models import Attempt
from phonebank.dialer.clock import VirtualClock
from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.service import make_carrier
from tests.dialer.conftest import START, World, number
from tests.telephony.loopback import twilio_loop

# A call sid Twilio never gave (or no longer knows).
UNKNOWN = "CA" + "f" * 32


async def test_restart_settles_dials_a_crashed_dialer_left_open(world: World) -> None:
    first = world.dialer()
    await world.log_in(first)
    (call_id,) = await world.add_calls(1)
    await world.start(first)
    assert world.carrier.numbers == [number(100)]
    # The process dies here: the claim and its attempt were committed, the outcome never was.
    crashed = await world.call(call_id)
    assert crashed.dialing_since is not None and crashed.attempts_count == 1

    second = world.dialer()
    await second.start()

    attempts = await world.attempts(call_id)
    assert [(a.outcome, a.cause) for a in attempts] == [("failed", "interrupted")]
    assert isinstance(attempts[0], Attempt) and attempts[0].ended_at is not None
    call = await world.call(call_id)
    assert call.dialing_since is None and call.status == "requested"
    assert call.attempts_count == 1
    # Rescheduled by the retry policy for failures, not dialed again at once.
    assert call.next_call_at > world.clock.now()


async def _left_open(world: World, *, callers: int) -> list[Attempt]:
    """Dials placed by a dialer that wrote down their carrier calls (one flush), then died."""
    first = world.dialer()
    for _ in range(callers):
        await world.log_in(first)
    await world.add_calls(callers)
    await world.start(first)
    await world.flush(first)
    async with world.sessionmaker() as session:
        statement = select(Attempt).where(Attempt.campaign_id == world.campaign_id)
        return list((await session.scalars(statement)).all())


async def test_a_dial_is_written_down_with_its_carrier_call_before_its_outcome(
    world: World,
) -> None:
    (attempt,) = await _left_open(world, callers=1)
    assert (attempt.carrier, attempt.carrier_call_id) == ("scripted", "scripted-1")
    assert attempt.outcome is None and attempt.ended_at is None


async def test_restart_ends_the_carrier_calls_a_crashed_dialer_left_of_its_kind(
    world: World,
) -> None:
    ours, other_kind, unwritten = await _left_open(world, callers=3)
    async with world.sessionmaker() as session, session.begin():
        # Placed through another kind of carrier; and dialed just before the crash, unwritten.
        await session.execute(
            update(Attempt).where(Attempt.id == other_kind.id).values(carrier="twilio")
        )
        await session.execute(
            update(Attempt)
            .where(Attempt.id == unwritten.id)
            .values(carrier=None, carrier_call_id=None)
        )

    second = world.dialer()
    await second.start()

    assert world.carrier.left_over == [ours.carrier_call_id]
    assert world.carrier.hangups == []  # the engine's own hang-up is for its own dials
    for attempt in (ours, other_kind, unwritten):
        (settled,) = await world.attempts(attempt.call_id)
        assert (settled.outcome, settled.cause) == ("failed", "interrupted")
    assert second.running


async def _until(done: Callable[[], bool]) -> None:
    """Wait (real time: the stand-in plays calls over HTTP) until `done()`, five seconds at most."""
    for _ in range(250):
        if done():
            return
        await asyncio.sleep(0.02)
    assert done(), "timed out"


async def test_restart_ends_left_over_twilio_calls_through_twilio(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="phonebank.dialer")
    # Contacts answer and wait on the line for someone; the second number is busy.
    outcomes = {number(101): "busy"}
    async with twilio_loop(create_app(), default_outcome="human", outcomes=outcomes) as loop:
        standin = loop.standin
        # The dialer that dies: its own clock, which nothing drives after the crash.
        clock = VirtualClock(START)
        dead = make_carrier("twilio", clock, loop.options())
        first = CampaignDialer(
            sessionmaker=world.sessionmaker,
            clock=clock,
            carrier=dead,
            campaign_id=world.campaign_id,
        )
        for _ in range(3):
            await world.log_in(first)
        await world.add_calls(3)
        await first.start()
        await clock.run(until=START)
        answered, busy = standin.call_to(number(100)), standin.call_to(number(101))
        await _until(lambda: answered.status == "in-progress" and busy.status == "busy")
        await first.store.flush(campaign=first.campaign, now=START)
        # The process dies with its carrier: no callback reaches an engine any more.
        await dead.close()
        (unknown,) = await world.attempts_of_number(number(102))
        async with world.sessionmaker() as session, session.begin():
            await session.execute(
                update(Attempt).where(Attempt.id == unknown.id).values(carrier_call_id=UNKNOWN)
            )

        carrier = make_carrier("twilio", world.clock, loop.options())
        second = world.dialer(carrier)
        await second.start()

        await _until(lambda: answered.ended)
        assert answered.status == "completed"
        ending = {"Status": "completed"}
        assert sorted(standin.updates) == sorted([(answered.sid, ending), (busy.sid, ending)])
        # The busy call was over and the unknown sid is not Twilio's: refused, harmlessly.
        over = [r.getMessage() for r in caplog.records if "already over" in r.getMessage()]
        assert len(over) == 2 and any(busy.sid in m for m in over)
        assert any(UNKNOWN in m for m in over)
        assert second.running
        for phone in (number(100), number(101), number(102)):
            (attempt,) = await world.attempts_of_number(phone)
            assert (attempt.carrier, attempt.outcome, attempt.cause) == (
                "twilio",
                "failed",
                "interrupted",
            )
        await carrier.close()
