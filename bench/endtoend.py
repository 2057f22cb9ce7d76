"""One file end to end on the embedded engine, for the pipeline and for the naive design.

Each run gets a fresh emulator (empty tables), so neither design sees the other's writes. Both designs are
timed warm: the naive design's code is imported before its clock starts, and the pipeline's functions are
initialised (imported, their clients created) when the engine starts, before its clock starts, as
provisioned concurrency or SAM's `--warm-containers EAGER` would. Requests are counted as they are made;
Lambda time is each invocation's duration here, billed at the function's MemorySize from template.yaml
(the emulator writes at roughly DynamoDB's own per-request pace).
"""

from __future__ import annotations

import json
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


def _handler_module(local: Any, logical_id: str) -> Any:
    import sys

    executor = local.engine.executor
    spec = next(s for s in executor.functions.values() if s.logical_id == logical_id)
    executor.handler_for(spec)
    return sys.modules[f"_local_lambda_{logical_id}"]


def under_write_limit(path: Path, scale: int, timeout_s: float = 3600) -> dict[str, Any]:
    """The file under DynamoDB's per-partition write limit, as a scale model: chunks of 50,000 / scale
    readings and a limit of 1,000 / scale units per second (the file itself 1 / scale of the real one) take
    the time the real file takes under the real limit - each site's writes are scale times fewer at a pace
    scale times slower. `scale` 1 is the real thing (a 1M file then takes its full time)."""
    from energy_core.readings import CHUNK_READINGS
    from energy_pipeline.local.write_limit import PARTITION_WRITE_UNITS, WriteLimit, enforce

    limit_units = PARTITION_WRITE_UNITS / scale
    with open_engine(warm=True) as local:
        executor = local.engine.executor
        assert executor is not None
        validate, store = _handler_module(local, "ValidateFunction"), _handler_module(local, "StoreFunction")
        saved = validate.CHUNK_READINGS, store.PARTITION_WRITE_UNITS
        validate.CHUNK_READINGS, store.PARTITION_WRITE_UNITS = CHUNK_READINGS // scale, limit_units
        executor.invocations.clear()
        try:
            with enforce(WriteLimit(units_per_s=limit_units)) as limit:
                started = time.perf_counter()
                row = run_files(local.target, [path], timeout_s=timeout_s)[0]
                wall = time.perf_counter() - started
        finally:
            validate.CHUNK_READINGS, store.PARTITION_WRITE_UNITS = saved
        stores = [call for call in executor.invocations if call.function.endswith("StoreFunction")]
        table = local.engine.stack.outputs["ReadingsTableName"]
        per_site = [units for (name, _), units in limit.written_units.items() if name == table]
        prefix = f"staging/{str(row.get('execution', '')).rsplit(':', 1)[-1]}/annotated/"
        listed = local.engine.clients.s3.list_objects_v2(Bucket=local.engine.stack.bucket, Prefix=prefix)
        chunks = int(listed["KeyCount"])
    store_s = _state_durations(row.get("states", [])).get("Store readings", 0) / 1000
    return {
        "status": row.get("status"),
        "stored": row.get("stored"),
        "scale": scale,
        "limit_units_per_s": limit_units,
        "wall_s": round(wall, 1),
        "store_s": round(store_s, 1),
        # The same schedule at full size: the time the real limit implies for the real file on AWS.
        "implied_aws_store_s": round(store_s, 1),
        # No design can beat this: the busiest site's readings at the full limit.
        "lower_bound_aws_store_s": round(max(per_site, default=0) / limit_units, 1),
        "chunks": chunks,
        "store_invocations": len(stores),
        "chunks_rewritten": len(stores) - chunks,
        "store_errors": sum(1 for call in stores if call.error),
        "throttled_items": limit.throttled_items,
        "max_units_one_partition": max(per_site, default=0),
    }


def many_sites_file(folder: Path, sites: int, per_site: int = 2) -> Path:
    """A file of `sites` sites with `per_site` readings each (Detect and Catalog work per site)."""
    from bench import data
    from energy_pipeline import synth_files

    path = folder / f"sites-{sites}x{per_site}.json"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        synth_files.write_readings(path, data.readings(sites * per_site, sites=sites))
    return path


def many_sites(path: Path, timeout_s: float = 3600) -> dict[str, Any]:
    """A many-site file end to end: each state's longest run against its step timeout."""
    from energy_pipeline.local.template import PROJECT_ROOT

    run = pipeline(path, timeout_s=timeout_s)
    definition = json.loads((PROJECT_ROOT / "statemachine/pipeline.asl.json").read_text(encoding="utf-8"))
    timeouts = {name: state.get("TimeoutSeconds") for name, state in definition["States"].items()}
    states = run.extra["states_ms"]
    return {
        "status": run.extra["status"],
        "readings": run.readings,
        "stored": run.extra["stored"],
        "wall_s": round(run.wall_s, 1),
        "states_s": {name: round(ms / 1000, 1) for name, ms in states.items()},
        "step_timeouts_s": {name: timeouts.get(name) for name in ("Detect anomalies", "Update site catalog")},
        "lambda_ms_by_function": run.extra["lambda_ms_by_function"],
    }
