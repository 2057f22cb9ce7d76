"""Time parameters of the query API: ISO 8601 in, canonical UTC sort-key strings out.

Stored readings use `YYYY-MM-DDTHH:MM:SS.ffffffZ` (fixed width, so string order is time order); every
range is turned into those strings once, here, so the DynamoDB layer only compares strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from query_api.errors import PLUS_AS_SPACE, PLUS_HINT, BadRequest, bad_parameter

Resolution = Literal["hour", "day", "month"]

MIN_INSTANT = datetime(1, 1, 1, tzinfo=UTC)
MAX_INSTANT = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
MAX_TEXT = 64
ONE_MICROSECOND = timedelta(microseconds=1)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Exactly the texts the API takes for from/to (the OpenAPI pattern, checked before parse_instant):
# a calendar date (YYYY-MM-DD, midnight UTC) or a date and time with Z or an offset +HH:MM/-HH:MM and
# up to 6 fractional digits. The date part admits only real days (Feb 29 in leap years only), so a
# text matching it always parses.
_YEAR = r"(?:000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-9]\d{3})"
_LEAP_YEAR = r"(?:\d\d(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_MONTH_DAY = r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
_CLOCK = r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
INSTANT_PATTERN = rf"^(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)(?:{_CLOCK})?$"
_FORMS = ("YYYY-MM-DD (midnight UTC) or YYYY-MM-DDTHH:MM:SS[.ffffff] with Z or an offset +HH:MM/-HH:MM "
          "(write + as %2B in a URL)")
FROM_TEXT = f"Start, inclusive: {_FORMS}"
TO_TEXT = f"End, exclusive: {_FORMS}"

# Wider ranges would make one summary read too many readings for the 29 s API Gateway timeout.
RANGE_LIMITS: dict[str, timedelta] = {
    "hour": timedelta(days=31),
    "day": timedelta(days=366),
    "month": timedelta(days=1827),
}
RANGE_LIMIT_TEXT = {"hour": "31 days", "day": "366 days", "month": "5 years (1827 days)"}
COARSER = {"hour": "day", "day": "month"}


def canonical(instant: datetime) -> str:
    t = instant.astimezone(UTC)
    # Explicit widths: strftime("%Y") does not pad years before 1000 on every platform.
    day = f"{t.year:04d}-{t.month:02d}-{t.day:02d}"
    return f"{day}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{t.microsecond:06d}Z"


def parse_canonical(text: str) -> datetime:
    """A stored sort key back to a datetime (input is trusted: it comes from our own tables)."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def parse_instant(name: str, text: str) -> datetime:
    """An ISO 8601 instant with an offset or Z, or a plain date meaning midnight UTC."""
    hint = "write an ISO 8601 time with an offset or Z, e.g. 2025-02-19T21:46:30Z, or a date, e.g. 2025-02-19"
    if PLUS_AS_SPACE.search(text or ""):
        raise bad_parameter(name, f"{text!r} has a space before its offset; {PLUS_HINT}")
    if not text or len(text) > MAX_TEXT or not text.isascii() or not text.isprintable():
        raise bad_parameter(name, f"not a time; {hint}")
    try:
        if _DATE_ONLY.match(text):
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            raise bad_parameter(name, f"{text!r} has no offset, so its instant is ambiguous; {hint}")
        return _in_utc(parsed)
    except (ValueError, OverflowError) as error:
        raise bad_parameter(name, f"{text!r} is not a valid time ({error}); {hint}") from None


def _in_utc(parsed: datetime) -> datetime:
    """The instant in UTC; one past the calendar's ends (0001-01-01T00:00+05:00) is that end."""
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return MIN_INSTANT if parsed.year == 1 else MAX_INSTANT


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A half-open range [start, end) in canonical strings; `last` is the inclusive end for BETWEEN."""

    start: str
    end: str
    last: str


def time_range(start: datetime | None, end: datetime | None) -> TimeRange:
    """The half-open range between two instants; a missing bound means the start or end of time."""
    low = start or MIN_INSTANT
    if end is None:
        return TimeRange(canonical(low), canonical(MAX_INSTANT), canonical(MAX_INSTANT))
    if low >= end:
        raise BadRequest(
            "invalid_range", "from must be earlier than to (the range is [from, to), to exclusive)"
        )
    # Sort keys have microsecond resolution, so "< end" is exactly "<= end - 1 microsecond".
    return TimeRange(canonical(low), canonical(end), canonical(end - ONE_MICROSECOND))


def check_span(start: datetime, end: datetime, resolution: str) -> None:
    limit = RANGE_LIMITS[resolution]
    if end - start <= limit:
        return
    days = (end - start) / timedelta(days=1)
    advice = f" or use resolution={COARSER[resolution]}" if resolution in COARSER else ""
    raise BadRequest(
        "range_too_large",
        f"resolution={resolution} allows a range of at most {RANGE_LIMIT_TEXT[resolution]}; "
        f"this range spans {days:.1f} days: narrow from/to{advice}",
    )


# Bucket starts from canonical strings by slicing: the summary touches every reading of the range.
_BUCKET_PREFIX = {"hour": 13, "day": 10, "month": 7}
_BUCKET_SUFFIX = {"hour": ":00:00.000000Z", "day": "T00:00:00.000000Z", "month": "-01T00:00:00.000000Z"}


def bucket_start(timestamp: str, resolution: str) -> str:
    return timestamp[: _BUCKET_PREFIX[resolution]] + _BUCKET_SUFFIX[resolution]
