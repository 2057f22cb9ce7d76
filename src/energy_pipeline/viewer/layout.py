"""A small layered (Sugiyama-style) layout in pure Python, so no graphviz binary is needed here or in CI.

Layers follow the longest path from the start; an edge that skips layers runs through dummy points,
shared by every edge into the same target, so the Catch edges of a workflow merge into one lane.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from energy_pipeline.viewer.graph import END, START, Edge, Graph, State

H_GAP, V_GAP, PAD, HEADER = 28.0, 34.0, 16.0, 30.0
CHAR_W, LINE_H, DUMMY_W = 7.0, 16.0, 8.0
Point = tuple[float, float]


@dataclass
class Box:
    name: str
    state: State | None  # None for a dummy point
    cx: float = 0.0
    cy: float = 0.0
    w: float = DUMMY_W
    h: float = 0.0
    inner: list[Layout] = field(default_factory=list)

    @property
    def top(self) -> float:
        return self.cy - self.h / 2


@dataclass
class Route:
    edge: Edge
    points: list[Point]


@dataclass
class Layout:
    boxes: dict[str, Box]
    routes: list[Route]
    width: float
    height: float
    dx: float = 0.0  # offset of a nested layout inside its container
    dy: float = 0.0


def _leaf_size(state: State) -> Point:
    if state.kind in (START, END):
        return 56.0, 28.0
    text = max(len(state.name), len(state.detail) + 14, len(state.note))
    lines = 3 if state.note else 2
    return max(150.0, text * CHAR_W + 24), lines * LINE_H + 14


def _measure(state: State) -> tuple[Point, list[Layout]]:
    if not state.branches:
        return _leaf_size(state), []
    inner = [layout(branch) for branch in state.branches]
    width = sum(part.width for part in inner) + H_GAP * (len(inner) - 1) + 2 * PAD
    height = max(part.height for part in inner) + HEADER + PAD
    x = PAD
    for part in inner:
        part.dx, part.dy, x = x, HEADER, x + part.width + H_GAP
    header = len(state.name) * CHAR_W + len(state.detail) * 6 + 60
    return (max(width, header), height), inner


def _forward_edges(graph: Graph) -> tuple[list[Edge], list[Edge]]:
    """Splits edges into forward ones and loop-closing back edges (found by depth-first search)."""
    seen: set[str] = set()
    back: set[Edge] = set()
    outgoing: dict[str, list[Edge]] = defaultdict(list)
    for edge in graph.edges:
        outgoing[edge.source].append(edge)

    def visit(name: str, path: set[str]) -> None:
        seen.add(name)
        path.add(name)
        for edge in outgoing[name]:
            if edge.target in path:
                back.add(edge)
            elif edge.target not in seen:
                visit(edge.target, path)
        path.discard(name)

    for name in [graph.start, *graph.states]:
        if name not in seen:
            visit(name, set())
    return [edge for edge in graph.edges if edge not in back], sorted(back, key=graph.edges.index)


def _layers(graph: Graph, forward: list[Edge]) -> dict[str, int]:
    indegree = {name: 0 for name in graph.states}
    for edge in forward:
        indegree[edge.target] += 1
    layer = dict.fromkeys(graph.states, 0)
    ready = [name for name in graph.states if indegree[name] == 0]
    while ready:
        name = ready.pop(0)
        for edge in (edge for edge in forward if edge.source == name):
            layer[edge.target] = max(layer[edge.target], layer[name] + 1)
            indegree[edge.target] -= 1
            if indegree[edge.target] == 0:
                ready.append(edge.target)
    return layer


def _chains(forward: list[Edge], layer: dict[str, int]) -> tuple[list[list[str]], dict[str, int]]:
    """Each edge as a chain of node ids; long edges get dummies named after target and layer (shared)."""
    chains, dummy_layer = [], {}
    for edge in forward:
        chain = [edge.source]
        for depth in range(layer[edge.source] + 1, layer[edge.target]):
            dummy = f"\x00{edge.target}\x00{depth}"
            dummy_layer[dummy] = depth
            chain.append(dummy)
        chains.append([*chain, edge.target])
    return chains, dummy_layer


def _place_row(row: list[Box], desired: dict[str, float]) -> None:
    """Puts boxes at their wished-for x, pushes overlaps apart, then re-centres on the real boxes' wishes."""
    row.sort(key=lambda box: (desired[box.name], box.state is None))
    right = float("-inf")
    for box in row:
        box.cx = max(desired[box.name], right + box.w / 2)
        right = box.cx + box.w / 2 + H_GAP
    real = [box for box in row if box.state is not None] or row
    shift = sum(box.cx - desired[box.name] for box in real) / len(real)
    for box in row:
        box.cx -= shift


