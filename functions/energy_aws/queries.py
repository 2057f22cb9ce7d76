"""Read-only DynamoDB queries of the query API: GetItem and Query, never Scan, never a write.

Pages are built by following LastEvaluatedKey until the page is full plus one item, so a caller gets
`next_token` only when another item really exists (DynamoDB's own key can point past the last item).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from energy_aws.dynamo import query_all

# A type filter can skip many items per call; stop after this many calls and hand back a token.
MAX_CALLS_PER_PAGE = 20
_DESERIALIZER = TypeDeserializer()


def plain(item: dict[str, Any]) -> dict[str, Any]:
    """A low-level item as Python values; numbers stay Decimal, exactly as stored."""
    return {name: _DESERIALIZER.deserialize(value) for name, value in item.items()}


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
