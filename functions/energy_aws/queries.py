"""Read-only DynamoDB queries of the query API: GetItem and Query, never Scan, never a write.

Pages are built by following LastEvaluatedKey until the page is full plus one item, so a caller gets
`next_token` only when another item really exists (DynamoDB's own key can point past the last item).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from energy_aws.dynamo import query_all
from energy_aws.items import ANOMALY_INDEX, ANOMALY_SITE

# A type filter can skip many items per call; stop after this many calls and hand back a token.
MAX_CALLS_PER_PAGE = 20
# Readings per call when anomalies are filtered by type (most may hold none of that type).
TYPE_FILTER_READS = 200
WHOLE_READING = 1_000_000  # a list position past any reading's anomalies: "this reading is done"


def plain(item: dict[str, Any]) -> dict[str, Any]:
    """A low-level item as Python values; numbers stay Decimal, exactly as stored."""
    return {name: plain_value(value) for name, value in item.items()}


def plain_value(attribute: dict[str, Any]) -> Any:  # noqa: PLR0911 - one answer per DynamoDB type
    """One attribute value as boto3's TypeDeserializer gives it, except binary values (B, BS) as bytes.

    Written out so that the query API does not import boto3 (its client is botocore's); the pipeline
    stores no binary value. tests/unit/test_queries.py holds it equal to TypeDeserializer.
    """
    ((kind, value),) = attribute.items()
    if kind in {"S", "BOOL"}:
        return value
    if kind == "N":
        return Decimal(value)
    if kind == "M":
        return {name: plain_value(member) for name, member in value.items()}
    if kind == "L":
        return [plain_value(member) for member in value]
    if kind == "NULL":
        return None
    if kind == "SS":
        return set(value)
    if kind == "NS":
        return {Decimal(number) for number in value}
    if kind == "B":
        return bytes(value)
    if kind == "BS":
        return {bytes(each) for each in value}
    raise TypeError(f"not a DynamoDB attribute value: {attribute!r}")


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    after: str | None  # sort key to continue after, None on the last page


def get_item(client: Any, table: str, key: dict[str, str]) -> dict[str, Any] | None:
    response = client.get_item(TableName=table, Key={name: {"S": value} for name, value in key.items()})
    item = response.get("Item")
    return plain(item) if item else None


def query_page(
    client: Any, limit: int, pk: tuple[str, str], sort_key: str, after: str | None, **query: Any
) -> Page:
    """Up to `limit` items of a Query, and where to continue if more exist."""
    pk_name, pk_value = pk
    if after is not None:
        query["ExclusiveStartKey"] = {pk_name: {"S": pk_value}, sort_key: {"S": after}}
    items: list[dict[str, Any]] = []
    for _ in range(MAX_CALLS_PER_PAGE):
        response = client.query(Limit=limit + 1 - len(items), **query)
        items.extend(response.get("Items", []))
        last = response.get("LastEvaluatedKey")
        if len(items) > limit:
            return Page([plain(item) for item in items[:limit]], items[limit - 1][sort_key]["S"])
        if not last:
            return Page([plain(item) for item in items], None)
        query["ExclusiveStartKey"] = last
    # Calls ran out before the page filled (a sparse filter): continue where DynamoDB stopped.
    return Page([plain(item) for item in items], query["ExclusiveStartKey"][sort_key]["S"])


def query_raw(client: Any, **query: Any) -> Iterator[dict[str, Any]]:
    """Every low-level item of a Query, page after page (one page silently drops the rest)."""
    return query_all(client, **query)


def numbers(item: dict[str, Any], names: tuple[str, ...]) -> dict[str, Decimal]:
    """The named N attributes of a low-level item, parsed straight to Decimal (the summary's hot loop)."""
    return {name: Decimal(item[name]["N"]) for name in names if "N" in item.get(name, {})}


def anomaly_cursor(reading: str, position: int) -> str:
    """Where a page of anomalies ends: the reading's timestamp and the last position taken in its list."""
    return f"{reading}#{position}"


def parse_anomaly_cursor(text: str) -> tuple[str, int]:
    reading, separator, position = text.rpartition("#")
    if not separator or not position.isdigit():
        raise ValueError(f"not an anomaly cursor: {text!r}")
    return reading, int(position)


def anomaly_page(  # noqa: PLR0917 - the query's parts, each needed
    client: Any,
    table: str,
    site_id: str,
    between: tuple[str, str],
    kind: str | None,
    limit: int,
    after: tuple[str, int] | None,
    shape: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]],
    wanted: Callable[[dict[str, Any]], bool] | None = None,
) -> Page:
    """Up to `limit` anomalies of the site's readings with a timestamp BETWEEN the two strings that
    are of type `kind` (any when None) and that `wanted` keeps (the API: those overlapping a range).

    A Query on the sparse index ANOMALY_INDEX (only readings with anomalies), each reading's list
    flattened in its order, `kind` filtered here (DynamoDB cannot filter inside a list of maps).
    `after` is (reading timestamp, position in its list) of the last anomaly already answered; the
    page's `after` says the same for its last one, so a page may end inside a reading's list.
    """
    low, high = between
    skip_reading, skip_through = after if after is not None else ("", -1)
    low = max(low, skip_reading)
    if low > high:
        return Page([], None)
    query: dict[str, Any] = {
        "TableName": table,
        "IndexName": ANOMALY_INDEX,
        "KeyConditionExpression": "#site = :site AND #ts BETWEEN :low AND :high",
        "ExpressionAttributeNames": {"#site": ANOMALY_SITE, "#ts": "timestamp"},
        "ExpressionAttributeValues": {":site": {"S": site_id}, ":low": {"S": low}, ":high": {"S": high}},
    }
    found: list[tuple[str, int, dict[str, Any]]] = []
    done: tuple[str, int] | None = None  # the last reading read whole, for a page that runs out of calls
    for _ in range(MAX_CALLS_PER_PAGE):
        missing = limit + 1 - len(found)  # every reading holds one anomaly or more: never read far past
        filtered = kind is not None or wanted is not None  # most readings may hold none wanted
        response = client.query(Limit=missing if not filtered else max(missing, TYPE_FILTER_READS), **query)
        for row in response.get("Items", []):
            reading = plain(row)
            stamp, anomalies = reading["timestamp"], reading.get("anomalies") or []
            for position, anomaly in enumerate(anomalies):
                if (stamp == skip_reading and position <= skip_through) or (
                    kind is not None and anomaly.get("type") != kind
                ) or (wanted is not None and not wanted(anomaly)):
                    continue
                found.append((stamp, position, shape(reading, anomaly)))
            done = (stamp, len(anomalies) - 1)
        if len(found) > limit:
            stamp, position, _ = found[limit - 1]
            return Page([answer for _, _, answer in found[:limit]], anomaly_cursor(stamp, position))
        last = response.get("LastEvaluatedKey")
        if not last:
            return Page([answer for _, _, answer in found], None)
        query["ExclusiveStartKey"] = last
    # Calls ran out before the page filled (a rare type): continue after the last reading read.
    # (Without a filter DynamoDB returns the item its LastEvaluatedKey names, so `done` is that reading.)
    stamp, position = done or (query["ExclusiveStartKey"]["timestamp"]["S"], WHOLE_READING)
    return Page([answer for _, _, answer in found], anomaly_cursor(stamp, position))


