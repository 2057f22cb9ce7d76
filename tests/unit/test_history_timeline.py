"""The timeline read from an execution's history when Map iterations run the same state at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from energy_pipeline.executions import read_history

T0 = datetime(2026, 12, 7, 21, 7, 33, tzinfo=UTC)


class History:
    """What get_execution_history answers: (id, previousEventId, type, state name, seconds after T0)."""

    def __init__(self, rows: list[tuple[int, int, str, str, float]]) -> None:
        self.events = []
        for event_id, previous, kind, name, seconds in rows:
            event: dict[str, Any] = {"id": event_id, "previousEventId": previous, "type": kind,
                                     "timestamp": T0 + timedelta(seconds=seconds)}
            if kind.endswith("StateEntered"):
                event["stateEnteredEventDetails"] = {"name": name}
            elif kind.endswith("StateExited"):
                event["stateExitedEventDetails"] = {"name": name}
            elif kind == "TaskFailed":
                event["taskFailedEventDetails"] = {"error": "Lambda.TooManyRequestsException", "cause": "busy"}
            self.events.append(event)

    def get_execution_history(self, **_: Any) -> dict[str, Any]:
        return {"events": self.events}


# Two chunks written at once (the order moto recorded for a 92,328-reading file), the second retried once:
# their events interleave, and the second iteration ends first.
PARALLEL = [
    (28, 27, "MapStateEntered", "Store readings", 0.0),
    (29, 28, "MapStateStarted", "", 0.0),
    (30, 29, "MapIterationStarted", "", 0.0),
    (31, 29, "MapIterationStarted", "", 0.0),
    (32, 30, "TaskStateEntered", "Write chunk", 0.0),
    (33, 31, "TaskStateEntered", "Write chunk", 0.0),
    (34, 32, "TaskScheduled", "", 0.0),
    (35, 34, "TaskStarted", "", 0.0),
    (36, 33, "TaskScheduled", "", 0.0),
    (37, 36, "TaskStarted", "", 0.0),
    (38, 37, "TaskFailed", "", 1.0),
    (39, 38, "TaskScheduled", "", 3.0),
    (40, 39, "TaskStarted", "", 3.0),
    (41, 40, "TaskSucceeded", "", 87.2),
    (42, 41, "TaskStateExited", "Write chunk", 87.2),
    (43, 42, "MapIterationSucceeded", "", 87.2),
    (44, 35, "TaskSucceeded", "", 102.8),
    (45, 44, "TaskStateExited", "Write chunk", 102.8),
    (46, 45, "MapIterationSucceeded", "", 102.8),
    (47, 46, "MapStateSucceeded", "", 102.8),
    (48, 46, "MapStateExited", "Store readings", 102.8),
]


def test_each_map_iteration_keeps_its_own_retries_and_duration() -> None:
    states = read_history(History(PARALLEL), "arn").states
    first, second = (run for run in states if run.name == "Write chunk")
    assert (first.retries, first.duration_ms, first.status) == (0, 102_800, "SUCCEEDED")
    assert (second.retries, second.duration_ms, second.status) == (1, 87_200, "SUCCEEDED")
    assert second.error == "Lambda.TooManyRequestsException"  # the failure its retry recovered from
    (store,) = (run for run in states if run.name == "Store readings")
    assert (store.duration_ms, store.status, store.retries) == (102_800, "SUCCEEDED", 0)


def test_a_history_without_event_links_is_read_by_name_and_order() -> None:
    rows = [(0, 0, kind, name, seconds) for _, _, kind, name, seconds in PARALLEL[4:6]]
    rows += [(0, 0, "TaskStateExited", "Write chunk", 5.0), (0, 0, "TaskStateExited", "Write chunk", 6.0)]
    events = History(rows)
    for event in events.events:  # an engine that records no links
        del event["id"], event["previousEventId"]
    first, second = read_history(events, "arn").states
    assert (first.duration_ms, second.duration_ms) == (5_000, 6_000)
