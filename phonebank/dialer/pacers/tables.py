"""The predictive pacer's probability tables, computed once per model and reused per decision.

A decision looks at up to a hundred busy callers and as many dials in flight. Each one is a
Bernoulli trial per checkpoint (a caller still busy, a dial answered by a human by then), and
what the decision needs is the sum of their means, variances and covariances. The chances
depend only on a caller's seconds into their talk (or a dial's age) and on the model (mean
talk, wrap-up and ring times, the checkpoints), which changes slowly: so each model gets a
table with one row of moments per whole second, and a decision is a count per second times
that table.
"""

import math
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

# Answering machines pick up later than people (after a few more rings): their mean ring, as a
# multiple of the human one.
MACHINE_RING_FACTOR = 1.6
# Unanswered dials: some end fast (busy, failed), the rest ring until the timeout.
QUICK_UNANSWERED_SHARE = 0.1
QUICK_UNANSWERED_SECONDS = 4.0
# Steps over which a talk's end and the wrap-up after it are combined, per checkpoint.
_TALK_STEPS = 6
_SQRT2 = math.sqrt(2.0)
# Chebyshev coefficients of erfc (Numerical Recipes' erfcc: relative error under 1.2e-7).
_ERFC_COEFFICIENTS = (
    -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
    0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277,
)  # fmt: skip


def erfc(x: Array) -> Array:
    """The complementary error function, elementwise."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = np.full_like(t, _ERFC_COEFFICIENTS[-1])
    for coefficient in reversed(_ERFC_COEFFICIENTS[:-1]):
        poly = coefficient + t * poly
    tail = t * np.exp(-z * z + poly)
    return np.where(x >= 0.0, tail, 2.0 - tail)


def moments(chances: Array) -> Array:
    """Rows of [chances, variances, covariances of consecutive checkpoints] per trial.

    The success indicators of one trial at consecutive checkpoints are monotone in time, so
    their covariance is min(p, q) - p * q.
    """
    chances = np.clip(chances, 0.0, 1.0)
    variances = chances * (1.0 - chances)
    covariances = np.zeros_like(chances)
    before, after = chances[..., :-1], chances[..., 1:]
    covariances[..., 1:] = np.minimum(before, after) - before * after
    return np.concatenate((chances, variances, covariances), axis=-1)


def gamma_cdf(x: Array, shape: int, mean: float) -> Array:
    """P(T <= x) for a gamma (Erlang) time with an integer shape, elementwise."""
    scaled = shape * np.maximum(x, 0.0) / mean
    term = np.ones_like(scaled)
    total = np.ones_like(scaled)
    for index in range(1, shape):
        term = term * scaled / index
        total = total + term
    return np.where(x > 0.0, 1.0 - np.exp(-scaled) * total, 0.0)


def _lognormal_cdf(x: Array, mu: float, sigma: float) -> Array:
    safe = np.maximum(x, 1e-12)
    values = 0.5 * erfc(-(np.log(safe) - mu) / (sigma * _SQRT2))
    result: Array = np.where(x > 0.0, values, 0.0)
    return result


def talker_busy(
    elapsed: Array, talk_mean: float, talk_sigma: float, wrap_mean: float, horizons: Array
) -> Array:
    """P(a caller `elapsed` seconds into a lognormal talk is still talking or wrapping up).

    One row per elapsed value, one column per horizon: the rest of the talk given the time
    already talked, then an exponential wrap-up, both over by the horizon.
    """
    steps = np.arange(_TALK_STEPS + 1) / _TALK_STEPS
    points = horizons[:, None] * steps[None, :]  # (horizons, steps + 1)
    ages = elapsed[:, None, None]
    if talk_sigma > 0.0:
        mu = math.log(talk_mean) - talk_sigma * talk_sigma / 2.0
        done_before = _lognormal_cdf(elapsed, mu, talk_sigma)[:, None, None]
        survival = 1.0 - done_before
        ended = _lognormal_cdf(ages + points[None, :, :], mu, talk_sigma) - done_before
        over = np.clip(ended / np.maximum(survival, 1e-300), 0.0, 1.0)
    else:
        survival = np.zeros_like(ages)
        over = np.zeros((len(elapsed), *points.shape))
    # Exponential talk, or a talk far past every usual length: a constant hazard.
    memoryless = 1.0 - np.exp(-points / talk_mean)
    over = np.where(survival < 1e-9, memoryless[None, :, :], over)
    ending = np.diff(over, axis=2)  # talk ending within each step
    middle = horizons[:, None] * (steps[1:] - 0.5 / _TALK_STEPS)[None, :]
    wrapped = 1.0 - np.exp(-(horizons[:, None] - middle) / wrap_mean)
    free = (ending * wrapped[None, :, :]).sum(axis=2)
    busy: Array = np.clip(1.0 - free, 0.0, 1.0)
    return busy


def ring_profile(
    ages: Array, ring_mean: float, shape: int, timeout: float, horizons: Array
) -> tuple[Array, Array]:
    """Share of a dial's human answers still to come at each age, and those due by each horizon."""
    full = float(gamma_cdf(np.array([timeout]), shape, ring_mean)[0]) or 1.0

    def answered_by(seconds: Array) -> Array:
        return np.minimum(1.0, gamma_cdf(np.minimum(seconds, timeout), shape, ring_mean) / full)

    done = answered_by(ages)
    due = answered_by(ages[:, None] + horizons[None, :]) - done[:, None]
    return 1.0 - done, due


