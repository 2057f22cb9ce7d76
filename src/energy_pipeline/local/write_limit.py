"""DynamoDB's per-partition write limit in the embedded emulator, switched on by a test or a benchmark.

DynamoDB lets one partition key take at most 1,000 write units per second, on-demand tables included
(a write unit is one started KB of the item; a transactional write costs two). Beyond it DynamoDB throttles:

- BatchWriteItem writes the items whose partition has capacity and hands the others back as
  `UnprocessedItems`; when none of them can be written the whole request fails with `ThrottlingException`
  (on-demand tables; `ProvisionedThroughputExceededException` on provisioned ones).
- PutItem, UpdateItem, DeleteItem and TransactWriteItems fail with `ProvisionedThroughputExceededException`
  (throttling reason `TableWriteKeyRangeThroughputExceeded`).

boto3 retries both errors by itself; `UnprocessedItems` are the caller's to retry. `enforce` applies the limit
as one token bucket per (table, partition key value): it refills at `units_per_s` and holds at most
`burst_s` seconds of unused capacity (DynamoDB keeps up to 300 s of it; one second is the stricter test).
UpdateItem and DeleteItem are charged one unit each (this project updates only small catalog items).

The module patches moto's DynamoDB request handler methods for the duration of `enforce` only; nothing
else in the emulator changes, and with the limit off the emulator answers exactly as before.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

PARTITION_WRITE_UNITS = 1000  # DynamoDB's documented per-partition write throughput
UNIT_BYTES = 1024


def attribute_size(value: dict[str, Any]) -> int:  # noqa: PLR0911 - one answer per attribute type
    """A DynamoDB attribute value's size in bytes as DynamoDB counts it (close enough to charge units)."""
    (kind, inner), = value.items()
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        digits = len(str(inner).lstrip("-").replace(".", "").lstrip("0")) or 1
        return math.ceil(digits / 2) + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "B":
        return len(inner)
    if kind == "L":
        return 3 + sum(1 + attribute_size(item) for item in inner)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + attribute_size(item) for name, item in inner.items())
    if kind in ("SS", "NS", "BS"):
        return sum(attribute_size({kind[0]: item}) for item in inner)
    return len(str(inner))


def write_units(item: dict[str, Any]) -> int:
    """Write units of a put: one per started KB of the item (names and values)."""
    size = sum(len(name.encode()) + attribute_size(value) for name, value in item.items())
    return max(1, math.ceil(size / UNIT_BYTES))


@dataclass
class Bucket:
    tokens: float
    stamp: float


@dataclass
class WriteLimit:
    """The limit and what it did: units written and throttled, per partition too."""

    units_per_s: float = PARTITION_WRITE_UNITS
    burst_s: float = 1.0
    tables: frozenset[str] | None = None  # None: every table
    clock: Callable[[], float] = time.monotonic
    written_units: dict[tuple[str, str], int] = field(default_factory=dict)
    throttled_items: int = 0
    throttled_requests: int = 0
    partial_batches: int = 0
    _buckets: dict[tuple[str, str], Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def applies_to(self, table: str) -> bool:
        return self.tables is None or table in self.tables

    def take(self, table: str, partition: str, units: int) -> bool:
        """Takes `units` from the partition's bucket if it holds them (all or nothing)."""
        capacity = self.units_per_s * self.burst_s
        with self._lock:
            now = self.clock()
            bucket = self._buckets.setdefault((table, partition), Bucket(capacity, now))
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.stamp) * self.units_per_s)
            bucket.stamp = now
            if bucket.tokens < units:
                return False
            bucket.tokens -= units
            key = (table, partition)
            self.written_units[key] = self.written_units.get(key, 0) + units
            return True

    def take_all(self, wanted: list[tuple[str, str, int]]) -> bool:
        """A transaction: every partition's units, or none of them."""
        taken: list[tuple[str, str, int]] = []
        for table, partition, units in wanted:
            if not self.take(table, partition, units):
                with self._lock:
                    for done_table, done_partition, done_units in taken:
                        self._buckets[(done_table, done_partition)].tokens += done_units
                        self.written_units[(done_table, done_partition)] -= done_units
                return False
            taken.append((table, partition, units))
        return True


