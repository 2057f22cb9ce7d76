"""The state machine as a graph: one node per state, one edge per transition, Map/Parallel as nested graphs.

Read from the definition the execution ran (not the file on disk), so the picture matches the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

START, END = "Start", "End"
_OPERATORS = {
    "Equals": "==",
    "GreaterThan": ">",
    "GreaterThanEquals": ">=",
    "LessThan": "<",
    "LessThanEquals": "<=",
    "Matches": "matches",
}


@dataclass
class State:
    name: str
    kind: str  # the ASL Type, or "Start"/"End" for the console's two markers
    detail: str = ""
    note: str = ""  # one run's extra line (an error name), set before layout so the box fits it
    branches: list[Graph] = field(default_factory=list)  # Map: one, Parallel: several


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # next | choice | default | catch
    label: str = ""


@dataclass
class Graph:
    states: dict[str, State]
    edges: list[Edge]
    start: str

    def all_names(self) -> set[str]:
        names = set(self.states)
        for state in self.states.values():
            for branch in state.branches:
                names |= branch.all_names()
        return names


def _detail(spec: dict[str, Any]) -> str:
    kind = spec["Type"]
    if kind == "Task":
        resource = str(spec.get("Resource", ""))
        # arn:aws:states:::lambda:invoke -> lambda:invoke; a bare function ARN -> lambda
        return resource.split(":::", 1)[1] if ":::" in resource else resource.split(":")[2] or "task"
    if kind == "Map":
        limit = spec.get("MaxConcurrency")
        return f"Map, {limit} at a time" if limit else "Map"
    if kind == "Fail":
        return f"Fail: {spec['Error']}" if spec.get("Error") else "Fail"
    return kind


def choice_label(rule: dict[str, Any]) -> str:
    """A short, readable condition: `$.detection.total > 0`; compound rules name their operator."""
    for key in ("And", "Or", "Not"):
        if key in rule:
            return key.lower() + " ..."
    if "Condition" in rule:  # JSONata rules carry one expression
        return str(rule["Condition"])[:40]
    variable = rule.get("Variable", "")
    for key, value in rule.items():
        if key in ("Variable", "Next"):
            continue
        operator = key.removesuffix("Path")
        for prefix in ("String", "Numeric", "Boolean", "Timestamp"):
            operator = operator.removeprefix(prefix)
        symbol = _OPERATORS.get(operator, operator)
        return f"{variable} {symbol} {value}" if symbol else variable
    return variable


def _edges_of(name: str, spec: dict[str, Any]) -> list[Edge]:
    edges = []
    if spec.get("Next"):
        edges.append(Edge(name, spec["Next"], "next"))
    for rule in spec.get("Choices", []):
        edges.append(Edge(name, rule["Next"], "choice", choice_label(rule)))
    if spec.get("Default"):
        edges.append(Edge(name, spec["Default"], "default", "default"))
    for catch in spec.get("Catch", []):
        edges.append(Edge(name, catch["Next"], "catch", ", ".join(catch.get("ErrorEquals", []))))
    return edges


def _branches(spec: dict[str, Any]) -> list[Graph]:
    processor = spec.get("ItemProcessor") or spec.get("Iterator")
    if processor:
        return [from_definition(processor, markers=False)]
    return [from_definition(branch, markers=False) for branch in spec.get("Branches", [])]


def from_definition(definition: dict[str, Any], markers: bool = True) -> Graph:
    """The console's picture: Start -> StartAt ... terminal states -> End (markers only at top level)."""
    states: dict[str, State] = {}
    edges: list[Edge] = []
    for name, spec in definition["States"].items():
        states[name] = State(name, spec["Type"], _detail(spec), branches=_branches(spec))
        edges.extend(_edges_of(name, spec))
        if markers and (spec.get("End") or spec["Type"] == "Succeed"):
            edges.append(Edge(name, END, "next"))
    start = definition["StartAt"]
    if markers:
        states[START], states[END] = State(START, START), State(END, END)
        edges.insert(0, Edge(START, start, "next"))
        start = START
    return Graph(states, [edge for edge in edges if edge.target in states], start)
