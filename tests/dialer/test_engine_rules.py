"""The engine's rules on a virtual clock: blocks, calling hours, MAXCALLS, pause and stop, the
campaign's own pacer, and preview mode."""

import uuid
from datetime import timedelta

from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.pacers.registry import register_pacer
from tests.dialer.conftest import HONOLULU, FixedPacer, World, number


async def test_number_blocked_after_its_call_was_queued_is_never_dialed(world: World) -> None:
    dialer = world.dialer()
    await world.log_in(dialer)
    await world.log_in(dialer)
    allowed, blocked = await world.add_calls(2)
    await world.block(number(101))
    await world.start(dialer)
    await world.settle(dialer, 5)

    assert world.carrier.numbers == [number(100)]
    assert await world.attempts(blocked) == []
    assert (await world.call(blocked)).status == "requested"
    assert len(await world.attempts(allowed)) == 1


async def test_number_blocked_between_attempts_is_not_retried(world: World) -> None:
    await world.update_campaign(retry_delay_no_answer_seconds=10)
    dialer = world.dialer()
    await world.log_in(dialer)
    call_id = await world.add_call(number(1))
    await world.start(dialer)
    await world.run(3)
    await world.carrier.send(world.carrier.id_for(number(1)), "completed", cause="no_answer")
    await world.settle(dialer, 1)
    await world.block(number(1))
    await world.settle(dialer, 15)

    assert world.carrier.numbers == [number(1)]
    assert [attempt.outcome for attempt in await world.attempts(call_id)] == ["no_answer"]


async def test_number_blocked_while_its_call_is_claimed_ahead_is_not_dialed(world: World) -> None:
    dialer = world.dialer()
    await world.log_in(dialer)
    _, held = await world.add_calls(2)
    await world.start(dialer)  # claims both, dials the first, holds the second
    assert world.carrier.numbers == [number(100)]
    await world.run(1)
    await world.block(number(101))
    await world.run(1)
    await world.carrier.send(world.carrier.id_for(number(100)), "completed", cause="no_answer")
    await world.settle(dialer, 5)

    assert world.carrier.numbers == [number(100)]
    assert [attempt.outcome for attempt in await world.attempts(held)] in ([], ["not_dialed"])


async def test_only_calls_inside_their_local_calling_hours_are_dialed(world: World) -> None:
    dialer = world.dialer()
    await world.log_in(dialer)
    await world.log_in(dialer)
    honolulu = await world.add_call("+18085550101", zone=HONOLULU)  # 05:00 there
    new_york = await world.add_call(number(1))  # 10:00 there
    await world.start(dialer)
    await world.settle(dialer, 5)

    assert world.carrier.numbers == [number(1)]
    assert await world.attempts(honolulu) == []
    assert len(await world.attempts(new_york)) == 1


async def test_claimed_call_is_not_dialed_once_calling_hours_end(world: World) -> None:
    # Start at 20:59:58 in New York: the call claimed ahead is due to ring after 21:00.
    await world.run(timedelta(hours=10, minutes=59, seconds=58).total_seconds())
    dialer = world.dialer()
    await world.log_in(dialer)
    _, late = await world.add_calls(2)
    await world.start(dialer)
    assert world.carrier.numbers == [number(100)]
    await world.run(3)
    await world.carrier.send(world.carrier.id_for(number(100)), "completed", cause="no_answer")
    await world.settle(dialer, 5)

    assert world.carrier.numbers == [number(100)]
    (attempt,) = await world.attempts(late)
    assert attempt.outcome == "not_dialed"
    call = await world.call(late)
    assert (call.status, call.attempts_count, call.dialing_since) == ("requested", 0, None)


async def test_call_expires_after_its_last_allowed_attempt_and_is_not_dialed_again(
    world: World,
) -> None:
    await world.update_campaign(retry_count=1, retry_delay_no_answer_seconds=10)
    dialer = world.dialer()
    await world.log_in(dialer)
    call_id = await world.add_call(number(1))
    await world.start(dialer)
    await world.run(3)
    await world.carrier.send(world.carrier.id_for(number(1)), "completed", cause="no_answer")
    await world.settle(dialer, 1)
    call = await world.call(call_id)
    assert (call.status, call.attempts_count) == ("requested", 1)
    await world.run(9)
    assert world.carrier.numbers == [number(1)]
    await world.run(2)  # the retry is due
    assert world.carrier.numbers == [number(1), number(1)]
    await world.run(3)
    await world.carrier.send(world.carrier.id_for(number(1)), "completed", cause="no_answer")
    await world.settle(dialer, 15)

    assert world.carrier.numbers == [number(1), number(1)]
    attempts = await world.attempts(call_id)
    assert [attempt.outcome for attempt in attempts] == ["no_answer", "no_answer"]
    call = await world.call(call_id)
    assert (call.status, call.attempts_count) == ("expired", 2)
    assert call.expired_at == attempts[1].ended_at


