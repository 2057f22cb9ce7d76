"""Validation and canonicalisation of parsed records, with dedupe and accounting.

The accept path (fastpath.py) is hand-written from the constants of the contract schema, since
jsonschema validates ~30k records/s; rejected records go through `reasons.explain`, which asks
jsonschema itself. A property test holds both paths to agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from energy_core.accounting import Counts, Reject, dedupe, make_reject
from energy_core.errors import InvalidFile
from energy_core.fastpath import make_reader
from energy_core.parsed import BadRecord, ParsedFile
from energy_core.parsing import DEFAULT_MAX_DECOMPRESSED, detect_format, parse_records
from energy_core.readings import CanonicalReading
from energy_core.reasons import explain


@dataclass(slots=True)
class ValidationResult:
    """Valid readings sorted by (site_id, timestamp), rejects in file order, and the counts."""

    valid: list[CanonicalReading]
    rejects: list[Reject] = field(default_factory=list)
    duplicates: int = 0

    @property
    def counts(self) -> Counts:
        rejected = len(self.rejects)
        return Counts(
            len(self.valid) + rejected + self.duplicates, len(self.valid), rejected, self.duplicates
        )

    def site_ids(self) -> list[str]:
        return sorted({reading.site_id for reading in self.valid})

    def require_valid(self) -> None:
        """InvalidFile (`no_valid_records`) when nothing in the file can be stored."""
        if self.valid:
            return
        codes = Counter(reject.code for reject in self.rejects).most_common(3)
        summary = ", ".join(f"{count} {code}" for code, count in codes)
        first = self.rejects[0] if self.rejects else None
        example = f"; first: record {first.position}: {first.reason}" if first else ""
        raise InvalidFile("no_valid_records", f"no record in the file is valid ({summary}){example}")


def validate_file(parsed: ParsedFile) -> ValidationResult:
    """Validate, canonicalise and dedupe every record; received = valid + rejected + duplicates."""
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
    deduped = dedupe(readings, positions)
    for position, first, mine, theirs in deduped.conflicts:
        reason = _conflict_reason(first, mine, theirs)
        rejects.append(
            make_reject(
                position, parsed.line(position), "conflicting_duplicate", reason, parsed.values[position]
            )
        )
    rejects.sort(key=lambda reject: reject.position)
    result = ValidationResult(deduped.readings, rejects, deduped.duplicates)
    if result.counts.received != len(parsed):
        raise AssertionError(f"accounting broken: {result.counts} for {len(parsed)} records")
    return result


def _conflict_reason(first: int, mine: CanonicalReading, theirs: CanonicalReading) -> str:
    names = ("energy_generated_kwh", "energy_consumed_kwh", "cumulative_kwh")
    diffs = [
        f"{name} {new or 'absent'} here, {old or 'absent'} there"
        for name, new, old in zip(names, mine[2:], theirs[2:], strict=True)
        if new != old
    ]
    return (
        f"site {mine.site_id} already has a reading at {mine.timestamp} (position {first}, which was stored) "
        f"with different values ({'; '.join(diffs)}); remove one of the two from the file"
    )


def ingest(key: str, data: bytes, max_decompressed: int = DEFAULT_MAX_DECOMPRESSED) -> ValidationResult:
    """Detect, parse and validate one uploaded object; InvalidFile if it cannot be read at all."""
    fmt = detect_format(key, data[:4096])
    return validate_file(parse_records(data, fmt, max_decompressed))
