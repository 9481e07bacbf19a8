"""The carrier contract (docs/carriers.md), run against every carrier: simulated and Twilio."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.dialer.carriers.contract import HARNESSES, Harness, check_stream, dial, open_harness

MakeHarness = Callable[..., Awaitable[Harness]]


@pytest.fixture(params=HARNESSES)
async def make_harness(request: pytest.FixtureRequest) -> AsyncIterator[MakeHarness]:
    """Opens harnesses of one carrier (the test runs once per carrier)."""
    opened: list[AsyncIterator[Harness]] = []

    async def make(outcome: str, **settings: Any) -> Harness:
        harness_iterator = open_harness(request.param, outcome, **settings)
        opened.append(harness_iterator)
        return await anext(harness_iterator)

    yield make
    for harness_iterator in opened:
        await anext(harness_iterator, None)


async def test_every_dial_gets_its_own_id(make_harness: MakeHarness) -> None:
    harness = await make_harness("busy")
    first = await harness.carrier.originate(dial("+14155550123"))
    second = await harness.carrier.originate(dial("+14155550124"))
    assert first != second
    await harness.until_event(first, "completed")
    await harness.until_event(second, "completed")


async def test_a_person_answers_is_bridged_and_hung_up(make_harness: MakeHarness) -> None:
    harness = await make_harness("human")
    call = await harness.carrier.originate(dial())
    answered = await harness.until_event(call, "answered")
    assert answered.answered_by == "human"
    await harness.carrier.bridge(call, "session-1")
    await harness.carrier.hangup(call)
    completed = await harness.until_event(call, "completed")
    assert completed.cause == "completed"
    stream = harness.stream(call)
    check_stream(stream)
    assert [event.kind for event in stream] == ["queued", "ringing", "answered", "completed"]


async def test_a_bridged_person_who_hangs_up_completes_the_call(make_harness: MakeHarness) -> None:
    harness = await make_harness("human")
    call = await harness.carrier.originate(dial())
    await harness.until_event(call, "answered")
    await harness.carrier.bridge(call, "session-1")
    completed = await harness.until_event(call, "completed")
    assert completed.cause == "completed"
    check_stream(harness.stream(call))


async def test_a_machine_is_reported_and_playing_ends_the_call(make_harness: MakeHarness) -> None:
    harness = await make_harness("machine")
    call = await harness.carrier.originate(dial())
    answered = await harness.until_event(call, "answered")
    assert answered.answered_by == "machine"
    await harness.carrier.play(call, audio_url="https://example.org/vm.mp3", text=None)
    completed = await harness.until_event(call, "completed")
    assert completed.cause == "completed"
    check_stream(harness.stream(call))


@pytest.mark.parametrize(
    ("outcome", "cause"),
    [("busy", "busy"), ("no_answer", "no_answer"), ("failed", "failed")],
)
async def test_an_unanswered_dial_ends_with_its_cause(
    make_harness: MakeHarness, outcome: str, cause: str
) -> None:
    harness = await make_harness(outcome)
    call = await harness.carrier.originate(dial())
    completed = await harness.until_event(call, "completed")
    assert completed.cause == cause
    assert not harness.saw(call, "answered")
    check_stream(harness.stream(call))


async def test_hanging_up_a_ringing_dial_cancels_it(make_harness: MakeHarness) -> None:
    harness = await make_harness("no_answer")
    call = await harness.carrier.originate(dial())
    await harness.until_event(call, "ringing")
    await harness.carrier.hangup(call)
    completed = await harness.until_event(call, "completed")
    assert completed.cause == "canceled"
    check_stream(harness.stream(call))


async def test_acting_on_an_ended_or_unknown_call_changes_nothing(
    make_harness: MakeHarness,
) -> None:
    harness = await make_harness("busy")
    call = await harness.carrier.originate(dial())
    await harness.until_event(call, "completed")
    before = harness.stream(call)
    for carrier_call_id in (call, "no-such-call"):
        await harness.carrier.hangup(carrier_call_id)
        await harness.carrier.bridge(carrier_call_id, "session-1")
        await harness.carrier.play(carrier_call_id, audio_url=None, text="Hello")
        await harness.carrier.release(carrier_call_id)
        await harness.carrier.end_left_over(carrier_call_id)
    await harness.settle()
    assert harness.stream(call) == before
    assert harness.stream("no-such-call") == []


async def test_repeated_and_reordered_delivery_keeps_one_numbered_stream(
    make_harness: MakeHarness,
) -> None:
    harness = await make_harness("human", faults=True)
    call = await harness.carrier.originate(dial())
    await harness.until_event(call, "answered")
    await harness.carrier.bridge(call, "session-1")
    await harness.carrier.hangup(call)
    await harness.until_event(call, "completed")
    await harness.settle()
    stream = harness.stream(call)
    check_stream(stream)
    assert [event.kind for event in stream] == ["queued", "ringing", "answered", "completed"]
