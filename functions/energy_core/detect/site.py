"""detect_site: every detector over one site's readings, one anomaly per reading and field."""

from __future__ import annotations

from collections.abc import Sequence
from operator import le

from .config import DetectionConfig
from .model import Anomaly, SeriesPoint
from .rules import columns, future_cut, future_timestamps, negative_values, out_of_range
from .series import counter_resets, flatlines, gaps, infer_interval
from .spike import spikes


def detect_site(
    points: Sequence[SeriesPoint],
    history: Sequence[SeriesPoint],
    config: DetectionConfig,
    now_epoch: float,
) -> list[Anomaly]:
    """Anomalies of one site's file readings, judged against its stored history (may be empty).

    `points` and `history` are one site's readings; they may overlap (a file sent again), in
    which case the file's values win. Only readings of the file are reported on, except gaps,
    flatlines and counter resets that start in history and reach into the file.
    """
    if not points:
        return []
    points = _sorted(points)
    cut = future_cut(points, config, now_epoch)
    # A reading from the future is reported once and kept out of the series, else it would also
    # open a huge gap and distort the interval.
    series, fresh = _merge(_sorted(history), points[:cut])
    if not series:
        return future_timestamps(points, cut, config, now_epoch)
    epochs = [p.epoch for p in series]
    interval = infer_interval(epochs) or config.default_interval_seconds
    cols = columns(series)
    fresh_idx = [i for i, new in enumerate(fresh) if new]
    file_points, file_cols = _file_part(series, cols, fresh_idx)
    singles = negative_values(file_points, file_cols, config) + out_of_range(
        file_points, file_cols, config, interval
    )
    flat, covered = flatlines(series, cols, fresh, interval, config)
    by_time = {p.timestamp: i for i, p in enumerate(series)} if singles else {}
    skip = covered | {(by_time[a.timestamp], a.field or "") for a in singles}
    return [
        *future_timestamps(points, cut, config, now_epoch),
        *singles,
        *counter_resets(series, fresh, config),
        *gaps(series, epochs, fresh, interval, config),
        *flat,
        *spikes(series, cols, fresh_idx, interval=interval, config=config, skip=skip),
    ]


def _file_part(
    series: list[SeriesPoint], cols: dict[str, list[float]], fresh_idx: list[int]
) -> tuple[list[SeriesPoint], dict[str, list[float]]]:
    if fresh_idx and fresh_idx[-1] - fresh_idx[0] + 1 == len(fresh_idx):  # the usual case: one block
        first, stop = fresh_idx[0], fresh_idx[-1] + 1
        return series[first:stop], {name: values[first:stop] for name, values in cols.items()}
    return [series[i] for i in fresh_idx], {
        name: [values[i] for i in fresh_idx] for name, values in cols.items()
    }


def _sorted(points: Sequence[SeriesPoint]) -> Sequence[SeriesPoint]:
    epochs = [p.epoch for p in points]
    if all(map(le, epochs[:-1], epochs[1:])):
        return points
    return sorted(points, key=lambda p: p.epoch)


def _merge(
    history: Sequence[SeriesPoint], points: Sequence[SeriesPoint]
) -> tuple[list[SeriesPoint], list[bool]]:
    """History + file in time order, with a flag per reading saying it came from the file."""
    if not points:
        return list(history), [False] * len(history)
    if not history or history[-1].epoch < points[0].epoch:
        return [*history, *points], [False] * len(history) + [True] * len(points)
    by_time = {p.epoch: (p, False) for p in history}
    by_time.update((p.epoch, (p, True)) for p in points)
    merged = [by_time[t] for t in sorted(by_time)]
    return [p for p, _ in merged], [new for _, new in merged]
