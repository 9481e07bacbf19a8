"""The engine's outcome paths on a virtual clock: each dial ends in one stored attempt."""

import uuid
from datetime import datetime, timedelta

import pytest

from phonebank.dialer.carriers.base import EndCause
from phonebank.dialer.carriers.simulated import SimulatedCarrier, SimulatedCarrierConfig
from phonebank.dialer.engine import SAFE_HARBOR_TEXT, CampaignDialer
from phonebank.dialer.simulation import SimulatedCallers
from tests.dialer.conftest import World, number

VOICEMAIL = "https://audio.example.org/voicemail.mp3"


def assert_due_after(next_call_at: datetime, ended_at: datetime, seconds: int) -> None:
    """The call is due `seconds` after its dial ended (give or take one flush interval)."""
    earliest = ended_at + timedelta(seconds=seconds)
    assert earliest <= next_call_at <= earliest + timedelta(seconds=1)


async def test_human_is_bridged_to_the_longest_waiting_caller_and_the_result_completes_the_call(
    world: World,
) -> None:
    dialer = world.dialer()
    first = await world.log_in(dialer)
    await world.run(5)
    second = await world.log_in(dialer)
    await world.run(5)
    # `first` joined earlier but comes back from a pause now: `second` has waited longest.
    dialer.pause(first, True)
    dialer.pause(first, False)
    call_id = await world.add_call(number(1))
    await world.start(dialer)
    assert world.carrier.numbers == [number(1)]
    dial = world.carrier.id_for(number(1))

    await world.run(1)
    await world.carrier.send(dial, "ringing")
    await world.run(2)
    await world.carrier.send(dial, "answered", answered_by="human")
    assert world.carrier.bridges == [(dial, str(second))]
    assert dialer.agents[second].state == "connected"
    assert dialer.agents[first].state == "available"
    # `first` steps away, so no free caller can take a new dial while `second` wraps up
    # (see the wrap-up re-dial test below).
    dialer.pause(first, True)

    await world.run(60)
    await world.carrier.send(dial, "completed", cause="completed")
    await world.flush(dialer)
    assert (await world.caller_session(second)).state == "wrap_up"
    (attempt,) = await world.attempts(call_id)
    assert attempt.outcome == "human"
    assert attempt.number == number(1)
    assert attempt.carrier == "scripted"
    assert attempt.carrier_call_id == dial
    assert attempt.ringing_at == world.at(11)
    assert attempt.answered_at == attempt.bridged_at == world.at(13)
    assert attempt.ended_at == world.at(73)

    await world.run(4)
    await dialer.submit(second, "supporter")
    await world.flush(dialer)
    call = await world.call(call_id)
    assert call.status == "completed"
    assert call.result == {"disposition": "supporter"}
    assert call.completed_at == world.at(77)
    assert call.attempts_count == 1
    assert call.dialing_since is None
    (result,) = await world.results(call_id)
    assert (result.disposition, result.attempt_id) == ("supporter", attempt.id)
    assert result.caller_id == attempt.caller_id == dialer.agents[second].caller_id
    stored = await world.caller_session(second)
    assert (stored.state, stored.state_since) == ("available", world.at(77))
    assert await world.spans(second) == [
        ("available", world.at(5), world.at(13)),
        ("connected", world.at(13), world.at(73)),
        ("wrap_up", world.at(73), world.at(77)),
    ]
    # A completed call is never dialed again.
    await world.run(5)
    assert world.carrier.numbers == [number(1)]


async def test_a_contact_just_talked_to_is_not_dialed_again_during_wrap_up(world: World) -> None:
    dialer = world.dialer()
    talker = await world.log_in(dialer)
    call_id = await world.add_call(number(1))
    await world.start(dialer)
    dial = world.carrier.id_for(number(1))
    await world.carrier.send(dial, "answered", answered_by="human")
    await world.run(30)
    await world.carrier.send(dial, "completed", cause="completed")
    await world.log_in(dialer)  # another caller is free to take a call meanwhile
    await world.run(15)
    await dialer.submit(talker, "supporter")
    await world.settle(dialer, 2)
    assert world.carrier.numbers == [number(1)]
    assert [a.outcome for a in await world.attempts(call_id)] == ["human"]


