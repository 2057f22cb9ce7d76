"""Site charts are placed by viz.layout, not constrained layout: nothing may be cut off or overlap."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from tests.viz import sample
from viz import figures, layout, style
from viz.frames import SiteData, SiteFrames, build
from viz.render import CHARTS


def _week() -> SiteFrames:
    week = sample.readings(96 * 7, skip=(range(300, 420),))
    marks = [
        sample.anomaly(sample.with_value(week, 40, "energy_consumed_kwh", 1_000_000.0), "spike"),
        sample.anomaly(sample.with_value(week, len(week) - 2, "energy_consumed_kwh", -88_000.0), "negative_value"),
        sample.anomaly(week[200], "flatline", "energy_generated_kwh"),
    ]
    return build(SiteData("a-site-with-a-long-name:" + "x" * 40, sample.START, sample.START + timedelta(days=7), week, marks))


def _year() -> SiteFrames:
    items = sample.readings(96 * 200, step=timedelta(minutes=15), solar=900.0, seed=3)
    return build(SiteData("big", sample.START, sample.START + timedelta(days=200), items))


def _empty() -> SiteFrames:
    return build(SiteData("empty", sample.START, sample.START + timedelta(days=1), []))


def _drawn(chart: str, frames: SiteFrames, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Figure:
    kept: list[Figure] = []
    figures.clear()  # a new figure, not one a test before this one drew in
    monkeypatch.setattr(figures, "give_back", kept.append)  # keep the saved figure as it is, to measure it
    CHARTS[chart](frames, tmp_path / chart)
    monkeypatch.undo()
    [fig] = kept
    return fig


def _overlap(a: Bbox, b: Bbox, slack: float = 1.0) -> bool:
    return a.x0 < b.x1 - slack and b.x0 < a.x1 - slack and a.y0 < b.y1 - slack and b.y0 < a.y1 - slack


@pytest.mark.parametrize("chart", list(CHARTS))
@pytest.mark.parametrize("frames", [_week, _year, _empty], ids=["week", "200-days", "empty"])
def test_every_part_of_a_chart_is_inside_the_figure_and_clear_of_the_others(
    chart: str, frames: Callable[[], SiteFrames], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fig = _drawn(chart, frames(), monkeypatch, tmp_path)
    try:
        assert fig.get_layout_engine() is None  # placed by viz.layout
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        inside = fig.bbox.padded(1.0)
        axes = [ax.get_tightbbox(renderer) for ax in fig.axes]
        texts = {text.get_gid(): text.get_window_extent(renderer) for text in fig.texts if text.get_gid()}
        legends = [legend.get_window_extent(renderer) for legend in fig.legends]
        for box in [*axes, *texts.values(), *legends]:
            assert inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1), box
        for i, box in enumerate(axes):  # stacked panels and a colorbar: each in its own space
            assert not any(_overlap(box, other) for other in axes[i + 1 :])
        for box in [*texts.values(), *legends]:
            assert not any(_overlap(box, ax.bbox) for ax in fig.axes), box
        assert {layout.TITLE, layout.SUBTITLE} <= set(texts)
        assert not _overlap(texts[layout.TITLE], texts[layout.SUBTITLE])
    finally:
        figures.forget(fig)


def test_the_subtitle_starts_where_the_axes_do() -> None:
    fig, (ax,) = style.figure()
    frames = _empty()
    style.title(fig, frames, "what")
    ax.set_ylabel("a label\non two lines")
    layout.fit(fig)
    [subtitle] = [text for text in fig.texts if text.get_gid() == layout.SUBTITLE]
    assert subtitle.get_position()[0] == pytest.approx(ax.get_position().x0)
    figures.forget(fig)
