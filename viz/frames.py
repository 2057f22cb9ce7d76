"""API items -> the pandas frames each chart plots. Charts never aggregate: tests compare these.

Resolution follows the range so a chart stays readable: each reading up to a week, hourly sums up
to about two months, daily sums beyond. Empty buckets stay NaN (never 0) so lines break at gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from viz.records import SiteData  # defined without pandas, for the process that fetches
from viz.source import Item

GENERATED, CONSUMED, NET = "energy_generated_kwh", "energy_consumed_kwh", "net_energy_kwh"
COLUMNS = {GENERATED: "generated", CONSUMED: "consumed", NET: "net"}
DEFAULT_INTERVAL = pd.Timedelta(minutes=15)  # the contract's usual spacing, when one reading can't tell
RAW_UP_TO = pd.Timedelta(days=7)
HOURLY_UP_TO = pd.Timedelta(days=62)


@dataclass(frozen=True)
class Resolution:
    name: str  # "reading" | "hour" | "day"
    step: pd.Timedelta
    label: str  # how a y axis names the bucket: "kWh per 15 min"


@dataclass(frozen=True)
class Gap:
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def length(self) -> pd.Timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class SiteFrames:
    site_id: str
    start: pd.Timestamp
    end: pd.Timestamp  # exclusive; a range taken from the data ends one interval after its last reading
    interval: pd.Timedelta
    resolution: Resolution
    readings: pd.DataFrame  # per reading: generated, consumed, net
    series: pd.DataFrame  # per bucket: sums of generated/consumed/net and count; NaN = no data
    envelope: pd.DataFrame  # per bucket: min/max of each reading's generated and consumed
    load: pd.DataFrame  # rows: UTC days, columns: hour 0-23, cells: kWh consumed (NaN = no data)
    anomalies: pd.DataFrame  # timestamp (start), end, type, severity, value, field, reason
    gaps: list[Gap]

    @property
    def coverage(self) -> float:
        expected = max(1, round((self.end - self.start) / self.interval))
        return min(1.0, len(self.readings) / expected)

    def normal(self) -> pd.Series:
        """Per bucket of `series`: True when no anomaly falls in it (what y limits are set from)."""
        moments = pd.DatetimeIndex(self.anomalies["timestamp"])
        if self.resolution.name != "reading":
            moments = moments.floor(self.resolution.step)
        return pd.Series(~self.series.index.isin(moments), index=self.series.index)

    def totals(self) -> dict[str, float]:
        return {name: float(self.readings[name].sum()) for name in COLUMNS.values()}


def build(data: SiteData) -> SiteFrames:
    readings = _readings_frame(data.readings)
    start = pd.Timestamp(data.start).tz_convert("UTC")
    interval = _interval(readings.index)
    end = pd.Timestamp(data.end).tz_convert("UTC")
    if len(readings):
        end = max(end, readings.index[-1] + interval)
    resolution = choose_resolution(end - start, interval)
    return SiteFrames(
        site_id=data.site_id,
        start=start,
        end=end,
        interval=interval,
        resolution=resolution,
        readings=readings,
        series=_series(readings, resolution, interval, start, end),
        envelope=_envelope(readings, resolution, start, end),
        load=_load(readings, start, end),
        anomalies=_anomalies_frame(data.anomalies),
        gaps=find_gaps(readings.index, interval, start, end),
    )


def choose_resolution(span: pd.Timedelta, interval: pd.Timedelta) -> Resolution:
    if span <= RAW_UP_TO and interval < pd.Timedelta(hours=1):
        minutes = round(interval.total_seconds() / 60)
        return Resolution("reading", interval, f"kWh per {minutes} min")
    if span <= HOURLY_UP_TO:
        return Resolution("hour", pd.Timedelta(hours=1), "kWh per hour")
    return Resolution("day", pd.Timedelta(days=1), "kWh per day")


def _readings_frame(items: list[Item]) -> pd.DataFrame:
    index = pd.to_datetime([item["timestamp"] for item in items], format="ISO8601", utc=True)
    columns = {name: [float(item[key]) for item in items] for key, name in COLUMNS.items()}
    frame = pd.DataFrame(columns, index=pd.DatetimeIndex(index, name="timestamp"), dtype=float)
    return frame[~frame.index.duplicated()].sort_index()


def _interval(index: pd.DatetimeIndex) -> pd.Timedelta:
    if len(index) < 2:
        return DEFAULT_INTERVAL
    # The median spacing ignores gaps and the odd late reading; whole seconds keep it printable.
    median = pd.Timedelta((index[1:] - index[:-1]).median()).round("s")
    return median if median > pd.Timedelta(0) else DEFAULT_INTERVAL


def _series(
    readings: pd.DataFrame,
    resolution: Resolution,
    interval: pd.Timedelta,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> pd.DataFrame:
    if resolution.name == "reading":
        series = readings.assign(count=1.0)
        breaks = series.index[1:][(series.index[1:] - series.index[:-1]) > 1.5 * interval]
        # One NaN row just before each reading that follows a gap: matplotlib lifts the pen there.
        holes = pd.DataFrame(float("nan"), index=breaks - interval / 2, columns=series.columns)
        return pd.concat([series, holes]).sort_index() if len(holes) else series
    grid = _grid(resolution.step, start, end)
    sums = readings.resample(resolution.step).sum(min_count=1).reindex(grid)
    counts = readings["net"].resample(resolution.step).count().reindex(grid)
    return sums.assign(count=counts.where(counts > 0))


def _envelope(
    readings: pd.DataFrame, resolution: Resolution, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    pair = readings[["generated", "consumed"]]
    if resolution.name == "reading":
        lows, highs = pair, pair
    else:
        grid = _grid(resolution.step, start, end)
        lows = pair.resample(resolution.step).min().reindex(grid)
        highs = pair.resample(resolution.step).max().reindex(grid)
    return pd.concat([lows.add_suffix("_min"), highs.add_suffix("_max")], axis=1)


def _load(readings: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    hours = _grid(
        pd.Timedelta(hours=1), start.floor("D"), (end - pd.Timedelta(1)).floor("D") + pd.Timedelta(days=1)
    )
    hourly = readings["consumed"].resample("1h").sum(min_count=1).reindex(hours)
    frame = pd.DataFrame({"day": hours.floor("D"), "hour": hours.hour, "kwh": hourly.to_numpy()})
    return frame.pivot(index="day", columns="hour", values="kwh")


def _grid(step: pd.Timedelta, start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    # Buckets are aligned to UTC hours and days, like the summary route's buckets.
    first = start.floor(step)
    return pd.date_range(first, end, freq=step, inclusive="left", name="timestamp")


def _anomalies_frame(items: list[Item]) -> pd.DataFrame:
    """One row per anomaly event; `end` is its last reading (the start for one-reading events and for
    anomalies stored before events had an end)."""
    frame = pd.DataFrame(items, columns=["timestamp", "end", "type", "severity", "value", "field", "reason"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], format="ISO8601", utc=True)
    frame["end"] = pd.to_datetime(frame["end"].fillna(frame["timestamp"]), format="ISO8601", utc=True)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    return frame.sort_values("timestamp", kind="stable").reset_index(drop=True)


def find_gaps(
    index: pd.DatetimeIndex, interval: pd.Timedelta, start: pd.Timestamp, end: pd.Timestamp
) -> list[Gap]:
    """Spans with no reading, longer than half an interval (so one missing reading counts)."""
    if not len(index):
        return [Gap(start, end)] if end > start else []
    # Each reading's end against the next reading's start, as whole arrays: a Python loop over
    # 10,000 timestamps took ~25 ms a site; only the few gaps become objects.
    edges = (index + interval).insert(0, start)
    nexts = index.append(pd.DatetimeIndex([end]))
    wide = (nexts - edges) > interval / 2
    return [Gap(after, before) for after, before in zip(edges[wide], nexts[wide], strict=True)]


def describe(length: timedelta) -> str:
    """'45 min', '6 h', '3.5 days': gap lengths a person can compare at a glance."""
    minutes = length.total_seconds() / 60
    if minutes < 120:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h".replace(".0 h", " h")
    return f"{minutes / 1440:.1f} days".replace(".0 days", " days")
