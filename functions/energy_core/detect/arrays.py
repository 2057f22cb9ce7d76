"""The numbers every detector reads, computed once per series, and the order statistics they take.

A 100,000-reading file with its 28 days of history is a few hundred thousand Python floats; turning
them into numpy arrays, or taking the site's scale (a percentile), costs more than most detectors do.
Each is done once per series here and kept on the series itself; only what depends on the timestamps
alone (the epochs) is shared by the series on the same timestamps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .model import CONSUMED, GENERATED, Series

ATTRIBUTE = {GENERATED: "generated", CONSUMED: "consumed"}


def epochs(series: Series) -> np.ndarray:
    """The readings' times (seconds since the epoch), one array for every series on the same timestamps
    (the sites of a fleet usually share one grid); read-only, as it is shared."""
    return series.derived("epochs", lambda: _read_only(floats(series.epochs)))


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def values(series: Series, field: str) -> np.ndarray:
    """A field's readings (energy_generated_kwh or energy_consumed_kwh) as floats."""
    return series.once(field, lambda: floats(getattr(series, ATTRIBUTE[field])))


def floats(column: Sequence[float]) -> np.ndarray:
    """A column of numbers as a float64 array. np.fromiter with the count known: half the cost of
    np.asarray for a list of Python floats, which first walks the list to find its shape and type."""
    return np.fromiter(column, np.float64, len(column))


def scale(series: Series, field: str) -> float:
    """The site's own scale for a field: the 99th percentile of its positive readings (0 if none)."""
    return series.once(("scale", field), lambda: site_scale(values(series, field)))


def site_scale(readings: np.ndarray) -> float:
    """The 99th percentile of the positive readings (0 if none)."""
    positive = readings[readings > 0]
    return quantile(positive, 0.99) if positive.size else 0.0


def quantile(values: np.ndarray, q: float) -> float:
    """np.quantile(values, q) of a non-empty array without NaN, computed as it computes it (linear, the
    default): the value at rank q (n - 1) of the sorted values, interpolated between the two around it.

    Only those two are put in place (a partition), and the interpolation is numpy's own formula in
    plain floats: np.quantile's general bookkeeping costs more than the work itself for one site's few
    thousand readings. tests/unit/test_detect_arrays.py holds it to np.quantile (and np.percentile),
    bit for bit."""
    last = values.size - 1
    rank = last * q
    below = math.floor(rank)
    if rank >= last:
        return float(values.max())
    low, high = np.partition(values, (below, below + 1))[below : below + 2].tolist()
    weight = rank - below
    # numpy's lerp: from the nearer end, so that the weight 1 gives `high` exactly
    return high - (high - low) * (1 - weight) if weight >= 0.5 else low + (high - low) * weight


def median(values: np.ndarray) -> float:
    """np.median(values) of a non-empty array without NaN, computed as it computes it: the middle value,
    or the mean of the two middle ones, once the values are put in order around the middle (a
    partition). np.median's general bookkeeping costs more than that for a site's few thousand
    readings; tests/unit/test_detect_arrays.py holds it to np.median, bit for bit."""
    middle = values.size // 2
    if values.size % 2:
        return float(np.partition(values, middle)[middle])
    low, high = np.partition(values, (middle - 1, middle))[middle - 1 : middle + 1].tolist()
    return (low + high) / 2