@pytest.mark.parametrize("voicemail", [VOICEMAIL, None], ids=["voicemail", "no-voicemail"])
async def test_machine_gets_the_voicemail_or_a_hangup_and_the_call_moves_to_its_next_number(
    world: World, voicemail: str | None
) -> None:
    await world.update_campaign(voicemail_audio_url=voicemail, retry_delay_machine_seconds=1800)
    dialer = world.dialer()
    caller = await world.log_in(dialer)
    call_id = await world.add_call(number(1), number(2))
    await world.start(dialer)
    dial = world.carrier.id_for(number(1))
    await world.run(1)
    await world.carrier.send(dial, "ringing")
    await world.run(14)
    await world.carrier.send(dial, "answered", answered_by="machine")
    if voicemail:
        assert world.carrier.plays == [(dial, VOICEMAIL, None)]
        assert world.carrier.hangups == []
    else:
        assert world.carrier.plays == []
        assert world.carrier.hangups == [dial]
    await world.settle(dialer, 6)

    assert world.carrier.bridges == []
    assert dialer.agents[caller].state == "available"
    (attempt,) = await world.attempts(call_id)
    assert attempt.outcome == "machine"
    assert (attempt.ringing_at, attempt.answered_at) == (world.at(1), world.at(15))
    assert attempt.bridged_at is None
    assert attempt.caller_id is None
    # The scripted carrier ends a played message after 5 s, a hangup at once.
    assert attempt.ended_at == world.at(20 if voicemail else 15)
    call = await world.call(call_id)
    assert (call.status, call.attempts_count, call.dialing_since) == ("requested", 1, None)
    assert (call.next_number_index, call.next_number) == (1, number(2))
    assert attempt.ended_at is not None
    assert_due_after(call.next_call_at, attempt.ended_at, 1800)


@pytest.mark.parametrize(
    ("cause", "outcome", "rings"),
    [("busy", "busy", True), ("no_answer", "no_answer", True), ("failed", "failed", False)],
)
async def test_unanswered_dial_is_stored_with_its_outcome_and_the_call_rescheduled(
    world: World, cause: EndCause, outcome: str, rings: bool
) -> None:
    delays = {"busy": 600, "no_answer": 1200, "failed": 2400}
    await world.update_campaign(
        retry_delay_busy_seconds=delays["busy"],
        retry_delay_no_answer_seconds=delays["no_answer"],
        retry_delay_failed_seconds=delays["failed"],
    )
    dialer = world.dialer()
    await world.log_in(dialer)
    call_id = await world.add_call(number(1), number(2))
    await world.start(dialer)
    dial = world.carrier.id_for(number(1))
    if rings:
        await world.run(1)
        await world.carrier.send(dial, "ringing")
    await world.run(3)
    await world.carrier.send(dial, "completed", cause=cause)
    await world.settle(dialer, 1)

    (attempt,) = await world.attempts(call_id)
    assert (attempt.outcome, attempt.cause) == (outcome, cause)
    assert attempt.ringing_at == (world.at(1) if rings else None)
    assert (attempt.answered_at, attempt.bridged_at) == (None, None)
    assert attempt.ended_at == world.at(4 if rings else 3)
    call = await world.call(call_id)
    assert (call.status, call.attempts_count, call.dialing_since) == ("requested", 1, None)
    assert (call.next_number_index, call.next_number) == (1, number(2))
    assert attempt.ended_at is not None
    assert_due_after(call.next_call_at, attempt.ended_at, delays[outcome])
    # Not due again yet: nothing else is dialed.
    await world.run(5)
    assert world.carrier.numbers == [number(1)]


async def two_humans_for_one_caller(world: World) -> tuple[CampaignDialer, uuid.UUID, str, str]:
    """Two lines ringing for one caller; the first answers and is bridged at +3."""
    await world.update_campaign(power_ratio=2.0)
    dialer = world.dialer()
    caller = await world.log_in(dialer)
    await world.add_calls(2)
    await world.start(dialer)
    assert world.carrier.numbers == [number(100), number(101)]
    first, second = (world.carrier.id_for(number(100)), world.carrier.id_for(number(101)))
    await world.run(1)
    await world.carrier.send(first, "ringing")
    await world.carrier.send(second, "ringing")
    await world.run(2)
    await world.carrier.send(first, "answered", answered_by="human")
    assert world.carrier.bridges == [(first, str(caller))]
    return dialer, caller, first, second


