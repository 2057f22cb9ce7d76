"""What each route does: check the site, turn parameters into a DynamoDB Query, shape the answer.

Parameters arrive already type-checked by Powertools' validation; times, ranges and tokens are checked
here so that every caller mistake becomes a BadRequest before DynamoDB is called.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from energy_aws import queries
from query_api import ingestions as ledger
from query_api.errors import BadRequest, NotFound
from query_api.page_tokens import TokenCodec, fingerprint
from query_api.summary import STORED_FIELDS, net_energy, summarise
from query_api.timeparams import (
    MAX_INSTANT,
    MIN_INSTANT,
    ONE_MICROSECOND,
    TimeRange,
    canonical,
    check_span,
    parse_canonical,
    parse_instant,
    time_range,
)

READING_FIELDS = (*STORED_FIELDS, "cumulative_kwh", "anomalies")
# What GET .../readings tells of each anomaly of a reading (the anomalies route tells everything).
READING_ANOMALY_FIELDS = ("type", "severity", "reason")
ANOMALY_FIELDS = (
    "timestamp", "end", "readings", "type", "severity", "value", "expected", "reason", "field",
    "expected_low", "expected_high", "baseline",
)  # fmt: skip
# How far from a range the index is read for events that overlap it (see Service.anomalies).
EVENT_REACH = timedelta(days=31)
READING_SOURCE_FIELDS = ("source_key", "ingested_at")
# A summary reads every reading of its range. API Gateway gives up after 29 s: a summary stops reading
# after SUMMARY_BUDGET_S (leaving time to answer) or MAX_SUMMARY_READINGS, and answers a 400 that says
# up to which time the range could be read, so the caller can split it there.
MAX_SUMMARY_READINGS = 500_000
SUMMARY_BUDGET_S = 20.0
BUDGET_CHECK_EVERY = 1_000  # readings between two looks at the clock


@dataclass(frozen=True, slots=True)
class Tables:
    readings: str  # anomalies live on their readings, listed through its sparse index
    catalog: str


def _optional_time(name: str, text: str | None) -> datetime | None:
    return None if text is None else parse_instant(name, text)


def _pick(item: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: item[name] for name in names if name in item}


def _count(value: Any) -> int:
    return int(value) if value is not None else 0


@dataclass(frozen=True, slots=True)
class QueryService:
    client: Any
    tables: Tables
    tokens: TokenCodec

    def _site(self, site_id: str) -> dict[str, Any]:
        item = queries.get_item(self.client, self.tables.catalog, {"pk": "SITE", "sk": site_id})
        if item is None:
            raise NotFound(
                "site_not_found", f"site_id: no site {site_id!r}; GET /sites lists the known sites"
            )
        return item

    def _after(self, token: str | None, query: str) -> str | None:
        return None if token is None else self.tokens.decode(token, query)

    def _token(self, query: str, after: str | None) -> str | None:
        return None if after is None else self.tokens.encode(query, after)

    def list_sites(self, limit: int, next_token: str | None) -> dict[str, Any]:
        query = fingerprint("sites")
        page = queries.query_page(
            self.client, limit, ("pk", "SITE"), "sk", self._after(next_token, query),
            TableName=self.tables.catalog, KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "SITE"}},
        )  # fmt: skip
        items = [_site_summary(item) for item in page.items]
        return {"items": items, "next_token": self._token(query, page.after)}

    def readings(  # noqa: PLR0917 - one argument per query parameter of the route
        self, site_id: str, start: str | None, end: str | None, limit: int, order: str, next_token: str | None
    ) -> dict[str, Any]:
        self._site(site_id)
        span = time_range(_optional_time("from", start), _optional_time("to", end))
        query = fingerprint("readings", site_id, span.start, span.end, order)
        page = queries.query_page(
            self.client, limit, ("site_id", site_id), "timestamp", self._after(next_token, query),
            TableName=self.tables.readings, ScanIndexForward=order == "asc",
            ProjectionExpression="#ts, " + ", ".join(READING_FIELDS), **_readings_between(site_id, span),
        )  # fmt: skip
        items = [_reading_answer(item) for item in page.items]
        return {"site_id": site_id, "items": items, "next_token": self._token(query, page.after)}

    def anomalies(  # noqa: PLR0917 - one argument per query parameter of the route
        self,
        site_id: str,
        start: str | None,
        end: str | None,
        kind: str | None,
        limit: int,
        next_token: str | None,
    ) -> dict[str, Any]:
        """The site's anomaly events that overlap [from, to): start before `to`, end at or after `from`.

        Each event is stored on one reading, between its start and a little after its end (a gap: the
        reading that ends the silence), so the index is read from EVENT_REACH before `from` to
        EVENT_REACH after `to`: bounded, and exact for every event shorter than EVENT_REACH.
        """
        self._site(site_id)
        span = time_range(_optional_time("from", start), _optional_time("to", end))
        # "events": tokens of the per-reading listing (another selection) are refused.
        query = fingerprint("anomaly-events", site_id, span.start, span.end, kind or "")
        reach = (_shifted(span.start, -EVENT_REACH), _shifted(span.last, EVENT_REACH))
        page = queries.anomaly_page(
            self.client, self.tables.readings, site_id, reach, kind, limit,
            _anomaly_cursor(self._after(next_token, query)), _anomaly_answer,
            lambda event: _overlaps(event, span.start, span.end),
        )  # fmt: skip
        return {"site_id": site_id, "items": page.items, "next_token": self._token(query, page.after)}

    def ingestions(
        self, status: str | None, start: str | None, end: str | None, limit: int, next_token: str | None
    ) -> dict[str, Any]:
        """The ingestion ledger newest first (see query_api.ingestions for how seconds are ordered)."""
        span = time_range(_optional_time("from", start), _optional_time("to", end))
        query = fingerprint("ingestions", status or "", span.start, span.end)
        cursor = ledger.Cursor.parse(self._after(next_token, query))
        bounds = ledger.index_bounds(span, cursor)
        if bounds is None:
            return {"items": [], "next_token": None}
        chunks = queries.ledger_newest_first(self.client, self.tables.catalog, bounds, status, limit + 1)
        page = ledger.page(chunks, span, cursor, limit)
        after = None if page.after is None else page.after.text()
        return {"items": page.items, "next_token": self._token(query, after)}

    def summary(self, site_id: str, start: str | None, end: str | None, resolution: str) -> dict[str, Any]:
        span = self._summary_range(self._site(site_id), start, end, resolution)
        buckets, totals = summarise(self._summary_readings(site_id, span), resolution)
        return {"site_id": site_id, "from": span.start, "to": span.end, "resolution": resolution,
                "buckets": buckets, "totals": totals}  # fmt: skip

    def _summary_range(
        self, site: dict[str, Any], start: str | None, end: str | None, resolution: str
    ) -> TimeRange:
        """The requested range; a missing bound is the site's first reading or just after its last."""
        low, high = _optional_time("from", start), _optional_time("to", end)
        if (low is None or high is None) and not site.get("last_timestamp"):
            raise BadRequest(
                "invalid_parameter", "from, to: this site has no readings yet; give both from and to"
            )
        low = low or parse_canonical(site["first_timestamp"])
        high = high or parse_canonical(site["last_timestamp"]) + ONE_MICROSECOND
        span = time_range(low, high)
        check_span(low, high, resolution)
        return span

    def _summary_readings(
        self, site_id: str, span: TimeRange
    ) -> Iterator[tuple[str, dict[str, Decimal], int]]:
        """(timestamp, stored numbers, number of anomalies) per reading: one Query reads both."""
        rows = queries.query_raw(
            self.client, TableName=self.tables.readings,
            ProjectionExpression="#ts, " + ", ".join((*STORED_FIELDS, "anomalies")),
            **_readings_between(site_id, span),
        )  # fmt: skip
        deadline = time.monotonic() + SUMMARY_BUDGET_S
        reached = span.start
        for count, row in enumerate(rows, start=1):
            if count > MAX_SUMMARY_READINGS or (
                count % BUDGET_CHECK_EVERY == 1 and time.monotonic() >= deadline
            ):
                raise _summary_too_large(span, reached, count - 1)
            reached = row["timestamp"]["S"]
            anomalies = len(row["anomalies"]["L"]) if "anomalies" in row else 0
            yield row["timestamp"]["S"], queries.numbers(row, STORED_FIELDS), anomalies


