"""Pure, typed domain code of the energy pipeline: parsing, validation, canonical readings.

No boto3, no environment reads, no module-level mutable state: every function here is safe to call
from any Lambda handler, the local engine or a benchmark.
"""

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
