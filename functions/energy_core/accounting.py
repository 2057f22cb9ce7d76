"""Rejects, duplicates and the counts that must always add up: received = valid + rejected + duplicates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    except (orjson.JSONEncodeError, RecursionError):
        # lone surrogates or nesting orjson will not write: keep a readable repr instead
        record = text_of(record)
        text = orjson.dumps(record)
    if len(text) <= limit:
        return record
    cut = text[: limit - 40].decode("utf-8", "ignore")  # "ignore" drops a split multi-byte char
    return f"{cut}... ({len(text):,} bytes, truncated)"


def text_of(record: object, limit: int = RECORD_LIMIT) -> str:
    try:
        shown = repr(record)
    except RecursionError:
        shown = f"(a {type(record).__name__} nested too deeply to show)"
    return shown[:limit].encode("utf-8", "replace").decode("utf-8", "replace")


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


def dedupe(readings: list[CanonicalReading], positions: Sequence[int]) -> Deduped:
    """Readings grouped by site (in the order the file first names each) and in time order within a
    site, keeping the first in the file for each instant.

    Identical later readings are counted as duplicates; different ones are reported as conflicts
    (with the position of the one kept). Indices are grouped per site and sorted by timestamp with
    C-level keys, and a site without repeated timestamps (the common case) is copied without a
    Python-level loop: at a million readings, per-reading tuples would cost more than the sort.
    `plain_dedupe` is the reference.
    """
    stamps = [reading[1] for reading in readings]
    groups: dict[str, list[int]] = {}
    for index, reading in enumerate(readings):
        group = groups.get(reading[0])
        if group is None:
            groups[reading[0]] = group = []
        group.append(index)
    result = Deduped([], [], 0)
    for group in groups.values():
        group.sort(key=stamps.__getitem__)  # stable: equal timestamps stay in file order
        if len(set(map(stamps.__getitem__, group))) == len(group):
            result.readings.extend(map(readings.__getitem__, group))
        else:
            result = _keep_first(group, readings, positions, result)
    return result


def plain_dedupe(readings: list[CanonicalReading], positions: Sequence[int]) -> Deduped:
    """What `dedupe` gives, written plainly (conflicts in file order): the reference it is held to."""
    kept: dict[tuple[str, str], tuple[int, CanonicalReading]] = {}
    result = Deduped([], [], 0)
    for reading, position in zip(readings, positions, strict=True):
        first_position, first = kept.setdefault((reading.site_id, reading.timestamp), (position, reading))
        if first_position == position:
            continue
        if reading == first:
            result = result._replace(duplicates=result.duplicates + 1)
        else:
            result.conflicts.append((position, first_position, reading, first))
    site_order = {site: index for index, site in enumerate(dict.fromkeys(r.site_id for r in readings))}
    stored = [reading for _, reading in kept.values()]
    result.readings.extend(sorted(stored, key=lambda r: (site_order[r.site_id], r.timestamp)))
    return result


def _keep_first(
    group: list[int], readings: list[CanonicalReading], positions: Sequence[int], into: Deduped
) -> Deduped:
    duplicates = into.duplicates
    previous, first_position = None, -1
    for index in group:
        reading = readings[index]
        if previous is not None and reading[1] == previous[1]:
            if reading == previous:
                duplicates += 1
            else:
                into.conflicts.append((positions[index], first_position, reading, previous))
            continue
        into.readings.append(reading)
        previous, first_position = reading, positions[index]
    return into._replace(duplicates=duplicates)
