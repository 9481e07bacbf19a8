"""The simulated carrier on a virtual clock: event shapes, statistics and delivery faults."""

import statistics
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from phonebank.dialer.carriers.base import CarrierEvent, Origination
from phonebank.dialer.carriers.simulated import SimulatedCarrier, SimulatedCarrierConfig
from phonebank.dialer.clock import VirtualClock

START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def dial(ring_timeout: int = 30, number: str = "+15555550100") -> Origination:
    """An origination as the engine would make it."""
    return Origination(
        number=number, caller_id=None, ring_timeout_seconds=ring_timeout, reference="attempt"
    )


def make_carrier(
    config: SimulatedCarrierConfig | None = None, seed: int = 7
) -> tuple[VirtualClock, SimulatedCarrier, list[CarrierEvent]]:
    """A carrier on a virtual clock with every event it delivers written down."""
    clock = VirtualClock(START)
    carrier = SimulatedCarrier(clock, config, seed=seed)
    events: list[CarrierEvent] = []

    async def record(event: CarrierEvent) -> None:
        events.append(event)

    carrier.subscribe(record)
    return clock, carrier, events


def only(**shares: float) -> SimulatedCarrierConfig:
    """A world where every dial ends the same way."""
    return SimulatedCarrierConfig.from_scenario(
        human=shares.get("human", 0.0),
        machine=shares.get("machine", 0.0),
        busy=shares.get("busy", 0.0),
        failed=shares.get("failed", 0.0),
        no_answer=shares.get("no_answer", 0.0),
    )


def seconds_since(event: CarrierEvent, origin: datetime = START) -> float:
    return (event.at - origin).total_seconds()


def shape(events: list[CarrierEvent]) -> list[tuple[str, int, str | None]]:
    return [(event.kind, event.sequence, event.answered_by or event.cause) for event in events]


def test_config_rejects_shares_that_do_not_sum_to_one() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        SimulatedCarrierConfig(human_share=0.5, machine_share=0.5, busy_share=0.1)
    with pytest.raises(ValueError, match="negative"):
        SimulatedCarrierConfig.from_scenario(human=1.2, machine=-0.2)
    with pytest.raises(ValueError, match="rates"):
        SimulatedCarrierConfig(duplicate_event_rate=1.5)
    with pytest.raises(ValueError, match="calls_per_second"):
        SimulatedCarrierConfig(calls_per_second=0)


def test_from_scenario_gives_the_remainder_to_no_answer() -> None:
    config = SimulatedCarrierConfig.from_scenario(
        human=0.3, machine=0.2, busy=0.1, talk_mean=60, amd_delay_seconds=2.5
    )
    assert config.no_answer_share == pytest.approx(0.4)
    assert config.failed_share == 0.0
    assert config.talk_mean_seconds == 60
    assert config.amd_delay_seconds == 2.5


async def test_human_answer_then_bridge_talks_and_completes() -> None:
    clock, carrier, events = make_carrier(only(human=1.0))
    call_id = await carrier.originate(dial())
    assert call_id == "sim-1"
    await clock.run()

    assert shape(events) == [("queued", 1, None), ("ringing", 2, None), ("answered", 3, "human")]
    queued, ringing, answered = events
    assert queued.at == START
    assert 0 < seconds_since(ringing) < seconds_since(answered)
    assert seconds_since(answered) >= 2.0
    assert {event.carrier_call_id for event in events} == {"sim-1"}
    # Answered and never bridged: the contact stays on the line.
    assert carrier.active_calls == 1

    await carrier.bridge(call_id, "caller-session-1")
    await clock.run()
    completed = events[-1]
    assert (completed.kind, completed.sequence, completed.cause) == ("completed", 4, "completed")
    assert completed.at > answered.at
    assert carrier.active_calls == 0