def _summary_too_large(span: TimeRange, reached: str, read: int) -> BadRequest:
    where = (f"the first {read} readings reach {reached}: ask for from={span.start} to={reached}, then "
             f"from={reached} onwards" if read else "narrow from/to")  # fmt: skip
    return BadRequest(
        "range_too_large",
        f"from, to: the range holds more readings than one summary reads in time (at most "
        f"{MAX_SUMMARY_READINGS}, and within API Gateway's 29 s); {where}, or use a coarser resolution",
    )


def _readings_between(site_id: str, span: TimeRange) -> dict[str, Any]:
    return {
        "KeyConditionExpression": "site_id = :site AND #ts BETWEEN :low AND :high",
        "ExpressionAttributeNames": {"#ts": "timestamp"},
        "ExpressionAttributeValues": {
            ":site": {"S": site_id},
            ":low": {"S": span.start},
            ":high": {"S": span.last},
        },
    }


def _anomaly_cursor(after: str | None) -> tuple[str, int] | None:
    if after is None:
        return None
    try:
        return queries.parse_anomaly_cursor(after)
    except ValueError:
        raise BadRequest("invalid_next_token", "next_token: the token format is not supported") from None


def _reading_answer(item: dict[str, Any]) -> dict[str, Any]:
    """A stored reading as answered: net energy derived exactly from the stored values."""
    generated, consumed = item["energy_generated_kwh"], item["energy_consumed_kwh"]
    answer = {
        "timestamp": item["timestamp"],
        "energy_generated_kwh": generated,
        "energy_consumed_kwh": consumed,
        "net_energy_kwh": net_energy(generated, consumed),
    }
    if "cumulative_kwh" in item:
        answer["cumulative_kwh"] = item["cumulative_kwh"]
    if item.get("anomalies"):
        answer["anomalies"] = [_pick(anomaly, READING_ANOMALY_FIELDS) for anomaly in item["anomalies"]]
    return answer


