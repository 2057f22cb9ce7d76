"""compute_ratio_to_parse: validate + detect on one core, over orjson.loads of the same bytes.

The functions the handlers call, in-process, without S3: validate = parse + check + canonicalise + dedupe;
detect = Validate's chunks in (JSON, the file's provenance in each header), every site's detectors without
stored history. What the steps cost beyond the parse floor.
CPU time (process_time), the best of several runs after a warm-up run, so other work on a shared machine
counts as little as possible: at least REPEATS runs, more for short work (until MIN_TOTAL_S of CPU). The first
runs of a parse in a fresh heap are up to 1.7x slower than later ones (arenas are still being allocated):
timing only those would flatter the ratio, since the steps run later in a warmed heap.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import orjson

from bench.data import provenance
from energy_aws.memory import gc_paused
from energy_core.detect import detect_site, load_config
from energy_core.detect.inputs import series_by_site
from energy_core.readings import CHUNK_READINGS, Readings, dump_chunk, split_chunks
from energy_core.validation import ValidationResult, ingest

REPEATS = 3
MIN_TOTAL_S = 0.5
MAX_REPEATS = 200
CONFIG_FILE = Path(__file__).resolve().parents[1] / "functions" / "config" / "detection.json"
T = TypeVar("T")


def best_cpu(work: Callable[[], T], repeats: int = REPEATS) -> tuple[float, T]:
    """The least CPU seconds of at least `repeats` runs (more while they add up to under MIN_TOTAL_S,
    at most MAX_REPEATS), after one warm-up run when `repeats` > 1; and the last result."""
    if repeats > 1:
        work()
    best, result, total, runs = float("inf"), None, 0.0, 0
    while runs < repeats or (total < MIN_TOTAL_S and runs < MAX_REPEATS):
        started = time.process_time()
        result = work()
        spent = time.process_time() - started
        best, total, runs = min(best, spent), total + spent, runs + 1
    return best, result  # type: ignore[return-value]


def _parse_only(data: bytes) -> object:
    """The floor: orjson alone, with the cyclic collector paused as the steps pause it (with it
    running, a million new dicts set off full collections and the floor itself triples)."""
    with gc_paused():
        return orjson.loads(data)


def _validate(name: str, data: bytes) -> ValidationResult:
    """As the Validate step runs it: with the collector paused."""
    with gc_paused():
        return ingest(name, data)


def measure(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    config = load_config(json.loads(CONFIG_FILE.read_text()))
    parse_s, _ = best_cpu(lambda: _parse_only(data))
    validate_s, result = best_cpu(lambda: _validate(path.name, data))
    stamp = provenance(path)  # as Validate stages its chunks
    chunks = [dump_chunk(chunk, provenance=stamp) for chunk in split_chunks(result.valid, CHUNK_READINGS)]
    now = time.time()

    def detect() -> int:
        readings = [Readings.from_bytes(chunk)[0] for chunk in chunks]
        return sum(len(detect_site(series, [], config, now)) for series in series_by_site(readings).values())

    detect_s, anomalies = best_cpu(detect)
    work_s = validate_s + detect_s
    return {
        "readings": len(result.valid),
        "anomalies": anomalies,
        "parse_s": parse_s,
        "validate_s": validate_s,
        "detect_s": detect_s,
        "compute_ratio_to_parse": work_s / parse_s,
    }
