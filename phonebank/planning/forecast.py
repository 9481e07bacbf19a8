"""How much of a session to simulate, and how the simulated figures become the session's.

Pure functions: sizing a plan to the simulation budget, and scaling what was simulated back to
the callers and hours asked for.
"""

import math
from dataclasses import dataclass
from typing import Any

from phonebank.dialer.simulation import MODES, Scenario
from phonebank.planning.observed import ObservedRates

# The span a shortened plan still simulates: predictive pacing needs time to learn the rates.
MIN_SIMULATED_HOURS = 0.5


@dataclass(frozen=True)
class Sizing:
    """The callers and hours simulated for a plan of `callers` over `hours`."""

    callers: int
    hours: float
    simulated_callers: int
    simulated_hours: float

    @property
    def scale(self) -> float:
        """What simulated counts are multiplied by to cover the whole session."""
        return (self.callers / self.simulated_callers) * (self.hours / self.simulated_hours)

    @property
    def scaled(self) -> bool:
        """Whether fewer callers or a shorter span were simulated."""
        return self.simulated_callers < self.callers or self.simulated_hours < self.hours


def dials_per_caller_hour(rates: ObservedRates) -> float:
    """Dials one fully busy caller needs an hour: the cost of a simulated caller-hour."""
    per_contact = rates.ring_seconds + rates.talk_seconds + rates.wrap_seconds
    return 3600 / max(per_contact, 1.0) / max(rates.human, 0.02)


def size_plan(callers: int, hours: float, rates: ObservedRates, dial_budget: int) -> Sizing:
    """Fit the simulation to `dial_budget` dials a mode: shorten the span first, then callers."""
    cost = dials_per_caller_hour(rates)
    if callers * hours * cost <= dial_budget:
        return Sizing(callers, hours, callers, hours)
    span = min(hours, max(MIN_SIMULATED_HOURS, dial_budget / (callers * cost)))
    simulated_callers = max(1, min(callers, math.floor(dial_budget / (span * cost))))
    return Sizing(callers, hours, simulated_callers, span)


def scenario_for(rates: ObservedRates, sizing: Sizing, ring_timeout_seconds: int) -> Scenario:
    """The simulated world of a plan: the campaign's rates, the sized callers and span."""
    return Scenario(
        name="plan",
        callers=sizing.simulated_callers,
        human=rates.human,
        machine=rates.machine,
        busy=rates.busy,
        # The simulated carrier needs shares that sum to one exactly.
        no_answer=max(0.0, 1.0 - rates.human - rates.machine - rates.busy - rates.failed),
        failed=rates.failed,
        talk_mean_seconds=max(rates.talk_seconds, 1.0),
        wrap_mean_seconds=max(rates.wrap_seconds, 0.1),
        human_ring_mean_seconds=max(rates.ring_seconds, 0.5),
        ring_timeout_seconds=ring_timeout_seconds,
        hours=sizing.simulated_hours,
    )


def forecast_mode(result: dict[str, Any], sizing: Sizing, target: float) -> dict[str, Any]:
    """One mode's figures over the whole session, from its simulated result."""
    played = Sizing(sizing.callers, sizing.hours, sizing.simulated_callers, result["hours"])
    scale = played.scale if result["hours"] > 0 else 0.0
    contacts = result["human_answers"] - result["abandoned"]
    return {
        "contacts": round(contacts * scale),
        "dials": round(result["dials"] * scale),
        "abandoned": round(result["abandoned"] * scale),
        "abandon_rate": result["abandon_rate"],
        "utilization": result["agent_utilization"],
        "contacts_per_caller_hour": result["contacts_per_agent_hour"],
        "within_abandon_target": result["abandon_rate"] <= target / 100 + 1e-12,
    }


def hourly_series(results: dict[str, dict[str, Any]], sizing: Sizing) -> dict[str, Any]:
    """Each mode hour by hour over the session; hours past the simulated span repeat its last."""
    hours = list(range(math.ceil(sizing.hours - 1e-9)))
    played = min(result["hours"] for result in results.values())
    series: dict[str, Any] = {"hour": hours, "simulated": [hour < played for hour in hours]}
    callers_factor = sizing.callers / sizing.simulated_callers
    for mode in MODES:
        points = {int(point["hour"]): point for point in results[mode]["hourly"]}
        contacts, utilization, abandon = [], [], []
        last: dict[str, float] | None = None
        for hour in hours:
            point = points.get(hour) if hour < played else None
            if point is not None:
                # A partly simulated hour counts as a whole one at the same pace.
                covered = min(1.0, played - hour)
                per_hour = (point["human_answers"] * (1 - point["abandon_rate"])) / covered
                last = {**point, "per_hour": per_hour}
            source = last or {"per_hour": 0.0, "utilization": 0.0, "abandon_rate": 0.0}
            share = min(1.0, sizing.hours - hour)  # the session's last hour may be partial
            contacts.append(round(source["per_hour"] * callers_factor * share, 1))
            utilization.append(source["utilization"])
            abandon.append(source["abandon_rate"])
        series[mode] = {"contacts": contacts, "utilization": utilization, "abandon_rate": abandon}
    return series


def describe(sizing: Sizing, played_hours: float) -> str:
    """What was simulated, in words, for the plan's `note`."""
    if not sizing.scaled and played_hours >= sizing.hours - 1e-9:
        return f"Simulated all {sizing.callers} callers for the whole {sizing.hours:g} h."
    return (
        f"Simulated {sizing.simulated_callers} of {sizing.callers} callers for"
        f" {played_hours:.2f} of {sizing.hours:g} h; counts are scaled to the whole session,"
        " rates (utilization, abandons) are those simulated."
    )