@pytest.mark.parametrize(
    ("outcome", "cause", "low", "high", "rings"),
    [
        ("busy", "busy", 2.0, 5.0, True),
        ("no_answer", "no_answer", 25.0, 25.0, True),
        ("failed", "failed", 0.5, 2.0, False),
    ],
)
async def test_unanswered_outcomes_end_with_their_cause_at_their_time(
    outcome: str, cause: str, low: float, high: float, rings: bool
) -> None:
    clock, carrier, events = make_carrier(only(**{outcome: 1.0}))
    for _ in range(50):
        await carrier.originate(dial(ring_timeout=25))
    await clock.run()

    calls: dict[str, list[CarrierEvent]] = defaultdict(list)
    for event in events:
        calls[event.carrier_call_id].append(event)
    assert len(calls) == 50
    for call_events in calls.values():
        expected = ["queued", "ringing", "completed"] if rings else ["queued", "completed"]
        assert [event.kind for event in call_events] == expected
        assert [event.sequence for event in call_events] == list(range(1, len(expected) + 1))
        assert call_events[-1].cause == cause
        assert call_events[-1].answered_by is None
        assert low <= seconds_since(call_events[-1]) <= high
        if rings:
            assert seconds_since(call_events[1]) < seconds_since(call_events[-1])
    assert carrier.active_calls == 0


async def test_machine_answers_between_12_and_20_seconds() -> None:
    clock, carrier, events = make_carrier(only(machine=1.0))
    for _ in range(200):
        await carrier.originate(dial())
    await clock.run()

    answers = [event for event in events if event.kind == "answered"]
    assert len(answers) == 200
    assert {event.answered_by for event in answers} == {"machine"}
    times = [seconds_since(event) for event in answers]
    assert min(times) >= 12.0
    assert max(times) <= 20.0
    assert statistics.mean(times) == pytest.approx(16.0, abs=0.5)


async def test_answers_later_than_the_ring_timeout_are_no_answers() -> None:
    clock, carrier, events = make_carrier(only(machine=1.0))
    await carrier.originate(dial(ring_timeout=10))
    await clock.run()
    assert shape(events)[-1] == ("completed", 3, "no_answer")
    assert seconds_since(events[-1]) == 10.0


async def test_outcome_shares_converge_to_the_configured_ones() -> None:
    config = SimulatedCarrierConfig.from_scenario(
        human=0.3, machine=0.25, busy=0.1, failed=0.05, no_answer=0.3
    )
    clock, carrier, events = make_carrier(config, seed=2024)
    for _ in range(5000):
        await carrier.originate(dial())
    await clock.run()

    outcomes = Counter(
        event.answered_by or event.cause
        for event in events
        if event.kind == "answered" or event.kind == "completed"
    )
    assert sum(outcomes.values()) == 5000
    for outcome, share in config.shares().items():
        assert outcomes[outcome] / 5000 == pytest.approx(share, abs=0.02), outcome


async def test_human_ring_time_has_the_configured_mean_and_floor() -> None:
    clock, carrier, events = make_carrier(only(human=1.0), seed=11)
    for _ in range(3000):
        await carrier.originate(dial(ring_timeout=60))
    await clock.run()

    rings = [seconds_since(event) for event in events if event.kind == "answered"]
    assert len(rings) == 3000
    assert statistics.mean(rings) == pytest.approx(9.0, abs=0.3)
    assert min(rings) == 2.0  # gamma draws under the floor are raised to it
    assert statistics.stdev(rings) == pytest.approx(4.5, abs=0.4)  # gamma shape 4: mean / 2


