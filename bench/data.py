"""Benchmark input files: realistic readings from energy_pipeline.synth with a known number of faults.

Every FAULT_EVERY-th reading has a negative consumption, so both designs have anomalous readings to
alert on (the naive design publishes one message per anomalous reading).
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from energy_pipeline import synth, synth_files

SITES = 10
FAULT_EVERY = 5_000
START_EPOCH = 1_704_067_200  # 2024-01-01T00:00:00Z: 1M readings over 10 sites end in 2026, before "now"
INTERVAL_S = 900


def provenance(path: Path) -> dict[str, str]:
    """The provenance Validate stamps on a file's chunks (validate/app.py, file_provenance), fixed."""
    return {"source_key": path.name, "source_etag": "etag", "ingested_at": "2025-01-01T00:00:00.000000Z"}


def readings(count: int, sites: int = SITES, fault_every: int = FAULT_EVERY) -> Iterator[dict[str, Any]]:
    """`count` readings of `sites` sites, site after site, 15 minutes apart."""
    per_site = math.ceil(count / sites)
    produced = 0
    for n, site in enumerate(synth.make_sites(sites, seed=11)):
        take = min(per_site, count - produced)
        for epoch, generated, consumed in synth.site_rows(site, START_EPOCH, take, INTERVAL_S, n):
            produced += 1
            fault = produced % fault_every == 0
            yield {
                "site_id": site.site_id,
                "timestamp": synth.iso(epoch),
                "energy_generated_kwh": generated,
                "energy_consumed_kwh": -consumed - 0.5 if fault else consumed,
            }


def make_file(folder: Path, count: int, suffix: str = ".json") -> Path:
    """The file of `count` readings, written once per folder (.json, .jsonl, .csv, optionally .gz)."""
    path = folder / f"readings-{count}{suffix}"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        synth_files.write_readings(path, readings(count))
    return path


def gzip_copy(path: Path) -> Path:
    target = path.with_name(path.name + ".gz")
    if not target.exists():
        target.write_bytes(gzip.compress(path.read_bytes(), compresslevel=5))
    return target
