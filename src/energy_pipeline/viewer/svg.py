"""Writes a scene as a standalone SVG (no external fonts or scripts: it opens offline and embeds in HTML)."""

from __future__ import annotations

from html import escape

from energy_pipeline.viewer.scene import Curve, Scene, Shape, Text

FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
_ANCHOR = {"start": "start", "middle": "middle", "end": "end"}


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in points)


def hexagon(shape: Shape) -> list[tuple[float, float]]:
    cut = min(14.0, shape.h / 2)
    x, y, w, h = shape.x, shape.y, shape.w, shape.h
    return [
        (x + cut, y),
        (x + w - cut, y),
        (x + w, y + h / 2),
        (x + w - cut, y + h),
        (x + cut, y + h),
        (x, y + h / 2),
    ]


def _shape(shape: Shape) -> str:
    style = f'fill="{shape.fill}" stroke="{shape.stroke}" stroke-width="{_num(shape.stroke_width)}"'
    if shape.dashed:
        style += ' stroke-dasharray="5 3"'
    title = f"<title>{escape(shape.tooltip)}</title>" if shape.tooltip else ""
    if shape.kind in ("hexagon", "polygon"):
        points = hexagon(shape) if shape.kind == "hexagon" else shape.points
        return f'<polygon points="{_points(points)}" {style}>{title}</polygon>'
    radius = shape.h / 2 if shape.kind == "pill" else 6
    return (
        f'<rect x="{_num(shape.x)}" y="{_num(shape.y)}" width="{_num(shape.w)}" height="{_num(shape.h)}" '
        f'rx="{_num(radius)}" {style}>{title}</rect>'
    )


def _text(text: Text) -> str:
    weight = ' font-weight="600"' if text.bold else ""
    return (
        f'<text x="{_num(text.x)}" y="{_num(text.y)}" font-size="{_num(text.size)}" fill="{text.color}" '
        f'text-anchor="{_ANCHOR[text.anchor]}"{weight}>{escape(text.text)}</text>'
    )


def _curve(curve: Curve) -> str:
    (start, *_), path = curve.segments[0], []
    path.append(f"M{_num(start[0])},{_num(start[1])}")
    for _, first, second, end in curve.segments:
        path.append("C" + " ".join(f"{_num(x)},{_num(y)}" for x, y in (first, second, end)))
    dash = ' stroke-dasharray="6 4"' if curve.dashed else ""
    return (
        f'<path d="{" ".join(path)}" fill="none" stroke="{curve.color}" '
        f'stroke-width="{_num(curve.width)}"{dash}/>'
    )


def render(scene: Scene) -> str:
    body = []
    for item in scene.shapes:
        if isinstance(item, Shape):
            body.append(_shape(item))
        elif isinstance(item, Text):
            body.append(_text(item))
        else:
            body.append(_curve(item))
    width, height = _num(scene.width), _num(scene.height)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{escape(FONT)}">\n'
        f'<rect width="100%" height="100%" fill="#ffffff"/>\n' + "\n".join(body) + "\n</svg>\n"
    )
