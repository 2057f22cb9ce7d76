"""Y limits that survive outliers: one absurd reading must not flatten a month into a line at zero.

Limits come from the 0.5-99.5 % range of normal values, widened to include zero and anything
within one more such range; whatever lies beyond is drawn at the axis edge and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes


@dataclass(frozen=True)
class Limits:
    low: float
    high: float

    def clip(self, value: float) -> float:
        return min(max(value, self.low), self.high)

    def outside(self, values: pd.Series) -> pd.Series:
        return values[(values < self.low) | (values > self.high)]


def robust_limits(values: pd.Series, normal: pd.Series | None = None) -> Limits:
    values = values.dropna()
    normal = values if normal is None or not normal.notna().any() else normal.dropna()
    if not len(normal):
        return Limits(-0.1, 1.0)
    low, high = float(normal.quantile(0.005)), float(normal.quantile(0.995))
    span = max(high - low, abs(high) * 0.1, 0.1)
    near = values[(values >= low - span) & (values <= high + span)]
    if len(near):
        low, high = min(low, float(near.min())), max(high, float(near.max()))
    low, high = min(low, 0.0), max(high, 0.0)
    high = high if high > low else low + 1.0  # a flat series still needs a visible axis
    pad = (high - low) * 0.08
    return Limits(low - pad, high + pad * 2.5)  # headroom at the top for the legend and labels


def mark_off_scale(ax: Axes, series: pd.Series, limits: Limits, colour: str) -> int:
    """Edge triangles for values beyond the axis, pointing the way they went; returns how many."""
    beyond = limits.outside(series.dropna())
    for points, marker, edge in (
        (beyond[beyond > limits.high], "^", limits.high),
        (beyond[beyond < limits.low], "v", limits.low),
    ):
        if len(points):
            ax.scatter(
                points.index,
                np.full(len(points), edge),
                marker=marker,
                s=40,
                color=colour,
                edgecolor="black",
                linewidths=0.5,
                clip_on=False,
                zorder=6,
            )
    return len(beyond)


def off_scale_text(count: int, largest: float) -> str:
    if not count:
        return ""
    return f"{count} value{'s' if count > 1 else ''} beyond the axis (largest {kwh(largest)}), marked ▲▼"


def kwh(value: float) -> str:
    """'1,000,000 kWh', '4.2 kWh', '0.0031 kWh': never scientific notation on a chart."""
    return f"{value:,.0f} kWh" if abs(value) >= 100 else f"{value:,.4g} kWh"


def plain_numbers(ax: Axes) -> None:
    # '1e6' offset text above the axis is easy to miss; write the numbers out.
    ax.yaxis.set_major_formatter("{x:,.6g}")