@pytest.mark.parametrize("talk_mean", [90.0, 45.0])
async def test_bridged_humans_talk_for_the_configured_mean(talk_mean: float) -> None:
    config = SimulatedCarrierConfig.from_scenario(human=1.0, machine=0.0, talk_mean=talk_mean)
    clock, carrier, _ = make_carrier(config, seed=3)
    answered_at: dict[str, datetime] = {}
    talks: list[float] = []

    async def bridge_at_once(event: CarrierEvent) -> None:
        if event.kind == "answered":
            answered_at[event.carrier_call_id] = event.at
            await carrier.bridge(event.carrier_call_id, "session")
        elif event.kind == "completed":
            talks.append((event.at - answered_at[event.carrier_call_id]).total_seconds())

    carrier.subscribe(bridge_at_once)
    for _ in range(2500):
        await carrier.originate(dial(ring_timeout=60))
    await clock.run()

    assert len(talks) == 2500
    assert statistics.mean(talks) == pytest.approx(talk_mean, rel=0.04)
    # Lognormal with sigma 0.5: the median sits below the mean by exp(-sigma^2 / 2).
    assert statistics.median(talks) == pytest.approx(talk_mean * 0.8825, rel=0.05)


async def test_hangup_before_answer_is_canceled_and_nothing_follows() -> None:
    clock, carrier, events = make_carrier(only(human=1.0))
    call_id = await carrier.originate(dial())
    await clock.run(until=START + timedelta(seconds=1.9))
    await carrier.hangup(call_id)
    await clock.run()

    assert [event.kind for event in events][-1] == "completed"
    assert "answered" not in [event.kind for event in events]
    assert events[-1].cause == "canceled"
    assert events[-1].sequence == len(events)
    assert events[-1].at == START + timedelta(seconds=1.9)
    assert carrier.active_calls == 0


async def test_hangup_after_answer_completes_at_once() -> None:
    clock, carrier, events = make_carrier(only(human=1.0))
    call_id = await carrier.originate(dial())
    await clock.run()
    await carrier.bridge(call_id, "session")
    hangup_at = clock.now() + timedelta(seconds=3)
    await clock.run(until=hangup_at)
    await carrier.hangup(call_id)
    await clock.run()

    assert shape(events)[-2:] == [("answered", 3, "human"), ("completed", 4, "completed")]
    assert events[-1].at == hangup_at


async def test_play_ends_the_call_after_the_message() -> None:
    config = SimulatedCarrierConfig.from_scenario(
        human=0.5, machine=0.5, voicemail_message_seconds=20, safe_harbor_message_seconds=5
    )
    clock, carrier, _ = make_carrier(config, seed=5)
    answered: dict[str, CarrierEvent] = {}
    ended: dict[str, CarrierEvent] = {}

    async def play_on_answer(event: CarrierEvent) -> None:
        if event.kind == "answered":
            answered[event.carrier_call_id] = event
            await carrier.play(event.carrier_call_id, audio_url="https://x/vm.mp3", text=None)
        elif event.kind == "completed":
            ended[event.carrier_call_id] = event

    carrier.subscribe(play_on_answer)
    for _ in range(40):
        await carrier.originate(dial())
    await clock.run()

    assert len(ended) == 40
    message_lengths = {"machine": 20.0, "human": 5.0}
    for call_id, answer in answered.items():
        assert answer.answered_by is not None
        length = (ended[call_id].at - answer.at).total_seconds()
        assert length == message_lengths[answer.answered_by]
        assert ended[call_id].cause == "completed"
    assert {answer.answered_by for answer in answered.values()} == {"human", "machine"}


async def test_requests_on_unknown_or_ended_calls_are_ignored() -> None:
    clock, carrier, events = make_carrier(only(busy=1.0))
    call_id = await carrier.originate(dial())
    await carrier.bridge(call_id, "session")  # not answered yet
    await carrier.play(call_id, audio_url=None, text="hello")  # not answered yet
    await clock.run()
    delivered = list(events)

    for target in (call_id, "sim-404", "not-ours"):
        await carrier.hangup(target)
        await carrier.bridge(target, "session")
        await carrier.play(target, audio_url=None, text="hello")
    await clock.run()

    assert events == delivered
    assert shape(events)[-1] == ("completed", 3, "busy")


