"""Detectors over a site's time series (history + file): gap, flatline, counter_reset.

They see the stored history so a gap or a stuck meter spanning two files is found, but report only
what touches a reading of this file (`fresh`). Timestamps they report are stable (first missing
slot, first stuck reading), so the anomaly's id `<timestamp>#<type>` is the same when a later
file sees the same event again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import compress, count, islice
from operator import eq, mul, sub

from .config import DetectionConfig
from .model import (
    CUMULATIVE,
    GENERATED,
    Anomaly,
    Series,
    SeriesPoint,
    canonical,
    duration,
    field_word,
    kwh,
    when,
)


def infer_interval(steps: Sequence[float]) -> float | None:
    """Median spacing (of `Series.steps`): robust to a few gaps or doubled readings, which the mean is not."""
    if not steps:
        return None
    first = steps[0]
    if steps.count(first) == len(steps):  # a regular series (the usual): no sort
        return first if first > 0 else None
    interval = sorted(steps)[len(steps) // 2]
    return interval if interval > 0 else None


def gaps(
    series: Sequence[SeriesPoint],
    fresh: list[bool],
    interval: float,
    config: DetectionConfig,
) -> list[Anomaly]:
    if not config.gap_enabled or len(series) < 2:
        return []
    limit = interval * (1.0 + config.gap_tolerance_fraction)
    timeline = Series.of(series)
    diffs = timeline.steps
    if timeline.derived("longest step", lambda: max(diffs)) <= limit:
        return []
    found = []
    for i, gap in enumerate(diffs):
        if gap > limit and (fresh[i] or fresh[i + 1]):
            missing = max(1, round(gap / interval) - 1)
            found.append(_gap(series[i], series[i + 1], missing, interval, config))
    return found


def _gap(
    before: SeriesPoint, after: SeriesPoint, missing: int, interval: float, config: DetectionConfig
) -> Anomaly:
    silent = after.epoch - before.epoch - interval
    severity = "low"
    if missing >= config.gap_high_after_intervals:
        severity = "high"
    elif missing >= config.gap_medium_after_intervals:
        severity = "medium"
    return Anomaly(
        site_id=before.site_id,
        timestamp=canonical(before.epoch + interval),
        type="gap",
        severity=severity,
        value=float(missing),
        expected=f"a reading every {duration(interval)}",
        reason=(
            f"no readings for {duration(silent)} after {when(before.timestamp)}"
            f" ({missing} missing {duration(interval)} intervals, next reading at {when(after.timestamp)});"
            " check the logger's uploads or the meter's connection"
        ),
        field=None,
        expected_high=interval,
        end=canonical(before.epoch + interval * missing),
        readings=missing,
    )


def flatlines(
    series: Sequence[SeriesPoint],
    cols: dict[str, Sequence[float]],
    fresh: list[bool],
    interval: float,
    config: DetectionConfig,
) -> tuple[list[Anomaly], set[tuple[int, str]]]:
    """Runs of one repeated non-zero value; returns the anomalies and the (index, field) cells they cover."""
    if not config.flatline_enabled or len(series) < 2:
        return [], set()
    needed = max(
        config.flatline_min_intervals, math.ceil(config.flatline_min_duration_minutes * 60 / interval)
    )
    pattern = b"\x01" * (needed - 1)
    capacity = config.capacity_for(series[0].site_id)
    clipping = capacity.generated_kw * interval / 3600.0 * config.flatline_clipping_fraction
    found: list[Anomaly] = []
    covered: set[tuple[int, str]] = set()
    for name, values in cols.items():
        if not _may_flatline(values, needed):
            continue
        # bytes.find over 0/1 "equal to previous" flags finds long runs at C speed.
        same = bytes(map(eq, islice(values, 1, None), values))
        start = same.find(pattern)
        while start >= 0:
            end = same.find(b"\x00", start)
            end = len(same) if end < 0 else end
            value = values[start]
            # Zero is night-time generation or an idle load; a plateau at the inverter's limit is clipping.
            normal = value == 0 or (name == GENERATED and value >= clipping)
            if not normal and True in fresh[start : end + 1]:
                found.append(
                    _flatline(
                        series[start],
                        last=series[end],
                        name=name,
                        value=value,
                        count=end - start + 1,
                        interval=interval,
                        config=config,
                    )
                )
                covered.update((i, name) for i in range(start, end + 1))
            start = same.find(pattern, end)
    return found, covered


def _may_flatline(values: Sequence[float], needed: int) -> bool:
    """False when no run of `needed` equal non-zero values can exist, judged from every step-th value
    (step = needed // 2): such a run holds two consecutive multiples of step and every value between
    them, all equal and non-zero. Equal neighbours among every step-th value happen by chance with
    rounded readings, so each is confirmed on the values between; the full scan runs only if one holds.
    """
    step = needed // 2
    if step < 2:
        return True
    every = values[::step]
    # equal to the next one and non-zero: the product of the flag and the value is non-zero
    for k in compress(count(), map(mul, map(eq, islice(every, 1, None), every), every)):
        part = values[k * step : (k + 1) * step + 1]
        if part.count(part[0]) == len(part):
            return True
    return False


def _flatline(
    first: SeriesPoint,
    *,
    last: SeriesPoint,
    name: str,
    value: float,
    count: int,
    interval: float,
    config: DetectionConfig,
) -> Anomaly:
    span = last.epoch - first.epoch + interval
    return Anomaly(
        site_id=first.site_id,
        timestamp=first.timestamp,
        type="flatline",
        severity="high" if span >= config.flatline_high_after_minutes * 60 else "medium",
        value=value,
        expected="values that change between intervals",
        reason=(
            f"{field_word(name)} stuck at {kwh(value)} kWh for {count} readings ({duration(span)}) from"
            f" {when(first.timestamp)} to {when(last.timestamp)}; the meter or logger may be frozen: check it"
        ),
        field=name,
        end=last.timestamp,
        readings=count,
    )


def counter_resets(
    series: Sequence[SeriesPoint], fresh: list[bool], config: DetectionConfig
) -> list[Anomaly]:
    if not config.counter_enabled:
        return []
    counters = Series.of(series).cumulative
    if counters is None or counters.count(None) == len(counters):
        return []
    known = [i for i, c in enumerate(counters) if c is not None]
    values = [counters[i] or 0.0 for i in known]
    steps = list(map(sub, values[1:], values[:-1]))
    if not steps or min(steps) >= -config.counter_min_drop_kwh:
        return []
    found = []
    for j, step in enumerate(steps):
        before, after = known[j], known[j + 1]
        # A register rounded on export can step back a digit; a reset drops by more than that.
        big = -step > max(config.counter_min_drop_kwh, config.counter_min_drop_fraction * abs(values[j]))
        if big and (fresh[before] or fresh[after]):
            found.append(_reset(series[after], values[j], values[j + 1]))
    return found


def _reset(point: SeriesPoint, previous: float, value: float) -> Anomaly:
    return Anomaly(
        site_id=point.site_id,
        timestamp=point.timestamp,
        type="counter_reset",
        severity="medium",
        value=value,
        expected=f"{kwh(previous)} kWh or more (the previous register value)",
        reason=(
            f"cumulative_kwh fell from {kwh(previous)} to {kwh(value)} kWh at {when(point.timestamp)}:"
            " the meter register was reset or replaced; do not compute usage across this reading"
        ),
        field=CUMULATIVE,
        expected_low=previous,
    )
