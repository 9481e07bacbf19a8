"""Pacer states for tests: a plausible default, changed field by field."""

from datetime import UTC, datetime
from typing import Any

from phonebank.dialer.pacers.base import BusyCaller, OutcomeCounts, PacerState

NOW = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def make_state(**changes: Any) -> PacerState:
    """A quiet campaign with no callers and no history, then `changes`."""
    values: dict[str, Any] = {
        "now": NOW,
        "callers_available": 0,
        "callers_previewing": 0,
        "callers_connected": 0,
        "callers_wrap_up": 0,
        "callers_paused": 0,
        "busy_callers": (),
        "in_flight_ages": (),
        "waiting_contacts": 0,
        "campaign": OutcomeCounts(),
        "recent": OutcomeCounts(),
        "mean_ring_seconds": None,
        "mean_talk_seconds": None,
        "mean_wrap_seconds": None,
        "abandon_target_percent": 3.0,
        "power_ratio": 1.0,
        "ring_timeout_seconds": 20,
    }
    values.update(changes)
    # The last hour is the recent window (a quarter hour of dialing) unless told otherwise.
    values.setdefault("last_hour", values["recent"])
    values.setdefault("last_hour_seconds", 900.0 if values["last_hour"].dials else 0.0)
    busy: tuple[BusyCaller, ...] = values["busy_callers"]
    values["callers_connected"] = values["callers_connected"] or sum(
        1 for caller in busy if caller.state == "connected"
    )
    values["callers_wrap_up"] = values["callers_wrap_up"] or sum(
        1 for caller in busy if caller.state == "wrap_up"
    )
    return PacerState(**values)


def history(
    dials: int, human_share: float, machine_share: float, abandon_share: float
) -> OutcomeCounts:
    """Counts of `dials` ended dials with these shares (abandons are a share of humans)."""
    humans = round(dials * human_share)
    machines = round(dials * machine_share)
    return OutcomeCounts(
        dials=dials,
        human_answers=humans,
        machine_answers=machines,
        abandons=round(humans * abandon_share),
        unanswered=dials - humans - machines,
    )


def busy_team(talking: list[float], wrapping: list[float]) -> tuple[BusyCaller, ...]:
    """Busy callers: seconds into their talk, and seconds into their wrap-up."""
    return tuple(BusyCaller("connected", seconds) for seconds in talking) + tuple(
        BusyCaller("wrap_up", seconds) for seconds in wrapping
    )
