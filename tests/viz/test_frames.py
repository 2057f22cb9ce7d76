"""The numbers behind each chart equal the API's summary (exact Decimal sums) for the same range."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from tests.viz import sample
from viz.frames import CONSUMED, GENERATED, NET, SiteData, build
from viz.memory import MemorySource

FIELDS = {"generated": GENERATED, "consumed": CONSUMED, "net": NET}


def frames_for(source: MemorySource, site: str, start: datetime, end: datetime):
    return build(
        SiteData(site, start, end, source.readings(site, start, end), source.anomalies(site, start, end))
    )


def close(value: float, exact: Decimal) -> bool:
    return value == pytest.approx(float(exact), rel=1e-12, abs=1e-9)


@pytest.mark.parametrize(("days", "resolution"), [(5, "reading"), (40, "hour"), (100, "day")])
def test_plotted_totals_equal_the_summary_totals_at_every_resolution(days: int, resolution: str) -> None:
    start = sample.START
    end = start + timedelta(days=days)
    source = MemorySource({"s": sample.readings(96 * days, skip=(range(200, 500),))}, page_size=500)
    frames = frames_for(source, "s", start, end)
    totals = source.summary("s", start, end, "day" if days > 31 else "hour")["totals"]
    assert frames.resolution.name == resolution
    for column, field in FIELDS.items():
        assert close(frames.series[column].sum(), totals[field]["sum"])
    assert frames.series["count"].sum() == totals["reading_count"]
    assert close(frames.load.sum().sum(), totals[CONSUMED]["sum"])


def test_hourly_buckets_and_the_heatmap_cells_equal_the_hourly_summary() -> None:
    start, end = sample.START, sample.START + timedelta(days=20)
    source = MemorySource({"s": sample.readings(96 * 20, skip=(range(100, 180),))})
    frames = frames_for(source, "s", start, end)
    buckets = {b["start"]: b for b in source.summary("s", start, end, "hour")["buckets"]}
    plotted = frames.series.dropna(subset=["count"])
    assert [t.strftime("%Y-%m-%dT%H") for t in plotted.index] == sorted(buckets)
    for moment, row in plotted.iterrows():
        bucket = buckets[moment.strftime("%Y-%m-%dT%H")]
        assert close(row["consumed"], bucket[CONSUMED]["sum"]) and close(row["net"], bucket[NET]["sum"])
        assert close(frames.load.loc[moment.floor("D"), moment.hour], bucket[CONSUMED]["sum"])
    assert frames.load.isna().sum().sum() == 20 * 24 - len(buckets)  # empty hours stay empty, not 0


def test_daily_buckets_and_their_min_max_envelope_equal_the_daily_summary() -> None:
    start, end = sample.START, sample.START + timedelta(days=90)
    source = MemorySource({"s": sample.readings(96 * 90, seed=5)})
    frames = frames_for(source, "s", start, end)
    for bucket in source.summary("s", start, end, "day")["buckets"]:
        moment = pd.Timestamp(bucket["start"], tz="UTC")
        assert close(frames.series.loc[moment, "generated"], bucket[GENERATED]["sum"])
        assert close(frames.envelope.loc[moment, "consumed_max"], bucket[CONSUMED]["max"])
        assert close(frames.envelope.loc[moment, "generated_min"], bucket[GENERATED]["min"])


def test_no_data_gives_empty_frames_and_one_gap_over_the_whole_range() -> None:
    start, end = sample.START, sample.START + timedelta(days=2)
    frames = build(SiteData("empty", start, end, []))
    assert frames.readings.empty and frames.series["count"].isna().all()
    assert frames.coverage == 0 and [(g.start, g.end) for g in frames.gaps] == [
        (pd.Timestamp(start), pd.Timestamp(end))
    ]


def test_one_reading_is_one_full_interval_of_data() -> None:
    frames = build(
        SiteData("one", sample.START, sample.START + timedelta(microseconds=1), sample.readings(1))
    )
    assert frames.end - frames.start == timedelta(minutes=15)
    assert frames.coverage == 1.0 and frames.gaps == [] and len(frames.series) == 1


def test_a_long_gap_breaks_the_line_instead_of_joining_across_it() -> None:
    items = sample.readings(96 * 3, skip=(range(50, 150),))
    frames = build(SiteData("g", sample.START, sample.START + timedelta(days=3), items))
    hole = frames.series.loc[items[49]["timestamp"] : items[50]["timestamp"]]
    assert len(hole) == 3 and hole["consumed"].isna().iloc[1]
    [gap] = frames.gaps
    assert gap.length == timedelta(minutes=15 * 100)


def test_all_anomalous_readings_leave_no_normal_bucket() -> None:
    items = sample.readings(8)
    marks = [sample.anomaly(item, "flatline") for item in items]
    frames = build(SiteData("bad", sample.START, sample.START + timedelta(hours=2), items, marks))
    assert not frames.normal().any()
    assert len(frames.anomalies) == 8


def test_range_filtering_is_half_open_like_the_api() -> None:
    items = sample.readings(8)
    source = MemorySource({"s": items})
    end = datetime.fromisoformat(items[4]["timestamp"].replace("Z", "+00:00")).astimezone(UTC)
    assert [i["timestamp"] for i in source.readings("s", sample.START, end)] == [
        i["timestamp"] for i in items[:4]
    ]


def test_an_event_of_many_readings_is_drawn_as_a_span_from_its_start_to_its_end(tmp_path, monkeypatch) -> None:
    from viz import anomaly_chart

    items = sample.readings(96)
    stuck = dict(sample.anomaly(items[40], "flatline"), end=items[63]["timestamp"], readings=24)
    spike = sample.anomaly(items[80], "spike")
    source = MemorySource({"s": items}, {"s": [stuck, spike]})
    start = datetime(2025, 3, 1, tzinfo=UTC)
    frames = frames_for(source, "s", start, start + timedelta(days=1))

    assert list(frames.anomalies["end"] - frames.anomalies["timestamp"]) == [pd.Timedelta(hours=5, minutes=45),
                                                                             pd.Timedelta(0)]
    drawn = []
    original = anomaly_chart.Axes.axvspan

    def spy(ax, start, end, **kwargs):
        drawn.append((start, end))
        return original(ax, start, end, **kwargs)

    monkeypatch.setattr(anomaly_chart.Axes, "axvspan", spy)
    anomaly_chart.anomalies_chart(frames, tmp_path / "a.png")

    span = (pd.Timestamp(items[40]["timestamp"]), pd.Timestamp(items[63]["timestamp"]))
    assert drawn.count(span) == 1  # on the consumption panel only: the event's own field
    assert (tmp_path / "a.png").exists()


def test_gaps_at_the_start_between_readings_and_at_the_end_are_each_found_once() -> None:
    from viz.frames import find_gaps

    step, start = pd.Timedelta(minutes=15), pd.Timestamp(sample.START)

    def minutes(index: pd.DatetimeIndex) -> list[tuple[float, float]]:
        gaps = find_gaps(index, step, start, start + step * 20)
        return [((g.start - start) / pd.Timedelta(minutes=1), (g.end - start) / pd.Timedelta(minutes=1)) for g in gaps]

    index = pd.DatetimeIndex([start + step * n for n in (2, 3, 4, 9, 10, 12)])
    assert minutes(index) == [(0, 30), (75, 135), (165, 180), (195, 300)]
    # a reading 7 minutes late (less than half an interval) opens no gap; the silence after it is shorter
    late = index.insert(3, start + pd.Timedelta(minutes=82))
    assert minutes(late) == [(0, 30), (97, 135), (165, 180), (195, 300)]
