"""gap and flatline, including across the boundary between stored history and the file."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_detect_rules import CONFIG, STEP, T0, point, run, series, types

from energy_core.detect import canonical, load_config
from energy_core.detect import series as series_module


def test_given_missing_intervals_when_detecting_then_one_gap_at_the_first_missing_slot() -> None:
    points = [p for i, p in enumerate(series(20)) if not 5 <= i < 9]
    found = run(points)
    assert types(found) == ["gap"]
    gap = found[0]
    assert gap.timestamp == canonical(T0 + 5 * STEP) and gap.value == 4.0 and gap.severity == "medium"
    assert "4 missing 15 min intervals" in gap.reason and gap.expected == "a reading every 15 min"


def test_given_a_single_missing_reading_when_detecting_then_a_low_gap() -> None:
    points = [p for i, p in enumerate(series(10)) if i != 3]
    assert [(a.type, a.severity, a.value) for a in run(points)] == [("gap", "low", 1.0)]


def test_given_jittered_timestamps_when_detecting_then_no_gap() -> None:
    points = series(10)
    jittered = [point(i) for i in range(0)]
    for i, p in enumerate(points):
        epoch = p.epoch + (40 if i % 2 else -40)
        jittered.append(p.__class__(p.site_id, canonical(epoch), epoch, p.generated, p.consumed))
    assert run(jittered) == []


def test_given_a_gap_between_history_and_file_when_detecting_then_it_is_reported_once() -> None:
    history = series(10)
    found = run(series(5, start=14), history)
    assert types(found) == ["gap"] and found[0].timestamp == canonical(T0 + 10 * STEP)
    assert found[0].value == 4.0


def test_given_a_gap_inside_history_only_when_detecting_then_it_is_not_reported_again() -> None:
    history = [p for i, p in enumerate(series(20)) if i != 5]
    assert run(series(3, start=20), history) == []


def test_given_a_one_reading_file_after_history_when_detecting_then_interval_comes_from_history() -> None:
    found = run([point(13)], series(10))
    assert types(found) == ["gap"] and found[0].value == 3.0


def test_given_night_time_zero_generation_when_detecting_then_no_flatline() -> None:
    night = [point(i, gen=0.0, con=0.3 + (i % 4) / 100) for i in range(40)]
    assert run(night) == []


def test_given_a_stuck_non_zero_value_when_detecting_then_one_flatline_at_its_start() -> None:
    points = (
        series(10) + [point(i, gen=1.0 + i / 100, con=2.345) for i in range(10, 26)] + series(4, start=26)
    )
    found = run(points)
    assert types(found) == ["flatline"]
    a = found[0]
    assert a.timestamp == points[10].timestamp and a.value == 2.345 and a.field == "energy_consumed_kwh"
    assert "stuck at 2.345 kWh for 16 readings (4 h)" in a.reason


def test_given_a_short_repeat_when_detecting_then_no_flatline() -> None:
    points = [point(i, gen=1.0 + i / 100, con=2.0 if 3 <= i < 8 else 2.0 + i / 100) for i in range(20)]
    assert run(points) == []


def test_given_generation_clipped_at_inverter_limit_when_detecting_then_no_flatline() -> None:
    clipped = [point(i, gen=2.5, con=2.0 + i / 100) for i in range(20)]  # 10 kW x 15 min = 2.5 kWh
    assert run(clipped) == []


def test_given_a_stuck_run_spanning_history_and_file_when_detecting_then_its_start_is_in_history() -> None:
    history = series(5) + [point(i, gen=1 + i / 100, con=3.5) for i in range(5, 12)]
    file = [point(i, gen=1 + i / 100, con=3.5) for i in range(12, 20)]
    found = run(file, history)
    assert types(found) == ["flatline"] and found[0].timestamp == history[5].timestamp


def test_given_detectors_disabled_when_detecting_then_they_stay_silent() -> None:
    config = load_config({"gap": {"enabled": False}, "negative_value": {"enabled": False}})
    points = [p for i, p in enumerate(series(20)) if i != 5]
    points[3] = point(3, gen=-1.0)
    assert run(points, config=config) == []
    assert CONFIG.gap_enabled


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.5, 1.25, 2.0]), max_size=40),
    st.lists(st.sampled_from([0.0, 0.5, 1.25, 2.0]), max_size=40),
    st.sampled_from([0.0, 0.5, 1.25]),
    st.integers(0, 30),
    st.integers(2, 14),
)
def test_given_any_values_when_finding_equal_runs_then_they_match_a_plain_scan(
    before: list[float], after: list[float], value: float, length: int, needed: int
) -> None:
    """`equal_runs` (numpy edges) against the plain loop it replaces: every maximal run of at least
    `needed` equal values, as (first, last) indices."""
    import numpy as np

    values = [*before, *[value] * length, *after]
    expected, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            if i - start >= needed:
                expected.append((start, i - 1))
            start = i
    assert series_module.equal_runs(np.asarray(values, dtype=float), needed) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([None, 0.0, 0.0001, 0.5, 0.5, 2.0]), min_size=8, max_size=60),
    st.sampled_from([0.0, 0.001]),
    st.data(),
)
def test_given_any_readings_when_counting_repeats_then_the_running_totals_match_a_plain_count(
    cells: list[float | None], dark: float, data: st.DataObject
) -> None:
    """`RepeatChances.counts` (running totals over days) against the plain count per slot: readings on a
    4-slot day, None where a row is missing."""
    import numpy as np

    slots, interval = 4, 21600.0
    present = [i for i, v in enumerate(cells) if v is not None]
    if not present:
        return
    epochs = np.array([i * interval for i in present])
    values = np.array([cells[i] for i in present], dtype=float)
    chances = series_module.RepeatChances(epochs, values, interval, dark)
    days = chances.observed.shape[0] - 1  # days from the first reading's to the last's
    since = data.draw(st.integers(0, days))
    day = data.draw(st.integers(since, days))
    for quiet in (True, False):
        observed, stayed = chances.counts(since, day, quiet=quiet)
        for slot in range(slots):
            seen = kept = 0
            for d in range(since, day):
                i = (d + chances.first_day) * slots + slot
                if i == 0 or i >= len(cells) or cells[i] is None or cells[i - 1] is None:
                    continue
                seen += 1
                now, before = cells[i], cells[i - 1]
                if quiet:  # stayed quiet, whatever the last digits did
                    kept += abs(now) <= dark and abs(before) <= dark
                else:  # held a level exactly (a held zero is not a held level)
                    kept += now == before and abs(now) > dark
            assert (observed[slot], stayed[slot]) == (seen, kept)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.001, 0.4]), min_size=1, max_size=40), st.data())
def test_given_any_values_when_finding_the_quiet_stretch_then_it_matches_a_plain_walk(
    values: list[float], data: st.DataObject
) -> None:
    import numpy as np

    array = np.asarray(values)
    last = data.draw(st.integers(0, len(values) - 1))
    if abs(values[last]) > 0.001:
        return
    start = last
    while start > 0 and abs(values[start - 1]) <= 0.001:
        start -= 1
    stop = last
    while stop < len(values) - 1 and abs(values[stop + 1]) <= 0.001:
        stop += 1
    loud = np.flatnonzero(np.abs(array) > 0.001).tolist()
    assert series_module.quiet_stretch(loud, len(values), last) == (start, stop)
