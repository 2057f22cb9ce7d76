"""DynamoDB access in bulk: BatchWriteItem with UnprocessedItems retried, and paginated queries.

The low-level client is used with ready-made attribute values: converting through boto3's resource
layer costs more than the rest of the write path.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

BATCH_SIZE = 25
MAX_UNPROCESSED_ROUNDS = 12


def pause(seconds: float) -> None:
    """The backoff wait (a module attribute so that tests can record it instead of waiting)."""
    time.sleep(seconds)


class WriteIncomplete(Exception):
    """DynamoDB kept returning UnprocessedItems after every retry: the step fails and is retried whole."""


@dataclass
class WriteStats:
    items: int = 0
    requests: int = 0
    retried_items: int = 0
    sleeps: list[float] = field(default_factory=list)


def _batches(items: Iterable[dict[str, Any]], size: int = BATCH_SIZE) -> Iterator[list[dict[str, Any]]]:
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
) -> WriteStats:
    """Put every item (low-level attribute-value maps), 25 per request, retrying unprocessed ones.

    Backoff is exponential with full jitter (AWS's advice for throttling); boto3's own retries
    already cover throttling errors raised by the whole request.
    """
    stats = WriteStats()
    for batch in _batches(items):
        pending: list[dict[str, Any]] = [{"PutRequest": {"Item": item}} for item in batch]
        for attempt in range(MAX_UNPROCESSED_ROUNDS + 1):
            response = client.batch_write_item(RequestItems={table: pending})
            stats.requests += 1
            pending = response.get("UnprocessedItems", {}).get(table, [])
            if not pending:
                break
            stats.retried_items += len(pending)
            if attempt == MAX_UNPROCESSED_ROUNDS:
                raise WriteIncomplete(
                    f"{len(pending)} items to {table} were still unprocessed after {attempt + 1} attempts "
                    "(sustained throttling); the step will be retried"
                )
            delay = random.uniform(0, min(5.0, 0.05 * 2**attempt))
            stats.sleeps.append(delay)
            (sleep or pause)(delay)
        stats.items += len(batch)
    return stats


def query_all(client: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item of a Query, following LastEvaluatedKey to the end (one page is never enough)."""
    while True:
        page = client.query(**kwargs)
        yield from page.get("Items", [])
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last
