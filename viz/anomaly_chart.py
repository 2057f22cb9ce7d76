"""The anomalies chart: each energy series with every anomaly marked by type.

Anomalies are often orders of magnitude off the normal scale (a meter reporting 1e6 kWh), so the
y axis is set from the normal readings and anything beyond it is drawn at the edge with its value
written next to it, instead of squashing the series into a flat line at the bottom.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from viz import style
from viz.frames import CONSUMED, GENERATED, SiteFrames
from viz.scale import Limits, kwh, plain_numbers, robust_limits

# Shape and colour both differ, so a type reads without colour vision (and in greyscale print).
MARKERS: dict[str, tuple[str, str]] = {
    "spike": ("^", style.VERMILLION),
    "negative_value": ("v", style.BLUE),
    "out_of_range": ("D", style.PURPLE),
    "flatline": ("s", style.GREEN),
    "gap": ("X", style.BLACK),
    "future_timestamp": ("P", style.SKY),
    "counter_reset": ("o", style.YELLOW),
}
OTHER = ("*", style.GREY)
PANELS = (("generated", GENERATED, "Generated"), ("consumed", CONSUMED, "Consumed"))
MAX_LABELS = 6  # per panel; more off-scale labels would overlap and be read as noise


def anomalies_chart(frames: SiteFrames, path: Path) -> Path:
    fig, axes = style.figure(rows=2, size=(11.0, 6.4))
    style.title(fig, frames, f"anomalies ({len(frames.anomalies)})")
    if len(frames.readings) or len(frames.anomalies):
        for ax, (column, field, label) in zip(axes, PANELS, strict=True):
            _panel(ax, frames, column, field, label)
        _legend(fig, frames)
    else:
        style.no_data(axes[0])
        style.no_data(axes[1])
    style.time_axis(axes[-1], frames)
    axes[0].set_xlabel("")
    return style.save(fig, path)


def _panel(ax: Axes, frames: SiteFrames, column: str, field: str, label: str) -> None:
    values = frames.readings[column]
    marks = panel_anomalies(frames, field)
    energy = marks["value"][~marks["type"].isin(["gap", "counter_reset"])]
    # ignore_index: the limits need the values only; joining a DatetimeIndex to the anomalies' RangeIndex
    # made pandas convert 10,000 timestamps to objects (~20 ms a panel).
    limits = robust_limits(pd.concat([values, energy], ignore_index=True), _normal(frames, field))
    _series(ax, frames, column)
    ax.set_ylim(limits.low, limits.high)
    ax.set_ylabel(f"{label}\nkWh per reading")
    plain_numbers(ax)
    _gap_spans(ax, frames)
    _event_spans(ax, marks)
    off_scale = _markers(ax, marks, values, limits)
    _label_off_scale(ax, off_scale, limits, frames)
    if marks.empty:
        ax.text(0.99, 0.95, "no anomalies", transform=ax.transAxes, ha="right", va="top", color=style.GREY)


def _series(ax: Axes, frames: SiteFrames, column: str) -> None:
    if frames.resolution.name == "reading":
        style.line(ax, frames.series[column], color="#555555", lw=0.9)
        return
    # Per-bucket min..max of single readings: a lone extreme reading stays visible after resampling.
    band, series = frames.envelope, frames.series
    x = style.centred(frames, band)
    ax.fill_between(x, band[f"{column}_min"], band[f"{column}_max"], color="#bbbbbb", alpha=0.7, lw=0)
    style.line(ax, (series[column] / series["count"]).set_axis(x), color="#444444", lw=1.0)


def panel_anomalies(frames: SiteFrames, field: str) -> pd.DataFrame:
    """Anomalies on a field go on that field's panel; whole-reading ones (gaps...) go on both."""
    own = frames.anomalies["field"].isin([field])
    shared = ~frames.anomalies["field"].isin([GENERATED, CONSUMED])
    return frames.anomalies[own | shared]


def _normal(frames: SiteFrames, field: str) -> pd.Series:
    flagged = panel_anomalies(frames, field)["timestamp"]
    column = "generated" if field == GENERATED else "consumed"
    normal = frames.readings[column][~frames.readings.index.isin(flagged)]
    return normal if len(normal) else frames.readings[column]  # all anomalous: scale on what there is


