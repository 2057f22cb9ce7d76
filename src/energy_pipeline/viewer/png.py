"""Draws the same scene with matplotlib (installed for the charts) for a PNG that any image viewer opens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from energy_pipeline.viewer.scene import Curve, Scene, Shape, Text
from energy_pipeline.viewer.svg import hexagon

DPI = 100.0
_POINTS_PER_PIXEL = 72.0 / DPI  # scene sizes are pixels; matplotlib fonts and lines are points
_ALIGN = {"start": "left", "middle": "center", "end": "right"}


def _patch(shape: Shape) -> object:
    from matplotlib import patches

    style: dict[str, Any] = {
        "facecolor": shape.fill,
        "edgecolor": shape.stroke,
        "linewidth": shape.stroke_width * _POINTS_PER_PIXEL,
        "linestyle": (0, (5, 3)) if shape.dashed else "solid",
    }
    if shape.kind in ("hexagon", "polygon"):
        points = hexagon(shape) if shape.kind == "hexagon" else shape.points
        return patches.Polygon(points, closed=True, **style)
    radius = shape.h / 2 if shape.kind == "pill" else 6
    box = f"round,pad=0,rounding_size={radius}"
    return patches.FancyBboxPatch((shape.x, shape.y), shape.w, shape.h, boxstyle=box, **style)


def _curve(curve: Curve) -> object:
    from matplotlib import patches
    from matplotlib.path import Path as MplPath

    vertices, codes = [curve.segments[0][0]], [MplPath.MOVETO]
    for _, first, second, end in curve.segments:
        vertices += [first, second, end]
        codes += [MplPath.CURVE4] * 3
    return patches.PathPatch(
        MplPath(vertices, codes),
        fill=False,
        edgecolor=curve.color,
        linewidth=curve.width * _POINTS_PER_PIXEL,
        linestyle=(0, (6, 4)) if curve.dashed else "solid",
    )


def write(scene: Scene, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display here or in CI
    from matplotlib import pyplot as plt

    scale = 1.5  # sharper text at the same layout
    figure = plt.figure(figsize=(scene.width / DPI, scene.height / DPI), dpi=DPI * scale)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, scene.width)
    axes.set_ylim(scene.height, 0)  # the scene's y grows downwards, like SVG
    axes.axis("off")
    for item in scene.shapes:
        if isinstance(item, Text):
            axes.text(
                item.x,
                item.y,
                item.text,
                fontsize=item.size * _POINTS_PER_PIXEL,
                color=item.color,
                fontweight="bold" if item.bold else "normal",
                ha=_ALIGN[item.anchor],
                va="baseline",
            )
        else:
            axes.add_patch(_patch(item) if isinstance(item, Shape) else _curve(item))  # type: ignore[arg-type]
    figure.savefig(path, facecolor="white")
    plt.close(figure)
