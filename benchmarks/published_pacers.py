"""Pacers after published predictive-dialing methods, to measure ours against (benchmarks only).

Each follows its method as its authors publish or describe it, written anew for our pacer
interface and with that method's own defaults; none is part of the product.

- `VicidialAdaptive_<k>`: VICIdial's adaptive-predictive dialing in its ADAPT_HARD_LIMIT form
  (AST_VDadapt.pl and AST_VDauto_dial.pl). Every second it notes the callers waiting, the
  answered calls waiting and the callers logged in; every 15 seconds it scales its dial level
  (lines per caller talking or waiting) by 1 + (callers waiting - calls waiting - k) / callers,
  over those 15 samples, within 1.0 and the maximum level (3.0 by default). `k` is its "dial
  level difference target": 0 by default, k > 0 aims at k callers waiting. Once more than 50
  dials were made and the day's abandon rate is over the target, the level drops to 1.0
  (`VicidialAverage_<k>`: ADAPT_AVERAGE, the level is halved instead). It keeps
  level x (callers talking or waiting) lines busy, the connected calls among them.
- `FixedRatio_<r x 100>`: Impact Dialing's predictive mode (its open-source server, the
  `Predictive` campaign): each available caller gets `r` dials, less those already dialing; at
  three quarters of that speed while the campaign's abandon rate is over the target. Impact
  Dialing chooses `r` by replaying the last ten minutes of calls in a simulation; the comparison
  benchmark instead tries a range of ratios over the whole day and keeps the best one that met
  the target, which a replay of recent minutes can match at best in a world that does not change.
- `Binomial`: the textbook model behind "Erlang / binomial" pacing: callers become free as
  memoryless (Erlang) servers with the mean talk plus wrap-up time, every dial is a human with
  the observed answer share, and the dialer places the most dials whose expected overflow
  (humans beyond the callers free within a mean ring) stays within the target share of humans.
  `Binomial_<m x 100>` allows m times that share (the model ignores when humans answer and
  callers free up, so the share it needs to meet the target is found by trying).
"""

import math
from collections import deque
from typing import Any

from phonebank.dialer.pacers.base import Pacer, PacerState
from phonebank.dialer.pacers.registry import register_pacer


class VicidialAdaptive(Pacer):
    """VICIdial's adaptive-predictive dial level (ADAPT_HARD_LIMIT)."""

    name = "vicidial-adaptive"
    SAMPLES = 15
    UPDATE_SECONDS = 15.0
    # The day's abandon rate counts only after this many dials.
    MIN_DIALS = 50

    # Callers waiting it aims at (VICIdial's dial level difference target, negated).
    waiting_target = 0.0
    # Over the target: the level drops to 1.0 (ADAPT_HARD_LIMIT), or is halved (ADAPT_AVERAGE).
    halves = False

    def __init__(self, *, max_level: float = 3.0, level: float = 1.0) -> None:
        self.max_level = max_level
        self.level = level
        # (callers waiting, answered calls waiting, callers logged in), one a second.
        self.samples: deque[tuple[int, int, int]] = deque(maxlen=self.SAMPLES)
        self._sampled_at: float | None = None
        self._updated_at: float | None = None

    def dials_to_place(self, state: PacerState) -> int:
        """Lines for the dial level, less the calls already going."""
        now = state.now.timestamp()
        if self._sampled_at is None or now - self._sampled_at >= 1.0:
            self._sampled_at = now
            logged_in = state.callers_logged_in + state.callers_paused
            self.samples.append((state.callers_available, state.waiting_contacts, logged_in))
        if self._updated_at is None:
            self._updated_at = now
        elif now - self._updated_at >= self.UPDATE_SECONDS:
            self._updated_at = now
            self._adapt(state)
        working = state.callers_connected + state.callers_available
        goal = round(self.level * working)
        going = state.calls_in_flight + state.waiting_contacts + state.callers_connected
        return max(0, goal - going)

    def _adapt(self, state: PacerState) -> None:
        count = len(self.samples)
        ready = sum(sample[0] for sample in self.samples) / count
        waiting = sum(sample[1] for sample in self.samples) / count
        agents = sum(sample[2] for sample in self.samples) / count
        if agents > 0:
            self.level *= 1.0 + (ready - waiting - self.waiting_target) / agents
        self.level = min(self.max_level, max(1.0, self.level))
        campaign = state.campaign
        if campaign.dials > self.MIN_DIALS and campaign.abandon_rate > state.abandon_target_percent:
            self.level = max(1.0, self.level / 2.0) if self.halves else 1.0


