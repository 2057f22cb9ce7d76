"""The per-site charts that need no special handling: energy trends, net energy, load profile."""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from viz import style
from viz.frames import SiteFrames


def energy_trends(frames: SiteFrames, path: Path) -> Path:
    fig, (ax,) = style.figure()
    style.title(fig, ax, frames, "energy generated vs consumed")
    series = frames.series
    if series["count"].notna().any():
        x = style.centred(frames, series)
        style.line(
            ax, series["generated"].set_axis(x), color=style.GENERATED_COLOUR, lw=1.4, label="Generated"
        )
        style.line(ax, series["consumed"].set_axis(x), color=style.CONSUMED_COLOUR, lw=1.4, label="Consumed")
        ax.legend(loc="upper left", ncols=2)
        ax.set_ylabel(frames.resolution.label)
        ax.axhline(0, color=style.BLACK, lw=0.6)
    else:
        style.no_data(ax)
    style.time_axis(ax, frames)
    return style.save(fig, path)


def net_energy(frames: SiteFrames, path: Path) -> Path:
    fig, (ax,) = style.figure()
    style.title(fig, ax, frames, "net energy (generated − consumed)")
    net = frames.series["net"]
    if net.notna().any():
        x = style.centred(frames, frames.series)
        values = net.to_numpy(dtype=float)
        # interpolate=True closes each fill where the line crosses zero instead of at the nearest point.
        ax.fill_between(
            x,
            values,
            0,
            where=values >= 0,
            interpolate=True,
            color=style.SURPLUS_COLOUR,
            alpha=0.55,
            label="Surplus (exported)",
        )
        ax.fill_between(
            x,
            values,
            0,
            where=values < 0,
            interpolate=True,
            color=style.DEFICIT_COLOUR,
            alpha=0.55,
            label="Deficit (imported)",
            hatch="///",
            edgecolor=style.DEFICIT_COLOUR,
        )
        style.line(ax, net.set_axis(x), color=style.BLACK, lw=0.7)
        ax.axhline(0, color=style.BLACK, lw=0.8)
        ax.set_ylabel(f"Net {frames.resolution.label}")
        ax.legend(loc="upper left", ncols=2)
        _net_totals(ax, frames.readings["net"])
    else:
        style.no_data(ax)
    style.time_axis(ax, frames)
    return style.save(fig, path)


def _net_totals(ax: object, net: pd.Series) -> None:
    surplus, deficit = net[net > 0].sum(), net[net < 0].sum()
    text = f"surplus {surplus:,.1f} kWh · deficit {-deficit:,.1f} kWh · net {net.sum():+,.1f} kWh"
    ax.text(
        0.99,
        0.98,
        text,
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=9,  # type: ignore[attr-defined]
        bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "#cccccc"},
    )


def load_profile(frames: SiteFrames, path: Path) -> Path:
    days = len(frames.load)
    height = min(9.0, max(3.6, 2.4 + days * 0.05))  # a year gets a taller page, a day stays compact
    fig, (ax,) = style.figure(size=(9.0, height))
    style.title(fig, ax, frames, "load profile (energy consumed per hour)")
    load = frames.load.to_numpy(dtype=float)
    if np.isfinite(load).any():
        _heatmap(fig, ax, frames.load)
    else:
        style.no_data(ax)
    ax.set_xlabel("Hour of day (UTC)")
    return style.save(fig, path)


def _heatmap(fig: object, ax: object, load: pd.DataFrame) -> None:
    values = np.ma.masked_invalid(load.to_numpy(dtype=float))
    # A spike would wash every other cell out to one colour; the top 1% saturate instead (arrow on bar).
    top = float(np.nanpercentile(values.filled(np.nan), 99))
    low = min(0.0, float(values.min()))
    top = top if top > low else low + 1.0
    first, last = mdates.date2num(load.index[0]), mdates.date2num(load.index[-1] + pd.Timedelta(days=1))
    cmap = style.plt.get_cmap("viridis").with_extremes(bad="#dddddd")
    image = ax.imshow(
        values,
        aspect="auto",
        cmap=cmap,
        vmin=low,
        vmax=top,
        interpolation="nearest",  # type: ignore[attr-defined]
        extent=(0, 24, last, first),
        origin="upper",
    )
    extend = "max" if float(values.max()) > top else "neither"
    bar = fig.colorbar(image, ax=ax, extend=extend, pad=0.02)  # type: ignore[attr-defined]
    bar.set_label("kWh consumed in the hour")
    ax.set_xticks(range(0, 25, 3))  # type: ignore[attr-defined]
    ax.grid(False)  # type: ignore[attr-defined]
    ax.yaxis_date()  # type: ignore[attr-defined]
    locator = mdates.AutoDateLocator(minticks=3, maxticks=12)
    ax.yaxis.set_major_locator(locator)  # type: ignore[attr-defined]
    ax.yaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))  # type: ignore[attr-defined]
    ax.set_ylabel("Day (UTC)")  # type: ignore[attr-defined]
    if values.mask.any():
        ax.text(1.0, -0.12, "grey: no data", transform=ax.transAxes, ha="right", fontsize=8, color="#555555")  # type: ignore[attr-defined]