def _overlaps(event: dict[str, Any], low: str, high: str) -> bool:
    """Whether the event [start, end] meets [low, high); canonical timestamps compare as text."""
    start = event.get("timestamp", "")
    return start < high and (event.get("end") or start) >= low


def _shifted(stamp: str, by: timedelta) -> str:
    """The canonical timestamp `by` later (earlier when negative), kept within the representable years."""
    instant = parse_canonical(stamp)
    if by < timedelta(0) and instant - MIN_INSTANT < -by:
        return canonical(MIN_INSTANT)
    if by > timedelta(0) and MAX_INSTANT - instant < by:
        return canonical(MAX_INSTANT)
    return canonical(instant + by)


def _anomaly_answer(reading: dict[str, Any], anomaly: dict[str, Any]) -> dict[str, Any]:
    """One anomaly of a reading's list, with the reading it is attached to and the file it came in."""
    answer = _pick(anomaly, ANOMALY_FIELDS)
    answer.setdefault("timestamp", reading["timestamp"])  # lists stored before anomalies had their own
    answer["start"] = answer["timestamp"]
    answer.setdefault("end", answer["start"])  # events stored before they had an end: one reading
    answer.setdefault("readings", 1)
    # the field too: a frozen logger holds both fields from the same reading, two events of one type
    answer["anomaly_id"] = "#".join(filter(None, (answer["timestamp"], answer["type"], answer.get("field"))))
    answer["reading_timestamp"] = reading["timestamp"]
    return answer | _pick(reading, READING_SOURCE_FIELDS)


def _site_summary(item: dict[str, Any]) -> dict[str, Any]:
    counts = {
        "reading_count": _count(item.get("reading_count")),
        "anomaly_count": _count(item.get("anomaly_count")),
    }
    times = {"first_timestamp": item.get("first_timestamp"), "last_timestamp": item.get("last_timestamp")}
    return {"site_id": item["sk"]} | times | counts
