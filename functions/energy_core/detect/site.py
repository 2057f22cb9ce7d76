"""detect_site: every detector over one site's readings, one anomaly per reading and field."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from itertools import islice
from operator import le

import numpy as np

from .clock import clock_shifts
from .config import DetectionConfig
from .events import PER_READING, merge_consecutive
from .model import Anomaly, Series, SeriesPoint
from .rules import future_cut, future_timestamps, negative_values, out_of_range
from .series import counter_resets, flatlines, gaps, infer_interval
from .spike import spikes


def detect_site(
    points: Sequence[SeriesPoint],
    history: Sequence[SeriesPoint],
    config: DetectionConfig,
    now_epoch: float,
) -> list[Anomaly]:
    """Anomalies of one site's file readings, judged against its stored history (may be empty).

    `points` and `history` are one site's readings (a Series, or any sequence of SeriesPoint); they
    may overlap (a file sent again), in which case the file's values win. Only readings of the file
    are reported on, except gaps, flatlines and counter resets that start in history and reach into
    the file.
    """
    if not points:
        return []
    file_series, stored = _sorted(Series.of(points)), _sorted(Series.of(history))
    config = config.for_site(file_series.site_id)  # its own overrides in `sites`, if any
    found, every_stamp = _readings_anomalies(file_series, stored, config, now_epoch)
    if sum(anomaly.type in PER_READING for anomaly in found) < 2:
        return found  # nothing to join
    return merge_consecutive(found, every_stamp)


def _readings_anomalies(
    file_series: Series, history: Series, config: DetectionConfig, now_epoch: float
) -> tuple[list[Anomaly], Sequence[str]]:
    """Every detector's findings, one anomaly per anomalous reading (runs: one per run), and every
    timestamp judged, in time order (what "consecutive" means when they are joined into events)."""
    cut = future_cut(file_series, config, now_epoch)
    # A reading from the future is reported once and kept out of the series, else it would also
    # open a huge gap and distort the interval.
    series, fresh = _merge(history, file_series[:cut])
    ahead = file_series.timestamps[cut:]  # after `now`, so after every other reading
    if not series:
        return future_timestamps(file_series, cut, config, now_epoch), ahead
    steps = series.steps
    interval = series.derived("interval", lambda: infer_interval(steps)) or config.default_interval_seconds
    fresh_at = _fresh_indices(fresh)
    singles = negative_values(series, fresh_at, config) + out_of_range(series, fresh_at, config, interval)
    flat, covered = flatlines(series, fresh, interval, config)
    stamps = series.timestamps  # in time order: a reported reading is found by bisection
    skip = covered | {(bisect_left(stamps, a.timestamp), a.field or "") for a in singles}
    every_stamp = [*stamps, *ahead] if ahead else stamps
    return [
        *future_timestamps(file_series, cut, config, now_epoch),
        *singles,
        *counter_resets(series, fresh, config),
        *gaps(series, fresh, interval, config),
        *flat,
        *clock_shifts(series, fresh, config),
        *spikes(series, fresh_at, interval=interval, cfg=config.spike, skip=skip),
    ], every_stamp


def _fresh_indices(fresh: list[bool]) -> np.ndarray:
    """Indices of the file's readings (int64 even when there are none: they index arrays)."""
    first = fresh.index(True) if True in fresh else len(fresh)
    count = fresh.count(True)
    if fresh[first : first + count].count(True) == count:  # the usual: the file follows its history
        return np.arange(first, first + count, dtype=np.int64)
    return np.flatnonzero(fresh).astype(np.int64)


def _sorted(series: Series) -> Series:
    epochs = series.epochs
    if series.in_order or all(map(le, epochs, islice(epochs, 1, None))):
        return series
    return series.take(sorted(range(len(series)), key=epochs.__getitem__))


def _merge(history: Series, points: Series) -> tuple[Series, list[bool]]:
    """History + file in time order, with a flag per reading saying it came from the file."""
    if not points:
        return history, [False] * len(history)
    if not history:
        return points, [True] * len(points)
    if history.epochs[-1] < points.epochs[0]:
        return history + points, [False] * len(history) + [True] * len(points)
    by_time = {epoch: (index, False) for index, epoch in enumerate(history.epochs)}
    offset = len(history)
    by_time.update((epoch, (offset + index, True)) for index, epoch in enumerate(points.epochs))
    both = history + points
    order = [by_time[t] for t in sorted(by_time)]
    return both.take([index for index, _ in order]), [new for _, new in order]
