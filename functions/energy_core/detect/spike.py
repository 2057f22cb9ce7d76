"""spike: a reading far outside what this site normally does at this time of day.

For each time-of-day slot the baseline is built from every day in history + file, widened by a
window of neighbouring slots (sunrise drifts a few minutes a day, DST moves loads by an hour).
The accepted band spans the slot's low and high quantiles, so anything that happens on more than
a few percent of days - weekends, cloudy days, the evening peak - is normal by construction, then
extends k robust spreads (MAD, floored at a fraction of the site's typical level) beyond it.
Low generation is never a spike by default: weather can take PV output anywhere down to zero.
Cost: one sort per slot, and one per window of the few slots not proven quiet, O(n log n) overall.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, chain, cycle, islice, repeat
from operator import add, eq, gt, itemgetter, lt, mul, or_, sub
from typing import Any, NamedTuple

from energy_core.bulk import where

from .config import DetectionConfig, SpikeConfig
from .model import GENERATED, Anomaly, Series, SeriesPoint, duration, field_word, kwh, when

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class Band:
    median: float
    low: float
    high: float
    spread: float
    days: int


@dataclass(frozen=True, slots=True)
class Baseline:
    """What spike detection knows of a site's series before judging the file's readings: its
    time-of-day slots, each field's bands (slots proven quiet have none) and each field's lowest and
    highest value, which the per-reading rules read instead of scanning the column again."""

    slots: Slots
    bands: dict[str, dict[int, Band]]
    bounds: dict[str, tuple[float, float]]


def baseline(
    series: Sequence[SeriesPoint],
    cols: dict[str, Sequence[float]],
    *,
    interval: float,
    config: DetectionConfig,
) -> Baseline | None:
    """The Baseline of a series (history + file); None when spike detection is off or cannot apply."""
    cfg = config.spike
    if not cfg.enabled or not cols or interval <= 0 or interval > DAY / 4:
        return None
    per_day = round(DAY / interval)
    timeline = Series.of(series)
    slots = timeline.derived(
        ("slots", interval), lambda: time_of_day_slots(timeline.epochs, interval, per_day, timeline.steps)
    )
    bands, bounds = {}, {}
    for name, values in cols.items():
        allow_low = name != GENERATED or cfg.flag_low_generation
        buckets = _buckets(values, slots, per_day)
        bands[name] = _bands(values, buckets, slots, interval=interval, cfg=cfg, allow_low=allow_low)
        filled = list(filter(None, buckets))  # sorted: first and last are a slot's extremes
        if filled:
            bounds[name] = (min(map(itemgetter(0), filled)), max(map(itemgetter(-1), filled)))
    return Baseline(slots, bands, bounds)


def spikes(
    series: Sequence[SeriesPoint],
    cols: dict[str, Sequence[float]],
    fresh_idx: Sequence[int],
    *,
    interval: float,
    config: DetectionConfig,
    skip: set[tuple[int, str]],
    known: Baseline | None = None,
) -> list[Anomaly]:
    """The file's readings outside their slot's band (`known`: the series' Baseline, if worked out)."""
    cfg = config.spike
    found: list[Anomaly] = []
    plan = known or baseline(series, cols, interval=interval, config=config)
    if plan is None or not fresh_idx:
        return found
    slots, per_day = plan.slots, plan.slots.per_day
    for name, values in cols.items():
        bands = plan.bands[name]
        if not bands:
            continue  # no slot can hold a reading outside its band: nothing to compare
        if slots.strided(len(values)) and isinstance(fresh_idx, range) and fresh_idx.step == 1:
            odd = outside_by_slot(values, slots, bands, fresh_idx)
        else:
            highs = [bands[slot].high if slot in bands else math.inf for slot in range(per_day)]
            lows = [bands[slot].low if slot in bands else -math.inf for slot in range(per_day)]
            odd = outside(values, slots.of, lows, highs, fresh_idx)
        for i in odd:
            if (i, name) not in skip:
                band = bands[slots.of[i]]
                found.append(_spike(series[i], name, values[i], band=band, interval=interval, cfg=cfg))
    return found


class Slots:
    """Each reading's time-of-day slot. Where slots tile the day, `stretches` holds the regular runs
    (start, end, first slot): inside one, a slot's readings are a stride slice (every per_day-th
    reading), so buckets and comparisons need no slot per reading; `of` is built only if asked for."""

    def __init__(
        self, per_day: int, stretches: list[tuple[int, int, int]] | None, explicit: list[int] | None = None
    ) -> None:
        self.per_day, self.stretches, self._explicit = per_day, stretches, explicit
        # What depends on the slots alone (readings per slot, window sizes, screening ranks), kept for
        # every field and every site sharing them (Series.timeline)
        self.derived: dict[Any, Any] = {}

    @cached_property
    def of(self) -> list[int]:
        if self._explicit is not None or self.stretches is None:
            return self._explicit or []
        slots: list[int] = []
        for start, end, first in self.stretches:
            slots += islice(cycle(range(self.per_day)), first, first + end - start)
        return slots

    def strided(self, count: int) -> bool:
        """Whether stride slices are the cheaper way in (few stretches for this many readings)."""
        return self.stretches is not None and len(self.stretches) * self.per_day <= count

    @cached_property
    def slices(self) -> list[list[slice]]:
        """Per regular stretch, the stride slice of each slot's readings (shared by every field)."""
        per_day = self.per_day
        return [
            [slice(start + (slot - first) % per_day, end, per_day) for slot in range(per_day)]
            for start, end, first in self.stretches or []
        ]


def time_of_day_slots(
    epochs: Sequence[float], interval: float, per_day: int, steps: Sequence[float] | None = None
) -> Slots:
    """The time-of-day slots of the readings (`steps`: Series.steps); a regular stretch counts on from
    its first slot."""
    if DAY % interval:  # slots do not tile the day: compute each one
        return Slots(per_day, None, [int((epoch % DAY) / interval + 0.5) % per_day for epoch in epochs])
    stretches = []
    start, count = 0, len(epochs)
    if steps is None:
        steps = list(map(sub, islice(epochs, 1, None), epochs))
    regular = bytes(map(eq, steps, repeat(interval)))
    while start < count:
        end = regular.find(0, start)  # readings start..end are each one interval after the previous
        end = count if end < 0 else end + 1
        stretches.append((start, end, int((epochs[start] % DAY) / interval + 0.5) % per_day))
        start = end
    return Slots(per_day, stretches)


def _buckets(values: Sequence[float], slots: Slots, per_day: int) -> list[list[float]]:
    """Each slot's values, sorted (Python sorts floats faster than min() and max() compare them)."""
    if not isinstance(values, list):
        values = list(values)  # slices of a list are lists, to be extended and sorted
    if slots.strided(len(values)):
        stretches = iter(slots.slices)
        buckets = list(map(values.__getitem__, next(stretches)))
        for slices in stretches:
            for bucket, part in zip(buckets, slices, strict=True):
                bucket.extend(values[part])
    else:  # many short stretches (a very gappy series): one pass
        buckets = [[] for _ in range(per_day)]
        for slot, value in zip(slots.of, values, strict=True):
            buckets[slot].append(value)
    for bucket in buckets:
        bucket.sort()  # once per slot; a window is then a merge of sorted runs, which timsort does in O(n)
    return buckets


def outside_by_slot(values: Sequence[float], slots: Slots, bands: dict[int, Band], fresh: range) -> list[int]:
    """Indices in `fresh` outside their slot's band, visiting only the slots that have a band, each as
    stride slices of the regular stretches (what `outside` finds, without a slot per reading)."""
    per_day, found = slots.per_day, []
    for start, end, first in slots.stretches or []:
        low_index, high_index = max(start, fresh.start), min(end, fresh.stop)
        for slot, band in bands.items():
            index = start + (slot - first) % per_day  # the stretch's first reading in this slot
            if index < low_index:
                index += -(-(low_index - index) // per_day) * per_day
            if index >= high_index:
                continue
            part = values[index:high_index:per_day]
            flags = map(gt, part, repeat(band.high))
            if band.low > -math.inf:
                flags = map(or_, flags, map(lt, part, repeat(band.low)))
            found += [index + k * per_day for k in where(flags)]
    return sorted(found)


def outside(
    values: Sequence[float],
    slots: Sequence[int],
    lows: list[float],
    highs: list[float],
    indices: Sequence[int],
) -> list[int]:
    """Indices (of `indices`) whose value lies outside its slot's band, compared at C speed."""
    if not isinstance(indices, range) or indices.step != 1:
        return [i for i in indices if not lows[slots[i]] <= values[i] <= highs[slots[i]]]
    part = slice(indices.start, indices.stop)
    chosen = slots[part]
    flags = bytearray(map(gt, values[part], map(highs.__getitem__, chosen)))
    if max(lows) > -math.inf:
        flags = bytearray(map(or_, flags, map(lt, values[part], map(lows.__getitem__, chosen))))
    return [indices.start + index for index in where(flags)]


def _bands(
    values: Sequence[float],
    buckets: list[list[float]],
    slots: Slots,
    *,
    interval: float,
    cfg: SpikeConfig,
    allow_low: bool,
) -> dict[int, Band]:
    """The band of every slot that might hold a reading outside it; a slot proven quiet has none."""
    per_day = slots.per_day
    typical = _typical(values)
    floor = max(cfg.min_scale_fraction * typical, cfg.min_scale_kwh)
    dark_floor = max(cfg.dark_fraction * typical, cfg.min_scale_kwh)
    least_floor = floor if allow_low else min(floor, dark_floor)
    width = round(cfg.window_minutes * 60 / interval)
    key = ("screen", width, allow_low)
    if key not in slots.derived:  # bucket sizes depend on the slots alone
        slots.derived[key] = _screen(list(map(len, buckets)), width, cfg, allow_low=allow_low)
    screen: Screen = slots.derived[key]
    window_sizes = screen.window_sizes
    bands: dict[int, Band] = {}
    floors = (floor, least_floor)
    for slot in _unsettled(buckets, screen, cfg, floors, allow_low=allow_low):
        bucket = buckets[slot]
        if _quiet(bucket, window_sizes[slot], cfg, floors, allow_low=allow_low):
            continue
        neighbours = range(slot - width, slot + width + 1)
        window = list(chain.from_iterable(buckets[j % per_day] for j in neighbours))
        window.sort()
        # PV in a slot dark on (nearly) every day of the window - the readings judged are in it too -
        # cannot be weather. Sunrise drifts <= 3 min a day, far less than the window.
        dark = not allow_low and window[-1 - _dark_rank(len(window))] <= 0
        slot_floor = dark_floor if dark else floor
        bands[slot] = _band(window, len(bucket), slot_floor, cfg, typical if allow_low else math.inf)
    return bands


class Screen(NamedTuple):
    """How `_unsettled` reads a field's slots, from their sizes alone (the same for every field)."""

    window_sizes: list[int]
    eligible: list[int]  # slots with at least min_days values
    above: int  # `_quiet`'s rank from the top, for the widest window (0: no screen at one rank)
    below: int  # and from the bottom
    lit_rank: int  # `_lit`'s rank for the widest window (0: too few days for it)


def _screen(days: list[int], width: int, cfg: SpikeConfig, *, allow_low: bool) -> Screen:
    """The ranks `_quiet` reads (the a-th largest value for q_high, the b-th smallest for q_low)
    grow with the window, so those of the widest window, checked against the fewest days, are within
    every slot and give each slot a bound no tighter than its own: a slot proven quiet at them is
    quiet. The same holds for the rank that proves a slot lit (`_lit`)."""
    window_sizes = _window_sizes(days, width)
    eligible = [slot for slot, count in enumerate(days) if count >= cfg.min_days]
    fewest, widest = min(days), max(window_sizes)
    rank = int(cfg.quantile_high * widest)
    above = widest - rank if rank < widest else 1
    rank = int(cfg.quantile_low * widest)
    below = (rank if rank < widest else widest - 1) + 1
    if fewest < max(1, cfg.min_days) or above > fewest or (allow_low and below > fewest):
        above = below = 0
    lit_rank = _dark_rank(widest) if _dark_rank(widest) < fewest else 0
    return Screen(window_sizes, eligible, above, below, lit_rank)


def _unsettled(
    buckets: list[list[float]],
    screen: Screen,
    cfg: SpikeConfig,
    floors: tuple[float, float],
    *,
    allow_low: bool,
) -> list[int]:
    """The slots with enough days that `_quiet`'s bounds, read at the screen's ranks for every slot,
    do not prove quiet; `_quiet` then judges each of them at its own ranks. Compared with C-level maps
    over the slots instead of a call per slot."""
    floor, least_floor = floors
    above, below = screen.above, screen.below
    if not above or cfg.k < 0 or (allow_low and cfg.low_ratio < 0):
        return screen.eligible
    reach: Iterator[float] = repeat(cfg.k * least_floor)
    if floor > least_floor and screen.lit_rank:  # a lit slot's spread is at least `floor`
        lit = map(gt, map(itemgetter(-1 - screen.lit_rank), buckets), repeat(0.0))
        reach = map(add, reach, map(mul, lit, repeat(cfg.k * (floor - least_floor))))
    highest = map(itemgetter(-1), buckets)
    loud = bytes(map(gt, highest, map(add, map(itemgetter(-above), buckets), reach)))
    if allow_low:
        lowest = map(itemgetter(0), buckets)
        low_bound = map(mul, map(itemgetter(below - 1), buckets), repeat(cfg.low_ratio))
        loud = bytes(map(or_, loud, map(lt, lowest, low_bound)))
    return where(loud)


def _window_sizes(sizes: list[int], width: int) -> list[int]:
    """Values in each slot's window (the slot and `width` slots either side, round the clock)."""
    count = len(sizes)
    if 2 * width + 1 > count:  # a window wider than the day counts some slots more than once
        return [sum(sizes[j % count] for j in range(slot - width, slot + width + 1)) for slot in range(count)]
    totals = list(accumulate(sizes[count - width :] + sizes + sizes[:width], initial=0))
    return list(map(sub, islice(totals, 2 * width + 1, None), totals))


def _quiet(
    bucket: list[float], size: int, cfg: SpikeConfig, floors: tuple[float, float], *, allow_low: bool
) -> bool:
    """True when no value of this slot can lie outside its band, judged from the slot's own sorted
    values, without building the window of `size` values around it.

    The window's high quantile is at least the value that as many of the slot's own values reach
    (the window holds them all), and the spread at least the floor (`floors`: the slot's floor if it
    is lit, and the least any slot has): that bounds the band's top from below. Symmetrically its low
    quantile, hence its bottom, is bounded from above.
    """
    floor = floors[0] if _lit(bucket, size) else floors[1]
    rank = int(cfg.quantile_high * size)
    above = size - (rank if rank < size else size - 1)  # window values at or over q_high
    if above > len(bucket) or cfg.k < 0 or bucket[-1] > bucket[-above] + cfg.k * floor:
        return False
    if not allow_low:
        return True
    rank = int(cfg.quantile_low * size)
    below = (rank if rank < size else size - 1) + 1  # window values at or under q_low
    if below > len(bucket) or cfg.low_ratio < 0:
        return False
    # the bottom is -inf unless q_low >= 0, and then it is q_low * low_ratio <= bucket[below-1] * low_ratio
    return bucket[0] >= bucket[below - 1] * cfg.low_ratio


def _dark_rank(size: int) -> int:
    """A window of `size` values is dark when its (rank+1)-th largest value is 0 or less."""
    return max(1, size // 50)


def _lit(bucket: list[float], size: int) -> bool:
    """Whether the slot's own sorted values prove its window of `size` is not dark (so its floor is
    the full one): the window holds them, so enough of them above 0 put its dark-rank value above 0."""
    rank = _dark_rank(size)
    return rank < len(bucket) and bucket[-1 - rank] > 0


def _band(window: list[float], days: int, floor: float, cfg: SpikeConfig, typical: float) -> Band:
    median = window[len(window) // 2]
    mad = median_deviation(window) * 1.4826
    spread = max(mad, floor)
    q_low = _quantile(window, cfg.quantile_low)
    q_high = _quantile(window, cfg.quantile_high)
    # Downward only where even the slot's lowest normal level is a good part of the site's typical
    # level: a small home load dipping to zero is not a spike, a factory reading ~0 at noon is.
    low = q_low * cfg.low_ratio if q_low >= cfg.low_min_fraction * typical else -math.inf
    return Band(median, low, q_high + cfg.k * spread, spread, days)


def median_deviation(ordered: list[float]) -> float:
    """`sorted(abs(v - m) for v in ordered)[n // 2]` with m = ordered[n // 2], without building that list.

    The deviations below the median and above it are two sorted sequences (read outwards from the
    middle); their merged k-th element is found by bisection in O(log^2 n) instead of a sort per slot.
    """
    count = len(ordered)
    middle = count // 2
    median = ordered[middle]

    def below(i: int) -> float:  # i-th smallest deviation of the values under the middle
        return median - ordered[middle - 1 - i]

    def above(j: int) -> float:  # j-th smallest deviation of the middle and the values over it
        return ordered[middle + j] - median

    below_count, above_count, rank = middle, count - middle, middle
    # take `low..high` elements from `below`; the rest of the first rank + 1 come from `above`
    low, high = max(0, rank + 1 - above_count), min(rank + 1, below_count)
    while low < high:
        taken = (low + high) // 2
        if above(rank - taken) > below(taken):  # the (taken+1)-th of `below` still belongs in
            low = taken + 1
        else:
            high = taken
    rest = rank + 1 - low
    candidates = [below(low - 1)] if low else []
    if rest:
        candidates.append(above(rest - 1))
    return max(candidates)


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _typical(values: Sequence[float]) -> float:
    """95th percentile of the field on a sample: the site's own scale (residential vs commercial)."""
    sample = values[:: max(1, len(values) // 5000)]
    rank = min(len(sample) - 1, int(0.95 * len(sample)))  # as _quantile on the sorted sample
    wanted = len(sample) - rank  # the wanted-th largest
    # Sort only what lies above a guess from a small subsample; exact whenever enough lie above it.
    probe = sorted(sample[::37])
    guess = probe[int(0.9 * (len(probe) - 1))]
    above = sorted([value for value in sample if value >= guess])
    if len(above) < wanted:
        above = heapq.nlargest(wanted, sample)[::-1]
    return max(0.0, above[-wanted])


def _spike(
    point: SeriesPoint, name: str, value: float, *, band: Band, interval: float, cfg: SpikeConfig
) -> Anomaly:
    up = value > band.high
    excess = (value - band.high if up else band.low - value) / band.spread
    severity = "low" if excess < cfg.k / 2 else "medium" if excess < 2 * cfg.k else "high"
    usual = f"the usual {kwh(band.median)} kWh for this time of day (median of {band.days} days)"
    if up and band.median > 0 and value / band.median >= 1.5:
        how_far = f"{value / band.median:.1f}x {usual}"
    elif up:
        how_far = f"{kwh(value - band.median)} kWh above {usual}"
    else:
        how_far = f"far below {usual}"
    low = max(band.low, 0.0)
    clock = point.timestamp[11:16]
    return Anomaly(
        site_id=point.site_id,
        timestamp=point.timestamp,
        type="spike",
        severity=severity,
        value=value,
        expected=f"about {kwh(band.median)} kWh ({kwh(low)} to {kwh(band.high)} kWh accepted at {clock})",
        reason=(
            f"{field_word(name)} {kwh(value)} kWh in {duration(interval)} at {when(point.timestamp)},"
            f" {how_far}; check the meter or the file"
        ),
        field=name,
        expected_low=low,
        expected_high=band.high,
    )
