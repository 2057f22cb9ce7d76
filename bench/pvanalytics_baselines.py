"""pvanalytics' own quality checks as baselines beside the project's detectors (bench/detection_real.py).

Each check runs on a whole copy as pandas sees it: one Series of kWh per interval on the site's regular UTC
grid (a missing row is NaN), and returns the spans it flags. Each has one sensitivity knob, tried from the
most to the least sensitive value until its false events on the clean copies fit the budget:

- stale_values_round: a value repeated (to 3 decimals) for `window_hours`. On PV sites only daytime
  readings count (pvanalytics' power_or_irradiance; the night is NaN), as in pvanalytics' PVFleets QA
  examples: every night is a run of zeros, and the mask's edges let an hour or two of it into the day.
- complete: a day whose completeness score (pvanalytics.quality.gaps.completeness_score: the share of
  the day with data) is below `minimum_completeness`. The first and last day of a series are cut by the
  extract, not by the meter, and are not judged.
- shifts_ruptures (PV only): the daily midday (half-way between pvanalytics' sunrise and sunset of its
  daytime mask) against a reference that needs no location: the site's median midday corrected by the
  equation of time (pvlib). A change of the shift amount is an event on the day it happens. The knob is
  the change-point penalty; period_min is 7 days, the shortest shift the bench plants.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta, timezone

import numpy as np
import pandas as pd

from bench.detection_real import DAY, Copy, Span, _runs

# check -> (knob name, values from the most to the least sensitive)
CHECKS: dict[str, tuple[str, tuple[float, ...]]] = {
    "stale_values_round": ("window_hours", (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 12.0)),
    "complete": ("minimum_completeness", (1.0, 0.99, 0.95, 0.9, 0.75, 0.5, 0.333)),
    "shifts_ruptures": ("prediction_penalty", (1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 40.0)),
}
PERIOD_MIN_DAYS = 7


def events(copy: Copy, knob: float, check: str) -> list[Span]:
    """The spans `check` flags in `copy` at sensitivity `knob` (see CHECKS)."""
    run: Callable[[Copy, pd.Series, float], list[Span]] = {
        "stale_values_round": _stale,
        "complete": _incomplete_days,
        "shifts_ruptures": _time_shifts,
    }[check]
    return run(copy, regular_series(copy), knob)


def regular_series(copy: Copy) -> pd.Series:
    """kWh per interval on the regular UTC grid from the first to the last reading; NaN where none."""
    order = np.argsort(copy.epochs, kind="stable")
    series = pd.Series(copy.kwh[order], index=pd.to_datetime(copy.epochs[order], unit="s", utc=True))
    series = series[~series.index.duplicated()]
    grid = pd.date_range(series.index[0], series.index[-1], freq=_freq(copy))
    return series.reindex(grid)


def _freq(copy: Copy) -> str:
    return f"{int(copy.site.interval)}s"


def _spans(copy: Copy, flags: pd.Series, check: str) -> list[Span]:
    epochs = flags.index.as_unit("s").asi8.astype(float)
    mask = flags.fillna(False).to_numpy(bool)
    return [Span(copy.site.site_id, check, epochs[a], epochs[b - 1]) for a, b in _runs(mask)]


def _daytime(copy: Copy, series: pd.Series) -> pd.Series:
    from pvanalytics.features import daytime

    return daytime.power_or_irradiance(series, freq=_freq(copy))


def _stale(copy: Copy, series: pd.Series, window_hours: float) -> list[Span]:
    from pvanalytics.quality import gaps

    window = max(3, round(window_hours * 3600 / copy.site.interval))
    if copy.site.kind == "pv":  # the whole window in daylight: a night's zeros reach into the mask's edges
        series = series.where(_daytime(copy, series))
    flags = gaps.stale_values_round(series, window=window, decimals=3, mark="all")
    return _spans(copy, flags, "stale_values_round")


def _incomplete_days(copy: Copy, series: pd.Series, minimum_completeness: float) -> list[Span]:
    from pvanalytics.quality import gaps

    score = gaps.completeness_score(series, freq=_freq(copy), keep_index=False)
    flagged = score[1:-1][score[1:-1] < minimum_completeness - 1e-9]
    starts = flagged.index.as_unit("s").asi8.astype(float)
    return [Span(copy.site.site_id, "complete", start, start + DAY - 1) for start in starts]


def _time_shifts(copy: Copy, series: pd.Series, prediction_penalty: float) -> list[Span]:
    from pvanalytics.quality import time
    from pvlib.solarposition import equation_of_time_spencer71

    if copy.site.kind != "pv":
        return []
    # the day must run midnight to midnight where the site is: sunrise and sunset are each day's first
    # and last daytime reading
    local = series.tz_convert(timezone(timedelta(hours=_noon_offset_hours(series))))
    midday = _daily_midday(copy, local)
    if midday.count() < 2 * PERIOD_MIN_DAYS:
        return []
    equation = pd.Series(equation_of_time_spencer71(midday.index.dayofyear), index=midday.index)
    reference = (midday + equation).median() - equation  # solar transit, less a constant longitude
    _, amount = time.shifts_ruptures(
        midday, reference, period_min=PERIOD_MIN_DAYS, prediction_penalty=prediction_penalty
    )
    amount = amount.ffill().bfill()
    changed = amount.ne(amount.shift()).iloc[1:]
    starts = changed[changed].index.as_unit("s").asi8.astype(float)
    return [Span(copy.site.site_id, "shifts_ruptures", start, start + DAY - 1) for start in starts]


def _noon_offset_hours(series: pd.Series) -> int:
    """Whole hours from UTC that put the site's energy-weighted middle of the day near noon."""
    seconds = (series.index.hour * 3600 + series.index.minute * 60).to_numpy(float)
    weights = np.clip(series.fillna(0.0).to_numpy(float), 0.0, None)
    angle = np.angle(np.sum(weights * np.exp(2j * np.pi * seconds / DAY)))
    peak_hour = (angle / (2 * np.pi) * 24) % 24
    return int(round(12 - peak_hour + 12) % 24 - 12)


def _daily_midday(copy: Copy, local: pd.Series) -> pd.Series:
    """Minutes after local midnight half-way between pvanalytics' sunrise and sunset, one per day."""
    from pvanalytics.features import daytime

    mask = _daytime(copy, local)
    sunrise = daytime.get_sunrise(mask, freq=_freq(copy))
    sunset = daytime.get_sunset(mask, freq=_freq(copy))
    middle = (sunrise + (sunset - sunrise) / 2).resample("D").first()
    return (middle.dt.hour * 60 + middle.dt.minute + middle.dt.second / 60).astype(float)