async def test_human_nobody_takes_within_two_seconds_hears_the_safe_harbor_message(
    world: World,
) -> None:
    dialer, _, _, second = await two_humans_for_one_caller(world)
    await world.run(1)
    await world.carrier.send(second, "answered", answered_by="human")  # at +4, nobody free
    await world.run(1.9)
    assert world.carrier.plays == []
    await world.run(0.1)
    assert world.carrier.plays == [(second, None, SAFE_HARBOR_TEXT)]
    await world.settle(dialer, 6)  # the message plays for 5 s, then the carrier hangs up

    call_id = (await world.attempts_of_number(number(101)))[0].call_id
    (attempt,) = await world.attempts(call_id)
    assert attempt.outcome == "abandoned"
    assert (attempt.answered_at, attempt.bridged_at) == (world.at(4), None)
    assert attempt.caller_id is None
    assert attempt.ended_at == world.at(11)
    call = await world.call(call_id)
    assert (call.status, call.attempts_count, call.next_number_index) == ("requested", 1, 0)
    assert_due_after(call.next_call_at, attempt.ended_at, 24 * 3600)
    assert [bridge[0] for bridge in world.carrier.bridges] == [world.carrier.id_for(number(100))]


async def test_caller_freed_within_two_seconds_takes_the_waiting_contact(world: World) -> None:
    dialer, caller, first, second = await two_humans_for_one_caller(world)
    await world.run(2)
    await world.carrier.send(first, "completed", cause="completed")  # +5: caller wraps up
    await world.run(1)
    await world.carrier.send(second, "answered", answered_by="human")  # +6: waits
    await world.run(1.5)
    await dialer.submit(caller, "talked")  # +7.5: free again, takes the waiting contact
    await world.run(0)
    assert world.carrier.bridges == [(first, str(caller)), (second, str(caller))]
    assert dialer.agents[caller].state == "connected"
    await world.run(10)
    assert world.carrier.plays == []
    await world.carrier.send(second, "completed", cause="completed")
    await world.flush(dialer)

    (attempt,) = await world.attempts_of_number(number(101))
    assert attempt.outcome == "human"
    assert (attempt.answered_at, attempt.bridged_at) == (world.at(6), world.at(7.5))
    assert attempt.ended_at == world.at(17.5)
    assert (await world.caller_session(caller)).state == "wrap_up"
    assert [span[0] for span in await world.spans(caller)] == [
        "available",
        "connected",
        "wrap_up",
        "available",
        "connected",
    ]


async def one_dial(world: World) -> tuple[CampaignDialer, uuid.UUID, uuid.UUID, str]:
    """One caller and one call, dialed at START."""
    dialer = world.dialer()
    caller = await world.log_in(dialer)
    call_id = await world.add_call(number(1))
    await world.start(dialer)
    return dialer, caller, call_id, world.carrier.id_for(number(1))


async def test_events_delivered_twice_are_applied_once(world: World) -> None:
    dialer, caller, call_id, dial = await one_dial(world)
    await world.run(1)
    ringing = world.carrier.event(dial, "ringing")
    await world.carrier.emit(ringing)
    await world.carrier.emit(ringing)
    await world.run(2)
    answered = world.carrier.event(dial, "answered", answered_by="human")
    await world.carrier.emit(answered)
    await world.carrier.emit(answered)
    await world.run(1)
    await world.carrier.emit(answered)
    await world.run(30)
    completed = world.carrier.event(dial, "completed", cause="completed")
    await world.carrier.emit(completed)
    await world.carrier.emit(completed)
    await world.run(1)
    await world.carrier.emit(completed)
    await dialer.submit(caller, "talked")
    await dialer.submit(caller, "talked")
    await world.flush(dialer)

    assert world.carrier.bridges == [(dial, str(caller))]
    (attempt,) = await world.attempts(call_id)
    assert attempt.outcome == "human"
    assert (attempt.ringing_at, attempt.answered_at) == (world.at(1), world.at(3))
    assert (attempt.bridged_at, attempt.ended_at) == (world.at(3), world.at(34))
    assert len(await world.results(call_id)) == 1
    assert (await world.call(call_id)).status == "completed"
    assert (await world.caller_session(caller)).state == "available"
    assert await world.spans(caller) == [
        ("available", world.at(0), world.at(3)),
        ("connected", world.at(3), world.at(34)),
        ("wrap_up", world.at(34), world.at(35)),
    ]


async def test_answer_arriving_before_its_ringing_waits_for_it(world: World) -> None:
    dialer, caller, call_id, dial = await one_dial(world)
    await world.run(1)
    ringing = world.carrier.event(dial, "ringing")  # happens at +1, delivered late
    await world.run(2)
    await world.carrier.send(dial, "answered", answered_by="human")
    assert world.carrier.bridges == []
    assert dialer.agents[caller].state == "available"
    await world.run(0.5)
    await world.carrier.emit(ringing)
    assert world.carrier.bridges == [(dial, str(caller))]
    await world.run(20)
    await world.carrier.send(dial, "completed", cause="completed")
    await world.flush(dialer)

    (attempt,) = await world.attempts(call_id)
    assert attempt.outcome == "human"
    assert (attempt.ringing_at, attempt.answered_at) == (world.at(1), world.at(3))
    assert (attempt.bridged_at, attempt.ended_at) == (world.at(3.5), world.at(23.5))
    assert (await world.caller_session(caller)).state == "wrap_up"
    assert await world.spans(caller) == [
        ("available", world.at(0), world.at(3.5)),
        ("connected", world.at(3.5), world.at(23.5)),
    ]


