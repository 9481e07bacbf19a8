"""Predictive pacing: how the decision moves with each thing the pacer observes."""

from dataclasses import replace
from datetime import timedelta
from itertools import product
from typing import Any

import pytest

from phonebank.dialer.pacers.base import PacerState
from phonebank.dialer.pacers.overflow import add_trial, exact_overflow, shortfall_weights
from phonebank.dialer.pacers.predictive import PredictivePacer
from tests.dialer.pacers.states import busy_team, history, make_state


def decide(state: PacerState) -> int:
    return PredictivePacer().dials_to_place(state)


def call_center(**changes: Any) -> PacerState:
    """100 callers mid-day: 25 % humans, 2-minute talks, 15-second wrap-ups, on target."""
    values: dict[str, Any] = {
        "campaign": history(20_000, 0.25, 0.20, 0.025),
        "recent": history(2_000, 0.25, 0.20, 0.025),
        "mean_ring_seconds": 9.0,
        "mean_talk_seconds": 120.0,
        "mean_wrap_seconds": 15.0,
        "busy_callers": busy_team([float(s) for s in range(5, 285, 4)], [5.0] * 10),
        "in_flight_ages": tuple(float(age % 20) for age in range(40)),
        "callers_available": 5,
    }
    values.update(changes)
    return make_state(**values)


def phone_bank(**changes: Any) -> PacerState:
    """A few volunteers with a history of 10 % humans, 90-second talks, 20-second wrap-ups."""
    values: dict[str, Any] = {
        "campaign": history(4_000, 0.10, 0.20, 0.025),
        "recent": history(1_000, 0.10, 0.20, 0.025),
        "mean_ring_seconds": 9.0,
        "mean_talk_seconds": 90.0,
        "mean_wrap_seconds": 20.0,
    }
    values.update(changes)
    return make_state(**values)


def test_no_callers_means_no_dials() -> None:
    assert decide(make_state()) == 0
    assert decide(call_center(callers_available=0, busy_callers=(), callers_paused=7)) == 0


def test_more_available_callers_never_means_fewer_dials() -> None:
    dials = [decide(call_center(callers_available=free)) for free in range(0, 31)]
    assert dials == sorted(dials)
    assert dials[30] > dials[5] > 0


def test_a_higher_abandon_target_never_means_fewer_dials() -> None:
    dials = [
        decide(call_center(abandon_target_percent=target)) for target in (0.5, 1.0, 2.0, 3.0, 5.0)
    ]
    assert dials == sorted(dials)
    assert dials[-1] > dials[0]


def test_running_above_target_dials_fewer_than_running_below() -> None:
    above = call_center(
        campaign=history(20_000, 0.25, 0.20, 0.05), recent=history(2_000, 0.25, 0.20, 0.06)
    )
    below = call_center(
        campaign=history(20_000, 0.25, 0.20, 0.01), recent=history(2_000, 0.25, 0.20, 0.01)
    )
    assert decide(above) < decide(below)


def test_only_the_recent_window_running_hot_also_tightens() -> None:
    calm = call_center()
    hot = call_center(recent=history(2_000, 0.25, 0.20, 0.08))
    assert decide(hot) < decide(calm)


def test_three_volunteers_and_no_history_dial_conservatively() -> None:
    dials = decide(make_state(callers_available=3))
    assert 1 <= dials <= 6


def test_no_history_never_dials_wildly_for_a_big_team() -> None:
    dials = decide(make_state(callers_available=100))
    # Humans are assumed common until measured: at most about 3 lines per caller.
    assert 100 <= dials <= 300


def test_callers_long_in_wrap_up_raise_dials_over_callers_just_connected() -> None:
    wrapping = phone_bank(callers_available=1, busy_callers=busy_team([], [60.0] * 4))
    just_talking = phone_bank(callers_available=1, busy_callers=busy_team([1.0] * 4, []))
    assert decide(wrapping) > decide(just_talking)


def test_callers_near_the_end_of_a_talk_raise_dials_over_fresh_talks() -> None:
    near_end = call_center(busy_callers=busy_team([110.0] * 80, [5.0] * 10))
    fresh = call_center(busy_callers=busy_team([2.0] * 80, [5.0] * 10))
    assert decide(near_end) > decide(fresh)


def test_dials_in_flight_reduce_new_dials_and_young_ones_most() -> None:
    busy = busy_team([30.0, 60.0], [])
    none = decide(phone_bank(callers_available=3, busy_callers=busy))
    old = decide(phone_bank(callers_available=3, busy_callers=busy, in_flight_ages=(16.0,) * 20))
    young = decide(phone_bank(callers_available=3, busy_callers=busy, in_flight_ages=(1.0,) * 20))
    assert none > old > young


