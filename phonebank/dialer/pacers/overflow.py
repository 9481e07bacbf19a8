"""Expected abandons of a dialing decision: the overflow of humans over free callers.

At checkpoints over the ring horizon, the overflow D(t) = humans answered by t - callers free
by t + grace is a sum of independent Bernoulli trials. A loss system loses the running maximum
of that overflow, so the expected abandons are E[max(0, D(t1), ..., D(tK))], by Clark's normal
approximation of a maximum. For small teams, where normal tails mislead, the exact (truncated
Poisson-binomial) overflow at the worst checkpoint is used instead, times a factor for the
running maximum.
"""

import math
from collections.abc import Sequence

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT2 = math.sqrt(2.0)
# Small teams: the worst checkpoint's exact overflow, times this for the running maximum over
# the horizon (measured in simulation: the maximum runs about twice the worst single moment).
RUNNING_MAX_FACTOR = 2.0


def add_trial(pmf: list[float], probability: float) -> None:
    """Convolve a truncated distribution with one Bernoulli trial, in place."""
    keep = 1.0 - probability
    for value in range(len(pmf) - 1, 0, -1):
        pmf[value] = pmf[value] * keep + pmf[value - 1] * probability
    pmf[0] *= keep


def shortfall_weights(pmf: list[float]) -> list[float]:
    """w[j] = E[(capacity - j - X)^+] from X's distribution below capacity = len(pmf)."""
    capacity = len(pmf)
    return [
        sum((capacity - j - value) * pmf[value] for value in range(capacity - j))
        for j in range(capacity)
    ]


def exact_overflow(weights: list[float], mean: float, dials: int, chance: float) -> float:
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


class OverflowSearch:
    """Finds the most new dials within the allowed abandons, for one decision.

    `totals` holds the summed means, variances and covariances of every trial in play (busy
    callers and dials in flight) per checkpoint; `new` the same for one new dial.
    """

    def __init__(
        self,
        totals: Sequence[float],
        new: Sequence[float],
        waiting: int,
        capacity: int,
        *,
        exact_rows: Sequence[tuple[int, Sequence[float]]] | None = None,
    ) -> None:
        size = len(new) // 3
        self.new = list(new[:size])
        self.new_variances = list(new[size : 2 * size])
        self.new_covariances = list(new[2 * size :])
        # Overflow D_k = waiting + successes - capacity, continuity-corrected (integers).
        self.means = [waiting - capacity - 0.5 + total for total in totals[:size]]
        self.variances = list(totals[size : 2 * size])
        self.covariances = list(totals[2 * size :])
        # Each checkpoint's figures side by side, as the normal model walks them.
        self._checkpoints = list(
            zip(
                self.means,
                self.variances,
                self.covariances,
                self.new,
                self.new_variances,
                self.new_covariances,
                strict=True,
            )
        )
        self.exact: list[tuple[list[float], float]] = []
        if exact_rows is not None:
            for k in range(size):
                pmf = [0.0] * capacity
                if waiting < capacity:
                    pmf[waiting] = 1.0
                for count, chances in exact_rows:
                    for _ in range(count):
                        add_trial(pmf, chances[k])
                self.exact.append((shortfall_weights(pmf), totals[k] + waiting))

    def expected_abandons(self, dials: int) -> float:
        """E[max(0, D_1, ..., D_K)] with `dials` new dials."""
        if self.exact:
            # Small teams: the normal model is poor with few humans in play (it sees abandons
            # even when nobody can answer), so the exact overflow at the worst checkpoint decides.
            return RUNNING_MAX_FACTOR * max(
                exact_overflow(weights, mean + dials * new, dials, new)
                for (weights, mean), new in zip(self.exact, self.new, strict=True)
            )
        # Clark: the maximum of two normals taken as normal, folding in one checkpoint at a time.
        top_mean = top_variance = top_covariance = 0.0
        previous_variance = 0.0
        sqrt, exp, erfc = math.sqrt, math.exp, math.erfc
        for mean, variance, covariance, new, new_variance, new_covariance in self._checkpoints:
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
                spread = sqrt(spread_squared)
                alpha = (top_mean - mean) / spread
                keep = 0.5 * erfc(-alpha / _SQRT2)
                density = _INV_SQRT_2PI * exp(-0.5 * alpha * alpha)
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
