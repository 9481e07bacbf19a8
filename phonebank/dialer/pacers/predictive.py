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
   below), and the recent window tightens it whenever that window runs over the target.
"""

import math
from collections import Counter
from functools import lru_cache
from itertools import pairwise

from phonebank.dialer.pacers.base import BusyCaller, OutcomeCounts, Pacer, PacerState

# An answered human with no caller free within this many seconds is abandoned.
GRACE_SECONDS = 2.0
# Used until the campaign has measured its own times; long talks keep early pacing modest.
_DEFAULT_RING_SECONDS = 15.0
_DEFAULT_TALK_SECONDS = 150.0
_DEFAULT_WRAP_SECONDS = 30.0
# Outcome shares assumed before any dial ends (humans are assumed common: that under-dials).
_PRIOR_MACHINE_SHARE = 0.2
# Unanswered dials: some end fast (busy, failed), the rest ring until the timeout.
_QUICK_UNANSWERED_SHARE = 0.1
_QUICK_UNANSWERED_SECONDS = 4.0
# Machines answer later than people: their mean ring, as a multiple of the human one.
_MACHINE_RING_FACTOR = 1.6
# Small teams: the worst checkpoint's exact overflow, times this for the running maximum over
# the horizon (measured in simulation: the maximum runs about twice the worst single moment).
_RUNNING_MAX_FACTOR = 2.0
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT2 = math.sqrt(2.0)


def _gamma_cdf(x: float, shape: int, mean: float) -> float:
    """P(T <= x) for a gamma (Erlang) time with an integer shape."""
    if x <= 0.0:
        return 0.0
    scaled = shape * x / mean
    term = total = 1.0
    for index in range(1, shape):
        term *= scaled / index
        total += term
    return 1.0 - math.exp(-scaled) * total


@lru_cache(maxsize=8192)
def _ring_profile(
    age: int, ring_mean: float, shape: int, timeout: float, horizons: tuple[float, ...]
) -> tuple[float, tuple[float, ...]]:
    """Share of a dial's human answers still to come at `age`, and those due by each horizon."""
    full = _gamma_cdf(timeout, shape, ring_mean) or 1.0

    def answered_by(seconds: float) -> float:
        return min(1.0, _gamma_cdf(min(seconds, timeout), shape, ring_mean) / full)

    done = answered_by(age)
    return 1.0 - done, tuple(answered_by(age + horizon) - done for horizon in horizons)


def _lognormal_cdf(x: float, mu: float, sigma: float) -> float:
    if x <= 0.0:
        return 0.0
    return 0.5 * math.erfc(-(math.log(x) - mu) / (sigma * _SQRT2))


@lru_cache(maxsize=16384)
def _talker_busy(
    elapsed: int, talk_mean: float, talk_sigma: float, wrap_mean: float, horizons: tuple[float, ...]
) -> tuple[float, ...]:
    """For a caller `elapsed` seconds into a talk: P(still talking or wrapping up) per horizon."""
    steps = 6
    mu = math.log(talk_mean) - talk_sigma * talk_sigma / 2.0
    survival = 1.0 - _lognormal_cdf(elapsed, mu, talk_sigma) if talk_sigma > 0.0 else 0.0

    def talk_over_by(seconds: float) -> float:
        if survival < 1e-9:
            # Exponential talk, or a talk far past every usual length: a constant hazard.
            return 1.0 - math.exp(-seconds / talk_mean)
        ended = _lognormal_cdf(elapsed + seconds, mu, talk_sigma) - (1.0 - survival)
        return min(1.0, max(0.0, ended / survival))

    busy = []
    for horizon in horizons:
        free = previous = 0.0
        for step in range(1, steps + 1):
            current = talk_over_by(horizon * step / steps)
            # Talk ending within this step, then the wrap-up over by the horizon.
            left = horizon * (step - 0.5) / steps
            free += (current - previous) * (1.0 - math.exp(-(horizon - left) / wrap_mean))
            previous = current
        busy.append(1.0 - free)
    return tuple(busy)


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
    return max(1.0, round(talk)), max(0.5, round(2.0 * wrap) / 2.0)


class Trials:
    """One trial's success chance at each checkpoint, with the moments the maximum needs."""

    __slots__ = ("_scaled", "chances", "covariances", "moments", "variances")

    def __init__(self, chances: tuple[float, ...]) -> None:
        self.chances = chances
        self.variances = tuple(c * (1.0 - c) for c in chances)
        # Covariance of the success indicators at consecutive checkpoints (both monotone).
        self.covariances = (
            0.0,
            *(min(before, after) - before * after for before, after in pairwise(chances)),
        )
        self.moments = (*self.chances, *self.variances, *self.covariances)
        self._scaled: dict[int, tuple[float, ...]] = {}

    def times(self, count: int) -> tuple[float, ...]:
        """Means, variances and covariances of `count` such independent trials together."""
        if count == 1:
            return self.moments
        scaled = self._scaled.get(count)
        if scaled is None:
            scaled = self._scaled[count] = tuple(count * value for value in self.moments)
        return scaled