def _partition(handler: Any, table: str, item_or_key: dict[str, Any]) -> str:
    hash_key = handler.dynamodb_backend.get_table(table).hash_key_attr
    value = item_or_key.get(hash_key) or {}
    return str(next(iter(value.values()), ""))


def _throttled(code: str) -> Exception:
    from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException

    return DynamodbException(
        ERROR_TYPE_PREFIX + code,
        "Throughput exceeds the current capacity for one or more partition keys of the table "
        "(TableWriteKeyRangeThroughputExceeded): spread the writes over time or over more partition keys",
    )


def _batch_write_item(limit: WriteLimit, original: Any) -> Any:
    from moto.core.responses import ActionResult

    def batch_write_item(handler: Any) -> Any:
        requests: dict[str, list[dict[str, Any]]] = handler.body["RequestItems"]
        kept: dict[str, list[dict[str, Any]]] = {}
        handed_back: dict[str, list[dict[str, Any]]] = {}
        for table, table_requests in requests.items():
            for request in table_requests:
                put = request.get("PutRequest")
                item = put["Item"] if put else request["DeleteRequest"]["Key"]
                units = write_units(item) if put else 1
                if not limit.applies_to(table) or limit.take(table, _partition(handler, table, item), units):
                    kept.setdefault(table, []).append(request)
                else:
                    handed_back.setdefault(table, []).append(request)
        if not handed_back:
            return original(handler)
        count = sum(len(back) for back in handed_back.values())
        with limit._lock:
            limit.throttled_items += count
            if kept:
                limit.partial_batches += 1
            else:
                limit.throttled_requests += 1
        if not kept:
            raise _throttled("ThrottlingException")
        handler.body["RequestItems"] = kept
        result = original(handler).result
        return ActionResult({**result, "UnprocessedItems": handed_back})

    return batch_write_item


def _single_write(limit: WriteLimit, original: Any, units_of: Callable[[dict[str, Any]], int],
                  key_of: str) -> Any:
    def write(handler: Any) -> Any:
        table = handler.body["TableName"]
        if limit.applies_to(table):
            item = handler.body[key_of]
            if not limit.take(table, _partition(handler, table, item), units_of(item)):
                with limit._lock:
                    limit.throttled_requests += 1
                    limit.throttled_items += 1
                raise _throttled("ProvisionedThroughputExceededException")
        return original(handler)

    return write


def _transact_write_items(limit: WriteLimit, original: Any) -> Any:
    def transact_write_items(handler: Any) -> Any:
        wanted = []
        for entry in handler.body["TransactItems"]:
            (kind, operation), = entry.items()
            table = operation["TableName"]
            if not limit.applies_to(table):
                continue
            target = operation["Item"] if kind == "Put" else operation["Key"]
            units = 2 * (write_units(target) if kind == "Put" else 1)  # a transactional write costs double
            wanted.append((table, _partition(handler, table, target), units))
        if wanted and not limit.take_all(wanted):
            with limit._lock:
                limit.throttled_requests += 1
                limit.throttled_items += len(wanted)
            raise _throttled("ProvisionedThroughputExceededException")
        return original(handler)

    return transact_write_items


@contextlib.contextmanager
def enforce(limit: WriteLimit | None = None) -> Iterator[WriteLimit]:
    """The per-partition write limit on every DynamoDB write of this process's emulator until exit."""
    from moto.dynamodb.responses import DynamoHandler

    limit = limit or WriteLimit()
    patches = {
        "batch_write_item": _batch_write_item(limit, DynamoHandler.batch_write_item),
        "put_item": _single_write(limit, DynamoHandler.put_item, write_units, "Item"),
        "update_item": _single_write(limit, DynamoHandler.update_item, lambda key: 1, "Key"),
        "delete_item": _single_write(limit, DynamoHandler.delete_item, lambda key: 1, "Key"),
        "transact_write_items": _transact_write_items(limit, DynamoHandler.transact_write_items),
    }
    with contextlib.ExitStack() as stack:
        for name, patched in patches.items():
            stack.enter_context(mock.patch.object(DynamoHandler, name, patched))
        yield limit
