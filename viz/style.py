"""One look for every chart: Okabe-Ito colours, UTC date axes, titles with site and range, 150 dpi.

Figures are drawn on Agg canvases of their own (viz.figures), never through pyplot, so batch runs
never need a display.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from viz import figures, layout
from viz.frames import SiteFrames
from viz.png import write_rgb_png

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
ORANGE, SKY, GREEN, YELLOW = "#E69F00", "#56B4E9", "#009E73", "#F0E442"
BLUE, VERMILLION, PURPLE, BLACK, GREY = "#0072B2", "#D55E00", "#CC79A7", "#000000", "#7F7F7F"
GENERATED_COLOUR, CONSUMED_COLOUR = ORANGE, BLUE
SURPLUS_COLOUR, DEFICIT_COLOUR = GREEN, VERMILLION
DPI = 150
WIDE = (11.0, 4.8)  # 1650 x 720 px: one chart per row in the gallery and on an A4 page

matplotlib.rcParams.update(
    {
        "timezone": "UTC",  # tz-aware data is drawn and labelled in UTC, never the host's zone
        "font.size": 10,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "image.cmap": "viridis",
    }
)


def figure(
    rows: int = 1, size: tuple[float, float] = WIDE, layout: figures.Layout | None = None
) -> tuple[Figure, list[Axes]]:
    """Axes stacked in one column, sharing x. Without a `layout` engine `save` places them (viz.layout):
    a site chart's shape is fixed, and constrained layout was ~28% of its drawing time; such a figure
    is one kept from an earlier chart of the same shape when there is one (viz.figures)."""
    if layout is None:
        return figures.take(rows, size, DPI)
    return figures.new(rows, size, DPI, layout)


def title(fig: Figure, frames: SiteFrames, what: str) -> None:
    """The chart's title and, under it over the axes, the site's range, readings and coverage."""
    # A long site id is shortened to what the figure's width holds (~8 bold 13-pt characters an inch);
    # the gallery names the site in full.
    room = int(fig.get_figwidth() * 8) - len(what) - 3
    head = f"{short(frames.site_id, max(20, min(60, room)))} — {what}"
    fig.text(0, 1, head, fontsize=13, fontweight="bold", ha="left", va="top", gid=layout.TITLE)
    fig.text(0, 1, subtitle(frames), fontsize=9, color="#444444", ha="left", va="top", gid=layout.SUBTITLE)


def note(fig: Figure, text: str) -> None:
    """A small remark in the bottom right corner (e.g. what grey means on a heatmap)."""
    fig.text(1, 0, text, fontsize=8, color="#555555", ha="right", va="bottom", gid=layout.NOTE)


def subtitle(frames: SiteFrames) -> str:
    span = f"{stamp(frames.start)} to {stamp(frames.end)} UTC"
    return f"{span} · {len(frames.readings):,} readings · {frames.coverage:.0%} coverage"


def stamp(moment: pd.Timestamp) -> str:
    return (
        moment.strftime("%Y-%m-%d %H:%M") if (moment.hour or moment.minute) else moment.strftime("%Y-%m-%d")
    )


def short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class DateTicks(mdates.AutoDateLocator):
    """`AutoDateLocator` that answers from its last answer while the view has not changed.

    Matplotlib asks an axis for its ticks ~9 times to lay out and draw one chart (viz.layout's
    measures, the tick update of each draw, the axis label's placement, shared axes), and a date
    locator works them out each time with dateutil's rrule: ~1.5 ms a call, ~10% of drawing a
    site's charts. The ticks depend only on the view interval (the range and tick counts are fixed
    per locator), so the same view gets the same ticks without the work.
    """

    _last: tuple[tuple[float, float], np.ndarray] | None = None

    def __call__(self) -> np.ndarray:  # type: ignore[override]  # the stub says Sequence; locators give arrays
        view = self.axis.get_view_interval() if self.axis is not None else (0.0, 0.0)
        key = (float(view[0]), float(view[1]))
        if self._last is None or self._last[0] != key:
            self._last = (key, np.asarray(super().__call__()))
        return self._last[1].copy()  # a caller may change its copy; the next one gets the same ticks


def time_axis(ax: Axes, frames: SiteFrames) -> None:
    # Concise labels ("Mar", "12", "06:00") stay readable from an hour to several years.
    locator = DateTicks(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    # A margin keeps the first and last points off the spines (a single reading would hide in one).
    margin = max((frames.end - frames.start) * 0.01, frames.interval / 2)
    ax.set_xlim(frames.start - margin, frames.end + margin)
    ax.set_xlabel("Time (UTC)")


def line(ax: Axes, series: pd.Series, **style: object) -> None:
    """A line that breaks at NaN, with a dot for each point that has no neighbour to join."""
    values = series.to_numpy(dtype=float)
    ax.plot(series.index, values, **style)  # type: ignore[arg-type]
    alone = ~np.isnan(values) & _isolated(values)
    if alone.any():
        kept = {key: style[key] for key in ("color", "zorder") if key in style}
        ax.scatter(series.index[alone], values[alone], s=22, **kept)  # type: ignore[arg-type]


def _isolated(values: np.ndarray) -> np.ndarray:
    missing = np.isnan(values)
    before = np.concatenate([[True], missing[:-1]])
    after = np.concatenate([missing[1:], [True]])
    return before & after


def no_data(ax: Axes, message: str = "No readings in this range") -> None:
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", fontsize=14, color=GREY)
    ax.set_yticks([])


def centred(frames: SiteFrames, frame: pd.DataFrame) -> pd.DatetimeIndex:
    """Bucket sums are drawn at the bucket's middle, so a daily total sits over its day."""
    if frames.resolution.name == "reading":
        return pd.DatetimeIndex(frame.index)
    return pd.DatetimeIndex(frame.index) + frames.resolution.step / 2


def save(fig: Figure, path: Path) -> Path:
    """The figure as a PNG, drawn in one pass and written as RGB; then the figure is given back to
    be wiped and kept for the next chart of its shape (viz.figures).

    `savefig` draws a figure with a layout engine twice (once, not rendered, to lay it out, then for
    real); drawing the canvas lays out and renders in the same pass: the same pixels, at the figure's
    DPI on its white face. The face is opaque, so the alpha channel carries nothing (viz.png).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if fig.get_layout_engine() is None:
        layout.fit(fig)
    canvas = fig.canvas
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    write_rgb_png(path, canvas.buffer_rgba(), width, height, DPI)  # type: ignore[attr-defined]  # Agg
    figures.give_back(fig)
    return path