class VicidialAverage(VicidialAdaptive):
    """VICIdial's adaptive-predictive dial level (ADAPT_AVERAGE)."""

    halves = True


class FixedRatio(Pacer):
    """Impact Dialing's predictive mode with a given dial factor."""

    name = "fixed-ratio"
    ratio = 1.0

    def dials_to_place(self, state: PacerState) -> int:
        """`ratio` dials per available caller, less the dials in flight."""
        factor = self.ratio
        if state.campaign.abandon_rate > state.abandon_target_percent:
            factor = max(1.0, 0.75 * factor)
        return max(0, int(factor * state.callers_available - state.calls_in_flight))


class Binomial(Pacer):
    """Erlang callers and binomial answers: the most dials whose expected overflow fits."""

    name = "binomial"
    # Used until the campaign has measured its own.
    PRIOR_HUMAN_SHARE = 0.3
    PRIOR_DIALS = 20.0
    DEFAULT_RING_SECONDS = 15.0
    DEFAULT_HOLD_SECONDS = 180.0
    MOST_DIALS = 500
    # Multiple of the target share of humans the expected overflow may reach.
    share_factor = 1.0

    def dials_to_place(self, state: PacerState) -> int:
        """The most new dials within the allowed expected overflow."""
        counts = state.campaign
        human = (counts.human_answers + self.PRIOR_HUMAN_SHARE * self.PRIOR_DIALS) / (
            counts.dials + self.PRIOR_DIALS
        )
        ring = state.mean_ring_seconds or self.DEFAULT_RING_SECONDS
        hold = (state.mean_talk_seconds or 0.0) + (state.mean_wrap_seconds or 0.0)
        hold = hold or self.DEFAULT_HOLD_SECONDS
        busy = state.callers_connected + state.callers_wrap_up
        free = (
            state.callers_available - state.waiting_contacts + busy * (1.0 - math.exp(-ring / hold))
        )
        share = self.share_factor * state.abandon_target_percent / 100.0
        in_flight = state.calls_in_flight
        best = 0
        for dials in range(1, self.MOST_DIALS):
            lines = in_flight + dials
            if _overflow(lines, human, free) > share * lines * human:
                break
            best = dials
        return best


def _overflow(lines: int, chance: float, capacity: float) -> float:
    """E[(X - capacity)^+] for X ~ Binomial(lines, chance), summed over its upper tail."""
    if chance <= 0.0:
        return max(0.0, -capacity)
    if chance >= 1.0:
        return max(0.0, lines - capacity)
    first = max(0, math.floor(capacity) + 1)
    if first > lines:
        return 0.0
    log_mass = (
        math.lgamma(lines + 1) - math.lgamma(first + 1) - math.lgamma(lines - first + 1)
        + first * math.log(chance) + (lines - first) * math.log1p(-chance)
    )  # fmt: skip
    mass, odds, expected = math.exp(log_mass), chance / (1.0 - chance), 0.0
    for humans in range(first, lines + 1):
        expected += (humans - capacity) * mass
        mass *= (lines - humans) / (humans + 1) * odds
        if mass < 1e-12 and humans > lines * chance:
            break
    return expected


# Variants by class name (the engine makes a pacer by its registered name, without settings):
# name prefix -> (base class, attribute set from the number after it, divisor).
_VARIANTS: dict[str, tuple[type[Pacer], str, float]] = {
    "VicidialAdaptive_": (VicidialAdaptive, "waiting_target", 1.0),
    "VicidialAverage_": (VicidialAverage, "waiting_target", 1.0),
    "FixedRatio_": (FixedRatio, "ratio", 100.0),
    "Binomial_": (Binomial, "share_factor", 100.0),
}


def __getattr__(name: str) -> Any:
    """`FixedRatio_250`: a variant of a published pacer, here a dial factor of 2.5."""
    for prefix, (base, attribute, divisor) in _VARIANTS.items():
        if name.startswith(prefix) and name.removeprefix(prefix).isdigit():
            value = int(name.removeprefix(prefix)) / divisor
            return type(name, (base,), {attribute: value, "__module__": __name__})
    raise AttributeError(name)


def register(name: str) -> str:
    """Register the variant `name` (`FixedRatio_250`) in this process's pacer registry."""
    register_pacer(name, __getattr__(name))
    return name
