"""spike: a reading far from its neighbours AND from what the site does at that time of day lately.

Two questions, both asked of every reading of the file:
1. Is it isolated? It is at least `neighbour_ratio` times the mean of its neighbours (within 1.5
   intervals) and twice the higher one,
   by at least the site's jump floor. A sustained regime - a heating day, a long oven session, a sunny
   hour between clouds that stays sunny - has neighbours as high as itself and is never a spike.
2. Is it unusual for the time of day? It is above the `quantile_high` quantile of the same time of day
   (+- `window_minutes`) over the previous `history_days` days (a rolling window, so the season is
   today's; weekdays and weekends apart when the site's days differ by more than `weekday_split`).
   A slot that was dark on every day (PV at night) accepts nothing above the site's dark floor.

Downward, an isolated reading far below both neighbours and below `low_ratio` of the slot's usual low is
a spike only where that slot never runs near zero (a factory in working hours); low PV output is
weather and is never a spike unless `flag_low_generation` is set.

Everything is computed from the data alone, with no sampling: the same readings give the same thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import arrays
from .config import SpikeConfig
from .model import FIELDS, GENERATED, Anomaly, Series, duration, field_word, kwh, when

DAY = 86400.0
HIGHER_NEIGHBOUR_RATIO = 2.0  # an upward spike is also at least twice its higher neighbour


@dataclass(frozen=True, slots=True)
class Context:
    """What the site did at one time of day over the recent window."""

    median: float
    low: float  # the quantile_low quantile
    high: float  # the quantile_high quantile
    days: int
    highest: float = 0.0  # the most the site produced or drew at this time in the window


class Grid:
    """A field's readings laid out as days x time-of-day slots (NaN where no reading): the window of
    any reading's time of day in recent weeks is a rectangle of it."""

    def __init__(self, epochs: np.ndarray, values: np.ndarray, interval: float) -> None:
        self.slots_per_day = max(1, round(DAY / interval))
        days = np.floor(epochs / DAY).astype(np.int64)
        self.first_day = int(days[0])
        self.day = days - self.first_day
        self.slot = np.minimum((epochs - days * DAY) // interval, self.slots_per_day - 1).astype(np.int64)
        self.cells = np.full((int(self.day[-1]) + 1, self.slots_per_day), np.nan)
        self.cells[self.day, self.slot] = values
        # 1970-01-01 was a Thursday: day 0 is weekday 3 (Monday = 0)
        self.weekend = ((np.arange(len(self.cells)) + self.first_day + 3) % 7) >= 5

    def window(self, index: int, history_days: int, width: int, same_kind: bool) -> np.ndarray:
        """Values of the `history_days` days before reading `index`, at its slot +- width slots."""
        day, slot = int(self.day[index]), int(self.slot[index])
        rows = np.arange(max(0, day - history_days), day)
        if same_kind:
            rows = rows[self.weekend[rows] == self.weekend[day]]
        columns = np.arange(slot - width, slot + width + 1) % self.slots_per_day
        block = self.cells[np.ix_(rows, columns)]
        return block[:, ~np.all(np.isnan(block), axis=0)] if block.size else block

    def weekdays_differ(self, threshold: float) -> bool:
        """Whether the site's weekend days and weekdays differ by more than `threshold` of their level."""
        totals = np.nansum(self.cells, axis=1)
        seen = ~np.all(np.isnan(self.cells), axis=1)
        weekend, weekday = totals[seen & self.weekend], totals[seen & ~self.weekend]
        if len(weekend) < 2 or len(weekday) < 2:
            return False
        weekday_level, weekend_level = arrays.median(weekday), arrays.median(weekend)
        level = max(weekday_level, weekend_level, 1e-12)
        return abs(weekday_level - weekend_level) > threshold * level


def spikes(
    series: Series,
    fresh: np.ndarray,
    *,
    interval: float,
    cfg: SpikeConfig,
    skip: set[tuple[int, str]],
) -> list[Anomaly]:
    """Spikes among the readings at `fresh` (indices into `series`, history + file in time order)."""
    if not cfg.enabled or len(series) < 3 or interval <= 0 or interval > DAY / 4:
        return []
    epochs = arrays.epochs(series)
    # where the next reading is a neighbour (within 1.5 intervals); beyond that lies a gap
    near = np.diff(epochs) <= 1.5 * interval
    found = []
    for name in FIELDS:
        values = arrays.values(series, name)
        found += _field_spikes(series, epochs, near, values, name, fresh, interval, cfg, skip)
    return found


def _field_spikes(  # noqa: PLR0917 - the field's columns and the settings
    series: Series,
    epochs: np.ndarray,
    near: np.ndarray,
    values: np.ndarray,
    name: str,
    fresh: np.ndarray,
    interval: float,
    cfg: SpikeConfig,
    skip: set[tuple[int, str]],
) -> list[Anomaly]:
    scale = arrays.scale(series, name)
    if scale <= 0:
        return []
    floor = max(cfg.min_jump_fraction * scale, cfg.min_jump_kwh)
    before, after = neighbours(values, near)
    up, down = isolated(values, before, after, cfg.neighbour_ratio, floor)
    allow_low = name != GENERATED or cfg.flag_low_generation
    flagged = up[fresh] | (down[fresh] if allow_low else False)
    candidates = [int(i) for i in fresh[flagged] if (int(i), name) not in skip]
    if not candidates:
        return []
    burst = burst_scale(values, before, after, floor)
    grid = Grid(epochs, values, interval)
    same_kind = grid.weekdays_differ(cfg.weekday_split)
    width = int(cfg.window_minutes * 60 // interval)
    # the site's typical positive reading, which a drop is measured against (only drops need it)
    typical = arrays.median(values[values > 0]) if down[candidates].any() and (values > 0).any() else 0.0
    found = []
    for i in candidates:
        context = time_of_day(grid.window(i, cfg.history_days, width, same_kind), cfg)
        if context is None and same_kind:  # too few days of its own kind yet: every recent day
            context = time_of_day(grid.window(i, cfg.history_days, width, False), cfg)
        value = float(values[i])
        if context is None:
            # No time-of-day baseline yet (a short series): only what is far beyond the site's scale.
            if up[i] and value > cfg.no_baseline_factor * scale:
                context = Context(arrays.median(values), 0.0, cfg.no_baseline_factor * scale, 0)
                found.append(
                    _spike(series, i, name, value, context, interval, float(max(before[i], after[i])))
                )
            continue
        limit = upper_limit(context, scale, burst, cfg)
        if name == GENERATED and context.highest > 0:
            # PV cannot beat the sun: the best of recent weeks at this time is a clear sky, and a
            # quarter above it is beyond any cloud-edge enhancement of a 15-minute mean
            limit = min(limit, cfg.clear_sky_factor * context.highest)
        if up[i] and value > limit:
            found.append(_spike(series, i, name, value, context, interval, float(max(before[i], after[i]))))
        elif (
            down[i] and context.low >= cfg.low_min_fraction * typical and value < cfg.low_ratio * context.low
        ):
            found.append(_spike(series, i, name, value, context, interval, float(min(before[i], after[i]))))
    return found


def neighbours(values: np.ndarray, near: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each reading's previous and next value, NaN where that neighbour is missing (a gap: `near` is
    false between the two readings)."""
    before = np.full(len(values), np.nan)
    after = np.full(len(values), np.nan)
    before[1:] = np.where(near, values[:-1], np.nan)
    after[:-1] = np.where(near, values[1:], np.nan)
    return before, after


def isolated(
    values: np.ndarray, before: np.ndarray, after: np.ndarray, ratio: float, floor: float
) -> tuple[np.ndarray, np.ndarray]:
    """Readings at least `ratio` times the level around them (the mean of their neighbours) and twice
    the higher neighbour, by at least `floor` (upward); at most 1/ratio of both neighbours (downward).
    The mean, not the higher neighbour, is the level a x3 jump is measured from: a reading between a
    bright 8.5 and a dim 4.0 that jumps to 22 is x3.6 its surroundings. Twice the higher neighbour keeps
    a step up (a cloud leaving) from counting. A reading with one neighbour missing is judged on the
    other; with none, it is not judged."""
    with np.errstate(invalid="ignore"):
        high = np.fmax(before, after)
        low = np.fmin(before, after)
        level = np.where(np.isnan(before) | np.isnan(after), high, (before + after) / 2)
        up = (
            (values >= ratio * np.maximum(level, 0.0))
            & (values >= HIGHER_NEIGHBOUR_RATIO * np.maximum(high, 0.0))
            & (values - high >= floor)
        )
        down = (values * ratio <= low) & (low - values >= floor)
    return up & ~np.isnan(high), down & ~np.isnan(low)


def time_of_day(window: np.ndarray, cfg: SpikeConfig) -> Context | None:
    """The window's quantiles, or None when fewer than `min_days` days have a reading in it."""
    days = int(np.sum(~np.all(np.isnan(window), axis=1))) if window.size else 0
    if days < cfg.min_days:
        return None
    seen = window[~np.isnan(window)]
    low, median, high = (arrays.quantile(seen, q) for q in (cfg.quantile_low, 0.5, cfg.quantile_high))
    return Context(median, low, high, days, float(seen.max()))


def burst_scale(values: np.ndarray, before: np.ndarray, after: np.ndarray, floor: float) -> float:
    """How far above both neighbours the site's own ordinary bursts go: the 99th percentile of every
    reading's rise over its higher neighbour (a kettle in a home, nearly nothing on a smooth PV curve)."""
    with np.errstate(invalid="ignore"):
        rises = values - np.fmax(before, after)
    rises = rises[rises > 0]
    return max(arrays.quantile(rises, 0.99), floor) if rises.size else floor


def upper_limit(context: Context, scale: float, burst: float, cfg: SpikeConfig) -> float:
    """Above this a reading is far from what the site does at its time of day: the window's high
    quantile plus `band_fraction` times the site's burst scale; for a slot dark on (nearly) every
    day, the site's small dark floor (PV output at night is never weather)."""
    if context.high <= 0:
        return cfg.dark_fraction * scale
    return context.high + cfg.band_fraction * burst


def _spike(  # noqa: PLR0917 - what the reason names
    series: Series, index: int, name: str, value: float, context: Context, interval: float, neighbour: float
) -> Anomaly:
    point = series[index]
    up = value > neighbour
    times = value / neighbour if up and neighbour > 0 else None
    severity = "high" if times is None or times >= 10 else "medium" if times >= 5 else "low"
    if not up:
        severity = "medium"
    jump = (
        f"{times:.1f}x its neighbours"
        if times
        else f"{kwh(value)} kWh where its neighbours read {kwh(neighbour)}"
    )
    usual = (
        f"the usual {kwh(context.median)} kWh at this time of day (median of {context.days} recent days)"
        if context.days
        else f"{kwh(context.high)} kWh, far beyond the site's usual peak (no time-of-day baseline yet)"
    )
    clock = point.timestamp[11:16]
    return Anomaly(
        site_id=point.site_id,
        timestamp=point.timestamp,
        type="spike",
        severity=severity,
        value=value,
        expected=f"about {kwh(context.median)} kWh ({kwh(max(context.low, 0.0))} to {kwh(context.high)} kWh"
        f" usual at {clock})",
        reason=(
            f"{field_word(name)} {kwh(value)} kWh in {duration(interval)} at {when(point.timestamp)}: {jump}"
            f" and {'above' if up else 'below'} {usual}; check the meter or the file"
        ),
        field=name,
        expected_low=max(context.low, 0.0),
        expected_high=context.high,
    )