def test_many_old_dials_in_flight_reduce_new_dials_for_a_big_team() -> None:
    few = decide(call_center(in_flight_ages=(15.0,) * 10))
    many = decide(call_center(in_flight_ages=(15.0,) * 120))
    assert many < few


def test_answered_humans_waiting_reduce_new_dials() -> None:
    assert decide(call_center(waiting_contacts=4)) < decide(call_center(waiting_contacts=0))


def test_fewer_humans_per_dial_means_more_dials() -> None:
    rich = phone_bank(callers_available=4, campaign=history(4_000, 0.30, 0.20, 0.025))
    poor = phone_bank(callers_available=4, campaign=history(4_000, 0.08, 0.20, 0.025))
    assert decide(poor) > decide(rich)


def test_a_zero_target_dials_one_line_per_free_caller() -> None:
    state = call_center(abandon_target_percent=0.0, callers_available=6, in_flight_ages=(3.0,) * 2)
    assert decide(state) == 4


def test_settings_come_as_keywords_from_the_registry() -> None:
    timid = PredictivePacer(aim=0.3)
    bold = PredictivePacer(aim=1.0)
    state = call_center(
        campaign=history(20_000, 0.25, 0.20, 0.02), recent=history(2_000, 0.25, 0.20, 0.02)
    )
    assert timid.dials_to_place(state) < bold.dials_to_place(state)


@pytest.mark.parametrize("callers", [3, 5, 20, 100])
def test_decisions_stay_cheap_enough_to_repeat(callers: int) -> None:
    """Ten thousand decisions over a changing state (the simulation makes that many)."""
    pacer = PredictivePacer()
    state = call_center(callers_available=0)
    talking = [float(s * 7 % 240) for s in range(callers - callers // 10)]
    wrapping = [float(s % 20) for s in range(callers // 10)]
    decisions = 10_000 if callers == 100 else 1_000
    total = 0
    for step in range(decisions):
        shift = step % 60
        state = replace(
            state,
            now=state.now + timedelta(seconds=1),
            callers_available=step % 4,
            busy_callers=busy_team([t + shift for t in talking], [w + shift for w in wrapping]),
            in_flight_ages=tuple(float((age + step) % 20) for age in range(callers // 2)),
        )
        total += pacer.dials_to_place(state)
    assert total > 0


def test_exact_overflow_matches_enumeration() -> None:
    """E[(X + Binomial(n, q) - capacity)^+] against a brute-force sum over every outcome."""
    chances, capacity, dials, new = [0.9, 0.5, 0.2, 0.7], 3, 4, 0.3
    pmf = [0.0] * capacity
    pmf[0] = 1.0
    for chance in chances:
        add_trial(pmf, chance)
    mean = sum(chances) + dials * new
    computed = exact_overflow(shortfall_weights(pmf), mean, dials, new)

    expected = 0.0
    trials = [*chances, *([new] * dials)]
    for outcome in product((0, 1), repeat=len(trials)):
        weight = 1.0
        for hit, chance in zip(outcome, trials, strict=True):
            weight *= chance if hit else 1.0 - chance
        expected += weight * max(0, sum(outcome) - capacity)
    assert computed == pytest.approx(expected, rel=1e-9)
    assert expected > 0.1


def test_an_hour_that_has_used_its_abandon_allowance_dials_fewer() -> None:
    busy = busy_team([30.0, 60.0, 80.0], [5.0])
    calm = phone_bank(
        callers_available=3,
        busy_callers=busy,
        last_hour=history(1_000, 0.10, 0.20, 0.0),
        last_hour_seconds=3600.0,
    )
    # 100 humans in the hour: at 3 % any hour may hold 6 abandons, and 6 happened already.
    spent = replace(calm, last_hour=replace(calm.last_hour, abandons=6))
    assert 0 <= decide(spent) < decide(calm)


def test_a_young_campaign_counts_its_first_minutes_as_a_quarter_hour() -> None:
    busy = busy_team([30.0, 60.0, 80.0], [5.0])
    # Two minutes in: 10 humans, one abandoned. Taken as a full hour's humans, the hour could
    # hold no more; as a quarter hour's, there is room.
    young = phone_bank(
        callers_available=3,
        busy_callers=busy,
        last_hour=history(100, 0.10, 0.20, 0.10),
        last_hour_seconds=120.0,
    )
    as_full_hour = replace(young, last_hour_seconds=3600.0)
    assert decide(young) > decide(as_full_hour)