class _Cache:
    """A small least-recently-used map of computed tables."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()

    def find(self, key: Hashable) -> Any:
        """The value kept for `key`, or None."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def keep(self, key: Hashable, value: Any) -> None:
        """Keep `value` for `key`, forgetting the least recently used beyond the size."""
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)


_TALKERS = _Cache(64)
_talker_rows = 0
_RINGS = _Cache(64)


def talker_moments(
    talk_mean: float, talk_sigma: float, wrap_mean: float, horizons: tuple[float, ...], rows: int
) -> Array:
    """Moment rows of busy talkers by whole seconds into their talk (at least `rows` rows)."""
    # Tables grow in steps so a long talk does not rebuild one every second, and a new model
    # starts as long as the longest so far.
    global _talker_rows
    _talker_rows = max(_talker_rows, 64, 1 << max(0, rows - 1).bit_length())
    key = (talk_mean, talk_sigma, wrap_mean, horizons)
    table: Array | None = _TALKERS.find(key)
    if table is None or len(table) < rows:
        size = _talker_rows
        elapsed = np.arange(size, dtype=np.float64)
        table = moments(talker_busy(elapsed, talk_mean, talk_sigma, wrap_mean, np.array(horizons)))
        _TALKERS.keep(key, table)
    return table


class DialTable:
    """What a dial of each whole-second age may still bring, for one ring model."""

    def __init__(
        self, ring_mean: float, shape: int, timeout: float, horizons: tuple[float, ...]
    ) -> None:
        ages = np.arange(max(1, math.ceil(timeout)), dtype=np.float64)
        self.to_come, self.due = ring_profile(ages, ring_mean, shape, timeout, np.array(horizons))
        machine_ring = min(timeout, MACHINE_RING_FACTOR * ring_mean)
        self.machine_left = ring_profile(ages, machine_ring, shape, timeout, np.zeros(0))[0]
        self._humans = _Cache(16)
        self.unanswered_left = 1.0 - QUICK_UNANSWERED_SHARE * (
            1.0 - np.exp(-ages / QUICK_UNANSWERED_SECONDS)
        )

    def humans(self, human_rate: float, machine_rate: float) -> tuple[Array, Array]:
        """Per age: chance of a human answer at all, and moment rows of one by each horizon.

        Rates come rounded, so recent ones are kept: a decision mostly repeats the last one's.
        """
        key = (human_rate, machine_rate)
        found: tuple[Array, Array] | None = self._humans.find(key)
        if found is None:
            found = self._humans_for(human_rate, machine_rate)
            self._humans.keep(key, found)
        return found

    def _humans_for(self, human_rate: float, machine_rate: float) -> tuple[Array, Array]:
        unanswered_rate = max(0.0, 1.0 - human_rate - machine_rate)
        # What is still possible at this age: humans and machines still to answer, or no answer.
        pending = (
            human_rate * self.to_come
            + machine_rate * self.machine_left
            + unanswered_rate * self.unanswered_left
        )
        possible = (pending > 0.0) & (self.to_come > 0.0)
        share = np.where(possible, human_rate / np.where(possible, pending, 1.0), 0.0)
        return share * self.to_come, moments(share[:, None] * self.due)


def dial_table(
    ring_mean: float, shape: int, timeout: float, horizons: tuple[float, ...]
) -> DialTable:
    """The dial table of a ring model (cached)."""
    key = (ring_mean, shape, timeout, horizons)
    table: DialTable | None = _RINGS.find(key)
    if table is None:
        table = DialTable(ring_mean, shape, timeout, horizons)
        _RINGS.keep(key, table)
    return table