async def test_answering_machine_detection_delay_and_mistakes() -> None:
    config = SimulatedCarrierConfig.from_scenario(
        human=1.0, machine=0.0, amd_delay_seconds=3.0, amd_human_as_machine_rate=0.3
    )
    clock, carrier, events = make_carrier(config, seed=9)
    for _ in range(2000):
        await carrier.originate(dial(ring_timeout=60))
    await clock.run()

    answers = [event for event in events if event.kind == "answered"]
    assert len(answers) == 2000
    assert min(seconds_since(event) for event in answers) == 5.0  # 2 s floor + 3 s detection
    machines = sum(event.answered_by == "machine" for event in answers)
    assert machines / 2000 == pytest.approx(0.3, abs=0.03)


async def test_calls_per_second_limit_spreads_originations() -> None:
    config = SimulatedCarrierConfig.from_scenario(human=0.0, machine=0.0, busy=1.0)
    clock, carrier, events = make_carrier(replace(config, calls_per_second=2.0))
    for _ in range(10):
        await carrier.originate(dial())
    await clock.run()

    queued = [event for event in events if event.kind == "queued"]
    assert {event.at for event in queued} == {START}
    ringing = {
        event.carrier_call_id: seconds_since(event) for event in events if event.kind == "ringing"
    }
    # At 2 calls per second the tenth call starts 4.5 s in, and rings at least 0.5 s later.
    assert ringing["sim-10"] >= 4.5 + 0.5
    assert ringing["sim-1"] <= 1.5
    ended = {
        event.carrier_call_id: seconds_since(event) for event in events if event.kind == "completed"
    }
    assert 4.5 + 2.0 <= ended["sim-10"] <= 4.5 + 5.0
    assert ended["sim-1"] <= 5.0


async def test_unlimited_rate_starts_every_call_at_once() -> None:
    clock, carrier, events = make_carrier(only(busy=1.0))
    for _ in range(10):
        await carrier.originate(dial())
    await clock.run()
    assert max(seconds_since(event) for event in events if event.kind == "completed") <= 5.0


async def test_duplicates_and_swaps_happen_without_changing_what_happened() -> None:
    base = SimulatedCarrierConfig.from_scenario(human=0.3, machine=0.3, busy=0.1, failed=0.1)
    faulty = replace(base, duplicate_event_rate=0.2, out_of_order_rate=0.2)
    streams = []
    for config in (base, faulty):
        clock, carrier, events = make_carrier(config, seed=42)
        for _ in range(300):
            await carrier.originate(dial())
        # Hang up whoever is still on the line at the same moment in both runs.
        await clock.run(until=START + timedelta(seconds=120))
        for call_id in {event.carrier_call_id for event in events}:
            await carrier.hangup(call_id)
        await clock.run()
        streams.append(events)
    clean, noisy = streams

    counts = Counter((event.carrier_call_id, event.sequence) for event in noisy)
    assert sum(1 for count in counts.values() if count > 1) > 20
    assert all(count == 1 for count in Counter(clean).values())

    swapped = 0
    last_seen: dict[str, int] = {}
    for event in noisy:
        if event.sequence < last_seen.get(event.carrier_call_id, 0):
            swapped += 1
        last_seen[event.carrier_call_id] = max(
            event.sequence, last_seen.get(event.carrier_call_id, 0)
        )
    assert swapped > 20

    # The same calls happened: only their delivery differs.
    assert set(noisy) == set(clean)


async def test_same_seed_gives_the_same_event_stream() -> None:
    config = SimulatedCarrierConfig(duplicate_event_rate=0.1, out_of_order_rate=0.1)

    async def run(seed: int) -> list[CarrierEvent]:
        clock, carrier, events = make_carrier(config, seed=seed)
        for _ in range(300):
            await carrier.originate(dial())
        await clock.run()
        return events

    first, again, other = await run(1), await run(1), await run(2)
    assert len(first) > 600
    assert first == again
    assert first != other


def test_talk_time_is_not_public() -> None:
    carrier = SimulatedCarrier(VirtualClock(START), seed=1)
    public = [name for name in dir(carrier) if not name.startswith("_")]
    assert [name for name in public if "talk" in name] == []
    assert "active_calls" in public
