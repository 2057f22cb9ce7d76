"""Synthetic readings written as files: JSON, JSON Lines or CSV, optionally gzip (data: synth.py)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

_HEADER = "site_id,timestamp,energy_generated_kwh,energy_consumed_kwh"


def write_readings(path: Path | str, readings: Iterable[Mapping[str, Any]]) -> int:
    """Write readings as .json (array), .jsonl/.ndjson or .csv by extension, gzip when it ends in .gz."""
    target = Path(path)
    kind = _kind(target)
    with _open(target) as out:
        if kind == "csv":
            return _write_lines(out, kind, (_csv_row(r) for r in readings), _HEADER + ",cumulative_kwh")
        return _write_lines(out, kind, (json.dumps(dict(r), separators=(",", ":")) for r in readings))


def _write_lines(out: IO[str], kind: str, lines: Iterable[str], header: str = "") -> int:
    count = 0
    if kind == "csv":
        out.write(header + "\n")
    elif kind == "json":
        out.write("[\n")
    separator = ",\n" if kind == "json" else "\n"
    for count, line in enumerate(lines, start=1):
        out.write(line if count == 1 else separator + line)
    out.write("\n]\n" if kind == "json" else "\n" if count else "")
    return count


def _csv_row(row: Mapping[str, Any]) -> str:
    cumulative = row.get("cumulative_kwh")
    return (
        f"{row['site_id']},{row['timestamp']},{row['energy_generated_kwh']!r},{row['energy_consumed_kwh']!r},"
        f"{'' if cumulative is None else repr(cumulative)}"
    )


def _kind(path: Path) -> str:
    suffixes = [s for s in path.suffixes if s != ".gz"]
    kind = suffixes[-1].lstrip(".") if suffixes else ""
    if kind not in {"json", "jsonl", "ndjson", "csv"}:
        raise ValueError(f"{path.name}: use .json, .jsonl, .ndjson or .csv (optionally .gz)")
    return "jsonl" if kind == "ndjson" else kind


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8", compresslevel=5, newline="")
    return path.open("w", encoding="utf-8", newline="")