# The ingestion ledger's sparse index: only ledger items carry `ledger`, sorted by `updated_at`.
LEDGER_INDEX = "IngestionsByTime"
LEDGER_PARTITION = "INGESTION"


def ledger_newest_first(
    client: Any, table: str, updated_between: tuple[str, str], status: str | None, per_call: int
) -> Iterator[list[dict[str, Any]]]:
    """Ledger items with `updated_at` BETWEEN the two strings, newest first: one list per DynamoDB call.

    A Query on the index, never a Scan. Lists come lazily so the caller decides when a page is full
    and can count the calls it spent; a list may be empty when the status filter dropped everything.
    """
    low, high = updated_between
    query: dict[str, Any] = {
        "TableName": table,
        "IndexName": LEDGER_INDEX,
        "ScanIndexForward": False,
        "Limit": per_call,
        "KeyConditionExpression": "#ledger = :ledger AND #updated BETWEEN :low AND :high",
        "ExpressionAttributeNames": {"#ledger": "ledger", "#updated": "updated_at"},
        "ExpressionAttributeValues": {
            ":ledger": {"S": LEDGER_PARTITION}, ":low": {"S": low}, ":high": {"S": high},
        },
    }  # fmt: skip
    if status is not None:
        # Filtering costs the same reads but keeps other statuses off the wire.
        query["FilterExpression"] = "#status = :status"
        query["ExpressionAttributeNames"]["#status"] = "status"
        query["ExpressionAttributeValues"][":status"] = {"S": status}
    while True:
        response = client.query(**query)
        yield [plain(item) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        query["ExclusiveStartKey"] = last
