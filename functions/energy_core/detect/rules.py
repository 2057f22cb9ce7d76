"""Per-reading rules: negative_value, out_of_range, future_timestamp.

Each looks at a field's lowest or highest reading of the file first and picks out the readings only
when that shows something to report.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

import numpy as np

from . import arrays
from .config import DetectionConfig
from .model import (
    FIELDS,
    GENERATED,
    TIMESTAMP,
    Anomaly,
    Series,
    SeriesPoint,
    canonical,
    duration,
    field_word,
    kwh,
    when,
)


def negative_values(series: Series, fresh: np.ndarray, config: DetectionConfig) -> list[Anomaly]:
    """The file's readings (`fresh`: their indices in `series`, history and file) below minus the
    standby tolerance of their field.

    Inverters draw a little power at night and meters round it into small negative readings: values
    down to minus `standby_fraction` of the site's own scale (the 99th percentile of the field's
    positive readings in `series`, history and file) are standby, never an anomaly. A sign error
    on an ordinary reading is far beyond that; with no positive reading to learn a scale from, the
    fixed `tolerance_kwh` alone applies (a one-reading file of -50 kWh is still found).
    """
    if not config.negative_enabled or not len(fresh):
        return []
    found = []
    for name in FIELDS:
        values = arrays.values(series, name)[fresh]
        if values.min() >= -config.negative_tolerance_kwh:
            continue  # the usual: no reading below zero at all, and no scale to learn
        scale = arrays.scale(series, name)
        tolerance = max(config.negative_tolerance_kwh, config.negative_standby_fraction * scale)
        below = values < -tolerance
        found += [
            _negative(series[index], name, value, tolerance, scale)
            for index, value in zip(fresh[below].tolist(), values[below].tolist(), strict=True)
        ]
    return found


def _negative(point: SeriesPoint, name: str, value: float, tolerance: float, scale: float) -> Anomaly:
    # Energy in this contract is a per-interval quantity: below standby means a sign or export error.
    # High when it is a sizeable part of what the site usually reads: it corrupts totals.
    return Anomaly(
        site_id=point.site_id,
        timestamp=point.timestamp,
        type="negative_value",
        severity="high" if scale == 0 or -value >= 0.25 * scale else "medium",
        value=value,
        expected=f"-{kwh(tolerance)} kWh (standby) or more",
        reason=(
            f"{field_word(name)} {kwh(value)} kWh at {when(point.timestamp)}: below the standby draw this"
            f" site shows (down to -{kwh(tolerance)} kWh); check the meter's sign convention or the export"
        ),
        field=name,
        expected_low=-tolerance,
    )


def out_of_range(
    series: Series, fresh: np.ndarray, config: DetectionConfig, interval: float
) -> list[Anomaly]:
    """The file's readings (`fresh`: their indices in `series`) above what the site's capacity can
    give or draw in one interval."""
    if not config.range_enabled or not len(fresh):
        return []
    capacity = config.capacity_for(series.site_id)
    configured = series.site_id in config.sites
    found = []
    for name in FIELDS:
        kw = capacity.generated_kw if name == GENERATED else capacity.consumed_kw
        limit = kw * interval / 3600.0
        values = arrays.values(series, name)[fresh]
        if values.max() <= limit:
            continue
        too_big = values > limit
        found += [
            _too_big(
                series[index],
                name=name,
                value=value,
                limit=limit,
                kw=kw,
                interval=interval,
                configured=configured,
                high_factor=config.range_high_factor,
            )
            for index, value in zip(fresh[too_big].tolist(), values[too_big].tolist(), strict=True)
        ]
    return found


def _too_big(
    point: SeriesPoint,
    *,
    name: str,
    value: float,
    limit: float,
    kw: float,
    interval: float,
    configured: bool,
    high_factor: float,
) -> Anomaly:
    whose = "the site's" if configured else "the default"
    return Anomaly(
        site_id=point.site_id,
        timestamp=point.timestamp,
        type="out_of_range",
        severity="high" if value > limit * high_factor else "medium",
        value=value,
        expected=f"0 to {kwh(limit)} kWh",
        reason=(
            f"{field_word(name)} {kwh(value)} kWh in {duration(interval)} at {when(point.timestamp)} is above"
            f" {whose} capacity of {kwh(limit)} kWh per {duration(interval)} ({kwh(kw)} kW); check the units"
            " (Wh vs kWh) or the site's capacity in config/detection.json"
        ),
        field=name,
        expected_low=0.0,
        expected_high=limit,
    )


def future_cut(points: Sequence[SeriesPoint], config: DetectionConfig, now_epoch: float) -> int:
    """Index of the first reading beyond now + skew (points are sorted): those are left out of the series."""
    limit = now_epoch + config.future_skew_seconds
    epochs = Series.of(points).epochs
    if not epochs or epochs[-1] <= limit:
        return len(epochs)
    return bisect_right(epochs, limit)


def future_timestamps(
    points: Sequence[SeriesPoint], cut: int, config: DetectionConfig, now_epoch: float
) -> list[Anomaly]:
    if not config.future_enabled:
        return []
    return [_future(p, config, now_epoch) for p in points[cut:]]


def _future(point: SeriesPoint, config: DetectionConfig, now_epoch: float) -> Anomaly:
    ahead = point.epoch - now_epoch
    latest = now_epoch + config.future_skew_seconds
    skew = duration(config.future_skew_seconds)
    return Anomaly(
        site_id=point.site_id,
        timestamp=point.timestamp,
        type="future_timestamp",
        severity="high" if ahead > config.future_high_after_seconds else "medium",
        value=ahead,
        expected=f"at or before {when(canonical(latest))} (processing time + {skew})",
        reason=(
            f"reading at {when(point.timestamp)} is {duration(ahead)} after the file was processed"
            f" ({when(canonical(now_epoch))}); check the meter's clock and time zone"
        ),
        field=TIMESTAMP,
        expected_high=latest,
    )
