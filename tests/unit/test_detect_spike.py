"""spike: judged per time-of-day slot against file + history; weather and weekly rhythm are normal."""

from __future__ import annotations

import math

from energy_core.detect import SeriesPoint, canonical, detect_site, load_config

T0 = 1_740_355_200.0  # Monday 2025-02-24T00:00:00Z
STEP = 900.0
CONFIG = load_config({"sites": {"plant": {"generated": 100, "consumed": 800}}})


def day_series(days: int, gen_scale: dict[int, float] | None = None, start_day: int = 0) -> list[SeriesPoint]:
    """A commercial site: PV bell curve (scaled per day) and weekday working-hours load."""
    points = []
    for d in range(start_day, start_day + days):
        for slot in range(96):
            epoch = T0 + d * 86400 + slot * STEP
            hour = slot / 4
            sun = max(0.0, math.sin(math.pi * (hour - 6) / 12))
            gen = round(20 * sun * (gen_scale or {}).get(d, 1.0) * (1 + (slot * d % 7) / 200), 3)
            weekday = d % 7 < 5
            load = 40.0 if weekday and 8 <= hour < 18 else 12.0
            con = round(load * (1 + ((slot + d) % 5) / 100), 3)
            points.append(SeriesPoint("plant", canonical(epoch), epoch, gen, con))
    return points


def spikes_of(points: list[SeriesPoint], history: list[SeriesPoint] | None = None) -> list[str]:
    found = detect_site(points, history or [], CONFIG, points[-1].epoch + STEP)
    return [f"{a.type}:{a.field}:{a.timestamp}" for a in found]


def test_given_two_normal_weeks_when_detecting_then_nothing() -> None:
    assert spikes_of(day_series(14)) == []


def test_given_a_cloudy_day_when_detecting_then_low_generation_is_not_a_spike() -> None:
    assert spikes_of(day_series(14, gen_scale={9: 0.15, 10: 0.4})) == []


def test_given_mostly_cloudy_history_and_one_sunny_day_when_detecting_then_nothing() -> None:
    cloudy = {d: 0.5 for d in range(14) if d % 3}
    assert spikes_of(day_series(14, gen_scale=cloudy)) == []


def test_given_weekend_consumption_dips_when_detecting_then_no_spike() -> None:
    points = day_series(28)
    assert next(p for p in points if p.timestamp.startswith("2025-03-01T12:00")).consumed < 13  # a Saturday
    assert spikes_of(points) == []


def test_given_an_upward_consumption_spike_when_detecting_then_spike_with_baseline_in_reason() -> None:
    points = day_series(14)
    i = 10 * 96 + 48  # day 10, 12:00, a Thursday
    p = points[i]
    points[i] = SeriesPoint(p.site_id, p.timestamp, p.epoch, p.generated, 160.0)
    found = detect_site(points, [], CONFIG, points[-1].epoch + STEP)
    assert [a.type for a in found] == ["spike"]
    a = found[0]
    assert (a.field, a.value, a.timestamp) == ("energy_consumed_kwh", 160.0, p.timestamp)
    assert a.reason.startswith("consumed 160 kWh in 15 min at 2025-03-06 12:00 UTC: 3.8x its neighbours and above the usual")
    assert "at this time of day (median of" in a.reason and "recent days" in a.reason
    assert a.expected_high is not None and 40 < a.expected_high < 160


def test_given_consumption_near_zero_in_working_hours_when_detecting_then_downward_spike() -> None:
    points = day_series(14)
    i = 9 * 96 + 44
    p = points[i]
    points[i] = SeriesPoint(p.site_id, p.timestamp, p.epoch, p.generated, 0.2)
    found = detect_site(points, [], CONFIG, points[-1].epoch + STEP)
    assert [a.type for a in found] == ["spike"] and "below the usual" in found[0].reason


def test_given_generation_at_night_when_detecting_then_spike() -> None:
    points = day_series(14)
    i = 11 * 96 + 8  # 02:00
    p = points[i]
    points[i] = SeriesPoint(p.site_id, p.timestamp, p.epoch, 3.0, p.consumed)
    assert spikes_of(points) == [f"spike:energy_generated_kwh:{p.timestamp}"]


def test_given_a_small_file_and_stored_history_when_detecting_then_history_is_the_baseline() -> None:
    history = day_series(21)
    file = day_series(1, start_day=21)
    p = file[50]
    file[50] = SeriesPoint(p.site_id, p.timestamp, p.epoch, p.generated, 150.0)
    assert spikes_of(file, history) == [f"spike:energy_consumed_kwh:{p.timestamp}"]
    assert spikes_of(day_series(1, start_day=21)) == []  # alone, a day has no baseline


def test_given_a_negative_value_when_detecting_then_it_is_not_also_a_spike() -> None:
    points = day_series(14)
    p = points[700]
    points[700] = SeriesPoint(p.site_id, p.timestamp, p.epoch, p.generated, -500.0)
    assert [a.split(":")[0] for a in spikes_of(points)] == ["negative_value"]
