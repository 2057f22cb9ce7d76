"""A site chart drawn in a kept figure (viz.figures) is the file a new figure gives, byte for byte."""

from __future__ import annotations

import io
import zlib
from datetime import timedelta
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pytest
from PIL import Image

from tests.viz import sample
from viz import figures, png, style
from viz.frames import SiteData, SiteFrames, build
from viz.render import CHARTS


def _sites() -> dict[str, SiteFrames]:
    week = sample.readings(96 * 7, skip=(range(300, 420),))
    marks = [
        sample.anomaly(sample.with_value(week, 40, "energy_consumed_kwh", 1_000_000.0), "spike"),
        sample.anomaly(sample.with_value(week, 90, "energy_generated_kwh", -2.5), "negative_value", "energy_generated_kwh"),
        dict(sample.anomaly(week[200], "flatline"), end=week[230]["timestamp"]),
    ]
    start = sample.START
    return {
        "week": build(SiteData("week", start, start + timedelta(days=7), week, marks)),
        "empty": build(SiteData("empty", start, start + timedelta(days=1), [])),
        "200-days": build(SiteData("200-days", start, start + timedelta(days=200), sample.readings(96 * 200, seed=3))),
        "single": build(SiteData("single", start, start + timedelta(minutes=15), sample.readings(1))),
        "night": build(SiteData("night", start, start + timedelta(days=3), sample.readings(96 * 3, solar=0.0, seed=2))),
    }


def _draw(frames: SiteFrames, folder: Path) -> dict[str, bytes]:
    return {name: draw(frames, folder / name).read_bytes() for name, draw in CHARTS.items()}


def test_charts_drawn_in_kept_figures_are_the_files_new_figures_give(tmp_path: Path) -> None:
    sites = _sites()
    new: dict[str, dict[str, bytes]] = {}
    for name, frames in sites.items():
        figures.clear()
        new[name] = _draw(frames, tmp_path / "new" / name)
    figures.clear()
    # Each kind of site after each other kind: data after no data, a gap and events after none,
    # daily after per-reading buckets, an inverted heatmap axis after an empty one.
    order = ["week", "empty", "week", "200-days", "single", "night", "week", "single", "empty", "200-days", "week"]
    for n, name in enumerate(order):
        kept = _draw(sites[name], tmp_path / "kept" / f"{n}-{name}")
        for chart, content in kept.items():
            assert content == new[name][chart], f"{chart} of {name} after {order[:n]} differs from a new figure's"
    assert figures._kept  # the kept figures were used (the shapes drawn are all kept)


def test_a_kept_figure_has_nothing_left_of_the_chart_before() -> None:
    figures.clear()
    frames = _sites()["week"]
    CHARTS["anomalies.png"](frames, Path("/dev/null"))
    fig = figures._kept[(2, (11.0, 6.4))]
    assert not fig.texts and not fig.legends and len(fig.axes) == 2
    for ax in fig.axes:
        assert not (ax.lines or ax.collections or ax.patches or ax.texts or ax.images or ax.get_legend())
        assert ax.get_xlim() == (0.0, 1.0) and ax.get_ylim() == (0.0, 1.0) and ax.get_ylabel() == ""


@pytest.mark.parametrize("size", [(1, 1), (3, 2), (1650, 720), (7, 300)])
def test_the_png_writer_keeps_every_pixel_and_the_dpi(tmp_path: Path, size: tuple[int, int]) -> None:
    width, height = size
    rng = np.random.default_rng(5)
    rgba = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    rgba[: height // 2, : width // 2, :3] = 255  # flat regions too, as a chart has
    path = tmp_path / "x.png"
    png.write_rgb_png(path, rgba.tobytes(), width, height, 150)
    with Image.open(path) as image:
        assert image.mode == "RGB" and image.size == (width, height)
        assert image.info["dpi"] == pytest.approx((150, 150), abs=0.05)  # 5906 px/m, as Pillow writes it
        assert np.array_equal(np.asarray(image), rgba[:, :, :3])


def test_a_chart_png_is_about_the_size_pillow_writes(tmp_path: Path) -> None:
    # One filter for every row instead of Pillow's choice per row: the file must not grow much.
    figures.clear()
    path = CHARTS["energy-trends.png"](_sites()["week"], tmp_path / "t.png")
    with Image.open(path) as image:
        pillow = io.BytesIO()
        image.save(pillow, format="png", compress_level=3)
    assert path.stat().st_size < 1.15 * len(pillow.getvalue())
    raw = zlib.decompress(_idat(path.read_bytes()))
    assert raw[0] == png.FILTER_UP


def _idat(data: bytes) -> bytes:
    at, found = 8, b""
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        if data[at + 4 : at + 8] == b"IDAT":
            found += data[at + 8 : at + 8 + length]
        at += 12 + length
    return found


@pytest.mark.parametrize("days", [0.05, 1, 7, 60, 104, 400, 3000])
def test_date_ticks_are_the_auto_date_locators_and_follow_the_view(days: float) -> None:
    fig, (ax,) = style.figure()
    ticks = style.DateTicks(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(ticks)
    start = mdates.date2num(sample.START)
    reference = mdates.AutoDateLocator(minticks=4, maxticks=10)
    reference.set_axis(ax.xaxis)
    for view in [(start, start + days), (start, start + days), (start + days, start + 3 * days)]:
        ax.set_xlim(*view)
        assert list(ticks()) == list(reference())
        ticks()[:] = 0  # a caller changing its copy changes nothing for the next one
    figures.forget(fig)
