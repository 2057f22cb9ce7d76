"""Real-world conventions: standby draw, zero dropouts, spikes in context, clock shifts, determinism."""

from __future__ import annotations

import math

from energy_core.detect import Anomaly, SeriesPoint, canonical, detect_site, load_config

T0 = 1_740_355_200.0  # Monday 2025-02-24T00:00:00Z
HALF_HOUR = 1800.0
QUARTER = 900.0
CONFIG = load_config({})


def home(days: int, heating: set[int] = frozenset(), start_day: int = 0) -> list[SeriesPoint]:
    """A household half-hourly meter: never below 0.1 kWh, evening peak, heating days 08:30-17:00."""
    points = []
    for d in range(start_day, start_day + days):
        for slot in range(48):
            epoch = T0 + d * 86400 + slot * HALF_HOUR
            hour = slot / 2
            load = 0.12 + 0.05 * ((slot * 7 + d * 3) % 5) + (0.5 if 17 <= hour < 21 else 0.0)
            if d in heating and 8.5 <= hour < 17:
                load += 1.3 + 0.1 * (slot % 3)
            points.append(SeriesPoint("home", canonical(epoch), epoch, 0.0, round(load, 3)))
    return points


def pv(days: int, shift_from: int | None = None, standby: float = -0.0007) -> list[SeriesPoint]:
    """A PV array at 15 min: a bell from 06:00 to 18:00 UTC, standby draw at night; from day
    `shift_from` the logger writes every timestamp an hour late (daylight saving on a UTC logger)."""
    points = []
    for d in range(days):
        late = 3600.0 if shift_from is not None and d >= shift_from else 0.0
        for slot in range(96):
            epoch = T0 + d * 86400 + slot * QUARTER
            hour = slot / 4
            sun = max(0.0, math.sin(math.pi * (hour - 6) / 12))
            gen = round(25 * sun * (1 + ((slot * 5 + d) % 7) / 100), 4) if sun > 0 else standby
            points.append(SeriesPoint("pv", canonical(epoch + late), epoch + late, gen, 0.0))
    return points


def found(points: list[SeriesPoint], history: list[SeriesPoint] | None = None) -> list[tuple[str, str]]:
    return [(a.type, a.timestamp) for a in detect_site(points, history or [], CONFIG, points[-1].epoch + 900)]


def with_value(points: list[SeriesPoint], index: int, *, gen: float | None = None, con: float | None = None):
    p = points[index]
    points[index] = p._replace(
        generated=p.generated if gen is None else gen, consumed=p.consumed if con is None else con
    )
    return points


def test_given_night_standby_draw_on_a_healthy_array_when_detecting_then_nothing() -> None:
    assert found(pv(14)) == []


def test_given_a_sign_error_on_a_daytime_reading_when_detecting_then_negative_value() -> None:
    points = with_value(pv(14), 10 * 96 + 48, gen=-24.0)
    assert found(points) == [("negative_value", points[10 * 96 + 48].timestamp)]


def test_an_anomalys_learnt_bounds_keep_a_millionth_of_a_kwh_not_float_noise() -> None:
    tolerance = 0.02 * 3.79464  # a standby fraction of a site's scale: 0.07589279999999998 in floats
    anomaly = Anomaly("s", canonical(T0), "negative_value", "high", -50.0, "", "", expected_low=-tolerance,
                      expected_high=tolerance)
    assert (anomaly.expected_low, anomaly.expected_high) == (-0.075893, 0.075893)
    points = with_value(pv(14), 10 * 96 + 48, gen=-24.0)
    (found_one,) = [a for a in detect_site(points, [], CONFIG, T0 + 15 * 86400) if a.type == "negative_value"]
    assert found_one.expected_low is not None and found_one.expected_low == round(found_one.expected_low, 6)


def test_given_a_one_reading_file_of_minus_50_when_detecting_then_negative_value() -> None:
    point = SeriesPoint("s", canonical(T0 + 85500), T0 + 85500, -50.0, 0.0)
    assert [a.type for a in detect_site([point], [], CONFIG, T0 + 86400)] == ["negative_value"]


def test_given_a_heating_day_when_detecting_then_the_regime_is_not_a_spike() -> None:
    assert found(home(28, heating={20})) == []


def test_given_an_isolated_tenfold_jump_when_detecting_then_spike() -> None:
    points = with_value(home(28), 21 * 48 + 10, con=2.5)  # 05:00, neighbours ~0.2
    assert found(points) == [("spike", points[21 * 48 + 10].timestamp)]


def test_given_a_jump_on_a_one_day_file_with_history_when_detecting_then_spike() -> None:
    history = home(21)
    file = with_value(home(1, start_day=21), 10, con=2.5)
    assert found(file, history) == [("spike", file[10].timestamp)]


