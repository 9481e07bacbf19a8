"""A caller who pauses, stops or vanishes leaves no person to be abandoned, and a running
campaign's settings apply within seconds, on a virtual clock."""

import uuid

from phonebank.dialer.engine import CampaignDialer
from tests.dialer.conftest import World, number


async def test_power_caller_who_pauses_while_their_dial_rings_abandons_nobody(
    world: World,
) -> None:
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    (call_id,) = await world.add_calls(1)
    await world.start(dialer)
    dial = world.carrier.id_for(number(100))
    await world.run(1)
    await world.carrier.send(dial, "ringing")
    dialer.pause(session_id, True)
    await world.settle(dialer, 2)

    # Hung up before anyone answered, and recorded as such: no safe-harbor message, no abandon.
    assert world.carrier.hangups == [dial]
    assert world.carrier.plays == []
    (attempt,) = await world.attempts(call_id)
    assert (attempt.outcome, attempt.cause) == ("cancelled", "canceled")
    assert (await world.call(call_id)).status == "requested"


async def test_power_dials_of_a_caller_who_stops_go_to_the_caller_still_there(
    world: World,
) -> None:
    dialer = world.dialer()
    leaving = await world.log_in(dialer)
    staying = await world.log_in(dialer)
    await world.add_calls(2)
    await world.start(dialer)
    assert len(world.carrier.originations) == 2
    dialer.leave(leaving)
    await world.run(1)

    # One line per caller still there: one dial is hung up, the other is theirs.
    assert len(world.carrier.hangups) == 1
    (kept,) = [d for d in world.carrier.carrier_call_ids if d not in world.carrier.hangups]
    await world.carrier.send(kept, "answered", answered_by="human")
    assert world.carrier.bridges == [(kept, str(staying))]
    await world.settle(dialer, 3)
    assert world.carrier.plays == []


async def test_preview_dial_of_a_caller_who_stops_goes_to_another_free_caller(
    world: World,
) -> None:
    await world.update_campaign(dialing_mode="preview")
    dialer = world.dialer()
    leaving = await world.log_in(dialer)
    await world.add_calls(1)
    await world.start(dialer)
    free = await world.log_in(dialer)
    await world.run(1)
    assert dialer.agents[free].state == "available"
    await dialer.dial_preview(leaving)
    dial = world.carrier.id_for(number(100))
    await world.carrier.send(dial, "ringing")
    dialer.leave(leaving)
    await world.run(0.5)

    assert dialer.agents[free].state == "dialing"
    await world.carrier.send(dial, "answered", answered_by="human")
    assert world.carrier.bridges == [(dial, str(free))]
    await world.settle(dialer, 3)
    assert world.carrier.plays == []
    assert dialer.agents[free].state == "connected"


async def test_preview_dial_of_a_caller_who_stops_alone_is_hung_up_before_an_answer(
    world: World,
) -> None:
    await world.update_campaign(dialing_mode="preview")
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    (call_id,) = await world.add_calls(1)
    await world.start(dialer)
    await dialer.dial_preview(session_id)
    dial = world.carrier.id_for(number(100))
    await world.carrier.send(dial, "ringing")
    dialer.leave(session_id)
    await world.settle(dialer, 2)

    assert world.carrier.hangups == [dial]
    assert world.carrier.plays == []
    (attempt,) = await world.attempts(call_id)
    assert attempt.outcome == "cancelled"


async def _running(world: World, mode: str) -> tuple[CampaignDialer, uuid.UUID]:
    await world.update_campaign(dialing_mode=mode)
    dialer = world.dialer()
    session_id = await world.log_in(dialer)
    await world.start(dialer)
    return dialer, session_id


async def test_mode_change_to_preview_applies_within_seconds_without_a_restart(
    world: World,
) -> None:
    dialer, session_id = await _running(world, "power")
    await world.update_campaign(dialing_mode="preview")
    await world.run(3)
    await world.add_calls(1)
    await world.run(3)

    assert world.carrier.originations == []
    assert dialer.agents[session_id].state == "previewing"


async def test_mode_change_to_power_applies_within_seconds_without_a_restart(
    world: World,
) -> None:
    await _running(world, "preview")
    await world.update_campaign(dialing_mode="power")
    await world.run(3)
    await world.add_calls(1)
    await world.run(3)

    assert world.carrier.numbers == [number(100)]


async def test_power_ratio_change_applies_within_seconds(world: World) -> None:
    await _running(world, "power")
    await world.add_calls(5)
    await world.run(2)
    assert len(world.carrier.originations) == 1
    await world.update_campaign(power_ratio=3.0)
    await world.run(3)
    assert len(world.carrier.originations) == 3


async def test_switch_to_preview_keeps_a_free_caller_for_a_power_dial_in_flight(
    world: World,
) -> None:
    _, session_id = await _running(world, "power")
    await world.add_calls(2)
    await world.run(1)
    (dial,) = world.carrier.carrier_call_ids
    await world.update_campaign(dialing_mode="preview")
    await world.run(3)
    await world.carrier.send(dial, "answered", answered_by="human")

    # The power dial placed for the caller still finds them: no abandon for a caller still there.
    assert world.carrier.bridges == [(dial, str(session_id))]
    assert world.carrier.plays == []
