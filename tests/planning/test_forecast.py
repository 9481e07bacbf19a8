"""Sizing a plan to the simulation budget, and scaling what was simulated to the session."""

import pytest

from phonebank.planning.forecast import (
    MIN_SIMULATED_HOURS,
    dials_per_caller_hour,
    hourly_series,
    size_plan,
)
from phonebank.planning.observed import default_rates

DEFAULT_RATES = default_rates()


def test_a_small_plan_is_simulated_whole() -> None:
    sizing = size_plan(2, 0.25, DEFAULT_RATES, dial_budget=10_000)
    assert (sizing.simulated_callers, sizing.simulated_hours) == (2, 0.25)
    assert not sizing.scaled and sizing.scale == 1


def test_a_large_plan_is_shortened_then_given_fewer_callers() -> None:
    budget = 2000
    sizing = size_plan(200, 3, DEFAULT_RATES, dial_budget=budget)
    assert sizing.scaled
    assert sizing.simulated_hours == MIN_SIMULATED_HOURS
    cost = dials_per_caller_hour(DEFAULT_RATES)
    assert sizing.simulated_callers * sizing.simulated_hours * cost <= budget
    assert sizing.scale == pytest.approx(200 / sizing.simulated_callers * 3 / 0.5)
    # A medium plan keeps its callers and loses only hours.
    medium = size_plan(10, 3, DEFAULT_RATES, dial_budget=budget)
    assert medium.simulated_callers == 10 and MIN_SIMULATED_HOURS <= medium.simulated_hours < 3


def test_hours_past_the_simulated_span_repeat_its_last_hour() -> None:
    sizing = size_plan(20, 2.5, DEFAULT_RATES, dial_budget=2000)
    point = {"hour": 0.0, "human_answers": 50.0, "abandon_rate": 0.02, "utilization": 0.7}
    result = {"hours": 0.5, "hourly": [point]}
    series = hourly_series({"preview": result, "power": result, "predictive": result}, sizing)
    assert series["hour"] == [0, 1, 2]
    assert series["simulated"] == [True, False, False]
    contacts = series["predictive"]["contacts"]
    # Half an hour simulated counts at the same pace for a whole one; the last hour is half.
    whole = 50 * 0.98 / 0.5 * 20 / sizing.simulated_callers
    assert contacts == pytest.approx([whole, whole, whole / 2], abs=0.1)
    assert series["predictive"]["utilization"] == [0.7, 0.7, 0.7]