def test_given_removing_one_reading_far_away_when_detecting_then_the_same_events() -> None:
    points = with_value(home(28), 21 * 48 + 10, con=2.5)
    shorter = [event for event in found(points[:3] + points[4:]) if event[0] != "gap"]  # the hole itself
    assert shorter == found(points)


def test_given_a_meter_that_never_reads_zero_when_it_reads_zero_for_hours_then_flatline() -> None:
    points = home(21)
    for i in range(15 * 48 + 2, 15 * 48 + 14):  # 01:00 to 06:30, six hours of 0.000
        with_value(points, i, con=0.0)
    assert found(points) == [("flatline", points[15 * 48 + 2].timestamp)]


def test_given_pv_zero_through_hours_that_always_generate_then_flatline() -> None:
    points = pv(21, standby=0.0)
    for i in range(15 * 96 + 40, 15 * 96 + 64):  # 10:00 to 16:00
        with_value(points, i, gen=0.0)
    events = detect_site(points, [], CONFIG, points[-1].epoch + 900)
    assert [a.type for a in events] == ["flatline"]
    assert (
        events[0].timestamp <= points[15 * 96 + 40].timestamp
        and events[0].end >= points[15 * 96 + 63].timestamp
    )


def test_given_pv_zero_at_night_when_detecting_then_nothing() -> None:
    assert found(pv(21, standby=0.0)) == []


def test_given_a_logger_that_applies_daylight_saving_when_detecting_then_clock_shift() -> None:
    points = pv(21, shift_from=12)
    events = [a for a in detect_site(points, [], CONFIG, points[-1].epoch + 900) if a.type != "gap"]
    assert [a.type for a in events] == ["clock_shift"]  # (and the hour the logger skipped is a gap)
    assert events[0].timestamp[:10] == canonical(T0 + 12 * 86400)[:10] and events[0].value == 60.0


