"""Callers' presence on a virtual clock: a caller whose page is gone is paused, then ended; a
long wrap-up pauses; a session ended in the record is never taken back by the engine."""

import uuid

from sqlalchemy import update

from phonebank.callers.models import CallerSession
from phonebank.callers.sessions import CurrentState, record_ledger
from phonebank.calling.service import end_session
from phonebank.dialer.engine import SAFE_HARBOR_TEXT
from phonebank.dialer.presence import FloorRules
from tests.dialer.conftest import World, number

RULES = FloorRules()


async def seen(world: World, session_id: uuid.UUID) -> None:
    """The caller's page shows it is there now (its WebSocket or a heartbeat)."""
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(CallerSession)
            .where(CallerSession.id == session_id)
            .values(last_seen_at=world.clock.now())
        )


async def test_caller_whose_page_is_gone_is_paused_gets_no_call_then_ends(world: World) -> None:
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    await seen(world, session_id)
    await world.start(dialer)
    await world.settle(dialer, RULES.presence_timeout_seconds + 2)

    assert dialer.agents[session_id].state == "paused"
    assert (await world.caller_session(session_id)).state == "paused"
    await world.add_calls(2)
    await world.run(5)
    assert world.carrier.originations == []

    await world.settle(dialer, RULES.absent_end_seconds)
    assert session_id not in dialer.agents
    ended = await world.caller_session(session_id)
    assert (ended.state, ended.end_reason) == ("ended", "absent")
    assert ended.ended_at is not None


async def test_caller_whose_page_comes_back_takes_calls_again(world: World) -> None:
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    await seen(world, session_id)
    await world.start(dialer)
    await world.run(RULES.presence_timeout_seconds + 2)
    assert dialer.agents[session_id].state == "paused"

    await seen(world, session_id)
    await world.run(2)
    assert dialer.agents[session_id].state == "available"
    await world.add_calls(1)
    await world.run(2)
    assert world.carrier.numbers == [number(100)]


async def test_caller_whose_page_keeps_beating_stays_available(world: World) -> None:
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    await seen(world, session_id)
    await world.start(dialer)
    for _ in range(12):
        await world.run(5)
        await seen(world, session_id)
    assert dialer.agents[session_id].state == "available"


async def test_call_bridged_to_a_caller_who_vanished_is_recorded_abandoned_not_as_a_contact(
    world: World,
) -> None:
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    await seen(world, session_id)  # and never again: the tab was closed
    (call_id,) = await world.add_calls(1)
    await world.start(dialer)
    dial = world.carrier.id_for(number(100))
    await world.run(10)
    await world.carrier.send(dial, "answered", answered_by="human")
    assert world.carrier.bridges == [(dial, str(session_id))]

    await world.settle(dialer, RULES.presence_timeout_seconds)
    # Nobody was there: the person hears the safe-harbor message, and it is an abandon.
    assert world.carrier.plays == [(dial, None, SAFE_HARBOR_TEXT)]
    await world.settle(dialer, 10)
    (attempt,) = await world.attempts(call_id)
    assert attempt.outcome == "abandoned"
    assert dialer.agents[session_id].state == "paused"
    assert (await world.call(call_id)).status == "requested"


async def test_caller_who_vanished_mid_conversation_is_hung_up_and_can_save_later(
    world: World,
) -> None:
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    await seen(world, session_id)
    (call_id,) = await world.add_calls(1)
    await world.start(dialer)
    dial = world.carrier.id_for(number(100))
    await world.run(2)
    await world.carrier.send(dial, "answered", answered_by="human")
    await world.run(5)
    await seen(world, session_id)  # they talked; then the network went
    await world.settle(dialer, RULES.presence_timeout_seconds + 2)

    assert dial in world.carrier.hangups
    await world.settle(dialer, 1)
    (attempt,) = await world.attempts(call_id)
    assert attempt.outcome == "human"
    agent = dialer.agents[session_id]
    assert agent.state == "paused"

    # Back: they wrap up the call they had, and save its result.
    await seen(world, session_id)
    await world.run(2)
    assert agent.state == "wrap_up"
    await dialer.submit(session_id, "completed")
    await world.settle(dialer, 1)
    assert [result.disposition for result in await world.results(call_id)] == ["completed"]
    assert agent.state == "available"


async def test_wrap_up_past_its_maximum_pauses_the_caller_and_the_result_can_still_be_saved(
    world: World,
) -> None:
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    first, _ = await world.add_calls(2)
    await world.start(dialer)
    dial = world.carrier.id_for(number(100))
    await world.carrier.send(dial, "answered", answered_by="human")
    await dialer.hang_up(session_id)
    await world.run(1)
    agent = dialer.agents[session_id]
    assert agent.state == "wrap_up"

    await world.settle(dialer, RULES.wrap_up_max_seconds + 2)
    assert agent.state == "paused"
    assert (await world.caller_session(session_id)).state == "paused"
    assert world.carrier.numbers == [number(100)]

    await dialer.submit(session_id, "completed")
    await world.settle(dialer, 5)
    assert [result.disposition for result in await world.results(first)] == ["completed"]
    # Saved, but not made available: the caller comes back when they choose.
    assert agent.state == "paused"
    assert world.carrier.numbers == [number(100)]
    dialer.pause(session_id, False)
    await world.run(2)
    assert world.carrier.numbers == [number(100), number(101)]


async def test_session_ended_by_the_api_is_never_reopened_nor_given_a_call(world: World) -> None:
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    await world.start(dialer)
    # A supervisor's kick: the record ends the session, and the engine never heard of it.
    async with world.sessionmaker() as session, session.begin():
        caller_session = await session.get_one(CallerSession, session_id)
        await end_session(
            session, caller_session=caller_session, reason="kicked", now=world.clock.now()
        )
    await world.add_calls(1)
    await world.run(3)
    for dial in world.carrier.carrier_call_ids:
        await world.carrier.send(dial, "answered", answered_by="human")
    await world.settle(dialer, 3)

    assert world.carrier.bridges == []
    assert session_id not in dialer.agents
    kicked = await world.caller_session(session_id)
    assert (kicked.state, kicked.end_reason) == ("ended", "kicked")
    assert kicked.ended_at is not None


async def test_ledger_never_reopens_an_ended_session(world: World) -> None:
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    async with world.sessionmaker() as session, session.begin():
        caller_session = await session.get_one(CallerSession, session_id)
        await end_session(
            session, caller_session=caller_session, reason="kicked", now=world.clock.now()
        )
    async with world.sessionmaker() as session, session.begin():
        await record_ledger(
            session,
            spans=[],
            current=[CurrentState(session_id, "connected", world.at(5))],
        )
    kicked = await world.caller_session(session_id)
    assert (kicked.state, kicked.end_reason) == ("ended", "kicked")
    assert kicked.ended_at is not None
