"""The pacer's tables: the vectorised model against the same model one value at a time."""

import math

import numpy as np
import pytest

from phonebank.dialer.pacers.tables import (
    DialTable,
    erfc,
    gamma_cdf,
    moments,
    talker_busy,
    talker_moments,
)

HORIZONS = (3.0, 6.5, 10.0, 20.0)


def _lognormal_cdf(x: float, mu: float, sigma: float) -> float:
    return 0.0 if x <= 0 else 0.5 * math.erfc(-(math.log(x) - mu) / (sigma * math.sqrt(2)))


def busy_one_at_a_time(
    elapsed: float, talk: float, sigma: float, wrap: float, horizon: float
) -> float:
    """P(still busy at `horizon`), summing talk endings over six steps, then a wrap-up."""
    mu = math.log(talk) - sigma * sigma / 2
    survival = 1 - _lognormal_cdf(elapsed, mu, sigma)

    def over_by(seconds: float) -> float:
        if survival < 1e-9:
            return 1 - math.exp(-seconds / talk)
        return (_lognormal_cdf(elapsed + seconds, mu, sigma) - (1 - survival)) / survival

    free = previous = 0.0
    for step in range(1, 7):
        current = over_by(horizon * step / 6)
        free += (current - previous) * (
            1 - math.exp(-(horizon - horizon * (step - 0.5) / 6) / wrap)
        )
        previous = current
    return 1 - free


def test_erfc_matches_the_standard_library() -> None:
    points = np.linspace(-6.0, 6.0, 2001)
    expected = np.array([math.erfc(x) for x in points])
    assert np.allclose(erfc(points), expected, rtol=2e-7, atol=0.0)


def test_gamma_cdf_of_shape_one_is_exponential() -> None:
    points = np.array([-1.0, 0.0, 1.0, 5.0, 30.0])
    expected = [0.0, 0.0, *(1 - math.exp(-x / 9.0) for x in (1.0, 5.0, 30.0))]
    assert gamma_cdf(points, 1, 9.0) == pytest.approx(expected)


@pytest.mark.parametrize("elapsed", [0, 1, 30, 90, 200, 900])
def test_talker_rows_match_the_model_worked_out_one_value_at_a_time(elapsed: int) -> None:
    rows = talker_busy(np.array([float(elapsed)]), 120.0, 0.5, 15.0, np.array(HORIZONS))
    expected = [busy_one_at_a_time(elapsed, 120.0, 0.5, 15.0, h) for h in HORIZONS]
    assert rows[0] == pytest.approx(expected, abs=1e-6)


def test_a_caller_long_into_a_talk_is_likelier_free_soon_than_one_just_connected() -> None:
    rows = talker_busy(np.array([1.0, 200.0]), 120.0, 0.5, 15.0, np.array(HORIZONS))
    assert (rows[1] < rows[0]).all()
    # Still busy can only fall as the horizon grows.
    assert (np.diff(rows, axis=1) <= 1e-12).all()


def test_moments_hold_chances_variances_and_covariances_of_consecutive_checkpoints() -> None:
    chances = np.array([0.2, 0.5, 0.9])
    assert moments(chances).tolist() == pytest.approx(
        [0.2, 0.5, 0.9, 0.16, 0.25, 0.09, 0.0, 0.2 - 0.1, 0.5 - 0.45]
    )


def test_talker_table_covers_the_rows_asked_for_and_is_reused() -> None:
    first = talker_moments(118.0, 0.5, 14.0, HORIZONS, 300)
    assert len(first) >= 300
    assert talker_moments(118.0, 0.5, 14.0, HORIZONS, 10) is first


def test_dial_rows_give_old_dials_less_chance_of_a_human() -> None:
    table = DialTable(9.0, 4, 20.0, HORIZONS)
    to_come, rows = table.humans(0.25, 0.2)
    assert to_come[0] == pytest.approx(0.25 * table.to_come[0])
    assert to_come[2] > to_come[10] > to_come[18] >= 0.0
    # By the last horizon a fresh dial has brought nearly all of its human chance.
    size = len(HORIZONS)
    assert rows[0, size - 1] == pytest.approx(to_come[0], rel=0.05)
