"""Predictive pacing: dial ahead of callers about to be free, within the abandon target.

The decision uses observed state only:

1. Each dial in flight becomes a human answer with probability p * (human answers still to
   come at its age) / (all outcomes still pending at its age). p is the human-answer share per
   dial from the campaign and the recent window on a prior (callers talking now count as human
   answers already), raised by its uncertainty while the sample is small. Ring times to a human
   are gamma-shaped around the observed mean, so a dial older than the usual ring is most
   likely a no-answer.
2. Each busy caller is free by a moment t (+ the grace an answered human waits) with the chance
   that the rest of their talk (lognormal, given the time already talked) and their wrap-up
   (exponential) are both over by then. Mean talk and wrap-up times count the time already
   spent by the ones still going, so early means are not just the short calls that ended.
3. At checkpoints over the ring horizon, the overflow D(t) = humans answered by t - callers free
   by t + grace is a sum of independent Bernoulli trials. A loss system loses the running
   maximum of that overflow, so the expected abandons are E[max(0, D(t1), ..., D(tK))], by
   Clark's normal approximation of a maximum. For small teams, where normal tails mislead, the
   exact (truncated Poisson-binomial) overflow at the worst checkpoint is used instead, times a
   factor for the running maximum.
4. The pacer places the most new dials that keep expected abandons at or under the allowed share
   of expected humans. That share starts at the target; the campaign's actual rate steers it
   toward a setpoint under the target, both ways (at most twice the target when running far
   below). Any hour may hold up to twice the target: what is left of the last hour's allowance
   caps the share, and the recent window tightens it once that runs over the hourly limit.

The probability tables behind steps 1-3 live in `tables.py` (computed once per model, reused
by every decision) and the overflow search in `overflow.py`.
"""

import math
from collections import Counter
from functools import lru_cache

import numpy as np

from phonebank.dialer.pacers.base import BusyCaller, OutcomeCounts, Pacer, PacerState
from phonebank.dialer.pacers.overflow import OverflowSearch
from phonebank.dialer.pacers.tables import Array, dial_table, moments, talker_moments

# An answered human with no caller free within this many seconds is abandoned.
GRACE_SECONDS = 2.0
# Used until the campaign has measured its own times; long talks keep early pacing modest.
_DEFAULT_RING_SECONDS = 15.0
_DEFAULT_TALK_SECONDS = 150.0
_DEFAULT_WRAP_SECONDS = 30.0
# Outcome shares assumed before any dial ends (humans are assumed common: that under-dials).
_PRIOR_MACHINE_SHARE = 0.2
# The hour's humans are extrapolated from at least this many seconds of dialing.
_HOUR_MIN_SECONDS = 900.0
# Mean talk and wrap-up times are taken on a grid of this relative step, so that the tables
# built for one model serve the next decisions too (an estimate moves by less than that).
_DURATION_STEP = 0.02


def _on_grid(seconds: float) -> float:
    """`seconds` on the duration grid (a geometric one: the same relative step everywhere)."""
    return round(math.exp(round(math.log(seconds) / _DURATION_STEP) * _DURATION_STEP), 2)


def _censored_mean(mean: float | None, done: int, ongoing: float, default: float) -> float:
    """A mean duration counting time already spent by the ones still going (censored)."""
    prior = 2.0
    if mean is None:
        return (ongoing + default * prior) / prior
    return (mean * done + ongoing + default * prior) / (done + prior)


def _durations(state: PacerState) -> tuple[float, float]:
    """Mean talk and wrap-up times, counting the talks and wrap-ups still going on.

    Means of finished talks alone run short early in a campaign (only the short ones have
    ended), which would over-dial exactly when little is known.
    """
    talking = wrapping = 0.0
    for caller in state.busy_callers:
        if caller.state == "connected":
            talking += caller.seconds_in_state
        elif caller.state == "wrap_up":
            wrapping += caller.seconds_in_state
    talks_done = max(0, state.campaign.human_answers - state.campaign.abandons)
    wraps_done = max(0, talks_done - state.callers_wrap_up)
    talk = _censored_mean(state.mean_talk_seconds, talks_done, talking, _DEFAULT_TALK_SECONDS)
    wrap = _censored_mean(state.mean_wrap_seconds, wraps_done, wrapping, _DEFAULT_WRAP_SECONDS)
    return _on_grid(max(1.0, talk)), _on_grid(max(0.5, wrap))


