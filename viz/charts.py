"""The per-site charts that need no special handling: energy trends, net energy, load profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from viz import style
from viz.frames import SiteFrames
from viz.scale import mark_off_scale, off_scale_text, plain_numbers, robust_limits


def energy_trends(frames: SiteFrames, path: Path) -> Path:
    fig, (ax,) = style.figure()
    style.title(fig, frames, "energy generated vs consumed")
    series = frames.series.set_axis(style.centred(frames, frames.series))
    if series["count"].notna().any():
        pairs = [
            ("generated", style.GENERATED_COLOUR, "Generated"),
            ("consumed", style.CONSUMED_COLOUR, "Consumed"),
        ]
        for column, colour, label in pairs:
            style.line(ax, series[column], color=colour, lw=1.4, label=label)
        ax.axhline(0, color=style.BLACK, lw=0.6)
        _note(ax, _clip(ax, frames, series, dict(pairs[i][:2] for i in range(2))))
        ax.legend(loc="upper left", ncols=2)
        ax.set_ylabel(frames.resolution.label)
    else:
        style.no_data(ax)
    style.time_axis(ax, frames)
    return style.save(fig, path)


def net_energy(frames: SiteFrames, path: Path) -> Path:
    fig, (ax,) = style.figure()
    style.title(fig, frames, "net energy (generated − consumed)")
    series = frames.series.set_axis(style.centred(frames, frames.series))
    if series["net"].notna().any():
        values = series["net"].to_numpy(dtype=float)
        surplus: dict[str, Any] = {"color": style.SURPLUS_COLOUR, "label": "Surplus (generated > consumed)"}
        deficit: dict[str, Any] = {
            "color": style.DEFICIT_COLOUR, "label": "Deficit (consumed > generated)", "hatch": "////"
        }
        # interpolate=True ends each fill where the line crosses zero, not at the nearest sample.
        ax.fill_between(series.index, values, 0, where=values >= 0, interpolate=True, alpha=0.6, **surplus)
        ax.fill_between(series.index, values, 0, where=values < 0, interpolate=True, alpha=0.45, **deficit)
        style.line(ax, series["net"], color=style.BLACK, lw=0.7)
        ax.axhline(0, color=style.BLACK, lw=0.8)
        off_scale = _clip(ax, frames, series, {"net": style.BLACK})
        ax.set_ylabel(f"Net {frames.resolution.label}")
        ax.legend(loc="upper left", ncols=2)
        _note(ax, "\n".join(filter(None, [_net_totals(frames.readings["net"]), off_scale])))
    else:
        style.no_data(ax)
    style.time_axis(ax, frames)
    return style.save(fig, path)


def _clip(ax: Axes, frames: SiteFrames, series: pd.DataFrame, colours: dict[str, str]) -> str:
    """Y limits from the buckets without anomalies; anything beyond is marked at the edge."""
    values = pd.concat([series[column] for column in colours])
    normal = pd.concat([series[column][frames.normal().to_numpy()] for column in colours])
    limits = robust_limits(values, normal)
    ax.set_ylim(limits.low, limits.high)
    plain_numbers(ax)
    count = sum(mark_off_scale(ax, series[column], limits, colour) for column, colour in colours.items())
    beyond = limits.outside(values.dropna())
    extremes = beyond.to_numpy(dtype=float)
    return off_scale_text(count, float(extremes[np.argmax(np.abs(extremes))]) if count else 0.0)


def _net_totals(net: pd.Series) -> str:
    surplus, deficit = net[net > 0].sum(), net[net < 0].sum()
    return f"surplus {surplus:,.1f} kWh · deficit {-deficit:,.1f} kWh · net {net.sum():+,.1f} kWh"


def _note(ax: Axes, text: str) -> None:
    # Top right sits in the headroom robust_limits leaves, away from the data and the date labels.
    if text:
        box = {"facecolor": "white", "alpha": 0.85, "edgecolor": "#cccccc"}
        ax.text(0.99, 0.98, text, transform=ax.transAxes, ha="right", va="top", fontsize=8.5, bbox=box)


def load_profile(frames: SiteFrames, path: Path) -> Path:
    days = len(frames.load)
    height = min(9.0, max(3.6, 2.4 + days * 0.05))  # a year gets a taller page, a day stays compact
    fig, (ax,) = style.figure(size=(9.0, height))
    style.title(fig, frames, "load profile (energy consumed per hour)")
    load = frames.load.to_numpy(dtype=float)
    if np.isfinite(load).any():
        _heatmap(fig, ax, frames.load)
    else:
        style.no_data(ax)
    ax.set_xlabel("Hour of day (UTC)")
    return style.save(fig, path)


def _heatmap(fig: Figure, ax: Axes, load: pd.DataFrame) -> None:
    values = np.ma.masked_invalid(load.to_numpy(dtype=float))
    # A spike would wash every other cell out to one colour; the top 1% saturate instead (arrow on bar).
    cells = values.filled(np.nan)
    top, low = float(np.nanpercentile(cells, 99)), min(0.0, float(np.nanpercentile(cells, 1)))
    top = top if top > low else low + 1.0
    # Rows are centred on their date's tick, so a label names the row beside it, not a boundary.
    first, last = mdates.date2num(load.index[0]) - 0.5, mdates.date2num(load.index[-1]) + 0.5
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="#dddddd")
    image = ax.imshow(
        values,
        aspect="auto",
        cmap=cmap,
        vmin=low,
        vmax=top,
        interpolation="nearest",
        extent=(0, 24, last, first),
        origin="upper",
    )
    extend = {(False, False): "neither", (True, False): "min", (False, True): "max", (True, True): "both"}[
        (float(values.min()) < low, float(values.max()) > top)
    ]
    bar = fig.colorbar(image, cax=fig.add_axes((0.9, 0.1, 0.02, 0.8)), extend=extend)  # placed by save
    # Two short lines: a heatmap of a few days is short, and one long label ran off the figure.
    bar.set_label("kWh per hour\n(arrow: beyond the scale)" if extend != "neither" else "kWh per hour")
    bar.formatter = mticker.StrMethodFormatter("{x:,.6g}")
    ax.set_xticks(range(0, 25, 3))
    ax.grid(False)
    ax.yaxis_date()
    locator = style.DateTicks(minticks=3, maxticks=12)
    ax.yaxis.set_major_locator(locator)
    ax.yaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.set_ylabel("Day (UTC)")
    if values.mask.any():
        style.note(fig, "grey: no data")
