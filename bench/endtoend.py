"""One file end to end on the embedded engine, for the pipeline and for the naive design.

Each run gets a fresh emulator (empty tables), so neither design sees the other's writes. Both designs are
timed warm: the naive design's code is imported before its clock starts, and the pipeline's functions are
initialised (imported, their clients created) when the engine starts, before its clock starts, as
provisioned concurrency or SAM's `--warm-containers EAGER` would. Requests are counted as they are made;
Lambda time is each invocation's duration here, billed at the function's MemorySize from template.yaml
(the emulator writes at roughly DynamoDB's own per-request pace).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import naive
from bench.counting import Tally, counting
from bench.prices import Usage, gb_seconds
from energy_pipeline.executions import all_events
from energy_pipeline.runner import run_files
from energy_pipeline.session import open_engine

NAIVE_FUNCTION = "StoreFunction"  # the naive function is given the Store function's memory (1 vCPU)
S3_PUTS = ("PutObject", "CopyObject", "ListObjects", "ListObjectsV2")
S3_GETS = ("GetObject", "HeadObject")


@dataclass
class Run:
    design: str
    readings: int
    wall_s: float
    usage: Usage
    tally: Tally
    extra: dict[str, Any] = field(default_factory=dict)


def _usage(tally: Tally, transitions: int, gb_s: float, lambda_requests: int) -> Usage:
    publishes = tally.of("sns", "Publish")
    return Usage(
        state_transitions=transitions,
        lambda_gb_s=gb_s,
        lambda_requests=lambda_requests,
        ddb_write_units=tally.write_units,
        ddb_read_units=tally.read_units,
        sns_publishes=publishes,
        sns_email_deliveries=publishes,
        s3_put_requests=tally.of("s3", *S3_PUTS),
        s3_get_requests=tally.of("s3", *S3_GETS),
    )


def pipeline(path: Path, timeout_s: float = 3600) -> Run:
    with open_engine(warm=True) as local, counting() as tally:
        executor = local.engine.executor
        assert executor is not None
        executor.invocations.clear()
        started = time.perf_counter()
        row = run_files(local.target, [path], timeout_s=timeout_s)[0]
        wall = time.perf_counter() - started
        events = all_events(local.engine.clients.stepfunctions, row["execution"])
        memory = {spec.name: spec.memory_mb for spec in executor.functions.values()}
        durations: dict[str, float] = {}
        for call in executor.invocations:
            durations[call.function] = durations.get(call.function, 0.0) + call.duration_ms
        gb_s = sum(gb_seconds(call.duration_ms, memory[call.function]) for call in executor.invocations)
        transitions = sum(1 for event in events if event["type"].endswith("StateEntered"))
        usage = _usage(tally, transitions, gb_s, len(executor.invocations))
    extra = {
        key: row.get(key)
        for key in (
            "status",
            "stored",
            "anomalies",
            "alert_published",
            "history_events",
            "max_state_payload_bytes",
        )
    }
    extra["lambda_ms_by_function"] = {name: round(ms) for name, ms in durations.items()}
    extra["states_ms"] = _state_durations(row.get("states", []))
    return Run("pipeline", int(row.get("received", 0)), wall, usage, tally, extra)


def _state_durations(states: list[dict[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for state in states:
        out[state["name"]] = max(out.get(state["name"], 0), int(state.get("duration_ms") or 0))
    return out


def naive_design(path: Path) -> Run:
    with open_engine(warm=True) as local, counting() as tally:
        stack, clients = local.engine.stack, local.engine.clients
        memory = next(s.memory_mb for s in stack.functions.values() if s.logical_id == NAIVE_FUNCTION)
        started = time.perf_counter()
        key = f"naive/{path.name}"  # outside the input prefix: the pipeline must not start
        clients.s3.upload_file(str(path), stack.bucket, key)
        result = naive.process(clients, stack.bucket, key, stack.tables["ReadingsTable"], stack.topic_arn)
        wall = time.perf_counter() - started
        usage = _usage(tally, 0, gb_seconds(wall * 1000, memory), 1)
    return Run("naive", result["stored"], wall, usage, tally, dict(result))
