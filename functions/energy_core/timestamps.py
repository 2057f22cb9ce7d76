"""Timestamps: ISO 8601 in, one canonical UTC form out (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, 27 chars).

The fixed width makes the canonical form sort chronologically as a string, which is what lets it be
the DynamoDB sort key and lets `BETWEEN` select time ranges.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection
from datetime import datetime

from energy_core.contract import TIMESTAMP_RE

_EXAMPLE = "use ISO 8601 like 2025-02-19T21:46:30Z"
_fromisoformat = datetime.fromisoformat
_fullmatch = TIMESTAMP_RE.fullmatch
# This module reads a text the schema pattern matched by its shape: YYYY-MM-DD, T or a space, HH:MM at
# fixed places, then the pattern's groups (:SS(.fraction)) (.fraction) (offset) (mm).
if TIMESTAMP_RE.groups != 4:  # pragma: no cover - guards an edit of the schema pattern
    raise ImportError("reading.schema.json timestamp pattern changed: update energy_core.timestamps")
_UTC_OFFSETS = frozenset({None, "Z", "+00:00", "-00:00", "+0000", "-0000", "+00", "-00"})
# The schema pattern once per line, for a whole column of texts at once (see `canonical_timestamps`).
if not (TIMESTAMP_RE.pattern.startswith("^") and TIMESTAMP_RE.pattern.endswith("$")):  # pragma: no cover
    raise ImportError("reading.schema.json timestamp pattern changed: update energy_core.timestamps")
# Without its groups (capturing a million of them is what makes one long match slow), and possessive:
# a line never has to be matched again once the next one starts.
_EVERY_LINE = re.compile(f"(?:{re.sub(r'[(](?![?])', '(?:', TIMESTAMP_RE.pattern[1:-1])}\n)*+").fullmatch
UTC_SECONDS_LENGTH = len("2025-02-19T21:46:30Z")


def canonical_timestamp(text: str) -> str | None:
    """The canonical UTC form of a contract timestamp, or None (ask `explain_timestamp` why)."""
    match = _fullmatch(text)
    if match is None:
        return None
    seconds, fraction, offset, _ = match.groups()
    try:
        when = _fromisoformat(text)  # the real-instant check: Feb 30 and hour 25 fail here
    except ValueError:
        return None
    if offset in _UTC_OFFSETS:
        # The text already holds every digit of the canonical form: slicing it is about three
        # times faster than datetime.isoformat, and this runs once per reading.
        if fraction is None:
            return f"{text[:10]}T{text[11:16]}{seconds or ':00'}.000000Z"
        return f"{text[:10]}T{text[11:19]}.{fraction[1:7].ljust(6, '0')}Z"
    try:
        when = (when - when.utcoffset()).replace(tzinfo=None)  # type: ignore[operator]
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        return None
    return when.isoformat(timespec="microseconds") + "Z"


def canonical_timestamps(texts: Collection[str]) -> dict[str, str] | None:
    """The canonical form of each of the distinct `texts`, or None if any is not a valid timestamp: what
    `canonical_timestamp` gives each (tests/unit/test_properties_ingest.py holds the two together).

    Most files write every instant to the second in UTC ('2025-02-19T21:46:30Z'). Those texts are
    matched against the pattern all at once (one line each), and the canonical form is cut from each
    after the real-instant check: half the cost of a match per text. Other texts go one by one."""
    lines, count, width = "\n".join(texts) + "\n", len(texts), UTC_SECONDS_LENGTH + 1
    utc_seconds = (
        len(lines) == width * count
        and lines.count("\n") == count
        and lines[width - 1 :: width] == "\n" * count  # so every text is UTC_SECONDS_LENGTH long ...
        and lines[width - 2 :: width] == "Z" * count  # ... and ends with Z
        and _EVERY_LINE(lines) is not None
    )
    if not utc_seconds:
        memo = {text: canonical_timestamp(text) for text in texts}
        return None if None in memo.values() else memo  # type: ignore[return-value]
    try:
        for text in texts:
            _fromisoformat(text)  # the real-instant check: Feb 30 and hour 25 fail here
    except ValueError:
        return None
    # The pattern leaves one reading of such a text: YYYY-MM-DD, T or a space, HH:MM, :SS and Z.
    return {text: f"{text[:10]}T{text[11:19]}.000000Z" for text in texts}


def epoch_seconds(canonical: str) -> float:
    """Seconds since 1970-01-01T00:00:00Z of a canonical timestamp (fast: one C-level parse)."""
    return _fromisoformat(canonical).timestamp()


def explain_timestamp(text: str) -> tuple[str, str] | None:
    """(code, reason) saying why `text` is not a valid timestamp, or None if it is one."""
    if canonical_timestamp(text) is not None:
        return None
    shown = quoted(text)
    shape = _fullmatch(text)
    if shape is None:
        if text.endswith("\n") and _fullmatch(text.rstrip("\n")):
            return "invalid_timestamp", f"timestamp {shown} ends with a line break; remove it"
        return "invalid_timestamp", f"timestamp {shown} is not an ISO 8601 date and time; {_EXAMPLE}"
    return "impossible_timestamp", f"timestamp {shown} {_impossible_part(shape)}; {_EXAMPLE}"


def _impossible_part(shape: re.Match[str]) -> str:
    """What does not exist in a text of the contract's shape (digits at fixed places, then the groups)."""
    text = shape.string
    year, month, day = int(text[0:4]), int(text[5:7]), int(text[8:10])
    if year == 0:
        return "has year 0, which does not exist (years start at 1)"
    if not 1 <= month <= 12:
        return f"has month {month}, which does not exist (months are 01-12)"
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        name = calendar.month_name[month]
        return f"is not a real date ({name} {year} has {last} days, so there is no day {day})"
    seconds, _, offset, _ = shape.groups()
    for label, digits, top in (
        ("hour", text[11:13], 23),
        ("minute", text[14:16], 59),
        ("second", seconds[1:3] if seconds else "00", 59),
    ):
        if int(digits) > top:
            return f"has {label} {int(digits)}, which does not exist ({label}s are 00-{top})"
    if offset not in (None, "Z"):
        hours, minutes = offset[1:3], offset[-2:] if len(offset) > 3 else "00"
        if int(hours) > 23 or int(minutes) > 59:
            return "has a UTC offset out of range (offsets are -23:59 to +23:59)"
    return "is outside the supported range once converted to UTC (years 0001-9999)"


def quoted(text: str, limit: int = 60) -> str:
    """A value quoted for a message, cut so that a 5 MB string cannot flood a reject line."""
    return repr(text if len(text) <= limit else text[:limit] + "...")