@lru_cache(maxsize=4096)
def _trials(chances: tuple[float, ...]) -> Trials:
    return Trials(chances)


@lru_cache(maxsize=16384)
def _talker_trials(
    elapsed: int, talk_mean: float, talk_sigma: float, wrap_mean: float, horizons: tuple[float, ...]
) -> Trials:
    return Trials(_talker_busy(elapsed, talk_mean, talk_sigma, wrap_mean, horizons))


@lru_cache(maxsize=16384)
def _dial_row(
    age: int,
    human_rate: float,
    machine_rate: float,
    ring_mean: float,
    shape: int,
    timeout: float,
    horizons: tuple[float, ...],
) -> tuple[float, Trials]:
    """A dial `age` seconds old: its chance of a human answer at all, and by each horizon."""
    to_come, due = _ring_profile(age, ring_mean, shape, timeout, horizons)
    # Answering machines pick up later than people (after a few more rings).
    machine_left = _ring_profile(
        age, min(timeout, _MACHINE_RING_FACTOR * ring_mean), shape, timeout, ()
    )[0]
    unanswered_rate = max(0.0, 1.0 - human_rate - machine_rate)
    unanswered_left = 1.0 - _QUICK_UNANSWERED_SHARE * (
        1.0 - math.exp(-age / _QUICK_UNANSWERED_SECONDS)
    )
    # What is still possible at this age: humans and machines still to answer, or no answer.
    pending = human_rate * to_come + machine_rate * machine_left + unanswered_rate * unanswered_left
    if pending <= 0.0 or to_come <= 0.0:
        return 0.0, Trials(tuple(0.0 for _ in horizons))
    share = human_rate / pending
    return share * to_come, Trials(tuple(share * d for d in due))


def _add_trial(pmf: list[float], probability: float) -> None:
    """Convolve a truncated distribution with one Bernoulli trial, in place."""
    keep = 1.0 - probability
    for value in range(len(pmf) - 1, 0, -1):
        pmf[value] = pmf[value] * keep + pmf[value - 1] * probability
    pmf[0] *= keep


def _shortfall_weights(pmf: list[float]) -> list[float]:
    """w[j] = E[(capacity - j - X)^+] from X's distribution below capacity = len(pmf)."""
    capacity = len(pmf)
    return [
        sum((capacity - j - value) * pmf[value] for value in range(capacity - j))
        for j in range(capacity)
    ]


