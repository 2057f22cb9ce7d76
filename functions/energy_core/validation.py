"""Validation of one uploaded file: its canonical readings, the rejects with their reasons, the counts.

One decoder reads every reading: the typed row of the contract (typed_rows.py). A JSON or JSON Lines
file whose every record is valid - most uploads - is read whole into typed rows and checked a column
at a time. Any other file (a record that is no valid reading, JSON that does not parse, CSV) is parsed
into records (parsing.py) and read one record at a time through the same row (record_reader.py), so
that each refused record gets its position and its reason (reasons.py, which asks jsonschema).
Then repeats of an instant are removed (accounting.dedupe), and received = valid + rejected + duplicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from energy_core.accounting import Counts, Reject, dedupe, make_reject
from energy_core.contract import NUMBER_FIELDS
from energy_core.file_encoding import gunzip
from energy_core.parsed import BadRecord, Format, ParsedFile
from energy_core.parsing import DEFAULT_MAX_DECOMPRESSED, detect_format, parse_records
from energy_core.readings import CanonicalReading, Readings
from energy_core.reasons import explain
from energy_core.record_reader import make_reader
from energy_core.typed_rows import read_file


@dataclass(slots=True)
class ValidationResult:
    """Valid readings (each site's together and in time order, sites in the order the file first names
    them), rejects in file order, and the counts."""

    valid: Readings
    rejects: list[Reject] = field(default_factory=list)
    duplicates: int = 0
    source_format: Format | None = None  # what `ingest` found the upload to be (JSON, CSV, gzip...)

    @property
    def counts(self) -> Counts:
        rejected = len(self.rejects)
        return Counts(
            len(self.valid) + rejected + self.duplicates, len(self.valid), rejected, self.duplicates
        )

    def site_ids(self) -> list[str]:
        return sorted(set(self.valid.site_ids))


def ingest(key: str, data: bytes, max_decompressed: int = DEFAULT_MAX_DECOMPRESSED) -> ValidationResult:
    """Detect, parse and validate one uploaded object; InvalidFile if it cannot be read at all."""
    found = fmt = detect_format(key, data[:4096])
    if fmt.gzip:  # once: both ways in below read the decompressed bytes
        data, fmt = gunzip(data, max_decompressed), Format(fmt.kind)
    clean = _all_valid(data, fmt) if fmt.kind != "csv" else None
    result = clean or validate_file(parse_records(data, fmt, max_decompressed))
    return replace(result, source_format=found)


def _all_valid(data: bytes, fmt: Format) -> ValidationResult | None:
    """The result for a file whose every record is valid, read whole into typed rows; None for any
    other file (record by record then says what is wrong with which record)."""
    accepted = read_file(data, fmt.kind)
    if accepted is None:
        return None
    readings, ordered = accepted
    if ordered:  # each site's readings together, in time order, no instant twice: nothing to dedupe
        return ValidationResult(readings)
    deduped = dedupe(list(readings), range(len(readings)))
    if deduped.conflicts:  # reported with the file's own records: record by record has them
        return None
    return ValidationResult(Readings.from_rows(deduped.readings), [], deduped.duplicates)


def validate_file(parsed: ParsedFile) -> ValidationResult:
    """Validate, canonicalise and dedupe every parsed record, one at a time."""
    read = make_reader(parsed.cells_are_text)
    readings: list[CanonicalReading] = []
    positions: list[int] = []
    rejects: list[Reject] = []
    for position, value in enumerate(parsed.values):
        reading = read(value)
        if reading is None:
            code, reason = explain(value, parsed.cells_are_text)
            record = value.record if isinstance(value, BadRecord) else value
            rejects.append(make_reject(position, parsed.line(position), code, reason, record))
        else:
            readings.append(reading)
            positions.append(position)
    return _deduplicated(parsed, readings, positions, rejects)


def _deduplicated(
    parsed: ParsedFile, readings: list[CanonicalReading], positions: Sequence[int], rejects: list[Reject]
) -> ValidationResult:
    deduped = dedupe(readings, positions)
    for position, first, mine, theirs in deduped.conflicts:
        reason = _conflict_reason(first, mine, theirs)
        rejects.append(
            make_reject(
                position, parsed.line(position), "conflicting_duplicate", reason, parsed.values[position]
            )
        )
    rejects.sort(key=lambda reject: reject.position)
    result = ValidationResult(Readings.from_rows(deduped.readings), rejects, deduped.duplicates)
    if result.counts.received != len(parsed):
        raise AssertionError(f"accounting broken: {result.counts} for {len(parsed)} records")
    return result


def _conflict_reason(first: int, mine: CanonicalReading, theirs: CanonicalReading) -> str:
    diffs = [
        f"{name} {_shown(new)} here, {_shown(old)} there"
        for name, new, old in zip(NUMBER_FIELDS, mine[2:], theirs[2:], strict=True)
        if new != old
    ]
    return (
        f"site {mine.site_id} already has a reading at {mine.timestamp} (position {first}, which was stored) "
        f"with different values ({'; '.join(diffs)}); remove one of the two from the file"
    )


def _shown(value: float | None) -> str:
    return "absent" if value is None else repr(value)
