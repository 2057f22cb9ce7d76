"""Detectors over a site's time series (history + file): gap, flatline, counter_reset.

They see the stored history so a gap or a stuck meter spanning two files is found, but report only
what touches a reading of this file (`fresh`). Timestamps they report are stable (first missing
slot, first stuck reading), so the anomaly's id `<timestamp>#<type>` is the same when a later
file sees the same event again.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import arrays
from .config import DetectionConfig
from .model import (
    CONSUMED,
    CUMULATIVE,
    FIELDS,
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

DAY = 86400.0


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
    asleep: LoggerAsleep | None = None
    for i, gap in enumerate(diffs):
        if gap > limit and (fresh[i] or fresh[i + 1]):
            missing = max(1, round(gap / interval) - 1)
            if config.gap_dark_loss_fraction > 0:
                asleep = asleep or LoggerAsleep(timeline, interval, config)
                if asleep.through(i, i + 1):
                    continue
            found.append(_gap(series[i], series[i + 1], missing, interval, config))
    return found


class LoggerAsleep:
    """Whether a gap of a generation-only site is its logger asleep in the dark (many PV loggers stop
    writing rows at dusk and start again at dawn): nothing was lost, so it is not reported.

    A gap is asleep when the site measures no consumption, the readings on both sides of it are dim
    (dusk, night or dawn: at most `gap.dim_fraction` of the site's scale) and on the other days seen
    (history and file, but not the days the gap touches) the site usually generated under
    `gap.dark_loss_fraction` of a typical day in the hours it covers. "Usually" is the median per time
    of day, a day without a reading at that time counting as dark (a logger that sleeps writes nothing
    then); the typical day is the median day's total. With no other day to compare, a gap is reported.
    A real outage is still found: one into daylight ends on a bright reading, one from one night to the
    next covers hours that usually generate, and a daytime outage that recurs every day has bright
    readings on both sides."""

    def __init__(self, series: Series, interval: float, config: DetectionConfig) -> None:
        self.epochs = arrays.epochs(series)
        self.generated = arrays.values(series, GENERATED)
        self.interval = interval
        consumes = bool(np.any(arrays.values(series, CONSUMED)))
        self.dim = config.gap_dim_fraction * arrays.scale(series, GENERATED)
        self.applies = not consumes and self.dim > 0
        self.loss_fraction = config.gap_dark_loss_fraction

    def through(self, before: int, after: int) -> bool:
        if not self.applies or max(abs(self.generated[before]), abs(self.generated[after])) > self.dim:
            return False
        days, grid = self._days_by_slot
        others = (days < self.epochs[before] // DAY) | (days > self.epochs[after] // DAY)
        if not others.any():
            return False
        usual = np.median(grid[others], axis=0)
        typical_day = float(np.median(grid[others].sum(axis=1)))
        missing = max(1, round((self.epochs[after] - self.epochs[before]) / self.interval) - 1)
        slots = self._slot(self.epochs[before] + self.interval * np.arange(1, missing + 1))
        return float(usual[slots].sum()) < self.loss_fraction * typical_day

    def _slot(self, epochs: np.ndarray) -> np.ndarray:
        return ((epochs % DAY) // self.interval).astype(np.int64)

    @cached_property
    def _days_by_slot(self) -> tuple[np.ndarray, np.ndarray]:
        """The days seen, and each one's output per time of day (0 where it has no reading then)."""
        days, row = np.unique(self.epochs // DAY, return_inverse=True)
        grid = np.zeros((len(days), math.ceil(DAY / self.interval)))
        grid[row, self._slot(self.epochs)] = np.clip(self.generated, 0.0, None)
        return days, grid


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
    series: Series,
    fresh: list[bool],
    interval: float,
    config: DetectionConfig,
) -> tuple[list[Anomaly], set[tuple[int, str]]]:
    """Runs of one repeated value the site's own history makes implausible at those hours.

    A run of at least `needed` equal readings (zero included) is stuck when the chance of it, learnt
    from the previous `history_days` days, is below `flatline.max_chance`: for each time of day, how
    often the site's reading equalled the one before (with half a repeat and half a change added, so no
    slot is ever certain). Night-time zeros of a PV array repeat every night and are plausible; zeros
    through hours when the site always generated, or a consumption meter reading 0 that never does,
    are not. With fewer than `min_days` days of history, the old convention holds: a repeated non-zero
    value is stuck, a run of zeros (night, idle load) is not. A plateau at the inverter's limit
    (`clipping_fraction` of the PV capacity) is clipping, never stuck.
    Returns the anomalies and the (index, field) cells they cover.
    """
    if not config.flatline_enabled or len(series) < 2:
        return [], set()
    needed = max(
        config.flatline_min_intervals, math.ceil(config.flatline_min_duration_minutes * 60 / interval)
    )
    capacity = config.capacity_for(series.site_id)
    clipping = capacity.generated_kw * interval / 3600.0 * config.flatline_clipping_fraction
    epochs = arrays.epochs(series)
    found: list[Anomaly] = []
    covered: set[tuple[int, str]] = set()
    for name in FIELDS:
        values = arrays.values(series, name)
        held = equal_runs(values, needed)  # every long hold, history included (learnt from, below)
        runs = [run for run in held if True in fresh[run[0] : run[1] + 1]]
        # PV output this close to zero is night-time standby or sensor offset, held for hours at night
        dark = config.spike.dark_fraction * arrays.scale(series, name) if name == GENERATED else 0.0
        spans: list[tuple[int, int, float]] = []
        if dark > 0:
            asleep = LoggerAsleep(series, interval, config)
            days = dark_days(epochs, values, dark, interval, asleep.through)
            # reported once, by the file whose reading completes its first day of nothing (its start
            # moves with the site's scale, which each file's window of history sets a little apart)
            spans += [span for span in days if fresh[int(np.searchsorted(epochs, epochs[span[0]] + DAY))]]
        if not runs and not spans:
            continue
        judge = _Judge(
            epochs=epochs,
            values=values,
            held=held,
            dark=dark,
            jump=config.flatline_trip_fraction * arrays.scale(series, name),
            interval=interval,
            needed=needed,
            config=config,
        )
        for first, last in runs:
            value = float(values[first])
            if name == GENERATED and value >= clipping:
                continue
            quiet_output = name == GENERATED and abs(value) <= dark
            span = judge.quiet_span(first, last) if quiet_output else judge.held_span(first, last, value)
            if span is None:
                continue
            spans.append((*span, value))
        for start, stop, value in merged(spans):
            found.append(
                _flatline(
                    series[start],
                    last=series[stop],
                    name=name,
                    value=value,
                    count=stop - start + 1,
                    interval=interval,
                    config=config,
                    dark=dark,
                )
            )
            covered.update((i, name) for i in range(start, stop + 1))
    return found, covered


def dark_days(
    epochs: np.ndarray, values: np.ndarray, dark: float, interval: float, asleep: Callable[[int, int], bool]
) -> list[tuple[int, int, float]]:
    """Stretches of PV output at nothing (within `dark`) lasting a day or more, as (first, last, value):
    no night lasts a day, so this is deep snow or an outage whatever its edges, with or without history,
    and whether or not standby noise keeps any one value from repeating. Missing rows join a stretch
    only where the logger was asleep in the dark (`asleep(before, after)`, LoggerAsleep): rows missing
    through daylight say nothing of the output then, and are a gap."""
    if not len(epochs) or epochs[-1] - epochs[0] < DAY:
        return []
    quiet = np.abs(values) <= dark
    joined = np.zeros(len(values), bool)  # quiet, and so was the reading before it, with no daylight lost
    joined[1:] = quiet[1:] & quiet[:-1]
    for i in np.flatnonzero(joined[1:] & (np.diff(epochs) > 1.5 * interval)) + 1:
        joined[i] = asleep(int(i) - 1, int(i))
    quiet_at = np.flatnonzero(quiet)
    if not quiet_at.size:
        return []
    stretch = np.cumsum(~joined)[quiet_at]  # a number per stretch of joined quiet readings
    new = np.concatenate(([True], stretch[1:] != stretch[:-1]))
    firsts, lasts = quiet_at[new], quiet_at[np.concatenate((new[1:], [True]))]
    long = epochs[lasts] - epochs[firsts] >= DAY
    return [
        (first, last, float(values[first]))
        for first, last in zip(firsts[long].tolist(), lasts[long].tolist(), strict=True)
    ]


def merged(spans: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Overlapping (first, last, value) spans as one, with the first one's value. An outage whose zeros
    standby noise breaks up (0, 0.00002, 0, ...) is several runs, each judged on its own, that find the
    same quiet stretch or part of it: one event."""
    out: list[tuple[int, int, float]] = []
    for start, stop, value in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], stop), out[-1][2])
        else:
            out.append((start, stop, value))
    return out


@dataclass
class _Judge:
    """Whether a run of one field is stuck, and which readings the event covers.

    What it learns from the history (the chances, the loud readings) is worked out on the first run
    that asks for it: most runs are nights that fade in and out, judged without either."""

    epochs: np.ndarray
    values: np.ndarray
    held: list[tuple[int, int]]  # every long hold of the field (equal_runs), history included
    dark: float  # output this close to zero is night or standby
    jump: float
    interval: float
    needed: int
    config: DetectionConfig

    @cached_property
    def chances(self) -> RepeatChances:
        """The repeat chances learnt from the history, its long holds of a level set aside."""
        learnt = without_held_values(self.values, self.held, self.dark)
        return RepeatChances(self.epochs, learnt, self.interval, self.dark)

    @cached_property
    def loud(self) -> list[int]:
        """The indices of the readings that are not night or standby, in order (plain numbers: every
        run looks its quiet stretch up among them)."""
        loud: list[int] = np.flatnonzero(np.abs(self.values) > self.dark).tolist()
        return loud

    def held_span(self, first: int, last: int, value: float) -> tuple[int, int] | None:
        """A held value (or a consumption meter at zero): stuck when the history makes it unlikely."""
        if self.chances.plausible(first, last, value, self.needed, self.config):
            return None
        return first, last

    def quiet_span(self, first: int, last: int) -> tuple[int, int] | None:
        """PV output held at nothing: night, weather, a trip or a dropout."""
        start, stop = quiet_stretch(self.loud, len(self.values), last)
        if self.jump > 0 and start == first and tripped(self.values, start, self.jump):
            # Output fell straight to the held zero in one interval, from a level weather never
            # drops from that fast: the inverter tripped. Judged against days with no weather in
            # them (history's nights and dull days, entered gently, are set aside), so a lost hour
            # of daylight is not excused by last week's snow; `min_intervals` readings are enough.
            value = float(self.values[first])
            if self.trips.plausible(first, last, value, self.config.flatline_min_intervals, self.config):
                return None
            return first, last
        if start < first and stop > last:
            # Output faded into it AND out of it (dusk, a snowfall, a storm): weather or night,
            # unless nothing came through a whole day (deep snow or an outage). An inverter that
            # stopped overnight and comes back at noon at full output did not fade out: it is
            # judged by the chances like any dropout. (A whole day of it is found by dark_days.)
            return None
        return self.held_span(first, last, float(self.values[first]))

    @cached_property
    def trips(self) -> RepeatChances:
        """The chances learnt from daylight alone: the history with its nights and weather set aside."""
        learnt = without_weather(self.values, self.loud, self.jump)
        return RepeatChances(self.epochs, learnt, self.interval, self.chances.dark)


def quiet_stretch(loud: list[int], count: int, last: int) -> tuple[int, int]:
    """The unbroken stretch of quiet readings (all but the `loud` indices, of `count`) holding `last`."""
    after = bisect_left(loud, last)
    start = loud[after - 1] + 1 if after > 0 else 0
    stop = loud[after] - 1 if after < len(loud) else count - 1
    return start, stop


def tripped(values: np.ndarray, start: int, jump: float) -> bool:
    """Whether the quiet stretch from `start` was entered in one step from at least `jump`: dusk,
    clouds and snow take output down over several intervals; a trip does it in one. (Coming back in
    one step says nothing: snow slides off a panel at once.)"""
    return start > 0 and values[start - 1] >= jump


def without_weather(values: np.ndarray, loud: list[int], jump: float) -> np.ndarray:
    """The values with every quiet stretch (all but the `loud` readings) that was entered gently
    blanked (NaN): nights and weather. What stays is daylight and the trips themselves, the history a
    sudden dropout is judged against."""
    learnt = values.copy()
    quiet = np.ones(len(values), bool)
    quiet[loud] = False
    edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        if not tripped(values, int(start), jump):
            learnt[start:end] = np.nan
    return learnt


def equal_runs(values: np.ndarray, needed: int) -> list[tuple[int, int]]:
    """(first, last) index of every run of at least `needed` consecutive equal values."""
    same = np.concatenate(([False], values[1:] == values[:-1], [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(same)).tolist()
    # edges come in pairs: readings a .. b each equal the one before them (a excepted)
    return [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a + 1 >= needed]


def without_held_values(values: np.ndarray, held: list[tuple[int, int]], dark: float) -> np.ndarray:
    """The values with every long hold of a non-zero value blanked (NaN) after its first reading.

    A hold in `held` (a run of `needed` readings or more, from `equal_runs`) is the fault this
    detector looks for: a history that already holds one (a logger that froze last week) must not
    teach that freezing is ordinary at those hours. Long runs of zero (within `dark`) stay: nights
    and idle hours are what the chances are there to learn."""
    runs = [(a, b) for a, b in held if abs(float(values[a])) > dark]
    if not runs:
        return values
    learnt = values.copy()
    for first, last in runs:
        learnt[first + 1 : last + 1] = np.nan
    return learnt


class RepeatChances:
    """How often, at each time of day, the site's reading equalled the previous one in recent days."""

    def __init__(self, epochs: np.ndarray, values: np.ndarray, interval: float, dark: float = 0.0) -> None:
        self.slots_per_day = max(1, round(DAY / interval))
        days = np.floor(epochs / DAY).astype(np.int64)
        self.first_day = int(days[0])
        self.day = days - self.first_day
        self.slot = np.minimum((epochs - days * DAY) // interval, self.slots_per_day - 1).astype(np.int64)
        self.dark = dark
        cells = np.full((int(self.day[-1]) + 1) * self.slots_per_day, np.nan)
        cells[self.day * self.slots_per_day + self.slot] = values
        self.cells = cells
        seen = ~np.isnan(cells)
        # one flag per cell: its reading and the previous cell's are both there
        self.pairs = np.concatenate(([False], seen[1:] & seen[:-1])).reshape(-1, self.slots_per_day)
        # days with a pair seen, before each day (a list: read once per run, as plain numbers)
        self.known_days: list[int] = np.concatenate(([0], np.cumsum(self.pairs.any(axis=1)))).tolist()
        # The running totals below are worked out when a run first needs them: a run early in a
        # short history is judged by `known_days` alone.

    # Running totals over days, so any window of days is one subtraction (a file has many runs: every
    # night of a PV array is one).

    @cached_property
    def observed(self) -> np.ndarray:
        """Per day and time-of-day slot, how often before that day a reading and the one before it
        were both there."""
        return _running(self.pairs)

    @cached_property
    def stayed_quiet(self) -> np.ndarray:
        """The same count of pairs both quiet (within `dark` of zero).

        A held zero (night, an idle load) and a held level are different events: a PV array at
        zero every night says nothing about a value frozen at 7.8 kWh through those same hours.
        Quiet stays quiet whatever its last digits do (a night logged as 0.0, 0.00002, 0.0 is
        one night); a level repeats only when it is exactly the same."""
        quiet = self._quiet
        return _running(np.concatenate(([False], quiet[1:] & quiet[:-1])).reshape(-1, self.slots_per_day))

    @cached_property
    def held_level(self) -> np.ndarray:
        """The same count of pairs at exactly the same level, not quiet."""
        cells = self.cells
        repeated = np.concatenate(([False], cells[1:] == cells[:-1]))
        return _running((repeated & ~self._quiet).reshape(-1, self.slots_per_day))

    @cached_property
    def _quiet(self) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.abs(self.cells) <= self.dark

    def counts(self, since: int, day: int, *, quiet: bool) -> tuple[np.ndarray, np.ndarray]:
        """Per time-of-day slot, over days `since` .. `day` - 1: how often a reading and the one before
        it were both there, and how often of those the site stayed (quiet, or at exactly the same
        level). Two subtractions of running totals (the plain count is the reference in
        tests/unit/test_detect_series.py)."""
        stayed = self.stayed_quiet if quiet else self.held_level
        return self.observed[day] - self.observed[since], stayed[day] - stayed[since]

    def plausible(self, first: int, last: int, value: float, needed: int, config: DetectionConfig) -> bool:
        """Whether a run from reading `first` to `last` is ordinary for this site at those hours."""
        day = int(self.day[first])
        since = max(0, day - config.flatline_history_days)
        if self.known_days[day] - self.known_days[since] < config.flatline_min_days:
            # no history to judge by: zero is night or idle, a held value is stuck
            return abs(value) <= self.dark
        observed, stayed = self.counts(since, day, quiet=abs(value) <= self.dark)
        chances = (stayed + 0.5) / (observed + 1)
        # a time of day the history rarely saw (missing rows) gives no evidence either way
        chances[observed < config.flatline_min_days] = 1.0
        run = chances[self.slot[first + 1 : last + 1]]
        # Stuck means held through at least `needed` readings at times the site usually changes, and
        # held there against the odds: a few dawn readings at zero are not a dropout.
        changing = int(np.count_nonzero(run < 0.5))
        return changing < needed - 1 or float(np.log(run).sum()) >= math.log(config.flatline_max_chance)


def _running(flags: np.ndarray) -> np.ndarray:
    """Row d holds the column totals of rows before d (row 0: zeros)."""
    totals = np.zeros((flags.shape[0] + 1, flags.shape[1]), np.int64)
    np.cumsum(flags, axis=0, dtype=np.int64, out=totals[1:])
    return totals


def _flatline(
    first: SeriesPoint,
    *,
    last: SeriesPoint,
    name: str,
    value: float,
    count: int,
    interval: float,
    config: DetectionConfig,
    dark: float = 0.0,
) -> Anomaly:
    span = last.epoch - first.epoch + interval
    stretch = f"{count} readings ({duration(span)}) from {when(first.timestamp)} to {when(last.timestamp)}"
    expected = "values that change between intervals"
    if abs(value) <= dark:  # PV output at nothing (standby noise included), not a frozen number
        expected = "output at the hours the site generates (only nights are dark)"
        reason = (
            f"no {field_word(name)} output (within {kwh(dark)} kWh of zero) for {stretch}, through hours the"
            " site generates: an outage, a tripped inverter or snow on the panels; check the array"
        )
    else:
        reason = (
            f"{field_word(name)} stuck at {kwh(value)} kWh for {stretch}; the meter or logger may be frozen:"
            " check it"
        )
    return Anomaly(
        site_id=first.site_id,
        timestamp=first.timestamp,
        type="flatline",
        severity="high" if span >= config.flatline_high_after_minutes * 60 else "medium",
        value=value,
        expected=expected,
        reason=reason,
        field=name,
        end=last.timestamp,
        readings=count,
    )


def counter_resets(series: Series, fresh: list[bool], config: DetectionConfig) -> list[Anomaly]:
    """A meter register that steps back by more than its rounding: reset or replaced."""
    counters = series.cumulative
    if not config.counter_enabled or counters is None or counters.count(None) == len(counters):
        return []  # no register at all (the usual)
    registers = np.asarray(counters, dtype=np.float64)  # NaN where a reading has none
    known = np.flatnonzero(~np.isnan(registers))
    values = registers[known] + 0.0  # -0.0 is 0.0
    steps = np.diff(values)
    if not steps.size or steps.min() >= -config.counter_min_drop_kwh:
        return []
    # A register rounded on export can step back a digit; a reset drops by more than that.
    rounding = np.maximum(config.counter_min_drop_kwh, config.counter_min_drop_fraction * np.abs(values[:-1]))
    big = -steps > rounding
    found = []
    for j in np.flatnonzero(big).tolist():
        before, after = int(known[j]), int(known[j + 1])
        if fresh[before] or fresh[after]:
            found.append(_reset(series[after], float(values[j]), float(values[j + 1])))
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
