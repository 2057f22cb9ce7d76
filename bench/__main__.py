"""`make bench` (python -m bench): every figure of issue 6, measured in one run, printed as a table.

BENCH_SIZES=10000,100000,1000000   file sizes (readings) run end to end on the local engine
BENCH_NAIVE_MAX=100000             the naive design runs on files up to this size (1M single puts: ~40 min)
BENCH_OUT=bench-results.json       where the figures go as JSON
BENCH_SAM_BUILD=0                  skip `make sam-build` (package sizes then come from an existing build)
BENCH_LIMIT_SCALE=10               the 1M file under DynamoDB's per-partition write limit as a 1/10 scale
                                   model (1: the real 1M file at 1,000 units/s, ~10 min); 0 skips it
BENCH_MANY_SITES=50000             sites of the many-site file (2 readings each); 0 skips it
BENCH_REFUSED_SIZE=5000000         a file Validate must refuse unread (its memory then); 0 skips it
"""

from __future__ import annotations

import json
import os
import time
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from bench import compute, data, detect_speed, endtoend, startup, stepmem
from bench.prices import as_dict, cost_usd, usd_per_million
from bench.report import Table, machine
from energy_aws.memory import gc_paused
from energy_core.validation import ValidationResult, ingest

FILES = Path(os.environ.get("BENCH_DIR", "/tmp/energy-bench"))


def _sizes() -> list[int]:
    return sorted(int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",") if s)


DDB_WRITES = ("BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems")


def _write_requests(run: endtoend.Run) -> float:
    """The reading writes: the goal's figure (naive: one PutItem per reading)."""
    return run.tally.of("dynamodb", "BatchWriteItem") * 1000 / max(1, run.readings)


def _all_write_requests(run: endtoend.Run) -> float:
    """Every DynamoDB write of the run, the per-file ones too (claim, catalog per site, ledger)."""
    return run.tally.of("dynamodb", *DDB_WRITES) * 1000 / max(1, run.readings)


def _design(run: endtoend.Run) -> dict[str, Any]:
    return {
        "wall_s": round(run.wall_s, 2),
        "readings": run.readings,
        "usage": as_dict(run.usage),
        "cost_usd": cost_usd(run.usage),
        "usd_per_million_readings": usd_per_million(run.usage, run.readings),
        "requests": {f"{s}:{op}": n for (s, op), n in sorted(run.tally.requests.items())},
        **run.extra,
    }


def bench_size(size: int, table: Table, naive_max: int) -> dict[str, Any]:
    path = data.make_file(FILES, size)
    scope = f"{size:,} readings"
    figures = compute.measure(path)
    table.add("compute_ratio_to_parse", scope, figures["compute_ratio_to_parse"])
    ours = endtoend.pipeline(path)
    result: dict[str, Any] = {"compute": figures, "pipeline": _design(ours)}
    table.add("end_to_end_s (pipeline)", scope, ours.wall_s)
    table.add("ddb_write_requests_per_1000", scope, _write_requests(ours))
    table.add("ddb_write_requests_per_1000 (all, incl. per-file)", scope, _all_write_requests(ours))
    table.add("sns_publishes_per_file", scope, ours.usage.sns_publishes)
    table.add("state_transitions_per_file", scope, ours.usage.state_transitions)
    table.add(
        "usd_per_million_readings", f"{scope}, pipeline", result["pipeline"]["usd_per_million_readings"]
    )
    table.add("history_events", scope, ours.extra["history_events"])
    table.add("max_state_payload_bytes", scope, ours.extra["max_state_payload_bytes"])
    if size <= naive_max:
        naive = endtoend.naive_design(path)
        result["naive"] = _design(naive)
        result["speedup_vs_naive"] = naive.wall_s / ours.wall_s
        table.add("end_to_end_s (naive)", scope, naive.wall_s)
        table.add(
            "ddb_write_requests_per_1000 (naive)", scope, naive.tally.of("dynamodb", "PutItem") * 1000 / size
        )
        table.add("sns_publishes_per_file (naive)", scope, naive.usage.sns_publishes)
        table.add("usd_per_million_readings", f"{scope}, naive", result["naive"]["usd_per_million_readings"])
        table.add("speedup_vs_naive", scope, result["speedup_vs_naive"])
    return result


def _ingest(path: Path) -> ValidationResult:
    with gc_paused():  # as the Validate step runs it
        return ingest(path.name, path.read_bytes())


def other_formats(size: int, table: Table) -> dict[str, Any]:
    """The largest file as CSV and gzip JSON: parsed and validated counts (and CPU seconds) match the JSON."""
    out = {}
    for name, path in (
        ("csv", data.make_file(FILES, size, ".csv")),
        ("json.gz", data.gzip_copy(data.make_file(FILES, size))),
    ):
        seconds, result = compute.best_cpu(partial(_ingest, path), repeats=1)
        out[name] = {
            "valid": len(result.valid),
            "rejected": len(result.rejects),
            "cpu_s": round(seconds, 2),
            "bytes": path.stat().st_size,
        }
        table.add(f"valid readings ({name})", f"{size:,} readings", len(result.valid))
    return out


DETECT = "DetectFunction"  # the one function with numpy (its own budget)


