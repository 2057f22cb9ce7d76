"""The fast spike detector (presorted slot buckets, a bisected MAD, slots proven quiet skipped, C-level
comparisons) finds exactly what the plain algorithm of docs/anomaly-detection.md finds (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from energy_core.detect import Series, SeriesPoint, canonical, load_config
from energy_core.detect.spike import DAY, baseline, median_deviation, spikes

CONFIG = load_config({})
STEP = 900.0
T0 = 1_740_355_200.0


def reference(
    series: list[SeriesPoint], name: str, values: list[float], fresh: range
) -> list[tuple[int, str]]:
    """Per slot: sort the window, median, MAD, quantiles; flag each reading outside its band."""
    cfg, per_day = CONFIG.spike, round(DAY / STEP)
    slots = [int((p.epoch % DAY) / STEP + 0.5) % per_day for p in series]
    buckets: list[list[float]] = [[] for _ in range(per_day)]
    for slot, value in zip(slots, values, strict=True):
        buckets[slot].append(value)
    allow_low = name != "energy_generated_kwh" or cfg.flag_low_generation
    sample = sorted(values[:: max(1, len(values) // 5000)])
    typical = max(0.0, sample[min(len(sample) - 1, int(0.95 * len(sample)))])
    floor = max(cfg.min_scale_fraction * typical, cfg.min_scale_kwh)
    width = round(cfg.window_minutes * 60 / STEP)
    bands = {}
    for slot in range(per_day):
        if len(buckets[slot]) < cfg.min_days:
            continue
        window = sorted(v for j in range(slot - width, slot + width + 1) for v in buckets[j % per_day])
        dark = not allow_low and window[-1 - max(1, len(window) // 50)] <= 0
        slot_floor = max(cfg.dark_fraction * typical, cfg.min_scale_kwh) if dark else floor
        median = window[len(window) // 2]
        mad = sorted(abs(v - median) for v in window)[len(window) // 2] * 1.4826
        spread = max(mad, slot_floor)
        q_low = window[min(len(window) - 1, int(cfg.quantile_low * len(window)))]
        q_high = window[min(len(window) - 1, int(cfg.quantile_high * len(window)))]
        level = typical if allow_low else math.inf
        low = q_low * cfg.low_ratio if q_low >= cfg.low_min_fraction * level else -math.inf
        bands[slot] = (low, q_high + cfg.k * spread)
    return [
        (i, name)
        for i in fresh
        if slots[i] in bands and not bands[slots[i]][0] <= values[i] <= bands[slots[i]][1]
    ]


def site(days: int, noise: list[float], faults: dict[int, float], gaps: set[int]) -> list[SeriesPoint]:
    points = []
    for n in range(days * 96):
        if n in gaps:
            continue
        epoch = T0 + n * STEP
        hour = (n % 96) / 4
        sun = max(0.0, math.sin(math.pi * (hour - 6) / 12))
        wobble = noise[n % len(noise)]
        generated = round(8 * sun * (1 + wobble), 3)
        consumed = round(3 + 2 * (8 <= hour < 18) + wobble, 3)
        if n in faults:  # even positions fault the generation, odd ones the consumption
            generated, consumed = (faults[n], consumed) if n % 2 == 0 else (generated, faults[n])
        points.append(SeriesPoint("s", canonical(epoch), epoch, generated, consumed))
    return points


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(7, 20),
    st.lists(st.floats(-0.4, 0.4), min_size=5, max_size=40),
    st.dictionaries(st.integers(0, 20 * 96 - 1), st.floats(-20, 30), max_size=12),
    st.sets(st.integers(0, 7 * 96 - 1), max_size=30),
)
def test_given_any_site_when_spikes_are_found_then_they_are_the_reference_algorithms(
    days: int, noise: list[float], faults: dict[int, float], gaps: set[int]
) -> None:
    series = Series.of(site(days, noise, faults, gaps))
    cols = {"energy_generated_kwh": series.generated, "energy_consumed_kwh": series.consumed}
    fresh = range(len(series) // 2, len(series))  # the second half is "the file", the first its history

    found = spikes(series, cols, fresh, interval=STEP, config=CONFIG, skip=set())

    expected = sorted(
        hit for name, values in cols.items() for hit in reference(list(series), name, values, fresh)
    )
    got = sorted((series.timestamps.index(a.timestamp), a.field or "") for a in found)
    assert got == expected
    known = baseline(series, cols, interval=STEP, config=CONFIG)  # the extremes the rules read from it
    assert known is not None
    assert known.bounds == {name: (min(values), max(values)) for name, values in cols.items()}


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60))
def test_given_sorted_values_when_the_mad_is_bisected_then_it_is_the_sorted_deviations_median(
    values: list[float],
) -> None:
    ordered = sorted(values)
    median = ordered[len(ordered) // 2]

    assert median_deviation(ordered) == sorted(abs(v - median) for v in ordered)[len(ordered) // 2]