def _exact_overflow(weights: list[float], mean: float, dials: int, chance: float) -> float:
    """E[(X + Binomial(dials, chance) - capacity)^+], capacity = len(weights), E[X+B] = mean."""
    capacity = len(weights)
    if capacity == 0:
        return max(0.0, mean)
    shortfall = 0.0
    if chance >= 1.0:
        shortfall = weights[dials] if dials < capacity else 0.0
    else:
        mass = (1.0 - chance) ** dials
        odds = chance / (1.0 - chance)
        for value in range(min(capacity, dials + 1)):
            if value:
                mass *= (dials - value + 1) / value * odds
            shortfall += mass * weights[value]
    return max(0.0, mean - capacity + shortfall)


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
        gain: float = 1.0,
        exact_limit: float = 8.0,
        checkpoints: float = 16.0,
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
        horizons = tuple(
            sorted({round(reach * (k + 1) / self.checkpoints, 1) for k in range(self.checkpoints)})
        )
        rows = self._busy_rows(state, busy, horizons)
        humans = float(state.waiting_contacts)
        for age, count in Counter(int(age) for age in state.in_flight_ages).items():
            if age < timeout:
                to_come, row = _dial_row(
                    age, human_rate, machine_rate, ring, self.ring_shape, timeout, horizons
                )
                humans += count * to_come
                rows.append((count, row))
        new_due = _dial_row(0, human_rate, machine_rate, ring, self.ring_shape, timeout, horizons)
        search = _OverflowSearch(
            rows, new_due[1], state.waiting_contacts, capacity, exact=capacity <= self.exact_limit
        )
        most = int((capacity + 3.0 * math.sqrt(capacity) + 3.0) / human_rate) + 1
        allowed = self._allowed_share(state, target)
        return search.most_dials(allowed, humans, human_rate, most)

    def _busy_rows(
        self, state: PacerState, busy: list[BusyCaller], horizons: tuple[float, ...]
    ) -> list[tuple[int, Trials]]:
        """Busy callers as trials: still busy when a human answering at a horizon has waited."""
        talk, wrap = _durations(state)
        graced = tuple(horizon + GRACE_SECONDS for horizon in horizons)
        rows: list[tuple[int, Trials]] = []
        wrapping = sum(1 for caller in busy if caller.state == "wrap_up")
        if wrapping:
            still = tuple(math.exp(-horizon / wrap) for horizon in graced)
            rows.append((wrapping, _trials(still)))
        talking = Counter(int(c.seconds_in_state) for c in busy if c.state == "connected")
        for elapsed, count in talking.items():
            rows.append((count, _talker_trials(elapsed, talk, self.talk_sigma, wrap, graced)))
        return rows

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

        The campaign's rate (a slow, cumulative signal) steers toward the setpoint both ways;
        the recent window only tightens, once it runs over the target itself.
        """
        setpoint = self.aim * target
        campaign = _smoothed_abandon_rate(state.campaign, setpoint, 30.0)
        factor = math.exp(3.0 * self.gain * (setpoint - campaign) / target)
        recent = _smoothed_abandon_rate(state.recent, setpoint, 20.0)
        if recent > target:
            factor = min(factor, math.exp(4.0 * self.gain * (target - recent) / target))
        return target * self.model_scale * min(2.0, max(0.05, factor))


class _OverflowSearch:
    """Finds the most new dials within the allowed abandons, for one decision."""

    def __init__(
        self,
        rows: list[tuple[int, Trials]],
        new: Trials,
        waiting: int,
        capacity: int,
        *,
        exact: bool,
    ) -> None:
        self.new = new.chances
        self.new_variances = new.variances
        self.new_covariances = new.covariances
        size = len(new.chances)
        # Overflow D_k = waiting + successes - capacity, continuity-corrected (integers).
        if rows:
            totals = [sum(column) for column in zip(*(t.times(n) for n, t in rows), strict=True)]
        else:
            totals = [0.0] * (3 * size)
        self.means = [waiting - capacity - 0.5 + total for total in totals[:size]]
        self.variances = totals[size : 2 * size]
        self.covariances = totals[2 * size :]
        self.exact: list[tuple[list[float], float]] = []
        if exact:
            for k in range(size):
                pmf = [0.0] * capacity
                if waiting < capacity:
                    pmf[waiting] = 1.0
                for count, trials in rows:
                    for _ in range(count):
                        _add_trial(pmf, trials.chances[k])
                self.exact.append((_shortfall_weights(pmf), totals[k] + waiting))

    def expected_abandons(self, dials: int) -> float:
        """E[max(0, D_1, ..., D_K)] with `dials` new dials."""
        if self.exact:
            # Small teams: the normal model is poor with few humans in play (it sees abandons
            # even when nobody can answer), so the exact overflow at the worst checkpoint decides.
            return _RUNNING_MAX_FACTOR * max(
                _exact_overflow(weights, mean + dials * new, dials, new)
                for (weights, mean), new in zip(self.exact, self.new, strict=True)
            )
        # Clark: the maximum of two normals taken as normal, folding in one checkpoint at a time.
        top_mean = top_variance = top_covariance = 0.0
        previous_variance = 0.0
        for mean, variance, covariance, new, new_variance, new_covariance in zip(
            self.means,
            self.variances,
            self.covariances,
            self.new,
            self.new_variances,
            self.new_covariances,
            strict=True,
        ):
            mean += dials * new
            variance += dials * new_variance
            covariance += dials * new_covariance
            # The running maximum's covariance with this checkpoint, through the last one.
            linked = (
                top_covariance * covariance / previous_variance
                if previous_variance > 1e-12
                else 0.0
            )
            spread_squared = top_variance + variance - 2.0 * linked
            if spread_squared < 1e-12:
                if mean > top_mean:
                    top_mean, top_variance, top_covariance = mean, variance, variance
                else:
                    top_covariance = linked
            else:
                spread = math.sqrt(spread_squared)
                alpha = (top_mean - mean) / spread
                keep = 0.5 * math.erfc(-alpha / _SQRT2)
                density = _INV_SQRT_2PI * math.exp(-0.5 * alpha * alpha)
                second = (
                    (top_mean * top_mean + top_variance) * keep
                    + (mean * mean + variance) * (1.0 - keep)
                    + (top_mean + mean) * spread * density
                )
                top_mean = top_mean * keep + mean * (1.0 - keep) + spread * density
                top_variance = max(0.0, second - top_mean * top_mean)
                top_covariance = linked * keep + variance * (1.0 - keep)
            previous_variance = variance
        return top_mean

    def most_dials(self, allowed: float, humans: float, human_rate: float, most: int) -> int:
        """The largest count of new dials (up to `most`) within the allowed abandons."""

        def gap(dials: int) -> float:
            return self.expected_abandons(dials) - allowed * (humans + dials * human_rate)

        # The gap is convex in the dials, so the feasible counts form one interval; find its top.
        low = 0
        lowest = gap(0)
        if lowest > 0.0:
            # Over already (or nobody in flight yet): new dials fit only if each new human's
            # own risk is under the allowed share. Walk down the gap to see if it gets there.
            dials = 1
            while dials <= most and lowest > 0.0:
                current = gap(dials)
                if current >= lowest:
                    break
                low, lowest = dials, current
                dials *= 2
            if lowest > 0.0:
                return 0
        # Gallop up (usually the answer is a few), then bisect.
        high = max(1, 2 * low)
        while high <= most and gap(high) <= 0.0:
            low, high = high, 2 * high
        high = min(high, most + 1)
        while high - low > 1:
            middle = (low + high) // 2
            if gap(middle) <= 0.0:
                low = middle
            else:
                high = middle
        return low