def _place(graph: Graph, boxes: dict[str, Box], chains: list[list[str]], rows: list[list[str]]) -> None:
    parents: dict[str, list[str]] = defaultdict(list)
    for chain in chains:
        for source, target in itertools.pairwise(chain):
            if source not in parents[target]:
                parents[target].append(source)
    order = {name: index for index, name in enumerate(graph.states)}
    top = 0.0
    for row in rows:
        desired = {}
        for name in row:
            placed = [boxes[p].cx for p in parents[name]]
            # a lane stays straight: a dummy follows the dummy above it, not the edges joining it
            lane = (
                [boxes[p].cx for p in parents[name] if p.startswith("\x00")]
                if name.startswith("\x00")
                else []
            )
            wish = lane or placed
            desired[name] = sum(wish) / len(wish) if wish else order.get(name, 0) * (DUMMY_W + H_GAP)
        _place_row([boxes[name] for name in row], desired)
        height = max(boxes[name].h for name in row)
        for name in row:
            boxes[name].cy = top + height / 2
        top += height + V_GAP


def _route(chain: list[str], edge: Edge, boxes: dict[str, Box]) -> Route:
    first, last = boxes[chain[0]], boxes[chain[-1]]
    # errors leave from the bottom-right corner, apart from the normal flow out of the bottom centre
    offset = first.w / 2 - min(24.0, first.w / 4) if edge.kind == "catch" else 0.0
    start = (first.cx + offset, first.cy + first.h / 2)
    middle = [(boxes[name].cx, boxes[name].cy) for name in chain[1:-1]]
    return Route(edge, [start, *middle, (last.cx, last.top)])


def _back_route(edge: Edge, boxes: dict[str, Box], lane: float) -> Route:
    source, target = boxes[edge.source], boxes[edge.target]
    return Route(
        edge,
        [
            (source.cx + source.w / 2, source.cy),
            (lane, source.cy),
            (lane, target.cy),
            (target.cx + target.w / 2, target.cy),
        ],
    )


def layout(graph: Graph) -> Layout:
    forward, back = _forward_edges(graph)
    layer = _layers(graph, forward)
    chains, dummy_layer = _chains(forward, layer)
    boxes: dict[str, Box] = {}
    for name, state in graph.states.items():
        (w, h), inner = _measure(state)
        boxes[name] = Box(name, state, w=w, h=h, inner=inner)
    for dummy in dummy_layer:
        boxes[dummy] = Box(dummy, None)
    rows: list[list[str]] = [[] for _ in range(max([*layer.values(), *dummy_layer.values()]) + 1)]
    for name, depth in [*layer.items(), *dummy_layer.items()]:
        rows[depth].append(name)
    _place(graph, boxes, chains, [row for row in rows if row])
    left = min(box.cx - box.w / 2 for box in boxes.values())
    for box in boxes.values():
        box.cx -= left
    routes = [_route(chain, edge, boxes) for chain, edge in zip(chains, forward, strict=True)]
    width = max(box.cx + box.w / 2 for box in boxes.values())
    routes += [_back_route(edge, boxes, width + 12 + 10 * index) for index, edge in enumerate(back)]
    height = max(box.cy + box.h / 2 for box in boxes.values())
    return Layout({k: v for k, v in boxes.items() if v.state}, routes, width + 12 * (len(back) + 1), height)
