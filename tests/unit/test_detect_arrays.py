"""The order statistics the detectors take (the site's scale, medians), held to numpy's own, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from energy_core.detect.arrays import median, quantile, site_scale

KWH = st.floats(min_value=-50.0, max_value=5000.0, allow_nan=False, allow_infinity=False)


QUANTILES = (0.0, 0.05, 0.5, 0.95, 0.99, 1.0)  # the detectors' (spike's window, the site's scale)


def plain_quantile(values: np.ndarray, q: float) -> float:
    """The reference: numpy's quantile."""
    return float(np.quantile(values, q))


@given(st.lists(KWH, min_size=1, max_size=400), st.sampled_from(QUANTILES))
def test_given_any_readings_when_taking_a_quantile_then_it_is_numpys_to_the_bit(
    readings: list[float], q: float
) -> None:
    values = np.asarray(readings)
    assert quantile(values, q) == plain_quantile(values, q)


@given(st.integers(min_value=1, max_value=3000), st.integers(min_value=0, max_value=2**32 - 1))
def test_given_site_sized_series_when_taking_quantiles_then_they_are_numpys_to_the_bit(
    size: int, seed: int
) -> None:
    # every length up to a few days of readings: the rank's fraction takes every value the formula can
    values = np.random.default_rng(seed).gamma(0.6, 1.3, size)
    assert quantile(values, 0.99) == float(np.percentile(values, 99))  # the site's scale, as it was taken
    assert [quantile(values, q) for q in QUANTILES] == [plain_quantile(values, q) for q in QUANTILES]
    assert [quantile(values, q) for q in QUANTILES] == np.quantile(values, QUANTILES).tolist()  # all at once


def test_given_no_positive_reading_when_scaling_then_the_scale_is_zero() -> None:
    assert site_scale(np.array([0.0, -0.2, 0.0])) == 0.0
    assert site_scale(np.array([0.0, 2.0, -1.0])) == 2.0


@given(st.lists(KWH, min_size=1, max_size=400))
def test_given_any_readings_when_taking_their_median_then_it_is_numpys_to_the_bit(readings: list[float]) -> None:
    values = np.asarray(readings)
    assert median(values) == float(np.median(values))


@given(st.lists(st.floats(min_value=0.0, max_value=1e9), min_size=2, max_size=200))
def test_given_any_timestamps_when_taking_the_median_step_then_it_is_numpys_to_the_bit(
    epochs: list[float],
) -> None:
    steps = np.diff(np.sort(np.asarray(epochs)))
    assert median(steps) == float(np.median(steps))
