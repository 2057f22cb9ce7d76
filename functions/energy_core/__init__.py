"""Pure, typed domain code of the energy pipeline: parsing, validation, canonical readings.

No boto3, no environment reads, no module-level mutable state: every function here is safe to call
from any Lambda handler, the local engine or a benchmark.

The names below are loaded on first use (PEP 562): a handler that imports `energy_core.detect` does
not pay for parsing and validation (and msgspec) at its cold start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from energy_core.accounting import Counts, Reject, dump_rejects
    from energy_core.errors import InvalidFile, PipelineError
    from energy_core.parsing import (
        DEFAULT_MAX_DECOMPRESSED,
        Format,
        ParsedFile,
        RawRecord,
        detect_format,
        parse_records,
    )
    from energy_core.readings import (
        CanonicalReading,
        Readings,
        dump_chunk,
        epoch_seconds,
        load_chunk,
        split_chunks,
        to_item,
    )
    from energy_core.validation import ValidationResult, ingest, validate_file

_HOMES = {
    "energy_core.accounting": ("Counts", "Reject", "dump_rejects"),
    "energy_core.errors": ("InvalidFile", "PipelineError"),
    "energy_core.parsing": (
        "DEFAULT_MAX_DECOMPRESSED",
        "Format",
        "ParsedFile",
        "RawRecord",
        "detect_format",
        "parse_records",
    ),
    "energy_core.readings": (
        "CanonicalReading",
        "Readings",
        "dump_chunk",
        "epoch_seconds",
        "load_chunk",
        "split_chunks",
        "to_item",
    ),
    "energy_core.validation": ("ValidationResult", "ingest", "validate_file"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "DEFAULT_MAX_DECOMPRESSED",
    "CanonicalReading",
    "Counts",
    "Format",
    "InvalidFile",
    "ParsedFile",
    "PipelineError",
    "RawRecord",
    "Readings",
    "Reject",
    "ValidationResult",
    "detect_format",
    "dump_chunk",
    "dump_rejects",
    "epoch_seconds",
    "ingest",
    "load_chunk",
    "parse_records",
    "split_chunks",
    "to_item",
    "validate_file",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME_OF:
        raise AttributeError(f"module 'energy_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME_OF[name]), name)
    globals()[name] = value  # once
    return value
