"""The numbers every detector reads, computed once per series.

A 100,000-reading file with its 28 days of history is a few hundred thousand Python floats; turning
them into numpy arrays, or taking the site's scale (a percentile), costs more than most detectors do.
Each is done once per series here and kept on the series itself (never shared with another site).
"""

from __future__ import annotations

import numpy as np

from .model import CONSUMED, GENERATED, Series

ATTRIBUTE = {GENERATED: "generated", CONSUMED: "consumed"}


def epochs(series: Series) -> np.ndarray:
    return series.once("epochs", lambda: np.asarray(series.epochs, dtype=np.float64))


def values(series: Series, field: str) -> np.ndarray:
    """A field's readings (energy_generated_kwh or energy_consumed_kwh) as floats."""
    return series.once(field, lambda: np.asarray(getattr(series, ATTRIBUTE[field]), dtype=np.float64))


def scale(series: Series, field: str) -> float:
    """The site's own scale for a field: the 99th percentile of its positive readings (0 if none)."""
    return series.once(("scale", field), lambda: site_scale(values(series, field)))


def site_scale(readings: np.ndarray) -> float:
    """The 99th percentile of the positive readings (0 if none)."""
    positive = readings[readings > 0]
    return float(np.percentile(positive, 99)) if positive.size else 0.0
