"""Turns a laid-out graph and one run into drawing primitives that both the SVG and the PNG writers draw."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from energy_pipeline.viewer.graph import END, START, State
from energy_pipeline.viewer.layout import LINE_H, Box, Layout, Point, Route
from energy_pipeline.viewer.run import CAUGHT, NOT_RUN, RunView

MARGIN, TITLE_H, LEGEND_H = 24.0, 64.0, 44.0
INK, MUTED, TAKEN = "#263238", "#90a4ae", "#37474f"
# fill, stroke, label: close to the console's colours so the picture reads the same way
PALETTE: dict[str, tuple[str, str, str]] = {
    "SUCCEEDED": ("#e3f4e4", "#2e7d32", "succeeded"),
    "FAILED": ("#fde3e1", "#c62828", "failed"),
    CAUGHT: ("#fff0d9", "#e67700", "error caught"),
    "RUNNING": ("#e1efff", "#1565c0", "in progress"),
    NOT_RUN: ("#ffffff", "#b0bec5", "not run"),
}
Segment = tuple[Point, Point, Point, Point]


@dataclass
class Shape:
    kind: str  # rect | hexagon | pill | polygon
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str
    stroke_width: float = 1.5
    dashed: bool = False
    points: list[Point] = field(default_factory=list)  # polygon only
    tooltip: str = ""


@dataclass
class Text:
    x: float
    y: float
    text: str
    size: float = 12.0
    color: str = INK
    bold: bool = False
    anchor: str = "middle"  # start | middle | end


@dataclass
class Curve:
    segments: list[Segment]
    color: str
    width: float
    dashed: bool = False


@dataclass
class Scene:
    width: float
    height: float
    shapes: list[Shape | Text | Curve] = field(default_factory=list)


def _smooth(points: list[Point]) -> list[Segment]:
    """Cubic pieces with vertical tangents: edges flow downwards and meet lanes without kinks."""
    segments = []
    for a, b in itertools.pairwise(points):
        half = (b[1] - a[1]) / 2
        segments.append((a, (a[0], a[1] + half), (b[0], b[1] - half), b))
    return segments


def _arrow(segment: Segment, color: str) -> Shape:
    (tip_x, tip_y), (from_x, from_y) = segment[3], segment[2]
    length = max(((tip_x - from_x) ** 2 + (tip_y - from_y) ** 2) ** 0.5, 1e-6)
    ux, uy = (tip_x - from_x) / length, (tip_y - from_y) / length
    base = (tip_x - 9 * ux, tip_y - 9 * uy)
    wing = [(base[0] - 4.5 * uy, base[1] + 4.5 * ux), (base[0] + 4.5 * uy, base[1] - 4.5 * ux)]
    return Shape("polygon", 0, 0, 0, 0, color, color, 1, points=[(tip_x, tip_y), *wing])


def _edge(route: Route, run: RunView, dx: float, dy: float) -> list[Shape | Text | Curve]:
    taken = run.took(route.edge)
    catch = route.edge.kind == "catch"
    color = (PALETTE[CAUGHT][1] if catch else TAKEN) if taken else MUTED
    points = [(x + dx, y + dy) for x, y in route.points]
    segments = _smooth(points)
    items: list[Shape | Text | Curve] = [
        Curve(segments, color, 2.4 if taken else 1.2, dashed=catch),
        _arrow(segments[-1], color),
    ]
    if route.edge.kind in ("choice", "default"):
        items.append(_label(segments[0], route.edge.label, color))
    return items


def _label(segment: Segment, text: str, color: str) -> Text:
    """Halfway along the branch's first curve, on the side it bends to, so it never sits on the arrow."""
    start, first, second, end = segment
    x = (start[0] + 3 * first[0] + 3 * second[0] + end[0]) / 8
    y = (start[1] + 3 * first[1] + 3 * second[1] + end[1]) / 8
    leftwards = end[0] < start[0] - 1
    return Text(
        x - 8 if leftwards else x + 8, y + 4, text, 10.5, color, anchor="end" if leftwards else "start"
    )


def _status_line(state: State, run: RunView) -> str:
    view = run.of(state.name)
    parts = [state.detail] if state.detail and state.detail != state.kind else [state.kind]
    if view.runs > 1:
        parts.append(f"{view.runs} runs")
    if view.runs:
        parts.append(f"{view.duration_ms} ms")
    if view.retries:
        parts.append(f"{view.retries} retr{'y' if view.retries == 1 else 'ies'}")
    return " · ".join(parts)


