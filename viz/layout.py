"""Places a site chart's parts from the sizes of their texts: constrained layout's result, a quarter cheaper.

Constrained layout asks every axes for its tight bounding box, twice, before the figure is drawn:
tick objects, tick labels and their extents, computed for the layout and again for the drawing. It was
~28% of drawing a site's four charts (serve, 10,000 readings a site). A site chart is always the same
shape, so it is placed here directly:

    title and subtitle (figure texts, TITLE/SUBTITLE)               | legend (a figure legend, top right)
    axes, stacked in one column and sharing x ...                   | or a colorbar beside the axes
    x tick labels, then the x label and the axis offset ("2024-Apr")   notes (NOTE) at the bottom right

The margins are measured from what will be drawn: the widest y tick label and the y label on the left,
the tick labels, label and offset text below, the legend's or the colorbar's width on the right. Only
the texts are measured (their extents are cached by matplotlib and reused when drawing).
"""

from __future__ import annotations

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text

TITLE, SUBTITLE, NOTE = "viz-title", "viz-subtitle", "viz-note"
PAD = 4 / 72  # inches around the figure's parts, like constrained layout's pads
TITLE_GAP = 12 / 72  # between the subtitle and the top of the axes
BAR_GAP, BAR_WIDTH = 0.16, 0.22  # inches: the colorbar beside the axes


def fit(fig: Figure) -> None:
    """Positions the axes, colorbars and the TITLE/SUBTITLE/NOTE texts of a figure drawn without a
    layout engine; legends are figure legends at the top right (`loc="upper right"`)."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg
    per_point, pad = fig.dpi / 72, PAD * fig.dpi
    width, height = fig.bbox.width, fig.bbox.height
    rows = [ax for ax in fig.axes if not hasattr(ax, "_colorbar")]
    bars = [ax for ax in fig.axes if hasattr(ax, "_colorbar")]
    texts = {text.get_gid(): text for text in fig.texts if text.get_gid()}

    top = pad
    for gid in (TITLE, SUBTITLE):
        if gid in texts:
            texts[gid].set_y(1 - top / height)
            top += _extent(texts[gid], renderer)[1] + pad
    if SUBTITLE in texts:
        top += TITLE_GAP * fig.dpi - pad

    # x tick labels are centred on their ticks: one at either edge reaches out by half its width.
    overhang = _overhang(rows[-1], renderer)
    left = pad + max(overhang, *(_beside(ax, renderer, per_point) for ax in rows))
    # On the right: a figure legend, or a colorbar and its labels, or the overhang.
    side = overhang
    for legend in fig.legends:
        side = max(side, _extent(legend, renderer)[0] + pad)
    for bar in bars:
        side = max(side, (BAR_GAP + BAR_WIDTH) * fig.dpi + _beside(bar, renderer, per_point))
    right = pad + side

    belows = [_below(ax, renderer, per_point) for ax in rows]
    bottom = pad + belows[-1]
    gaps = [below + 2 * pad for below in belows[:-1]]
    row_height = (height - top - bottom - sum(gaps)) / len(rows)
    y = height - top
    span = (width - left - right) / width
    for ax, gap in zip(rows, [*gaps, 0.0], strict=True):
        ax.set_position((left / width, (y - row_height) / height, span, row_height / height))
        y -= row_height + gap
    for bar in bars:  # beside the axes, as tall as they are
        x, bar_width = width - right + BAR_GAP * fig.dpi, BAR_WIDTH * fig.dpi
        bar.set_position((x / width, bottom / height, bar_width / width, (height - top - bottom) / height))

    if TITLE in texts:
        texts[TITLE].set_x(pad / width)
    if SUBTITLE in texts:
        texts[SUBTITLE].set_x(left / width)  # over the axes, where an axes title with loc="left" sits
    if NOTE in texts:
        texts[NOTE].set_position((1 - pad / width, pad / height))


def _extent(artist: Text | Legend, renderer: RendererBase) -> tuple[float, float]:
    box = artist.get_window_extent(renderer)
    return box.width, box.height


def _labels(axis: Axis) -> list[Text]:
    """The major tick labels that will be drawn: visible, with text, within the view (either side)."""
    locs = axis.get_majorticklocs()
    axis.get_majorticklabels()  # sets each tick's label texts from the formatter
    low, high = sorted(axis.get_view_interval())
    slack = (high - low) * 1e-9
    return [
        label
        for tick in axis.get_major_ticks(len(locs))
        if low - slack <= tick.get_loc() <= high + slack
        for label in (tick.label1, tick.label2)
        if label.get_visible() and label.get_text()
    ]


def _beside(ax: Axes, renderer: RendererBase, per_point: float) -> float:
    """Pixels a y axis takes beside its axes (left, or right for a colorbar): tick marks, the widest
    tick label, the label."""
    axis = ax.yaxis
    labels = _labels(axis)
    room = mpl.rcParams["ytick.major.size"] * per_point
    if labels:
        room += max(_extent(label, renderer)[0] for label in labels)
        room += mpl.rcParams["ytick.major.pad"] * per_point
    if axis.label.get_text():
        room += _extent(axis.label, renderer)[0] + axis.labelpad * per_point
    return room


def _below(ax: Axes, renderer: RendererBase, per_point: float) -> float:
    """Pixels the x axis takes under its axes: tick marks, tick labels, then its label or offset text."""
    axis = ax.xaxis
    room = mpl.rcParams["xtick.major.size"] * per_point
    labels = _labels(axis)
    if labels:
        room += max(_extent(label, renderer)[1] for label in labels)
        room += mpl.rcParams["xtick.major.pad"] * per_point
    under = 0.0
    if axis.label.get_text():
        under = _extent(axis.label, renderer)[1] + axis.labelpad * per_point
    offset = axis.get_offset_text()
    offset.set_text(axis.get_major_formatter().get_offset())  # what drawing will set
    if offset.get_visible() and offset.get_text():
        under = max(under, _extent(offset, renderer)[1] + axis.OFFSETTEXTPAD * per_point)
    return room + under


def _overhang(ax: Axes, renderer: RendererBase) -> float:
    """Half the widest x tick label: a label centred on a tick at the right edge reaches that far out."""
    return max((_extent(label, renderer)[0] / 2 for label in _labels(ax.xaxis)), default=0.0)
