"""Validation and canonicalisation of parsed records, with dedupe and accounting.

The accept path is hand-written from the constants in the contract schema (jsonschema validates
~30k records/s, far too slow for a million-reading file); rejected records go through
`reasons.explain`, which asks jsonschema itself. A property test holds both paths to agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from energy_core.accounting import Counts, Reject, dedupe, make_reject
from energy_core.contract import CONSUMED, CUMULATIVE, GENERATED, MAXIMUM, MINIMUM, SITE_ID_RE, SMALLEST
from energy_core.errors import InvalidFile
from energy_core.parsed import ParsedFile
from energy_core.parsing import DEFAULT_MAX_DECOMPRESSED, detect_format, parse_records
from energy_core.readings import CanonicalReading
from energy_core.reasons import NUMBER_TEXT, explain
from energy_core.timestamps import canonical_timestamp

_site_ok = SITE_ID_RE.fullmatch
_number_text_ok = NUMBER_TEXT.fullmatch
_new_tuple = tuple.__new__  # skips NamedTuple's Python-level __new__: a third of the cost per reading


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


def canonical_number(value: object) -> str | None:
    """A JSON number as its shortest round-trip decimal string, or None if the contract refuses it."""
    kind = type(value)
    if kind is not float:
        # checked before float() so that a 400-digit integer cannot overflow; bool is not a number
        if kind is not int or not MINIMUM <= value <= MAXIMUM:  # type: ignore[operator]
            return None
        value = float(value)  # type: ignore[arg-type]
    if not MINIMUM <= value <= MAXIMUM:  # type: ignore[operator]  # NaN fails every comparison
        return None
    if -SMALLEST < value < SMALLEST:  # type: ignore[operator]
        return "0.0" if value == 0 else None  # -0.0 and 0.0 are one value
    return repr(value)


def canonical_cell(text: str) -> str | None:
    """A CSV cell as the same decimal string the equal JSON number would give."""
    if _number_text_ok(text) is None:
        return None
    return canonical_number(float(text))


def reading_from_json(value: object) -> CanonicalReading | None:
    """The canonical reading of a JSON record, or None if anything is wrong (then ask `explain`)."""
    if type(value) is not dict:
        return None
    site_id, timestamp = value.get("site_id"), value.get("timestamp")
    if type(site_id) is not str or type(timestamp) is not str or _site_ok(site_id) is None:
        return None
    when = canonical_timestamp(timestamp)
    generated = canonical_number(value.get(GENERATED))
    consumed = canonical_number(value.get(CONSUMED))
    cumulative = value.get(CUMULATIVE)
    if cumulative is not None:
        cumulative = canonical_number(cumulative)
        if cumulative is None:
            return None
    if when is None or generated is None or consumed is None:
        return None
    reading: CanonicalReading = _new_tuple(CanonicalReading, (site_id, when, generated, consumed, cumulative))
    return reading


def reading_from_cells(cells: object) -> CanonicalReading | None:
    """The canonical reading of a CSV row (a dict of stripped cell text), or None."""
    if type(cells) is not dict:
        return None
    site_id = cells["site_id"]
    if _site_ok(site_id) is None:
        return None
    when = canonical_timestamp(cells["timestamp"])
    generated = canonical_cell(cells[GENERATED])
    consumed = canonical_cell(cells[CONSUMED])
    cumulative = cells.get(CUMULATIVE) or None  # an empty cell means "no register value"
    if cumulative is not None:
        cumulative = canonical_cell(cumulative)
        if cumulative is None:
            return None
    if when is None or generated is None or consumed is None:
        return None
    reading: CanonicalReading = _new_tuple(CanonicalReading, (site_id, when, generated, consumed, cumulative))
    return reading


def validate_file(parsed: ParsedFile) -> ValidationResult:
    """Validate, canonicalise and dedupe every record; received = valid + rejected + duplicates."""
    to_reading = reading_from_cells if parsed.cells_are_text else reading_from_json
    entries: list[tuple[str, str, int, CanonicalReading]] = []
    rejects: list[Reject] = []
    for position, value in enumerate(parsed.values):
        reading = to_reading(value)
        if reading is None:
            code, reason = explain(value, parsed.cells_are_text)
            rejects.append(make_reject(position, parsed.line(position), code, reason, value))
        else:
            entries.append((reading[0], reading[1], position, reading))
    deduped = dedupe(entries)
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
        f"{name} {new} vs {old}"
        for name, new, old in zip(names, mine[2:], theirs[2:], strict=True)
        if new != old
    ]
    return (
        f"site {mine.site_id} already has a reading at {mine.timestamp} (record {first}) with different "
        f"values ({'; '.join(diffs)}); keep one of them, the first one was stored"
    )


def ingest(key: str, data: bytes, max_decompressed: int = DEFAULT_MAX_DECOMPRESSED) -> ValidationResult:
    """Detect, parse and validate one uploaded object; InvalidFile if it cannot be read at all."""
    fmt = detect_format(key, data[:4096])
    return validate_file(parse_records(data, fmt, max_decompressed))
