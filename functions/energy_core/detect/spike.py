"""spike: a reading far outside what this site normally does at this time of day.

For each time-of-day slot the baseline is built from every day in history + file, widened by a
window of neighbouring slots (sunrise drifts a few minutes a day, DST moves loads by an hour).
The accepted band spans the slot's low and high quantiles, so anything that happens on more than
a few percent of days - weekends, cloudy days, the evening peak - is normal by construction, then
extends k robust spreads (MAD, floored at a fraction of the site's typical level) beyond it.
Low generation is never a spike by default: weather can take PV output anywhere down to zero.
Cost: one sort per slot window, O(n log n) overall.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .config import DetectionConfig, SpikeConfig
from .model import GENERATED, Anomaly, SeriesPoint, duration, field_word, kwh, when

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class Band:
    median: float
    low: float
    high: float
    spread: float
    days: int


def spikes(
    series: Sequence[SeriesPoint],
    cols: dict[str, list[float]],
    fresh_idx: Sequence[int],
    *,
    interval: float,
    config: DetectionConfig,
    skip: set[tuple[int, str]],
) -> list[Anomaly]:
    cfg = config.spike
    if not cfg.enabled or not fresh_idx or interval <= 0 or interval > DAY / 4:
        return []
    per_day = round(DAY / interval)
    slots = [int((p.epoch % DAY) / interval + 0.5) % per_day for p in series]
    found = []
    for name, values in cols.items():
        allow_low = name != GENERATED or cfg.flag_low_generation
        bands = _bands(values, slots, per_day=per_day, interval=interval, cfg=cfg, allow_low=allow_low)
        highs = [b.high if b else math.inf for b in bands]
        lows = [b.low if b else -math.inf for b in bands]
        odd = [i for i in fresh_idx if not lows[slots[i]] <= values[i] <= highs[slots[i]]]
        for i in odd:
            band = bands[slots[i]]
            if band is not None and (i, name) not in skip:
                found.append(_spike(series[i], name, values[i], band=band, interval=interval, cfg=cfg))
    return found


def _bands(
    values: list[float], slots: list[int], *, per_day: int, interval: float, cfg: SpikeConfig, allow_low: bool
) -> list[Band | None]:
    buckets: list[list[float]] = [[] for _ in range(per_day)]
    for slot, value in zip(slots, values, strict=True):
        buckets[slot].append(value)
    typical = _typical(values)
    floor = max(cfg.min_scale_fraction * typical, cfg.min_scale_kwh)
    width = round(cfg.window_minutes * 60 / interval)
    bands: list[Band | None] = []
    for slot in range(per_day):
        days = len(buckets[slot])
        if days < cfg.min_days:
            bands.append(None)
            continue
        window = sorted(v for j in range(slot - width, slot + width + 1) for v in buckets[j % per_day])
        # PV in a slot dark on (nearly) every day of the window - the readings judged are in it too -
        # cannot be weather. Sunrise drifts <= 3 min a day, far less than the window.
        dark = not allow_low and window[-1 - max(1, len(window) // 50)] <= 0
        slot_floor = max(cfg.dark_fraction * typical, cfg.min_scale_kwh) if dark else floor
        bands.append(_band(window, days, slot_floor, cfg, typical if allow_low else math.inf))
    return bands


def _band(window: list[float], days: int, floor: float, cfg: SpikeConfig, typical: float) -> Band:
    median = window[len(window) // 2]
    mad = sorted(abs(v - median) for v in window)[len(window) // 2] * 1.4826
    spread = max(mad, floor)
    q_low = _quantile(window, cfg.quantile_low)
    q_high = _quantile(window, cfg.quantile_high)
    # Downward only where even the slot's lowest normal level is a good part of the site's typical
    # level: a small home load dipping to zero is not a spike, a factory reading ~0 at noon is.
    low = q_low * cfg.low_ratio if q_low >= cfg.low_min_fraction * typical else -math.inf
    return Band(median, low, q_high + cfg.k * spread, spread, days)


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _typical(values: list[float]) -> float:
    """95th percentile of the field on a sample: the site's own scale (residential vs commercial)."""
    sample = sorted(values[:: max(1, len(values) // 5000)])
    return max(0.0, _quantile(sample, 0.95))


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
