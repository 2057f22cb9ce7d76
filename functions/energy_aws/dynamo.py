"""DynamoDB access in bulk: BatchWriteItem with UnprocessedItems retried, and paginated queries.

The low-level client is used with ready-made attribute values: converting through boto3's resource
layer costs more than the rest of the write path. A writer that knows its partitions' limits paces its
batches (`energy_aws.pacing`) and keeps retrying what DynamoDB hands back for as long as its invocation has
time left, so throttling slows a chunk down instead of making the state machine write it all again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from energy_aws.errors import WriteIncomplete
from energy_aws.pacing import PartitionPacer, item_write_units
from energy_aws.transient import THROTTLING_CODES

BATCH_SIZE = 25
MAX_UNPROCESSED_ROUNDS = 12
MAX_BACKOFF_S = 5.0
# With a deadline, unprocessed items are retried past MAX_UNPROCESSED_ROUNDS while more than this is left
# (the rest of the invocation's time is kept for reporting and for the step's own retry to start clean).
DEADLINE_RESERVE_S = 60.0


def pause(seconds: float) -> None:
    """The backoff wait (a module attribute so that tests can record it instead of waiting)."""
    time.sleep(seconds)


@dataclass
class WriteStats:
    items: int = 0
    requests: int = 0
    retried_items: int = 0
    throttled_requests: int = 0
    sleeps: list[float] = field(default_factory=list)


def batches(items: Iterable[dict[str, Any]], size: int = BATCH_SIZE) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def batch_write(
    client: Any,
    table: str,
    items: Iterable[dict[str, Any]],
    sleep: Callable[[float], None] | None = None,
    *,
    pacer: PartitionPacer | None = None,
    partition_key: str = "site_id",
    remaining_s: Callable[[], float] | None = None,
) -> WriteStats:
    """Put every item (low-level attribute-value maps), 25 per request, retrying unprocessed ones.

    Backoff is exponential with full jitter (AWS's advice for throttling); boto3's own retries cover a
    request refused whole first, and one still refused after them is retried here like unprocessed items.
    With a `pacer`, each request waits for its partitions' share of write units first. With `remaining_s`
    (the invocation's time left) the retries go on past MAX_UNPROCESSED_ROUNDS until DEADLINE_RESERVE_S.
    """
    stats = WriteStats()
    wait = sleep or pause
    for batch in batches(items):
        pending: list[dict[str, Any]] = [{"PutRequest": {"Item": item}} for item in batch]
        attempt = 0
        while pending:
            if pacer is not None:
                pacer.acquire(_units(pending, partition_key))
            try:
                response = client.batch_write_item(RequestItems={table: pending})
                handed_back = response.get("UnprocessedItems", {}).get(table, [])
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") not in THROTTLING_CODES:
                    raise
                stats.throttled_requests += 1
                handed_back = pending  # refused whole even after boto3's own retries
            stats.requests += 1
            if pacer is not None:
                _feedback(pacer, pending, handed_back, partition_key)
            pending = handed_back
            if not pending:
                break
            stats.retried_items += len(pending)
            if not _may_retry(attempt, remaining_s):
                raise WriteIncomplete(
                    f"{len(pending)} items to {table} were still unprocessed after {attempt + 1} attempts "
                    "(sustained throttling); the step will be retried"
                )
            delay = random.uniform(0, min(MAX_BACKOFF_S, 0.05 * 2**attempt))
            stats.sleeps.append(delay)
            wait(delay)
            attempt += 1
        stats.items += len(batch)
    return stats


def _may_retry(attempt: int, remaining_s: Callable[[], float] | None) -> bool:
    if remaining_s is None:
        return attempt < MAX_UNPROCESSED_ROUNDS
    return remaining_s() > DEADLINE_RESERVE_S + MAX_BACKOFF_S


def _partition(request: dict[str, Any], partition_key: str) -> str:
    value = request["PutRequest"]["Item"].get(partition_key) or {}
    return str(next(iter(value.values()), ""))


def _units(requests: list[dict[str, Any]], partition_key: str) -> dict[str, int]:
    units: dict[str, int] = {}
    for request in requests:
        partition = _partition(request, partition_key)
        units[partition] = units.get(partition, 0) + item_write_units(request["PutRequest"]["Item"])
    return units


def _feedback(pacer: PartitionPacer, sent: list[dict[str, Any]], handed_back: list[dict[str, Any]],
              partition_key: str) -> None:
    throttled = {_partition(request, partition_key) for request in handed_back}
    for partition in {_partition(request, partition_key) for request in sent}:
        if partition in throttled:
            pacer.throttled(partition)
        else:
            pacer.written(partition)


def query_all(client: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item of a Query, following LastEvaluatedKey to the end (one page is never enough)."""
    while True:
        page = client.query(**kwargs)
        yield from page.get("Items", [])
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last
