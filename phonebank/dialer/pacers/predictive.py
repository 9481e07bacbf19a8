"""Predictive pacing: dial ahead of callers about to be free, within the abandon target.

The decision uses observed state only:

1. Each dial in flight becomes a human answer with probability p * (human answers still to
   come at its age) / (all outcomes still pending at its age). p is the human-answer share per
   dial from the campaign and the recent window on a prior, raised by its uncertainty while the
   sample is small; ring times to a human are gamma-shaped around the observed mean, so a dial
   older than the usual ring is most likely a no-answer.
2. Each busy caller is free by a moment t (+ the grace an answered human waits) with the chance
   that the rest of their talk (lognormal, given the time already talked) and their wrap-up
   (exponential) are both over by then.
3. At checkpoints over the ring horizon, the expected abandons are E[(humans answered - callers
   free)^+]. Both are sums of independent Bernoulli trials: the overflow is computed exactly (a
   truncated Poisson-binomial) for small teams and by a normal approximation for large ones.
   A loss system loses the running maximum of arrivals over supply, so the horizon's expected
   abandons are the largest checkpoint's.
4. The pacer places the most new dials that keep expected abandons at or under the allowed share
   of expected humans. That share is the target, tightened when the campaign or the recent window
   runs above it and loosened a little when the campaign runs well below.
"""

import math
from collections import Counter
from functools import lru_cache

from phonebank.dialer.pacers.base import OutcomeCounts, Pacer, PacerState

# An answered human with no caller free within this many seconds is abandoned.
GRACE_SECONDS = 2.0
# Checkpoints, as multiples of the mean ring time to a human answer.
_CHECKPOINTS = (0.35, 0.7, 1.0, 1.4, 2.0, 3.0)
# Used until the campaign has measured its own times; long talks keep early pacing modest.
_DEFAULT_RING_SECONDS = 15.0
_DEFAULT_TALK_SECONDS = 150.0
_DEFAULT_WRAP_SECONDS = 30.0
# Outcome shares assumed before any dial ends (humans are assumed common: that under-dials).
_PRIOR_MACHINE_SHARE = 0.2
# Unanswered dials: some end fast (busy, failed), the rest ring until the timeout.
_QUICK_UNANSWERED_SHARE = 0.3
_QUICK_UNANSWERED_SECONDS = 4.0
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


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
    return 0.5 * math.erfc(-(math.log(x) - mu) / (sigma * math.sqrt(2.0)))


@lru_cache(maxsize=16384)
def _talker_free_by(
    elapsed: int, talk_mean: float, talk_sigma: float, wrap_mean: float, horizons: tuple[float, ...]
) -> tuple[float, ...]:
    """For a caller `elapsed` seconds into a talk: P(talk and wrap-up both over) per horizon."""
    steps = 6
    mu = math.log(talk_mean) - talk_sigma * talk_sigma / 2.0
    survival = 1.0 - _lognormal_cdf(elapsed, mu, talk_sigma) if talk_sigma > 0.0 else 0.0

    def talk_over_by(seconds: float) -> float:
        if survival < 1e-9:
            # Exponential talk, or a talk far past every usual length: a constant hazard.
            return 1.0 - math.exp(-seconds / talk_mean)
        ended = _lognormal_cdf(elapsed + seconds, mu, talk_sigma) - (1.0 - survival)
        return min(1.0, max(0.0, ended / survival))

    result = []
    for horizon in horizons:
        probability = 0.0
        previous = 0.0
        for step in range(1, steps + 1):
            point = horizon * step / steps
            current = talk_over_by(point)
            middle = horizon * (step - 0.5) / steps
            probability += (current - previous) * (1.0 - math.exp(-(horizon - middle) / wrap_mean))
            previous = current
        result.append(probability)
    return tuple(result)


def _normal_overflow(mean: float, variance: float, capacity: int) -> float:
    """E[(X - capacity)^+] for an integer X with this mean and variance (continuity-corrected)."""
    if variance < 1e-12:
        return max(0.0, mean - capacity)
    spread = math.sqrt(variance)
    gap = mean - capacity - 0.5
    z = gap / spread
    return spread * _INV_SQRT_2PI * math.exp(-0.5 * z * z) + gap * 0.5 * math.erfc(
        -z / math.sqrt(2)
    )


def _add_trial(pmf: list[float], probability: float) -> None:
    """Convolve a truncated distribution with one Bernoulli trial, in place."""
    keep = 1.0 - probability
    for value in range(len(pmf) - 1, 0, -1):
        pmf[value] = pmf[value] * keep + pmf[value - 1] * probability
    pmf[0] *= keep


def _exact_overflow(pmf: list[float], mean: float) -> float:
    """E[(X - capacity)^+] from X's mean and its distribution below capacity = len(pmf)."""
    capacity = len(pmf)
    shortfall = sum((capacity - value) * mass for value, mass in enumerate(pmf))
    return max(0.0, mean - capacity + shortfall)


