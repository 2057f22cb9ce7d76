"""Peak memory and CPU time of each step's work for one file, each step in a fresh process.

    python -m bench.stepmem STEP FOLDER [FILE]

A step reads what the previous one wrote to FOLDER (standing in for S3 staging/) and writes its own
output there, calling the same functions as its handler; the process then reports its peak RSS
(ru_maxrss, which includes the interpreter and imports, as Lambda's "Max Memory Used" does) and the
CPU seconds it spent. Store's figures are for one chunk, as one Store invocation handles one chunk.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

STEPS = ("validate", "detect", "store")


def _validate(folder: Path, file: Path) -> int:
    from bench.data import provenance
    from energy_aws.memory import gc_paused
    from energy_core.readings import CHUNK_READINGS, dump_chunk, split_chunks
    from energy_core.validation import ingest

    with gc_paused():  # as the Validate step runs it
        result = ingest(file.name, file.read_bytes())
    for index, chunk in enumerate(split_chunks(result.valid, CHUNK_READINGS)):
        (folder / f"valid-{index:05d}.json").write_bytes(dump_chunk(chunk, provenance=provenance(file)))
    return len(result.valid)


def _detect(folder: Path, file: Path) -> int:
    import detect.app as handler
    from energy_aws.chunks import annotated_chunk
    from energy_core.readings import Readings

    bodies = [path.read_bytes() for path in sorted(folder.glob("valid-*.json"))]
    readings = [Readings.from_bytes(body)[0] for body in bodies]
    handler.load_history = lambda *args: []  # an empty table: no stored history to query
    anomalies = handler.detect_all(readings)
    carried = handler.annotate(readings, anomalies)
    for index, (body, placement) in enumerate(zip(bodies, carried, strict=True)):
        (folder / f"annotated-{index:05d}.json").write_bytes(annotated_chunk(body, placement))
    return len(anomalies)


def _store(folder: Path, file: Path) -> int:
    from energy_aws.chunks import ChunkToStore
    from energy_aws.dynamo import batches

    first = sorted(folder.glob("annotated-*.json"))[0]
    items = ChunkToStore.from_bytes(first.read_bytes()).attribute_values()
    return sum(len(batch) for batch in batches(items))


def _refuse(folder: Path, file: Path) -> int:
    """What the Validate handler does first with a file over its size limit: refuse it unread."""
    import validate.app as handler
    from energy_core.errors import InvalidFile

    try:
        handler.refuse_if_too_large(file.name, file.stat().st_size)
    except InvalidFile as refused:
        (folder / "refused.txt").write_text(str(refused), encoding="utf-8")
        return 0
    return 1


def main(step: str, folder: Path, file: Path) -> None:
    started = time.process_time()
    count = {"validate": _validate, "detect": _detect, "store": _store, "refuse": _refuse}[step](folder, file)
    peak_kb = _peak_kb()
    print(
        json.dumps(
            {
                "step": step,
                "count": count,
                "cpu_s": round(time.process_time() - started, 2),
                "peak_rss_mb": round(peak_kb / 1024),
            }
        )
    )


def _peak_kb() -> int:
    """VmHWM: this process's peak resident set. ru_maxrss would keep the parent's peak across fork+exec."""
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1])


def measure(file: Path, folder: Path, steps: tuple[str, ...] = STEPS) -> dict[str, Any]:
    """Each step in its own process, in order; their reports by step."""
    shutil.rmtree(folder, ignore_errors=True)  # chunks of an earlier file must not be read as this one's
    folder.mkdir(parents=True)
    env_done: dict[str, Any] = {}
    for step in steps:
        done = subprocess.run(
            [sys.executable, "-m", "bench.stepmem", step, str(folder), str(file)],
            capture_output=True,
            text=True,
            check=True,
            timeout=1800,
            env=_env(),
        )
        env_done[step] = json.loads(done.stdout.strip().splitlines()[-1])
    refused = folder / "refused.txt"
    if refused.exists():
        env_done["refused"] = refused.read_text(encoding="utf-8")
    return env_done


def _env() -> dict[str, str]:
    import os

    # The handler modules read their configuration at import; these values are never used here.
    names = ("BUCKET_NAME", "READINGS_TABLE")
    return {
        **os.environ,
        **dict.fromkeys(names, "bench"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }


if __name__ == "__main__":
    import bench  # noqa: F401 - puts functions/ on the import path

    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
