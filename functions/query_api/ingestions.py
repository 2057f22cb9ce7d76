"""GET /ingestions: the ingestion ledger, newest first, from the sparse IngestionsByTime index.

The workflow stamps `updated_at` with Step Functions' `$$.State.EnteredTime`, always UTC but not in one
width: `...54.123Z` on AWS, `...54.123456+00:00` (or `...54+00:00`) on the local engine. The index sorts
those strings, which orders whole seconds correctly (the first 19 characters are fixed-width UTC) but not
always the instants inside one second. So the index is read by whole seconds: each second's items are
collected, normalised to the API's canonical form and sorted in code, and ranges are widened to whole
seconds for DynamoDB and then applied exactly here.

The API's order is (updated_at, key) descending on the canonical strings. A page's cursor is a position
in that order; a bare second with an empty key means "everything before that second".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from query_api.errors import BadRequest
from query_api.timeparams import TimeRange, canonical

SECOND = 19  # len("YYYY-MM-DDTHH:MM:SS"): the part of a ledger time that sorts correctly as text
AFTER_ANY_SUFFIX = "~"  # sorts after ".", "Z", "+" and digits: the end of a whole second
# A status filter can skip many items per call; past this, a page ends at a second boundary with a token.
MAX_CALLS_PER_PAGE = 20

TIMES = ("started_at", "finished_at", "updated_at")
COUNTS = ("size", "received", "stored", "rejected", "duplicates", "anomalies")
TEXTS = ("status", "etag", "execution", "rejects_location", "error", "reason", "quarantine_location")
# The answer's field order (docs/api.md); absent fields are left out.
FIELDS = (
    "key", "status", "etag", "size", "execution", "started_at", "finished_at", "updated_at",
    "received", "stored", "rejected", "duplicates", "anomalies",
    "rejects_location", "error", "reason", "quarantine_location",
)  # fmt: skip


def ledger_time(value: Any) -> str | None:
    """A ledger timestamp in the API's canonical UTC form; None when it is missing or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Step Functions writes UTC; a time without an offset can only mean that.
    return canonical(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


def entry(item: dict[str, Any]) -> dict[str, Any] | None:
    """One ledger item as the API answers it; None if it has no usable updated_at (it cannot be placed)."""
    found: dict[str, Any] = {"key": item.get("sk")}
    for name in TIMES:
        found[name] = ledger_time(item.get(name))
    for name in COUNTS:
        value = item.get(name)
        found[name] = int(value) if isinstance(value, Decimal) and value.is_finite() else None
    for name in TEXTS:
        value = item.get(name)
        found[name] = value if isinstance(value, str) else None
    # Step Functions' States.Format writes the text "None" when a file had no rejects.
    if found["rejects_location"] == "None":
        found["rejects_location"] = None
    if not isinstance(found["key"], str) or found["updated_at"] is None:
        return None
    return {name: found[name] for name in FIELDS if found[name] is not None}


@dataclass(frozen=True, slots=True)
class Cursor:
    """Continue with the entries that come strictly after this position in newest-first order."""

    updated_at: str  # canonical, or a bare second (SECOND characters)
    key: str  # "" with a bare second

    @staticmethod
    def before_second(second: str) -> Cursor:
        return Cursor(second, "")

    def admits(self, found: dict[str, Any]) -> bool:
        # A bare second is shorter than any canonical time in it, so its whole second compares greater.
        return (found["updated_at"], found["key"]) < (self.updated_at, self.key)

    def highest(self) -> str:
        """The index's upper bound: the cursor's own second is read again unless it is wholly done."""
        second = self.updated_at[:SECOND]
        return second + AFTER_ANY_SUFFIX if self.key else second

    def text(self) -> str:
        return json.dumps([self.updated_at, self.key], separators=(",", ":"))

    @staticmethod
    def parse(text: str | None) -> Cursor | None:
        if text is None:
            return None
        try:
            updated_at, key = json.loads(text)
        except (ValueError, TypeError):
            updated_at = key = None
        if not isinstance(updated_at, str) or not isinstance(key, str):
            raise BadRequest("invalid_next_token", "next_token: the token format is not supported")
        return Cursor(updated_at, key)


def index_bounds(span: TimeRange, cursor: Cursor | None) -> tuple[str, str] | None:
    """`updated_at` BETWEEN bounds widened to whole seconds; None when nothing can be left to read."""
    low = span.start[:SECOND]
    high = span.last[:SECOND] + AFTER_ANY_SUFFIX
    if cursor is not None:
        high = min(high, cursor.highest())
    return (low, high) if low <= high else None


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    after: Cursor | None


@dataclass(frozen=True, slots=True)
class Second:
    """All index items of one UTC second, and whether the index may hold older ones."""

    second: str
    items: list[dict[str, Any]]
    calls: int  # DynamoDB calls spent when this second was known to be complete
    more: bool


def _seconds(chunks: Iterable[list[dict[str, Any]]]) -> Iterator[Second]:
    """Items grouped by second, in index order; a second is yielded once the next one (or the end) shows."""
    second: str | None = None
    group: list[dict[str, Any]] = []
    calls = 0
    for calls, chunk in enumerate(chunks, start=1):
        for item in chunk:
            item_second = str(item.get("updated_at", ""))[:SECOND]
            if second is not None and item_second != second:
                yield Second(second, group, calls, more=True)
                group = []
            second = item_second
            group.append(item)
    if second is not None:
        yield Second(second, group, calls, more=False)


def _settle(group: list[dict[str, Any]], span: TimeRange, cursor: Cursor | None) -> list[dict[str, Any]]:
    """One second's entries that are inside [from, to) and after the cursor, newest first."""
    found = [e for e in map(entry, group) if e is not None and span.start <= e["updated_at"] < span.end]
    if cursor is not None:
        found = [e for e in found if cursor.admits(e)]
    return sorted(found, key=lambda e: (e["updated_at"], e["key"]), reverse=True)


def page(chunks: Iterable[list[dict[str, Any]]], span: TimeRange, cursor: Cursor | None, limit: int) -> Page:
    """Up to `limit` entries, and a cursor only when more may exist."""
    done: list[dict[str, Any]] = []
    for group in _seconds(chunks):
        done.extend(_settle(group.items, span, cursor))
        if len(done) > limit:
            last = done[limit - 1]
            return Page(done[:limit], Cursor(last["updated_at"], last["key"]))
        if group.more and group.calls >= MAX_CALLS_PER_PAGE:
            # Out of calls (a sparse status filter): stop on a finished second and continue before it.
            return Page(done, Cursor.before_second(group.second))
    return Page(done, None)