def _smoothed_abandon_rate(counts: OutcomeCounts, prior_rate: float, prior_humans: float) -> float:
    """Abandoned share of human answers, pulled toward `prior_rate` while humans are few."""
    return (counts.abandons + prior_rate * prior_humans) / (counts.human_answers + prior_humans)


def _durations(state: PacerState) -> tuple[float, float]:
    """Mean talk and wrap-up times, counting the talks and wrap-ups still going on.

    Means of finished talks alone run short early in a campaign (only the short ones have
    ended); the time already spent by callers still talking or wrapping up is added to the
    total, as for censored exponential times, with the defaults weighing as two observations.
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


def _censored_mean(mean: float | None, done: int, ongoing: float, default: float) -> float:
    prior = 2.0
    finished = (mean or 0.0) * done if mean is not None else 0.0
    return (finished + ongoing + default * prior) / ((done if mean is not None else 0) + prior)


class PredictivePacer(Pacer):
    """Dials ahead of callers about to be free, keeping expected abandons within the target."""

    name = "predictive"

    def __init__(
        self,
        *,
        prior_human_rate: float = 0.3,
        prior_dials: float = 20.0,
        caution: float = 1.0,
        talk_sigma: float = 0.8,
        ring_shape: float = 4.0,
        aim: float = 0.85,
        model_scale: float = 1.0,
        gain: float = 1.0,
        exact_limit: float = 24.0,
        checkpoints: float = 6.0,
    ) -> None:
        self.checkpoints = max(1, int(checkpoints))
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
        self.exact_limit = int(exact_limit)

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
        allowed = self._allowed_share(state, target)

        timeout = float(max(1, state.ring_timeout_seconds))
        ring = min(timeout, max(1.0, state.mean_ring_seconds or _DEFAULT_RING_SECONDS))
        talk, wrap = _durations(state)
        reach = min(timeout, 3.0 * ring)
        horizons = tuple(
            sorted(
                {
                    round(reach * (k + 1) / self.checkpoints * 2.0) / 2.0
                    for k in range(self.checkpoints)
                }
            )
        )
        graced = tuple(horizon + GRACE_SECONDS for horizon in horizons)
        checkpoints = len(horizons)

        # Trials whose success leaves a human unserved: a dial answered by a human, or a busy
        # caller still busy. Overflow = E[(waiting + successes - capacity)^+].
        trials: list[list[tuple[float, int]]] = [[] for _ in horizons]
        wrap_busy = 0
        talk_elapsed: Counter[int] = Counter()
        for caller in busy:
            if caller.state == "wrap_up":
                wrap_busy += 1
            else:
                talk_elapsed[int(caller.seconds_in_state)] += 1
        if wrap_busy:
            for k, horizon in enumerate(graced):
                trials[k].append((math.exp(-horizon / wrap), wrap_busy))
        for elapsed, count in talk_elapsed.items():
            free_by = _talker_free_by(elapsed, talk, self.talk_sigma, wrap, graced)
            for k in range(checkpoints):
                trials[k].append((1.0 - free_by[k], count))

        unanswered_rate = max(0.0, 1.0 - human_rate - machine_rate)
        humans_in_flight = float(state.waiting_contacts)
        ring_key = round(ring * 2.0) / 2.0
        for age, count in Counter(int(age) for age in state.in_flight_ages).items():
            if age >= timeout:
                continue
            to_come, due = _ring_profile(age, ring_key, self.ring_shape, timeout, horizons)
            unanswered_left = (1.0 - _QUICK_UNANSWERED_SHARE) + _QUICK_UNANSWERED_SHARE * math.exp(
                -age / _QUICK_UNANSWERED_SECONDS
            )
            pending = (human_rate + machine_rate) * to_come + unanswered_rate * unanswered_left
            if pending <= 0.0 or to_come <= 0.0:
                continue
            humans_in_flight += count * human_rate * to_come / pending
            for k in range(checkpoints):
                trials[k].append((human_rate * due[k] / pending, count))

        _, new_due = _ring_profile(0, ring_key, self.ring_shape, timeout, horizons)
        new_trials = [human_rate * due for due in new_due]
        most = int((capacity + 3.0 * math.sqrt(capacity) + 3.0) / human_rate) + 1
        search = _ExactSearch if capacity <= self.exact_limit else _NormalSearch
        return search(trials, new_trials, state.waiting_contacts, capacity).most_dials(
            allowed, humans_in_flight, human_rate, most
        )

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
        margin = self.caution * math.sqrt(human * (1.0 - human) / (ended + prior))
        human = min(0.99, human + margin)
        return human, min(machine, 1.0 - human)

    def _allowed_share(self, state: PacerState, target: float) -> float:
        """Expected abandons allowed per expected human, steered by the abandons so far."""
        setpoint = self.aim * target
        campaign = _smoothed_abandon_rate(state.campaign, setpoint, 30.0)
        factor = 1.0 + self.gain * (setpoint - campaign) / target
        recent = _smoothed_abandon_rate(state.recent, setpoint, 20.0)
        if recent > setpoint:
            factor = min(factor, 1.0 + 2.0 * self.gain * (setpoint - recent) / target)
        return target * self.model_scale * min(1.6, max(0.05, factor))


class _ExactSearch:
    """Counts new dials one by one against exact truncated distributions (small teams)."""

    def __init__(
        self,
        trials: list[list[tuple[float, int]]],
        new_trials: list[float],
        waiting: int,
        capacity: int,
    ) -> None:
        self.new_trials = new_trials
        self.pmfs: list[list[float]] = []
        self.means: list[float] = []
        for checkpoint in trials:
            pmf = [0.0] * capacity
            if waiting < capacity:
                pmf[waiting] = 1.0
            mean = float(waiting)
            for probability, count in checkpoint:
                mean += probability * count
                for _ in range(count):
                    _add_trial(pmf, probability)
            self.pmfs.append(pmf)
            self.means.append(mean)

    def most_dials(self, allowed: float, humans: float, human_rate: float, most: int) -> int:
        """The largest count of new dials (up to `most`) within the allowed abandons."""
        for dials in range(most + 1):
            overflow = max(
                _exact_overflow(pmf, mean) for pmf, mean in zip(self.pmfs, self.means, strict=True)
            )
            if overflow > allowed * (humans + dials * human_rate):
                return max(0, dials - 1)
            for k, probability in enumerate(self.new_trials):
                _add_trial(self.pmfs[k], probability)
                self.means[k] += probability
        return most


class _NormalSearch:
    """Binary search on new dials; the running maximum by Clark's normal approximation."""

    def __init__(
        self,
        trials: list[list[tuple[float, int]]],
        new_trials: list[float],
        waiting: int,
        capacity: int,
    ) -> None:
        self.new_trials = new_trials
        # The overflow X_k - capacity, continuity-corrected, at each checkpoint.
        offset = waiting - capacity - 0.5
        self.means = [offset + sum(p * n for p, n in checkpoint) for checkpoint in trials]
        self.variances = [sum(p * (1.0 - p) * n for p, n in checkpoint) for checkpoint in trials]
        # Covariance of consecutive checkpoints: the same trials, seen a little later.
        self.covariances = [0.0] + [
            sum(
                (min(p_before, p_after) - p_before * p_after) * n
                for (p_before, n), (p_after, _) in zip(before, after, strict=True)
            )
            for before, after in zip(trials, trials[1:], strict=False)
        ]

    def _overflow(self, dials: int) -> float:
        """E[max(0, overflow at each checkpoint)] for this many new dials."""
        max_mean = max_variance = max_covariance = 0.0
        previous_variance = 0.0
        previous_new = 0.0
        for mean, variance, covariance, new in zip(
            self.means, self.variances, self.covariances, self.new_trials, strict=True
        ):
            mean += dials * new
            variance += dials * new * (1.0 - new)
            covariance += dials * (min(previous_new, new) - previous_new * new)
            # The running maximum's covariance with this checkpoint, through the last one.
            linked = (
                max_covariance * covariance / previous_variance
                if previous_variance > 1e-12
                else 0.0
            )
            spread_squared = max_variance + variance - 2.0 * linked
            if spread_squared < 1e-12:
                if mean > max_mean:
                    max_mean, max_variance, max_covariance = mean, variance, variance
                else:
                    max_covariance = linked
            else:
                spread = math.sqrt(spread_squared)
                alpha = (max_mean - mean) / spread
                keep = 0.5 * math.erfc(-alpha / math.sqrt(2.0))
                density = _INV_SQRT_2PI * math.exp(-0.5 * alpha * alpha)
                new_mean = max_mean * keep + mean * (1.0 - keep) + spread * density
                second = (
                    (max_mean * max_mean + max_variance) * keep
                    + (mean * mean + variance) * (1.0 - keep)
                    + (max_mean + mean) * spread * density
                )
                max_mean = new_mean
                max_variance = max(0.0, second - new_mean * new_mean)
                max_covariance = linked * keep + variance * (1.0 - keep)
            previous_variance, previous_new = variance, new
        return max_mean

    def most_dials(self, allowed: float, humans: float, human_rate: float, most: int) -> int:
        """The largest count of new dials (up to `most`) within the allowed abandons."""
        low, high = -1, most + 1
        while high - low > 1:
            middle = (low + high) // 2
            if self._overflow(middle) <= allowed * (humans + middle * human_rate):
                low = middle
            else:
                high = middle
        return max(0, low)
