"""Per-reading rules: negative_value, out_of_range, future_timestamp.

Each scans a column with a C-speed min()/max() first and only walks the readings when that shows
something to report, which is what keeps the rule detectors far above 500k readings/s.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import repeat
from operator import gt, lt

from energy_core.readings import where

from . import arrays
from .config import DetectionConfig
from .model import (
    CONSUMED,
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


def columns(points: Sequence[SeriesPoint]) -> dict[str, Sequence[float]]:
    series = Series.of(points)
    return {GENERATED: series.generated, CONSUMED: series.consumed}


def negative_values(
    points: Sequence[SeriesPoint],
    cols: dict[str, Sequence[float]],
    config: DetectionConfig,
    everything: Series,
) -> list[Anomaly]:
    """Readings of `points` below minus the standby tolerance of their field.

    Inverters draw a little power at night and meters round it into small negative readings: values
    down to minus `standby_fraction` of the site's own scale (the 99th percentile of the field's
    positive readings in `everything`, history and file) are standby, never an anomaly. A sign error
    on an ordinary reading is far beyond that; with no positive reading to learn a scale from, the
    fixed `tolerance_kwh` alone applies (a one-reading file of -50 kWh is still found).
    """
    if not config.negative_enabled or not points:
        return []
    found = []
    for name, values in cols.items():
        if min(values) >= -config.negative_tolerance_kwh:
            continue
        scale = arrays.scale(everything, name)
        tolerance = max(config.negative_tolerance_kwh, config.negative_standby_fraction * scale)
        found += [
            _negative(points[i], name, values[i], tolerance, scale)
            for i in where(map(lt, values, repeat(-tolerance)))
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
    points: Sequence[SeriesPoint],
    cols: dict[str, Sequence[float]],
    config: DetectionConfig,
    interval: float,
) -> list[Anomaly]:
    if not config.range_enabled or not points:
        return []
    capacity = config.capacity_for(points[0].site_id)
    configured = points[0].site_id in config.sites
    found = []
    for name, values in cols.items():
        kw = capacity.generated_kw if name == GENERATED else capacity.consumed_kw
        limit = kw * interval / 3600.0
        if max(values) <= limit:
            continue
        found += [
            _too_big(
                points[i],
                name=name,
                value=values[i],
                limit=limit,
                kw=kw,
                interval=interval,
                configured=configured,
                high_factor=config.range_high_factor,
            )
            for i in where(map(gt, values, repeat(limit)))
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