def test_given_a_shift_at_a_file_boundary_when_later_files_arrive_then_it_is_found_once() -> None:
    points = pv(21, shift_from=12)
    by_day: dict[int, list[SeriesPoint]] = {}
    for p in points:
        by_day.setdefault(int((p.epoch - T0) // 86400), []).append(p)
    stored: list[SeriesPoint] = []
    shifts = []
    for day in sorted(by_day):
        shifts += [
            a
            for a in detect_site(by_day[day], stored, CONFIG, by_day[day][-1].epoch + 900)
            if a.type == "clock_shift"
        ]
        stored += by_day[day]
    assert len(shifts) == 1 and shifts[0].timestamp[:10] == canonical(T0 + 12 * 86400)[:10]


# --- what real data taught (bench/detection_real.py): held levels, weather, unseen dawns ---------------


def test_given_a_value_frozen_through_the_night_when_zero_nights_repeat_then_flatline() -> None:
    # Zero nights repeat every night; a 15 kWh level held from 15:00 into the night is no night.
    points = pv(21, standby=0.0)
    for i in range(15 * 96 + 60, 15 * 96 + 88):  # 15:00 to 21:45
        with_value(points, i, gen=15.0)
    assert found(points) == [("flatline", points[15 * 96 + 60].timestamp)]


def test_given_the_same_freeze_last_week_when_it_freezes_again_then_flatline_again() -> None:
    # A fault already in the history does not teach that freezing is ordinary at those hours.
    points = pv(21, standby=0.0)
    for day in (8, 15):
        for i in range(day * 96 + 40, day * 96 + 56):  # 10:00 to 13:45
            with_value(points, i, gen=20.0)
    assert ("flatline", points[15 * 96 + 40].timestamp) in found(points)


def test_given_output_fading_to_zero_for_a_snowy_morning_when_detecting_then_weather_not_a_fault() -> None:
    points = pv(21, standby=0.0)
    for i in range(14 * 96 + 56, 15 * 96 + 44):  # dim all afternoon, nothing until 11:00 next day
        with_value(points, i, gen=0.0 if i >= 14 * 96 + 64 else 0.05)
    for i in range(15 * 96 + 44, 15 * 96 + 48):  # then the snow slides off: dim output again
        with_value(points, i, gen=0.05)
    assert found(points) == []


def test_given_a_two_day_outage_whose_zeros_standby_noise_breaks_up_when_detecting_then_one_event() -> None:
    # A real logger (pvanalytics' system 50) reads 0 through an outage with now and then 0.00002: every
    # piece of zeros is a run of its own, all in one quiet stretch - one event, not one per piece.
    points = pv(21, standby=0.0)
    for i in range(14 * 96 + 64, 16 * 96 + 44):
        with_value(points, i, gen=0.00002 if i % 29 == 0 else 0.0)
    events = detect_site(points, [], CONFIG, points[-1].epoch + 900)
    assert [a.type for a in events] == ["flatline"], [(a.type, a.timestamp, a.end) for a in events]


def test_given_output_falling_straight_to_zero_two_hours_before_dusk_when_detecting_then_flatline() -> None:
    # An inverter trip: ~17 kWh to exactly 0 in one interval at 16:00, and nothing until night. Under
    # the 3 hours a held value needs, but no weather drops output that fast: the lost daylight counts.
    points = pv(21, standby=0.0)
    for i in range(20 * 96 + 64, 20 * 96 + 72):  # 16:00 until dusk
        with_value(points, i, gen=0.0)
    assert found(points) == [("flatline", points[20 * 96 + 64].timestamp)]


def test_given_output_fading_to_zero_two_hours_before_dusk_when_detecting_then_weather() -> None:
    points = pv(21, standby=0.0)
    for step, i in enumerate(range(20 * 96 + 60, 20 * 96 + 64)):  # 15:00-15:45: halving, then nothing
        with_value(points, i, gen=round(points[i].generated / 4 ** (step + 1), 4))
    for i in range(20 * 96 + 64, 20 * 96 + 72):
        with_value(points, i, gen=0.0)
    assert found(points) == []


def test_given_no_output_at_all_for_more_than_a_day_when_detecting_then_flatline() -> None:
    points = pv(21, standby=0.0)
    for i in range(14 * 96 + 64, 16 * 96 + 44):  # from 16:00 through the whole next day
        with_value(points, i, gen=0.0)
    events = detect_site(points, [], CONFIG, points[-1].epoch + 900)
    assert [a.type for a in events] == ["flatline"] and events[0].readings >= 96


def test_given_an_hourly_meter_held_four_hours_when_it_always_changes_then_flatline() -> None:
    points = [
        SeriesPoint(
            "home", canonical(T0 + h * 3600), T0 + h * 3600, 0.0, round(0.2 + 0.013 * ((h * 7) % 11), 3)
        )
        for h in range(24 * 28)
    ]
    for h in range(24 * 27 + 9, 24 * 27 + 13):  # 09:00 to 12:00 on the last day
        with_value(points, h, con=0.5)
    assert found(points) == [("flatline", points[24 * 27 + 9].timestamp)]


def test_given_a_logger_that_holds_its_last_value_overnight_when_detecting_then_no_clock_shift() -> None:
    # Days whose dusk was never seen (the last value held through the night) cannot place the sun.
    points = pv(21, standby=0.0)
    for day in (13, 14, 15):
        for i in range(day * 96 + 56, day * 96 + 96 + 24):  # from 14:00 until 06:00 next morning
            with_value(points, i, gen=points[day * 96 + 56].generated)
    assert {t for t, _ in found(points)} == {"flatline"}


def test_given_a_cloudy_morning_then_an_ordinary_day_and_a_dim_one_before_a_shift_then_one_shift_on_its_day() -> None:
    # Real pattern (system-50, November 2012): a morning of cloud moves one day's centre ~30 min, the next
    # day is ordinary, the day after too dim to place the sun, then the clock moves. The cloudy day is
    # weather: the move is reported once, on the day the clock moved.
    points = pv(24, shift_from=14)
    for i in range(11 * 96 + 24, 11 * 96 + 29):  # day 11: dark until 07:15
        with_value(points, i, gen=-0.0007)
    for i in range(13 * 96, 14 * 96):  # day 13: a tenth of the usual output
        with_value(points, i, gen=round(points[i].generated * 0.1, 4) if points[i].generated > 0 else -0.0007)
    shifts = [a for a in detect_site(points, [], CONFIG, points[-1].epoch + 900) if a.type == "clock_shift"]
    assert [a.timestamp[:10] for a in shifts] == [canonical(T0 + 14 * 86400)[:10]]


def test_given_a_thirty_five_minute_shift_when_detecting_then_it_is_found_between_the_readings() -> None:
    points = [
        p._replace(epoch=p.epoch + 2100, timestamp=canonical(p.epoch + 2100))
        if p.epoch >= T0 + 12 * 86400
        else p
        for p in pv(21)
    ]
    events = [a for a in detect_site(points, [], CONFIG, points[-1].epoch + 900) if a.type == "clock_shift"]
    assert len(events) == 1 and 30 <= events[0].value <= 40


def test_given_an_inverter_off_overnight_until_noon_when_it_returns_at_full_output_then_flatline() -> None:
    points = pv(21, standby=0.0)
    for i in range(14 * 96 + 72, 15 * 96 + 48):  # from 18:00 (dusk) until 12:00 the next day
        with_value(points, i, gen=0.0)
    assert [t for t, _ in found(points)] == ["flatline"]


def asleep_at_night(points: list[SeriesPoint]) -> list[SeriesPoint]:
    """The rows a PV logger that sleeps between dusk and dawn writes: none while the array is dark."""
    return [p for p in points if p.generated > 0]


def test_given_a_pv_logger_that_writes_no_rows_at_night_when_detecting_then_nothing() -> None:
    points = asleep_at_night(pv(14))
    assert found(points[-40:], points[:-40]) == [] and found(points) == []


def test_given_a_sleeping_logger_that_misses_three_daytime_hours_when_detecting_then_one_gap() -> None:
    points = asleep_at_night(pv(14))
    day = [i for i, p in enumerate(points) if p.epoch >= T0 + 12 * 86400 + 10 * 3600][:12]
    holed = [p for i, p in enumerate(points) if i not in day]
    assert found(holed) == [("gap", points[day[0]].timestamp)]


def test_given_a_sleeping_logger_silent_from_one_night_to_the_next_when_detecting_then_one_gap() -> None:
    points = pv(14, standby=0.0)  # dark readings on both sides of the silence, a whole day inside it
    silent = range(12 * 96 + 76, 13 * 96 + 76)  # 19:00 to 19:00 the next day
    holed = [p for i, p in enumerate(points) if i not in silent]
    assert found(holed) == [("gap", points[silent[0]].timestamp)]


def test_given_a_site_that_also_consumes_when_its_rows_stop_at_night_then_each_night_is_a_gap() -> None:
    points = [p._replace(consumed=0.2 + i % 5 / 100) for i, p in enumerate(asleep_at_night(pv(3)))]
    assert [kind for kind, _ in found(points)] == ["gap", "gap"]


def test_given_dark_loss_fraction_zero_when_a_logger_sleeps_at_night_then_each_night_is_a_gap() -> None:
    points = asleep_at_night(pv(3))
    strict = load_config({"gap": {"dark_loss_fraction": 0}})
    events = detect_site(points, [], strict, points[-1].epoch + 900)
    assert [a.type for a in events] == ["gap", "gap"]


def snowed_in(points: list[SeriesPoint], days: range, noise: float = 0.0) -> list[SeriesPoint]:
    """Those days' output at nothing but standby noise that never repeats one value twice."""
    return [
        p._replace(generated=round(noise * ((i * 7) % 5 - 2) / 2, 5)) if int((p.epoch - T0) // 86400) in days else p
        for i, p in enumerate(points)
    ]


def test_given_five_days_with_a_whole_day_of_noise_around_zero_and_no_history_then_one_no_output_event() -> None:
    points = snowed_in(pv(5), range(2, 3), noise=0.2)  # within 2% of a 25 kWh peak, never repeated
    events = detect_site(points, [], CONFIG, points[-1].epoch + 900)
    assert [a.type for a in events] == ["flatline"]
    assert events[0].reason.startswith("no generated output") and events[0].severity == "high"


def test_given_a_logger_asleep_at_night_and_two_snowed_in_days_then_one_event_over_both() -> None:
    points = snowed_in(asleep_at_night(pv(14)), range(10, 12))  # the nights are gaps, the days zeros
    events = detect_site(points, [], CONFIG, points[-1].epoch + 900)
    assert [a.type for a in events] == ["flatline"]
    assert events[0].timestamp < canonical(T0 + 10 * 86400 + 12 * 3600) < events[0].end
    assert events[0].end >= canonical(T0 + 11 * 86400 + 12 * 3600)


def test_given_rows_missing_through_a_day_between_two_dark_readings_then_a_gap_not_a_dead_array() -> None:
    points = pv(14, standby=0.0)
    silent = range(10 * 96 + 4, 11 * 96 + 20)  # 01:00 to 05:00 the next day: no rows, daylight inside
    holed = [p for i, p in enumerate(points) if i not in silent]
    assert [kind for kind, _ in found(holed)] == ["gap"]


def test_given_a_dead_day_seen_by_daily_files_then_the_file_that_completes_its_day_reports_it_once() -> None:
    points = snowed_in(pv(14), range(10, 12), noise=0.2)
    reported = []
    for day in range(8, 14):
        file = [p for p in points if day <= (p.epoch - T0) // 86400 < day + 1]
        history = [p for p in points if (p.epoch - T0) // 86400 < day]
        reported += [(day, a.type) for a in detect_site(file, history, CONFIG, file[-1].epoch + 900)]
    # quiet from day 9's dusk (standby at night), a day of nothing by day 10's dusk: day 10's file
    assert [kind for _, kind in reported] == ["flatline"] and reported[0][0] == 10