def main() -> int:
    started = time.perf_counter()
    sizes, naive_max = _sizes(), int(os.environ.get("BENCH_NAIVE_MAX", "100000"))
    results: dict[str, Any] = {"machine": machine(), "sizes": sizes, "files": {}}
    print(json.dumps(results["machine"]))
    table = Table()
    table.header()
    for size in sizes:
        results["files"][str(size)] = bench_size(size, table, naive_max)
    largest = max(sizes)
    results["formats"] = other_formats(largest, table)
    results["steps"] = stepmem.measure(data.make_file(FILES, largest), FILES / "steps")
    for step, figures in results["steps"].items():
        table.add(f"peak_rss_mb ({step})", f"{largest:,} readings", figures["peak_rss_mb"])
        table.add(f"cpu_s ({step})", f"{largest:,} readings", figures["cpu_s"])
    results["steps_5m"] = steps_5m(table)
    results["partition_limit"] = partition_limit(table)
    results["many_sites"] = many_sites(table)
    # every detector on one core: 10 sites x 100,000 readings, each with 28 days of stored history
    results["detect_readings_per_s"] = round(detect_speed.rate(sites=10, per_site=100_000))
    table.add("detect_readings_per_s", "10 sites x 100k, 28 days history", results["detect_readings_per_s"])
    results["handler_import_ms"] = imports = startup.handler_imports()
    others = {name: ms for name, ms in imports.items() if name != DETECT}
    table.add("max_handler_import_ms", "all functions but Detect", max(others.values()))
    table.add("detect_import_ms", DETECT, imports.get(DETECT))
    results["packages"] = startup.package_sizes()
    sizes_mb = results["packages"].get("sizes_mb")
    table.add(
        "max_package_mb",
        "all functions but Detect",
        max(v for k, v in sizes_mb.items() if k != DETECT) if sizes_mb else results["packages"]["skipped"],
    )
    table.add(
        "detect_package_mb", DETECT, sizes_mb.get(DETECT) if sizes_mb else results["packages"]["skipped"]
    )
    results["summary"] = summary(results, table)
    results["table"] = table.rows
    results["bench_seconds"] = round(time.perf_counter() - started, 1)
    Path(os.environ.get("BENCH_OUT", "bench-results.json")).write_bytes(
        orjson.dumps(results, option=orjson.OPT_INDENT_2, default=str)
    )
    print(f"\n{table.markdown()}\n\nbench took {results['bench_seconds']:.0f} s")
    return 0


def steps_5m(table: Table) -> dict[str, Any] | None:
    """A 5M-reading file: Validate refuses it before reading it (over MAX_FILE_MB); no other step runs."""
    count = int(os.environ.get("BENCH_REFUSED_SIZE", "5000000"))
    if count <= 0:
        return None
    figures = stepmem.measure(data.make_file(FILES, count), FILES / "steps-refused", ("refuse",))
    scope = f"{count:,} readings"
    table.add("peak_rss_mb (validate, refused unread)", scope, figures["refuse"]["peak_rss_mb"])
    return figures


def partition_limit(table: Table) -> dict[str, Any] | None:
    """The 1M-reading, 10-site file under 1,000 write units/s per partition: the Store time that implies."""
    scale = int(os.environ.get("BENCH_LIMIT_SCALE", "10"))
    if scale <= 0:
        return None
    figures = endtoend.under_write_limit(data.make_file(FILES, 1_000_000 // scale), scale)
    scope = f"1,000,000 readings, 10 sites, 1,000 WCU/s per partition (1/{scale} scale model)"
    table.add("implied_aws_store_s (write limit)", scope, figures["implied_aws_store_s"])
    table.add("lower_bound_aws_store_s (busiest site at the limit)", scope,
              figures["lower_bound_aws_store_s"])
    table.add("chunks_rewritten (write limit)", scope, figures["chunks_rewritten"])
    table.add("throttled_items (write limit)", scope, figures["throttled_items"])
    return figures


def many_sites(table: Table) -> dict[str, Any] | None:
    sites = int(os.environ.get("BENCH_MANY_SITES", "50000"))
    if sites <= 0:
        return None
    figures = endtoend.many_sites(endtoend.many_sites_file(FILES, sites))
    scope = f"{sites:,} sites x 2 readings"
    for state in ("Detect anomalies", "Update site catalog"):
        table.add(f"state_s ({state})", scope, figures["states_s"].get(state, 0))
    table.add("end_to_end_s (many sites)", scope, figures["wall_s"])
    return figures


def summary(results: dict[str, Any], table: Table) -> dict[str, Any]:
    """The headline figures: the worst over the sizes, or the largest file's."""
    files = results["files"]
    done = [
        int(s)
        for s, f in files.items()
        if f["pipeline"].get("status") == "SUCCEEDED" and f["pipeline"]["stored"] == int(s)
    ]
    largest = str(max(done)) if done else None
    speedups = {s: f["speedup_vs_naive"] for s, f in files.items() if "speedup_vs_naive" in f}
    out = {
        "largest_file_readings": int(largest) if largest else 0,
        "max_state_payload_bytes": max(f["pipeline"]["max_state_payload_bytes"] or 0 for f in files.values()),
        "compute_ratio_to_parse": max(f["compute"]["compute_ratio_to_parse"] for f in files.values()),
        "speedup_vs_naive": speedups[max(speedups, key=int)] if speedups else None,
    }
    table.add("largest_file_readings", "end to end, SUCCEEDED", out["largest_file_readings"])
    return out


if __name__ == "__main__":
    raise SystemExit(main())
