"""negative_value, out_of_range, future_timestamp, counter_reset, and detect_site's edges."""

from __future__ import annotations

from energy_core.detect import Anomaly, DetectionConfig, SeriesPoint, canonical, detect_site, load_config

T0 = 1_741_046_400.0  # 2025-03-04T00:00:00Z
STEP = 900.0
CONFIG = load_config({"sites": {"site-a": {"generated": 10, "consumed": 20}}})


def point(
    i: int, gen: float = 1.0, con: float = 2.0, cum: float | None = None, site: str = "site-a"
) -> SeriesPoint:
    epoch = T0 + i * STEP
    return SeriesPoint(site, canonical(epoch), epoch, gen, con, cum)


def series(n: int, start: int = 0, **kw: float) -> list[SeriesPoint]:
    # values vary so that no flatline is found by accident
    return [point(i, gen=1.0 + (i % 7) / 100, con=2.0 + (i % 5) / 100, **kw) for i in range(start, start + n)]


def run(
    points: list[SeriesPoint],
    history: list[SeriesPoint] | None = None,
    config: DetectionConfig = CONFIG,
    now: float | None = None,
) -> list[Anomaly]:
    last = max(p.epoch for p in points)
    return detect_site(points, history or [], config, last + STEP if now is None else now)


def types(found: list[Anomaly]) -> list[str]:
    return [a.type for a in found]


def test_given_a_negative_generation_when_detecting_then_one_high_negative_value_with_reason() -> None:
    points = series(8)
    points[3] = point(3, gen=-50.0)
    found = run(points)
    assert types(found) == ["negative_value"]
    a = found[0]
    assert (a.severity, a.value, a.field, a.timestamp) == (
        "high",
        -50.0,
        "energy_generated_kwh",
        points[3].timestamp,
    )
    # the standby tolerance follows the site's scale: a sliver of its usual output, far above -50
    assert "-50" in a.reason and "2025-03-04 00:45 UTC" in a.reason and -1.0 < a.expected_low < 0.0


def test_given_the_original_sample_record_when_detecting_then_exactly_one_anomaly() -> None:
    sample = SeriesPoint("test-site-123", "2025-02-19T23:45:00.000000Z", 1_740_008_700.0, -50.0, 100.0)
    assert types(detect_site([sample], [], load_config({}), 1_740_100_000.0)) == ["negative_value"]


def test_given_a_value_above_site_capacity_when_detecting_then_out_of_range_scaled_by_interval() -> None:
    points = series(8)
    points[2] = point(2, con=5.5)  # 20 kW x 15 min = 5 kWh
    found = run(points)
    assert types(found) == ["out_of_range"]
    assert found[0].expected_high == 5.0 and found[0].severity == "medium"
    assert "capacity of 5 kWh per 15 min (20 kW)" in found[0].reason


def test_given_an_unknown_site_when_detecting_then_the_default_capacity_applies() -> None:
    points = series(4, site="other")
    points[1] = point(1, gen=600.0, site="other")  # default 1000 kW -> 250 kWh per 15 min
    found = run(points)
    assert types(found) == ["out_of_range"] and found[0].severity == "high"
    assert "the default capacity" in found[0].reason


def test_given_a_reading_after_now_plus_skew_when_detecting_then_future_timestamp_and_no_gap() -> None:
    points = [*series(8), point(8 + 200)]
    found = run(points, now=T0 + 8 * STEP)
    assert types(found) == ["future_timestamp"]
    assert found[0].timestamp == points[-1].timestamp and found[0].severity == "high"


def test_given_a_whole_file_from_the_future_and_stored_history_when_detecting_then_future_timestamps() -> None:
    # A logger whose clock runs a year ahead uploads a day: every reading is cut as future, none is judged
    # with the history (the judged set is empty - it was an empty float array, and Detect failed).
    history = series(96)
    points = series(96, start=96 + 35_040)
    found = run(points, history=history, now=T0 + 100 * STEP)
    assert set(types(found)) == {"future_timestamp"}
    assert sum(a.readings for a in found) == 96


def test_given_a_reading_within_the_clock_skew_when_detecting_then_nothing() -> None:
    assert run(series(8), now=T0 + 7 * STEP - 200) == []


def test_given_a_register_that_drops_to_near_zero_when_detecting_then_counter_reset() -> None:
    points = [point(i, gen=1 + i / 100, cum=48_000.0 + i) for i in range(6)]
    points += [point(i, gen=1 + i / 100, cum=3.0 + i) for i in range(6, 10)]
    found = run(points)
    assert types(found) == ["counter_reset"]
    assert found[0].timestamp == points[6].timestamp and found[0].expected_low == 48_005.0


def test_given_a_register_stepping_back_one_rounding_digit_when_detecting_then_no_reset() -> None:
    registers = [1000.0, 1000.2, 1000.1, 1000.4, 1000.3, 1000.6]
    assert run([point(i, gen=1 + i / 100, cum=c) for i, c in enumerate(registers)]) == []


def test_given_a_reset_between_history_and_file_when_detecting_then_it_is_reported() -> None:
    history = [point(i, gen=1 + i / 100, cum=500.0 + i) for i in range(4)]
    found = run([point(4, cum=1.0)], history)
    assert types(found) == ["counter_reset"]


def test_given_a_one_reading_file_and_empty_history_when_detecting_then_nothing() -> None:
    assert run([point(0)]) == []


def test_given_an_empty_file_when_detecting_then_nothing() -> None:
    assert detect_site([], series(3), CONFIG, T0) == []


def test_given_a_file_overlapping_history_when_detecting_then_the_file_values_win() -> None:
    history = series(10)
    again = [point(i, gen=-1.0) if i == 5 else history[i] for i in range(4, 8)]
    found = run(again, history, now=T0 + 10 * STEP)
    assert types(found) == ["negative_value"] and found[0].timestamp == history[5].timestamp


def test_given_unsorted_points_when_detecting_then_they_are_sorted_first() -> None:
    assert run(list(reversed(series(12)))) == []
