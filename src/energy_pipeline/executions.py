"""Reads executions back: status, output, error and the timeline of states from the history."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class StateRun:
    name: str
    status: str
    entered: datetime
    exited: datetime | None = None
    retries: int = 0
    error: str | None = None
    cause: str | None = None

    @property
    def duration_ms(self) -> int | None:
        return None if self.exited is None else int((self.exited - self.entered).total_seconds() * 1000)

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {"name": self.name, "status": self.status, "duration_ms": self.duration_ms}
        if self.retries:
            row["retries"] = self.retries
        if self.error:
            row["error"], row["cause"] = self.error, self.cause
        return row


@dataclass
class History:
    states: list[StateRun] = field(default_factory=list)
    max_payload_bytes: int = 0
    events: int = 0
    outputs: dict[str, str] = field(default_factory=dict)  # state name -> its last output (JSON text)

    def output_of(self, state: str) -> dict[str, Any] | None:
        """What `state` last handed on (the whole execution state), None if it never ended."""
        text = self.outputs.get(state)
        loaded = json.loads(text) if text else None
        return loaded if isinstance(loaded, dict) else None


_FAILED_KINDS = ("TaskFailed", "LambdaFunctionFailed", "ExecutionFailed", "MapStateFailed")


def all_events(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]


def _payload_size(event: dict[str, Any]) -> int:
    size = 0
    for value in event.values():
        if isinstance(value, dict):
            for key in ("input", "output"):
                if isinstance(value.get(key), str):
                    size = max(size, len(value[key].encode("utf-8")))
    return size


def read_history(sfn: Any, execution_arn: str) -> History:
    """Pairs StateEntered/StateExited events into a timeline; failures and retries attach to their state.

    Every event names the one before it in its own line of work (`previousEventId`): the chain from a
    StateEntered event leads through its task's events to its StateExited. Map iterations run the same
    inner state at once, and their events interleave; following the chain keeps each iteration's tasks,
    retries and exit with its own run. (An engine that leaves the chain out is read by name and order.)
    """
    history = History()
    open_runs: dict[str, list[StateRun]] = {}
    chain: dict[int, StateRun] = {}  # event id -> the state run whose line of work it is on
    scheduled: dict[int, int] = {}
    recovered: set[int] = set()  # states whose task failed, then succeeded on a retry
    last_open: StateRun | None = None
    events = all_events(sfn, execution_arn)
    history.events = len(events)
    for event in events:
        kind = event["type"]
        history.max_payload_bytes = max(history.max_payload_bytes, _payload_size(event))
        linked = chain.get(event.get("previousEventId", -1))
        on = linked or last_open
        if kind.endswith("StateEntered"):
            run = StateRun(event["stateEnteredEventDetails"]["name"], "RUNNING", event["timestamp"])
            open_runs.setdefault(run.name, []).append(run)
            history.states.append(run)
            last_open = on = run
        elif kind.endswith("StateExited"):
            exited = event["stateExitedEventDetails"]
            if isinstance(exited.get("output"), str):
                history.outputs[exited["name"]] = exited["output"]
            stack = open_runs.get(exited["name"]) or []
            # the run on this chain, if it is one of that name (a Map's exit follows its last iteration's);
            # by identity, since two runs can hold equal fields
            mine = [n for n, candidate in enumerate(stack) if candidate is linked]
            at = mine[0] if mine else 0 if stack else None
            if at is not None:
                run = stack.pop(at)
                run.exited = event["timestamp"]
                run.status = "FAILED" if run.error and id(run) not in recovered else "SUCCEEDED"
                on = run
        elif kind in _FAILED_KINDS and on is not None:
            details: dict[str, Any] = next(
                (value for key, value in event.items() if key.endswith("EventDetails")), {}
            )
            on.error, on.cause = details.get("error"), details.get("cause")
            if on.exited is None:
                on.status = "FAILED"
        elif kind in ("TaskSucceeded", "LambdaFunctionSucceeded") and on is not None:
            recovered.add(id(on))
        elif kind in ("TaskScheduled", "LambdaFunctionScheduled") and on is not None:
            count = scheduled.get(id(on), 0)
            on.retries = count
            scheduled[id(on)] = count + 1
        if on is not None and "id" in event:
            chain[event["id"]] = on
    return history


def describe(sfn: Any, execution_arn: str) -> dict[str, Any]:
    description = sfn.describe_execution(executionArn=execution_arn)
    output = description.get("output")
    return {
        "status": description["status"],
        "output": json.loads(output) if output else None,
        "input": json.loads(description.get("input") or "{}"),
        "error": description.get("error"),
        "cause": description.get("cause"),
        "start": description.get("startDate"),
        "stop": description.get("stopDate"),
    }