async def test_paused_campaign_places_no_dial_a_second_after_the_pause(world: World) -> None:
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    await world.add_calls(5)
    await world.start(dialer)
    await world.run(0.5)
    await world.update_campaign(status="paused")
    paused_at = world.clock.now()
    await world.run(1)
    for carrier_call_id in list(dialer.dials):
        await world.carrier.send(carrier_call_id, "completed", cause="no_answer")
    await world.settle(dialer, 10)

    assert world.carrier.originated_at
    assert max(world.carrier.originated_at) <= paused_at + timedelta(seconds=1)
    dialed = len(world.carrier.originations)
    assert (await world.caller_session(session_id)).state == "available"
    # Pausing is not stopping: dialing resumes with the campaign.
    await world.update_campaign(status="started")
    await world.run(1.5)
    assert len(world.carrier.originations) == dialed + 1


async def test_stopped_campaign_ends_caller_sessions_and_stops_dialing(world: World) -> None:
    dialer = world.dialer()
    sessions = [await world.log_in(dialer), await world.log_in(dialer)]
    _, _, held = await world.add_calls(3)
    await world.start(dialer)  # dials two, holds the third
    assert world.carrier.numbers == [number(100), number(101)]
    await world.run(0.5)
    await world.update_campaign(status="stopped")
    await world.run(1)
    assert not dialer.running
    for session_id in sessions:
        stored = await world.caller_session(session_id)
        assert (stored.state, stored.ended_at) == ("ended", world.at(1))
        assert [span[0] for span in await world.spans(session_id)] == ["available"]
    (attempt,) = await world.attempts(held)
    assert attempt.outcome == "not_dialed"
    assert (await world.call(held)).attempts_count == 0
    for carrier_call_id in world.carrier.carrier_call_ids:
        await world.carrier.send(carrier_call_id, "completed", cause="no_answer")
    await world.run(5)
    assert world.carrier.numbers == [number(100), number(101)]


async def test_dial_in_flight_when_the_campaign_stops_still_gets_its_outcome(world: World) -> None:
    dialer = world.dialer()
    await world.log_in(dialer)
    call_id = await world.add_call(number(1))
    await world.start(dialer)
    await world.run(0.5)
    await world.update_campaign(status="stopped")
    await world.run(1)
    assert not dialer.running
    await world.carrier.send(world.carrier.id_for(number(1)), "completed", cause="no_answer")
    await world.run(60)

    (attempt,) = await world.attempts(call_id)
    assert attempt.outcome in ("no_answer", "cancelled")
    assert (await world.call(call_id)).dialing_since is None


async def test_a_registered_pacer_decides_how_many_to_dial(world: World) -> None:
    register_pacer("fixed-for-tests", FixedPacer)
    await world.update_campaign(pacer="fixed-for-tests")
    dialer = world.dialer()
    await world.log_in(dialer)  # power pacing would dial one line for one caller
    await world.add_calls(6)
    await world.start(dialer)
    await world.settle(dialer, 5)

    assert isinstance(dialer.pacer, FixedPacer)
    assert dialer.pacer.decisions > 1
    assert world.carrier.numbers == [number(100), number(101), number(102)]


async def previewing(world: World) -> tuple[CampaignDialer, uuid.UUID, list[uuid.UUID]]:
    """A preview campaign with one caller looking at the first of two calls."""
    await world.update_campaign(dialing_mode="preview")
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    call_ids = await world.add_calls(2)
    await world.start(dialer)
    agent = dialer.agents[session_id]
    assert agent.state == "previewing"
    assert agent.preview is not None and agent.preview.call_id == call_ids[0]
    return dialer, session_id, call_ids