@lru_cache(maxsize=256)
def _horizons(reach: float, checkpoints: int) -> tuple[float, ...]:
    """The checkpoints over the ring horizon, in seconds."""
    return tuple(sorted({round(reach * (k + 1) / checkpoints, 1) for k in range(checkpoints)}))


@lru_cache(maxsize=256)
def _graced(horizons: tuple[float, ...]) -> tuple[float, ...]:
    """The checkpoints plus the grace an answered human waits."""
    return tuple(round(horizon + GRACE_SECONDS, 1) for horizon in horizons)


@lru_cache(maxsize=256)
def _wrap_moments(graced: tuple[float, ...], wrap: float) -> tuple[Array, Array]:
    """Chances a caller in wrap-up still is at each checkpoint, and their moment row."""
    still = np.exp(-np.array(graced) / wrap)
    return still, moments(still)


def _smoothed_abandon_rate(counts: OutcomeCounts, prior_rate: float, prior_humans: float) -> float:
    """Abandoned share of human answers, pulled toward `prior_rate` while humans are few."""
    return (counts.abandons + prior_rate * prior_humans) / (counts.human_answers + prior_humans)


class PredictivePacer(Pacer):
    """Dials ahead of callers about to be free, keeping expected abandons within the target."""

    name = "predictive"

    def __init__(
        self,
        *,
        prior_human_rate: float = 0.3,
        prior_dials: float = 20.0,
        caution: float = 1.0,
        talk_sigma: float = 0.5,
        ring_shape: float = 4.0,
        aim: float = 0.85,
        model_scale: float = 1.0,
        gain: float = 2.0,
        exact_limit: float = 8.0,
        checkpoints: float = 16.0,
        recent_limit: float = 2.0,
    ) -> None:
        self.prior_human_rate = min(0.95, max(0.01, prior_human_rate))
        self.prior_dials = max(1.0, prior_dials)
        # Standard deviations added to the human rate: more humans expected, fewer dials.
        self.caution = max(0.0, caution)
        self.talk_sigma = max(0.0, talk_sigma)
        self.ring_shape = max(1, round(ring_shape))
        # The campaign abandon rate the feedback steers to, as a share of the target.
        self.aim = min(1.0, max(0.1, aim))
        self.model_scale = max(0.01, model_scale)
        self.gain = max(0.0, gain)
        # Teams up to this size get the exact small-number overflow.
        self.exact_limit = int(exact_limit)
        self.checkpoints = max(1, int(checkpoints))
        # The recent window tightens pacing once its rate runs over this many targets.
        self.recent_limit = max(0.1, recent_limit)

    def dials_to_place(self, state: PacerState) -> int:
        """The most new dials whose expected abandons stay within the allowed share."""
        busy = [c for c in state.busy_callers if c.state in ("connected", "wrap_up")]
        capacity = max(0, state.callers_available) + len(busy)
        if capacity == 0:
            return 0
        target = state.abandon_target_percent / 100.0
        if target <= 0.0:
            # No abandons allowed: one dial per free caller, as progressive dialing does.
            free = state.callers_available - state.waiting_contacts - state.calls_in_flight
            return max(0, free)
        human_rate, machine_rate = self._outcome_rates(state)
        timeout = float(max(1, state.ring_timeout_seconds))
        ring = min(timeout, max(1.0, state.mean_ring_seconds or _DEFAULT_RING_SECONDS))
        ring = round(ring * 2.0) / 2.0
        reach = min(timeout, 3.0 * ring)
        horizons = _horizons(reach, self.checkpoints)
        exact = capacity <= self.exact_limit
        exact_rows: list[tuple[int, list[float]]] = []
        totals = self._busy_totals(state, busy, horizons, exact_rows if exact else None)
        dials = dial_table(ring, self.ring_shape, timeout, horizons)
        to_come, rows = dials.humans(human_rate, machine_rate)
        ages = np.fromiter(
            (age for age in state.in_flight_ages if age < timeout), dtype=np.float64
        ).astype(np.int64)
        humans = float(state.waiting_contacts)
        if len(ages):
            counts = np.bincount(ages, minlength=len(rows))
            humans += float(counts @ to_come)
            totals = totals + counts @ rows
            if exact:
                size = len(horizons)
                exact_rows.extend(
                    (int(counts[age]), rows[age, :size].tolist()) for age in np.flatnonzero(counts)
                )
        search = OverflowSearch(
            totals.tolist(),
            rows[0].tolist(),
            state.waiting_contacts,
            capacity,
            exact_rows=exact_rows if exact else None,
        )
        most = int((capacity + 3.0 * math.sqrt(capacity) + 3.0) / human_rate) + 1
        allowed = self._allowed_share(state, target)
        return search.most_dials(allowed, humans, human_rate, most)

    def _busy_totals(
        self,
        state: PacerState,
        busy: list[BusyCaller],
        horizons: tuple[float, ...],
        exact_rows: list[tuple[int, list[float]]] | None,
    ) -> Array:
        """Summed moments of busy callers as trials: still busy when a human answering at a
        horizon has waited its grace (and each caller's chances, for the exact model)."""
        talk, wrap = _durations(state)
        graced = _graced(horizons)
        size = len(horizons)
        totals = np.zeros(3 * size)
        wrapping = sum(1 for caller in busy if caller.state == "wrap_up")
        if wrapping:
            still, still_moments = _wrap_moments(graced, wrap)
            totals += wrapping * still_moments
            if exact_rows is not None:
                exact_rows.append((wrapping, still.tolist()))
        elapsed = [int(c.seconds_in_state) for c in busy if c.state == "connected"]
        if elapsed:
            table = talker_moments(talk, self.talk_sigma, wrap, graced, max(elapsed) + 1)
            counts = np.bincount(np.array(elapsed, dtype=np.int64)).astype(np.float64)
            totals += counts @ table[: len(counts)]
            if exact_rows is not None:
                exact_rows.extend(
                    (count, table[second, :size].tolist())
                    for second, count in Counter(elapsed).items()
                )
        return totals

    def _outcome_rates(self, state: PacerState) -> tuple[float, float]:
        """Human and machine answer shares per dial; the human one leans high on few dials."""
        # A human answer is counted when the call ends: the ones talking now are answers too.
        talking = state.callers_connected + state.waiting_contacts
        campaign, recent = state.campaign, state.recent
        prior = self.prior_dials
        ended = campaign.answered + campaign.unanswered + talking
        human = (campaign.human_answers + talking + self.prior_human_rate * prior) / (ended + prior)
        machine = (campaign.machine_answers + _PRIOR_MACHINE_SHARE * prior) / (ended + prior)
        recent_ended = recent.answered + recent.unanswered
        if recent_ended:
            # Recent outcomes lead when they show more humans (time of day, a fresh list).
            recent_human = (recent.human_answers + talking + human * prior) / (
                recent_ended + talking + prior
            )
            human = max(human, recent_human)
        human += self.caution * math.sqrt(human * (1.0 - human) / (ended + prior))
        # Rounded (up, for humans) so that equal situations share cached work.
        human = min(0.99, math.ceil(human * 1000.0) / 1000.0)
        return human, min(round(machine, 3), 1.0 - human)

    def _allowed_share(self, state: PacerState, target: float) -> float:
        """Expected abandons allowed per expected human, steered by the abandons so far.

        The campaign's rate (a slow, cumulative signal) steers toward the setpoint both ways.
        Hours may run up to twice the target: what is left of the last hour's allowance caps
        the share, and the recent window only tightens, once it runs over that limit itself.
        """
        setpoint = self.aim * target
        campaign = _smoothed_abandon_rate(state.campaign, setpoint, 30.0)
        factor = math.exp(3.0 * self.gain * (setpoint - campaign) / target)
        recent = _smoothed_abandon_rate(state.recent, setpoint, 20.0)
        limit = self.recent_limit * target
        if recent > limit:
            factor = min(factor, math.exp(4.0 * self.gain * (limit - recent) / target))
        factor = min(factor, _hour_room(state, target))
        return target * self.model_scale * min(2.0, max(0.05, factor))


def _hour_room(state: PacerState, target: float) -> float:
    """A cap on the allowed share from what is left of the hour's abandon allowance.

    Any hour may hold abandons up to twice the target of its humans. The hour's humans are
    estimated from the last hour (the first minutes count as a quarter hour, which keeps a
    young campaign careful). One abandon of room is held back for the dials already ringing,
    and the rest is spread so that the cap falls to nothing as the room runs out.
    """
    hour = state.last_hour
    talking = state.callers_connected + state.waiting_contacts
    seconds = max(_HOUR_MIN_SECONDS, state.last_hour_seconds)
    humans = (hour.human_answers + talking) * 3600.0 / seconds
    room = 2.0 * target * humans - hour.abandons - 1.0
    return max(0.0, room) / 2.0