async def test_a_gap_never_filled_in_time_does_not_hold_the_call_and_its_late_event_is_dropped(
    world: World,
) -> None:
    dialer, caller, call_id, dial = await one_dial(world)
    await world.carrier.send(dial, "queued")
    await world.run(1)
    ringing = world.carrier.event(dial, "ringing")
    await world.run(2)
    await world.carrier.send(dial, "answered", answered_by="human")  # +3, ringing missing
    await world.run(1.9)
    assert world.carrier.bridges == []
    await world.run(0.1)  # the reorder wait is over: carry on without it
    assert world.carrier.bridges == [(dial, str(caller))]
    await world.run(1)
    await world.carrier.emit(ringing)  # the gap is filled, too late
    await world.run(20)
    await world.carrier.send(dial, "completed", cause="completed")
    await world.flush(dialer)

    assert world.carrier.bridges == [(dial, str(caller))]
    (attempt,) = await world.attempts(call_id)
    assert attempt.outcome == "human"
    # The late ringing may or may not be kept; it must not change anything else.
    assert attempt.ringing_at in (None, world.at(1))
    assert (attempt.answered_at, attempt.bridged_at) == (world.at(3), world.at(5))
    assert attempt.ended_at == world.at(26)
    assert (await world.caller_session(caller)).state == "wrap_up"
    assert [span[0] for span in await world.spans(caller)] == ["available", "connected"]


async def test_power_campaign_runs_end_to_end_on_the_seeded_simulated_carrier(
    world: World,
) -> None:
    # Retries are a day away, so each call's dials end within the run.
    await world.update_campaign(
        retry_delay_busy_seconds=86400,
        retry_delay_no_answer_seconds=86400,
        retry_delay_machine_seconds=86400,
        retry_delay_failed_seconds=86400,
    )
    config = SimulatedCarrierConfig.from_scenario(
        human=0.4,
        machine=0.2,
        busy=0.1,
        failed=0.1,
        no_answer=0.2,
        talk_mean=40,
        duplicate_event_rate=0.2,
        out_of_order_rate=0.2,
    )
    carrier = SimulatedCarrier(world.clock, config, seed=11)
    dialer = world.dialer(carrier, tick_seconds=5.0, flush_seconds=5.0, status_poll_seconds=5.0)
    dialer.notifier = SimulatedCallers(dialer, wrap_mean_seconds=10, seed=12)
    sessions = [await world.log_in(dialer) for _ in range(3)]
    call_ids = await world.add_calls(12)
    await world.start(dialer)
    await world.run(6 * 60)
    assert carrier.active_calls == 0
    await world.update_campaign(status="stopped")
    await world.settle(dialer, 6)
    assert not dialer.running

    attempts = [attempt for call_id in call_ids for attempt in await world.attempts(call_id)]
    dialed = [attempt for attempt in attempts if attempt.outcome != "not_dialed"]
    assert all(attempt.outcome is not None for attempt in attempts)
    assert len({attempt.carrier_call_id for attempt in dialed}) == len(dialed) >= 12
    outcomes = {attempt.outcome for attempt in dialed}
    assert {"human", "machine"} <= outcomes <= {"human", "machine", "busy", "no_answer", "failed"}
    for attempt in dialed:
        moments = [attempt.attempted_at, attempt.ringing_at, attempt.answered_at]
        moments += [attempt.bridged_at, attempt.ended_at]
        present = [moment for moment in moments if moment is not None]
        assert present == sorted(present), attempt.outcome
        assert (attempt.bridged_at is not None) == (attempt.outcome == "human")
        assert (attempt.caller_id is not None) == (attempt.outcome == "human")
    for call_id in call_ids:
        call = await world.call(call_id)
        assert call.dialing_since is None
        reached = [a for a in await world.attempts(call_id) if a.outcome == "human"]
        results = await world.results(call_id)
        assert len(results) == len(reached)
        if reached:
            assert call.status == "completed"
            assert call.result == {"disposition": "talked"}
        else:
            assert call.status == "requested"
            assert call.next_call_at > world.at(86400)
    for session_id in sessions:
        stored = await world.caller_session(session_id)
        assert (stored.state, stored.ended_at) == ("ended", world.at(6 * 60 + 5))
