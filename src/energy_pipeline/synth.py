"""Realistic synthetic meter data with labelled faults, for tests, benchmarks and the demo.

Solar: clear-sky curve from the sun's elevation (season and longitude), day weather that persists
(sunny / broken cloud / overcast) and passing clouds. Consumption: residential (morning and evening
peaks, small appliance bursts) or commercial (working hours on weekdays, low weekends), with noise.
Optional `cumulative_kwh` registers that step back by one digit now and then (export rounding).
Every injected fault is labelled (site_id, canonical timestamp, type). Deterministic for a seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from energy_core.detect import TYPES

DAY = 86400
# every anomaly type the detectors know, but clock shifts (bench/detection_real.py plants those)
FAULT_TYPES = tuple(t for t in TYPES if t != "clock_shift")


@dataclass(frozen=True, slots=True)
class Site:
    site_id: str
    kind: str  # residential | commercial
    pv_kw: float
    base_kw: float  # night-time load
    peak_kw: float  # typical daily peak load
    import_kw: float  # grid connection: the largest plausible consumption
    lon_hours: float  # solar noon offset from 12:00 UTC
    latitude: float
    cumulative: bool


@dataclass(frozen=True, slots=True)
class Label:
    site_id: str
    timestamp: str  # canonical YYYY-MM-DDTHH:MM:SS.ffffffZ, as anomalies carry it
    type: str


@dataclass(frozen=True, slots=True)
class Dataset:
    readings: list[
        dict[str, Any]
    ]  # the input contract: site_id, timestamp (ISO Z), energy_*_kwh[, cumulative_kwh]
    labels: list[Label]
    sites: list[Site]
    now_epoch: float  # "processing time": one interval after the last regular reading


def make_sites(count: int, seed: int = 0) -> list[Site]:
    """Two residential sites for every commercial one, sizes drawn around typical installations."""
    rng = random.Random(f"sites-{seed}")
    sites = []
    for n in range(count):
        commercial = n % 3 == 2
        scale = rng.uniform(60, 250) if commercial else rng.uniform(0.8, 1.5)
        pv = scale * (1.0 if commercial else rng.uniform(3.5, 7.0))
        base, peak = (0.3 * scale, scale) if commercial else (0.25 * scale, 2.2 * scale)
        sites.append(
            Site(
                site_id=f"{'com' if commercial else 'res'}-{seed:02d}-{n:03d}",
                kind="commercial" if commercial else "residential",
                pv_kw=round(pv, 1),
                base_kw=base,
                peak_kw=peak,
                import_kw=round(peak * (3 if commercial else 6), 1),
                lon_hours=rng.uniform(-1.0, 1.0),
                latitude=rng.uniform(35, 55),
                cumulative=n % 2 == 0,
            )
        )
    return sites


def capacities(sites: Sequence[Site]) -> dict[str, dict[str, float]]:
    """The `sites` block of detection.json for these sites (what an operator would configure)."""
    return {s.site_id: {"generated": s.pv_kw, "consumed": s.import_kw} for s in sites}


def site_rows(
    site: Site, start_epoch: int, count: int, interval: int, seed: int
) -> Iterator[tuple[int, float, float]]:
    """(epoch, generated, consumed) per interval, values rounded to Wh like a real export."""
    rng = random.Random(f"{site.site_id}-{seed}")
    hours = interval / 3600
    weather, cloud, burst = 1.0, 1.0, 0.0
    for n in range(count):
        epoch = start_epoch + n * interval
        if n == 0 or epoch % DAY == 0:
            weather = _day_weather(rng, weather)
        middle = epoch + interval / 2
        sun = _clear_sky(site, middle)
        if weather < 0.9 and sun > 0:  # broken cloud: clouds drift over for a few intervals
            cloud = min(1.0, max(0.15, cloud + rng.gauss(0, 0.25))) if rng.random() < 0.5 else cloud
        else:
            cloud = 1.0
        generated = site.pv_kw * sun * weather * cloud * rng.uniform(0.97, 1.03) * hours
        load = _load_kw(site, middle) * rng.lognormvariate(0, 0.12 if site.kind == "residential" else 0.05)
        burst = burst * 0.3 + (
            rng.uniform(0.1, 0.6) * site.peak_kw if rng.random() < _burst_rate(site, middle) else 0
        )
        yield epoch, round(generated, 3), round((load + burst) * hours, 3)


def _day_weather(rng: random.Random, yesterday: float) -> float:
    if rng.random() < 0.6:  # weather persists from day to day
        return min(1.0, max(0.1, yesterday + rng.gauss(0, 0.05)))
    return rng.choice((rng.uniform(0.9, 1.0), rng.uniform(0.5, 0.9), rng.uniform(0.1, 0.35)))


def _clear_sky(site: Site, epoch: float) -> float:
    """Fraction of peak PV power under a clear sky: sine of the sun's elevation, flattened by air mass."""
    day = (epoch // DAY) % 365.25
    declination = math.radians(23.44) * math.sin(2 * math.pi * (284 + day) / 365.25)
    hour_angle = math.radians(15 * ((epoch % DAY) / 3600 - 12 + site.lon_hours))
    lat = math.radians(site.latitude)
    elevation = math.sin(lat) * math.sin(declination) + math.cos(lat) * math.cos(declination) * math.cos(
        hour_angle
    )
    return 0.85 * elevation**1.15 if elevation > 0 else 0.0


def _load_kw(site: Site, epoch: float) -> float:
    hour = ((epoch % DAY) / 3600 - site.lon_hours) % 24
    weekend = (int(epoch // DAY) + 3) % 7 >= 5  # 1970-01-01 was a Thursday
    if site.kind == "commercial":
        open_hours = 0.0 if weekend else _bump(hour, 7, 19, 1.5)
        return site.base_kw + (site.peak_kw - site.base_kw) * (
            open_hours + (0.25 * _bump(hour, 9, 17, 1) if weekend else 0)
        )
    evening = _bump(hour, 17, 22, 1.5)
    morning = _bump(hour, 6.5, 9, 0.7) * (0.5 if weekend else 1.0)
    daytime = _bump(hour, 9, 17, 1.5) * (0.5 if weekend else 0.15)
    return site.base_kw + (site.peak_kw - site.base_kw) * max(evening, 0.6 * morning, daytime)


def _bump(hour: float, start: float, end: float, ramp: float) -> float:
    """1 between start and end with linear ramps of `ramp` hours either side, else 0."""
    return max(0.0, min(1.0, (hour - start + ramp) / ramp, (end + ramp - hour) / ramp))


def _burst_rate(site: Site, epoch: float) -> float:
    hour = ((epoch % DAY) / 3600 - site.lon_hours) % 24
    return 0.0 if site.kind == "commercial" or hour < 6 or hour > 23 else 0.04


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def generate(
    *,
    sites: int | Sequence[Site] = 4,
    days: int = 14,
    interval_minutes: int = 15,
    start: str = "2025-03-03T00:00:00Z",
    seed: int = 0,
    faults: Mapping[str, int] | None = None,
) -> Dataset:
    """Readings of every site for `days` days, then `faults[type]` injected faults of each type per site."""
    chosen = make_sites(sites, seed) if isinstance(sites, int) else list(sites)
    interval = interval_minutes * 60
    first = int(datetime.fromisoformat(start.replace("Z", "+00:00")).timestamp())
    count = days * DAY // interval
    readings: list[dict[str, Any]] = []
    labels: list[Label] = []
    for site in chosen:
        rows = [_reading(site, *row) for row in site_rows(site, first, count, interval, seed)]
        _add_registers(site, rows, seed)
        labels += _inject(site, rows, interval, faults or {}, random.Random(f"faults-{site.site_id}-{seed}"))
        readings += rows
    return Dataset(readings, labels, chosen, float(first + count * interval))


def _reading(site: Site, epoch: int, generated: float, consumed: float) -> dict[str, Any]:
    return {
        "site_id": site.site_id,
        "timestamp": iso(epoch),
        "energy_generated_kwh": generated,
        "energy_consumed_kwh": consumed,
    }


def _add_registers(site: Site, rows: list[dict[str, Any]], seed: int) -> None:
    if not site.cumulative:
        return
    rng = random.Random(f"register-{site.site_id}-{seed}")
    total = rng.uniform(1_000, 60_000)
    for row in rows:
        total += row["energy_consumed_kwh"]
        # Exported to 0.1 kWh from a register read a moment early or late: it can step back one digit.
        row["cumulative_kwh"] = round(total + rng.uniform(-0.06, 0.06), 1)


# --- faults: each injector changes rows in place and returns the label's row index ---------------


def _inject(
    site: Site, rows: list[dict[str, Any]], interval: int, faults: Mapping[str, int], rng: random.Random
) -> list[Label]:
    """Faults at distinct places (a day apart from each other's effects), never at the series' edges."""
    labels: list[Label] = []
    used: set[int] = set()
    for kind in sorted(FAULT_TYPES, key=lambda k: k == "gap"):
        if kind == "counter_reset" and not site.cumulative:
            continue
        # Resets in time order (each lowers the registers after it), gaps from the end (deletion).
        places = sorted(
            (_free_index(rng, len(rows), used) for _ in range(faults.get(kind, 0))), reverse=kind == "gap"
        )
        for at in places:
            label = _INJECTORS[kind](site, rows, at, interval, rng)
            if label is not None:
                labels.append(Label(site.site_id, label, kind))
    return labels


def _free_index(rng: random.Random, size: int, used: set[int]) -> int:
    # 100 intervals apart: an injector may move forward to a dark or bright reading, or delete 48.
    for _ in range(1000):
        at = rng.randrange(96, size - 96)
        if all(abs(at - u) >= 100 for u in used):
            used.add(at)
            return at
    raise ValueError("too many faults for this series: use more days")


def _negative(site: Site, rows: list[dict[str, Any]], at: int, interval: int, rng: random.Random) -> str:
    field = rng.choice(("energy_generated_kwh", "energy_consumed_kwh"))
    rows[at][field] = -round(
        max(abs(rows[at][field]), rng.uniform(0.01, 0.5) * site.peak_kw * interval / 3600), 3
    )
    return _label_ts(rows[at])


def _out_of_range(site: Site, rows: list[dict[str, Any]], at: int, interval: int, rng: random.Random) -> str:
    field, kw = rng.choice((("energy_generated_kwh", site.pv_kw), ("energy_consumed_kwh", site.import_kw)))
    rows[at][field] = round(kw * interval / 3600 * rng.uniform(1.5, 10), 3)  # a glitch or a unit error
    return _label_ts(rows[at])


def _spike(site: Site, rows: list[dict[str, Any]], at: int, interval: int, rng: random.Random) -> str:
    hours = interval / 3600
    row = rows[at]
    style = rng.random()
    if style < 0.25:  # PV "generating" at night: move to a reading 1.5 h from any daylight
        at = next(
            n for n in range(at, at + 96) if not any(r["energy_generated_kwh"] for r in rows[n - 6 : n + 7])
        )
        rows[at]["energy_generated_kwh"] = round(site.pv_kw * hours * rng.uniform(0.3, 0.9), 3)
        return _label_ts(rows[at])
    work = (int(_epoch(row) // DAY) + 3) % 7 < 5 and 10 <= (_epoch(row) % DAY) / 3600 - site.lon_hours <= 16
    if style < 0.5 and site.kind == "commercial" and work:  # a factory reading ~0 during working hours
        row["energy_consumed_kwh"] = round(row["energy_consumed_kwh"] * rng.uniform(0, 0.05), 3)
        return _label_ts(row)
    value = row["energy_consumed_kwh"] + rng.uniform(1.5, 4) * site.peak_kw * hours
    row["energy_consumed_kwh"] = round(min(value, 0.9 * site.import_kw * hours), 3)
    return _label_ts(row)


def _flatline(
    site: Site, rows: list[dict[str, Any]], at: int, interval: int, rng: random.Random
) -> str | None:
    field = "energy_consumed_kwh" if rng.random() < 0.7 else "energy_generated_kwh"
    if field == "energy_generated_kwh":  # a frozen PV meter is noticed on the day's brightest reading
        at = max(range(at, at + 96), key=lambda n: rows[n][field])
        field = field if rows[at][field] > 0 else "energy_consumed_kwh"
    value = rows[at][field]
    if rows[at - 1][field] == value:
        return None
    for row in rows[at : at + rng.randint(16, 40)]:
        row[field] = value
    return _label_ts(rows[at])


def _gap(site: Site, rows: list[dict[str, Any]], at: int, interval: int, rng: random.Random) -> str:
    label = _label_ts(rows[at])
    del rows[at : at + rng.randint(1, 48)]
    return label


def _future(site: Site, rows: list[dict[str, Any]], at: int, interval: int, rng: random.Random) -> str:
    ahead = int(_epoch(rows[-1]) + interval + rng.uniform(3600, 10 * DAY))
    rows.append({**rows[at], "timestamp": iso(ahead)})
    return canonical(ahead)


def _counter_reset(site: Site, rows: list[dict[str, Any]], at: int, interval: int, rng: random.Random) -> str:
    drop = rows[at - 1]["cumulative_kwh"] * rng.uniform(0.8, 1.0)  # a replaced meter starts near zero
    for row in rows[at:]:
        row["cumulative_kwh"] = round(row["cumulative_kwh"] - drop, 1)
    return _label_ts(rows[at])


_INJECTORS: dict[str, Any] = {
    "negative_value": _negative,
    "out_of_range": _out_of_range,
    "spike": _spike,
    "flatline": _flatline,
    "gap": _gap,
    "future_timestamp": _future,
    "counter_reset": _counter_reset,
}


def _epoch(row: Mapping[str, Any]) -> float:
    return datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00")).timestamp()


def _label_ts(row: Mapping[str, Any]) -> str:
    return canonical(_epoch(row))
