"""One execution laid over the graph: what each state did and which transitions were taken."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from energy_pipeline.executions import StateRun
from energy_pipeline.viewer.graph import END, START, Edge, Graph

NOT_RUN, CAUGHT = "NOT_RUN", "CAUGHT"


@dataclass
class StateView:
    status: str = NOT_RUN  # SUCCEEDED | FAILED | CAUGHT (failed, then a Catch took over) | RUNNING | NOT_RUN
    runs: int = 0
    retries: int = 0
    duration_ms: int = 0
    error: str | None = None
    cause: str | None = None
    last: str = NOT_RUN  # its latest run's status: a state the workflow tried again until it passed


@dataclass
class RunView:
    execution_status: str
    states: dict[str, StateView] = field(default_factory=dict)
    taken: set[tuple[str, str]] = field(default_factory=set)

    def of(self, name: str) -> StateView:
        return self.states.get(name) or StateView()

    def took(self, edge: Edge) -> bool:
        """A Catch edge is taken only out of a failed state; a Next edge to the same target only otherwise."""
        if (edge.source, edge.target) not in self.taken:
            return False
        failed = self.of(edge.source).status in ("FAILED", CAUGHT)
        return (edge.kind == "catch") == failed or edge.source == START

    def failed_state(self) -> str | None:
        """Where the trouble started: the first state that failed or whose error was caught, unless the
        workflow went round and ran it again until it passed (a busy file slot, waited for, then taken)."""
        return next(
            (
                name
                for name, view in self.states.items()
                if view.status == "FAILED" or (view.status == CAUGHT and view.last != "SUCCEEDED")
            ),
            None,
        )


def _all_edges(graph: Graph) -> Iterable[Edge]:
    yield from graph.edges
    for state in graph.states.values():
        for branch in state.branches:
            yield from _all_edges(branch)


def _merge(view: StateView, run: StateRun) -> None:
    view.runs += 1
    view.last = run.status
    view.retries += run.retries
    view.duration_ms += run.duration_ms or 0
    # Map iterations repeat inner states: one failure marks the state, RUNNING wins over a finished run
    if view.status == NOT_RUN or run.status in ("FAILED", "RUNNING"):
        view.status = run.status
    if run.error and not view.error:
        view.error, view.cause = run.error, run.cause


def _taken(runs: list[StateRun], edges: set[tuple[str, str]], status: str) -> set[tuple[str, str]]:
    taken = set()
    if runs:
        taken.add((START, runs[0].name))
    for index, run in enumerate(runs):
        # the transition came from the latest earlier state with an edge to this one
        source = next(
            (earlier.name for earlier in reversed(runs[:index]) if (earlier.name, run.name) in edges), None
        )
        if source:
            taken.add((source, run.name))
    if status == "SUCCEEDED":
        taken |= {(run.name, END) for run in runs if (run.name, END) in edges}
    return taken


def build(graph: Graph, runs: list[StateRun], execution_status: str) -> RunView:
    view = RunView(execution_status)
    ordered = list(runs)  # history order: ties in timestamps must not reorder Map iterations
    for run in ordered:
        _merge(view.states.setdefault(run.name, StateView()), run)
    edges = _all_edges(graph)
    pairs = {(edge.source, edge.target) for edge in edges}
    view.taken = _taken(ordered, pairs, execution_status)
    catches = {(edge.source, edge.target) for edge in _all_edges(graph) if edge.kind == "catch"}
    for name, state in view.states.items():
        if state.status == "FAILED" and any(pair in view.taken for pair in catches if pair[0] == name):
            # the error went somewhere: the console's "caught error", not the execution's end
            state.status = CAUGHT
    return view


def annotate(graph: Graph, view: RunView) -> None:
    """Writes each failed state's error into its box before layout, so the box is sized for it."""
    for name, state in graph.states.items():
        error = view.of(name).error
        state.note = error or ""
        for branch in state.branches:
            annotate(branch, view)