def _box(box: Box, run: RunView, dx: float, dy: float) -> list[Shape | Text | Curve]:
    state = box.state
    assert state is not None  # dummies never reach the scene
    view = run.of(state.name)
    fill, stroke, _ = PALETTE.get(view.status, PALETTE[NOT_RUN])
    x, y = box.cx - box.w / 2 + dx, box.top + dy
    kind = {"Choice": "hexagon", START: "pill", END: "pill"}.get(state.kind, "rect")
    if state.kind in (START, END):
        reached = bool(run.states) if state.kind == START else run.execution_status == "SUCCEEDED"
        fill = "#cfd8dc" if reached else "#ffffff"
        return [
            Shape("pill", x, y, box.w, box.h, fill, "#78909c"),
            Text(box.cx + dx, y + box.h / 2 + 4, state.kind, 11),
        ]
    emphasis = 3.0 if state.name == run.failed_state() else (2.0 if view.runs else 1.2)
    tooltip = f"{view.error}: {view.cause}" if view.error else state.name
    items: list[Shape | Text | Curve] = [
        Shape(kind, x, y, box.w, box.h, fill, stroke, emphasis, dashed=state.kind == "Pass", tooltip=tooltip)
    ]
    ink = INK if view.runs else MUTED
    if box.inner:  # a Map or Parallel: the header names it, its own states are drawn inside
        items.append(Text(x + 10, y + 19, state.name, 12.5, ink, bold=True, anchor="start"))
        items.append(Text(x + box.w - 10, y + 19, _status_line(state, run), 10.5, MUTED, anchor="end"))
        for part in box.inner:
            items += draw_layout(part, run, x + part.dx, y + part.dy)
        return items
    centre, top = box.cx + dx, y + 8 + LINE_H * 0.75
    items.append(Text(centre, top, state.name, 12.5, ink, bold=True))
    items.append(
        Text(centre, top + LINE_H, _status_line(state, run), 10.5, MUTED if not view.runs else "#546e7a")
    )
    if state.note:
        items.append(Text(centre, top + 2 * LINE_H, state.note, 11, stroke, bold=True))
    return items


def draw_layout(layout: Layout, run: RunView, dx: float, dy: float) -> list[Shape | Text | Curve]:
    items: list[Shape | Text | Curve] = []
    routes = sorted(layout.routes, key=lambda route: run.took(route.edge))
    for route in routes:  # taken edges last, so they are drawn over the muted ones sharing a lane
        items += _edge(route, run, dx, dy)
    for box in layout.boxes.values():
        items += _box(box, run, dx, dy)
    return items


def _legend(y: float) -> list[Shape | Text | Curve]:
    items: list[Shape | Text | Curve] = []
    x = MARGIN
    for status in ("SUCCEEDED", CAUGHT, "FAILED", NOT_RUN):
        fill, stroke, label = PALETTE[status]
        items += [
            Shape("rect", x, y, 18, 14, fill, stroke, 1.5),
            Text(x + 24, y + 11, label, 11, anchor="start"),
        ]
        x += 34 + len(label) * 6.5
    for label, color, dashed in (
        ("path taken", TAKEN, False),
        ("Catch (error) edge", PALETTE[CAUGHT][1], True),
    ):
        items += [
            Curve([((x, y + 7), (x + 10, y + 7), (x + 20, y + 7), (x + 30, y + 7))], color, 2.2, dashed),
            Text(x + 36, y + 11, label, 11, anchor="start"),
        ]
        x += 50 + len(label) * 6.5
    return items


def compose(layout: Layout, run: RunView, title: str, subtitle: str) -> Scene:
    text_width = max(len(title) * 9.0, len(subtitle) * 6.6)
    width = max(layout.width + 2 * MARGIN, 560.0, text_width + 2 * MARGIN)
    scene = Scene(width, layout.height + TITLE_H + LEGEND_H + MARGIN)
    scene.shapes += [
        Text(MARGIN, 26, title, 15, bold=True, anchor="start"),
        Text(MARGIN, 46, subtitle, 11.5, "#546e7a", anchor="start"),
    ]
    scene.shapes += draw_layout(layout, run, (width - layout.width) / 2, TITLE_H)
    scene.shapes += _legend(TITLE_H + layout.height + MARGIN)
    return scene
