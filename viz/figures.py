"""Site figures kept between sites in a process and wiped for the next site, instead of built anew.

A site's four charts are always the same four shapes, and building a figure's axes, spines and ticks
was ~30% of drawing a line chart (10,000 readings a site, daily buckets): each new axes makes its tick
objects, and each new canvas its renderer, so no text extent measured for one site was reused for the
next. A figure given back after it was saved has everything the chart added removed, and every
setting a chart changes put back to what a new figure has (`wipe`); tests/viz draws sites one after
another in kept figures and compares the files, byte for byte, with the same sites drawn in new ones.

Only figures without a layout engine are kept (the site charts; the fleet chart, drawn once a batch
with constrained layout, is not). Figures are plain `Figure`s on an Agg canvas, never registered with
pyplot, so nothing global holds them but this module's few.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Literal
from weakref import WeakKeyDictionary

import matplotlib as mpl
import matplotlib.ticker as mticker
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

Layout = Literal["constrained", "compressed", "tight"]
Shape = tuple[int, tuple[float, float]]  # panels stacked in one column, figure size in inches

MAX_KEPT = 8  # shapes: a heatmap's height follows its days, so a batch of mixed ranges has a few
_kept: OrderedDict[Shape, Figure] = OrderedDict()
# The shape of each keepable figure this module made; weak, so a figure a failed chart never gave
# back is simply collected.
_shapes: WeakKeyDictionary[Figure, Shape] = WeakKeyDictionary()


def take(rows: int, size: tuple[float, float], dpi: float) -> tuple[Figure, list[Axes]]:
    """A figure of `rows` panels stacked in one column and sharing x: a kept one, or a new one."""
    shape = (rows, size)
    if shape in _kept:
        fig = _kept.pop(shape)
        return fig, fig.axes[:rows]
    return new(rows, size, dpi)


def new(
    rows: int, size: tuple[float, float], dpi: float, layout: Layout | None = None
) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=size, dpi=dpi, facecolor="white", layout=layout)
    FigureCanvasAgg(fig)
    axes = list(fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0])
    if layout is None:
        _shapes[fig] = (rows, size)
    return fig, axes


def give_back(fig: Figure) -> None:
    """Done with `fig` (it was saved): kept, wiped, for the next chart of its shape, or dropped."""
    shape = _shapes.get(fig)
    if shape is None or shape in _kept:  # a figure with a layout engine, or one of a shape already kept
        forget(fig)
        return
    wipe(fig, fig.axes[: shape[0]])  # its panels come first; a colorbar's axes were added after them
    _kept[shape] = fig
    while len(_kept) > MAX_KEPT:
        forget(_kept.popitem(last=False)[1])


def forget(fig: Figure) -> None:
    _shapes.pop(fig, None)
    fig.clear()  # breaks the figure's reference cycles now rather than at the next full collection


def clear() -> None:
    """Drop every kept figure: the next chart of each shape is drawn in a new one."""
    while _kept:
        forget(_kept.popitem()[1])


def wipe(fig: Figure, panels: list[Axes]) -> None:
    """Removes what a chart added to `fig` and puts back each setting the charts change, so the figure
    draws the next chart exactly as a new one would (tests/viz holds this, pixel for pixel)."""
    for legend in list(fig.legends):
        legend.remove()
    for text in list(fig.texts):
        text.remove()
    for extra in [ax for ax in fig.axes if ax not in panels]:  # a colorbar's axes
        extra.remove()
    for ax in panels:
        for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images, *ax.artists]:
            artist.remove()
        if ax.legend_ is not None:
            ax.legend_.remove()
        ax.containers.clear()
        ax.set_prop_cycle(None)  # a colour not given explicitly starts again at the first one
        for axis in (ax.xaxis, ax.yaxis):
            _default_ticks(axis)
            axis.set_label_text("")
        # `grid(False)` is sticky in matplotlib until the axes is cleared: put back what a new axes
        # does, in the order it does it.
        ax.grid(False)
        rc = mpl.rcParams
        ax.grid(rc["axes.grid"], which=rc["axes.grid.which"], axis=rc["axes.grid.axis"])
        # No data yet, limits (0, 1) and autoscaling on, as a new axes has them; an inverted axis
        # (the heatmap's days run downwards) is turned back.
        ax.dataLim.set(Bbox.null())
        ax.ignore_existing_data_limits = True
        ax.set_xlim(0.0, 1.0, auto=True)
        ax.set_ylim(0.0, 1.0, auto=True)
        ax.set_aspect("auto")
        # Where a new figure's subplot starts: viz.layout measures the tick labels before it places the
        # axes, and how many ticks a locator picks depends on the axes' size.
        spec = ax.get_subplotspec()
        if spec is not None:
            ax.set_position(spec.get_position(fig))


def _default_ticks(axis: mpl.axis.Axis) -> None:
    axis.set_major_locator(mticker.AutoLocator())
    axis.set_major_formatter(mticker.ScalarFormatter())
    axis.set_minor_locator(mticker.NullLocator())
    axis.set_minor_formatter(mticker.NullFormatter())
    # As on a new axes: a unit converter (dates) may still replace them with its own defaults.
    axis.isDefault_majloc = axis.isDefault_majfmt = True
    axis.isDefault_minloc = axis.isDefault_minfmt = True