def _position(row: pd.Series, values: pd.Series, limits: Limits) -> float:
    """An anomaly's own value when it is an energy value; else the reading's; else the axis floor."""
    if row["type"] not in {"gap", "counter_reset"} and np.isfinite(row["value"]):
        return float(row["value"])
    at = values.get(row["timestamp"])
    return float(at) if at is not None and np.isfinite(at) else limits.low


def _event_spans(ax: Axes, marks: pd.DataFrame) -> None:
    """An event of several readings is a shaded span from its start to its end in its type's colour;
    its marker stays at the start, where the reason and the worst value point."""
    runs = marks[marks["end"] > marks["timestamp"]]
    for _, event in runs.iterrows():
        _, colour = MARKERS.get(str(event["type"]), OTHER)
        ax.axvspan(event["timestamp"], event["end"], color=colour, alpha=0.18, lw=0, zorder=1)


def _markers(
    ax: Axes, marks: pd.DataFrame, values: pd.Series, limits: Limits
) -> list[tuple[pd.Timestamp, float]]:
    off_scale: list[tuple[pd.Timestamp, float]] = []
    for kind, group in marks.groupby("type", sort=True):
        marker, colour = MARKERS.get(str(kind), OTHER)
        ys = [_position(row, values, limits) for _, row in group.iterrows()]
        shown = [limits.clip(y) for y in ys]
        ax.scatter(
            group["timestamp"],
            shown,
            marker=marker,
            s=46,
            color=colour,
            edgecolor=style.BLACK,
            linewidths=0.6,
            zorder=5,
            clip_on=False,
        )
        off_scale += [(t, y) for t, y, s in zip(group["timestamp"], ys, shown, strict=True) if y != s]
    return off_scale


def _label_off_scale(
    ax: Axes, off_scale: list[tuple[pd.Timestamp, float]], limits: Limits, frames: SiteFrames
) -> None:
    ranked = sorted(off_scale, key=lambda item: -abs(item[1]))
    late = frames.start + (frames.end - frames.start) * 0.8
    for rank, (moment, value) in enumerate(sorted(ranked[:MAX_LABELS])):
        above = value > limits.high
        # Alternate heights so neighbouring labels do not print on top of each other.
        offset = (-14 - 11 * (rank % 2)) if above else (8 + 11 * (rank % 2))
        # Late in the range the label reads leftwards, so it stays inside the axes (the legend is beside).
        leftwards = moment > late
        ax.annotate(
            f"{kwh(value)} {'↑' if above else '↓'}",
            (moment, limits.clip(value)),
            fontsize=8,
            xytext=(-4 if leftwards else 4, offset),
            ha="right" if leftwards else "left",
            textcoords="offset points",
            color=style.BLACK,
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1},
        )
    if len(ranked) > MAX_LABELS:
        ax.text(
            0.01,
            0.95,
            f"{len(ranked)} values off scale; largest labelled",
            transform=ax.transAxes,
            va="top",
            fontsize=8,
            color="#444444",
        )


def _gap_spans(ax: Axes, frames: SiteFrames) -> None:
    for gap in frames.gaps:
        # Hatched, not filled, so "no data" never reads as the grey min-max band of real readings.
        ax.axvspan(gap.start, gap.end, facecolor="none", edgecolor="#c8c8c8", hatch="//", lw=0)


def _legend(fig: Figure, frames: SiteFrames) -> None:
    counts = frames.anomalies["type"].value_counts().sort_index()
    handles: list[Line2D | Patch] = [
        Line2D(
            [],
            [],
            ls="",
            marker=MARKERS.get(str(kind), OTHER)[0],
            markersize=8,
            markerfacecolor=MARKERS.get(str(kind), OTHER)[1],
            markeredgecolor=style.BLACK,
            label=f"{str(kind).replace('_', ' ')} ({count})",
        )
        for kind, count in counts.items()
    ]
    if frames.resolution.name != "reading":
        handles.append(Line2D([], [], color="#bbbbbb", lw=8, label=f"min–max per {frames.resolution.name}"))
        handles.append(Line2D([], [], color="#444444", lw=1.0, label=f"mean per {frames.resolution.name}"))
    if frames.gaps:
        handles.append(Patch(facecolor="none", edgecolor="#c8c8c8", hatch="//", label="no data"))
    if handles:
        # Top right, beside the titles; save keeps the axes clear of it.
        fig.legend(handles=handles, loc="upper right", title="Readings and anomalies", fontsize=9)