async def test_preview_waits_for_the_caller_to_dial(world: World) -> None:
    dialer, session_id, (first, _) = await previewing(world)
    await world.settle(dialer, 10)
    assert world.carrier.originations == []
    assert (await world.caller_session(session_id)).state == "previewing"
    (attempt,) = await world.attempts(first)
    assert attempt.outcome is None
    assert (await world.call(first)).attempts_count == 1

    await dialer.dial_preview(session_id)
    assert world.carrier.numbers == [number(100)]
    assert dialer.agents[session_id].state == "dialing"
    dial = world.carrier.id_for(number(100))
    await world.run(5)
    await world.carrier.send(dial, "answered", answered_by="human")
    assert world.carrier.bridges == [(dial, str(session_id))]
    await world.settle(dialer, 1)
    assert (await world.caller_session(session_id)).state == "connected"
    assert await world.spans(session_id) == [
        ("available", world.at(0), world.at(0)),
        ("previewing", world.at(0), world.at(10)),
        ("dialing", world.at(10), world.at(15)),
    ]


async def test_skipped_preview_releases_its_call_and_offers_the_next(world: World) -> None:
    await world.update_campaign(retry_delay_no_answer_seconds=600)
    dialer, session_id, (first, second) = await previewing(world)
    await world.run(5)
    dialer.skip_preview(session_id)
    await world.settle(dialer, 1.5)

    assert world.carrier.originations == []
    (attempt,) = await world.attempts(first)
    caller_id = dialer.agents[session_id].caller_id
    assert (attempt.outcome, attempt.ended_at, attempt.caller_id) == (
        "skipped",
        world.at(5),
        caller_id,
    )
    call = await world.call(first)
    assert (call.status, call.attempts_count, call.dialing_since) == ("requested", 0, None)
    # Written within the 1.5 s after the skip: the call waits the no-answer delay from then.
    assert world.at(5 + 600) <= call.next_call_at <= world.at(6.5 + 600)
    agent = dialer.agents[session_id]
    assert agent.state == "previewing"
    assert agent.preview is not None and agent.preview.call_id == second


async def test_skipped_preview_takes_its_dial_timer_along(world: World) -> None:
    await world.update_campaign(preview_seconds=30)
    dialer, session_id, (_, second) = await previewing(world)
    await world.run(5)
    dialer.skip_preview(session_id)
    await world.run(1.5)
    agent = dialer.agents[session_id]
    assert agent.preview is not None and agent.preview.call_id == second
    offered = agent.since
    assert offered is not None and world.at(5) <= offered <= world.at(6.5)

    # Past the 30 s the skipped contact had: the next one still has its own 30 s.
    await world.run((offered + timedelta(seconds=29) - world.clock.now()).total_seconds())
    assert world.carrier.originations == []
    assert agent.state == "previewing"

    await world.run(2)
    assert world.carrier.numbers == [number(101)]
    assert agent.state == "dialing"


async def test_skipped_contact_is_offered_again_only_after_the_no_answer_delay(
    world: World,
) -> None:
    await world.update_campaign(dialing_mode="preview", retry_delay_no_answer_seconds=60)
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    (call_id,) = await world.add_calls(1)
    await world.start(dialer)
    await world.run(5)
    dialer.skip_preview(session_id)
    await world.settle(dialer, 30)

    agent = dialer.agents[session_id]
    assert (agent.state, agent.preview) == ("available", None)
    assert [attempt.outcome for attempt in await world.attempts(call_id)] == ["skipped"]

    await world.settle(dialer, 40)
    assert agent.state == "previewing"
    assert agent.preview is not None and agent.preview.call_id == call_id
    assert [attempt.outcome for attempt in await world.attempts(call_id)] == ["skipped", None]
    assert (await world.call(call_id)).attempts_count == 1
    assert world.carrier.originations == []


async def test_a_caller_leaving_while_previewing_lets_the_contact_go_unskipped(
    world: World,
) -> None:
    dialer, session_id, (first, _) = await previewing(world)
    due = (await world.call(first)).next_call_at
    await world.run(5)
    dialer.leave(session_id)
    await world.settle(dialer, 1)

    (attempt,) = await world.attempts(first)
    assert (attempt.outcome, attempt.caller_id) == ("not_dialed", None)
    call = await world.call(first)
    assert (call.attempts_count, call.next_call_at) == (0, due)  # offered again at once
