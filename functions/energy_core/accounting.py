"""Rejects, duplicates and the counts that must always add up: received = valid + rejected + duplicates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import orjson

from energy_core.readings import CanonicalReading

RECORD_LIMIT = 2048  # bytes of the original record kept in a reject line


class Reject(NamedTuple):
    """A record that was not stored: where it was, why (code + human reason) and what it said."""

    position: int  # 0-based record index in the file
    line: int | None  # 1-based line (JSON Lines and CSV only)
    code: str
    reason: str
    record: object  # the original record, or its JSON text cut to RECORD_LIMIT bytes

    def as_dict(self) -> dict[str, object]:
        """The reject line of `rejected/<key>.jsonl`, in the documented key order."""
        line: dict[str, object] = {"position": self.position}
        if self.line is not None:
            line["line"] = self.line
        line.update(reason=self.reason, code=self.code, record=self.record)
        return line


def make_reject(position: int, line: int | None, code: str, reason: str, record: object) -> Reject:
    return Reject(position, line, code, reason, truncate_record(record))


def truncate_record(record: object, limit: int = RECORD_LIMIT) -> object:
    """The record itself when its JSON fits `limit` bytes, else the first bytes of its JSON text."""
    try:
        text = orjson.dumps(record)
    except (orjson.JSONEncodeError, TypeError):
        # lone surrogates or nesting orjson will not write: keep a readable repr instead
        text = repr(record)[: limit * 2].encode("utf-8", "replace")
    if len(text) <= limit:
        return record
    cut = text[: limit - 40].decode("utf-8", "ignore")  # "ignore" drops a split multi-byte char
    return f"{cut}... ({len(text):,} bytes, truncated)"


def dump_rejects(rejects: Iterable[Reject]) -> bytes:
    """JSON Lines of reject lines, ready to put at `rejected/<original key>.jsonl`."""
    dumps = orjson.dumps
    return b"".join(dumps(reject.as_dict()) + b"\n" for reject in rejects)


@dataclass(frozen=True, slots=True)
class Counts:
    """The accounting of one file; `check` enforces the invariant the execution output promises."""

    received: int
    valid: int
    rejected: int
    duplicates: int

    def check(self) -> Counts:
        if self.received != self.valid + self.rejected + self.duplicates:
            raise AssertionError(f"accounting broken: {self}")
        return self

    def as_dict(self) -> dict[str, int]:
        return {
            "received": self.received,
            "valid": self.valid,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
        }


class Deduped(NamedTuple):
    readings: list[CanonicalReading]
    conflicts: list[tuple[int, int, CanonicalReading, CanonicalReading]]  # (position, first, mine, theirs)
    duplicates: int


def dedupe(entries: list[tuple[str, str, int, CanonicalReading]]) -> Deduped:
    """Sort (site_id, timestamp, position, reading) entries and keep the first reading per instant.

    Sorting on position as the third key makes "first" mean first in the file. Identical later
    readings are counted as duplicates; different ones are reported as conflicts.
    """
    entries.sort()
    kept: list[CanonicalReading] = []
    conflicts: list[tuple[int, int, CanonicalReading, CanonicalReading]] = []
    duplicates = 0
    first_position = -1
    for site_id, timestamp, position, reading in entries:
        if kept and kept[-1].timestamp == timestamp and kept[-1].site_id == site_id:
            if reading == kept[-1]:
                duplicates += 1
            else:
                conflicts.append((position, first_position, reading, kept[-1]))
            continue
        kept.append(reading)
        first_position = position
    return Deduped(kept, conflicts, duplicates)
