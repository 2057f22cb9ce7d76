"""Write pacing per partition key: a writer spends at most its share of a partition's write units per second.

DynamoDB gives one partition key at most 1,000 write units per second. A Store invocation that writes as
fast as it can exceeds that alone for a moment and, with the other chunks of the same site written at the
same time, for minutes: the excess comes back as UnprocessedItems until the retries run out and the whole
chunk is written again. Pacing keeps every writer under its share instead:

- `share` (units/s) is what this writer may spend on one partition: the partition's limit divided by the
  writers that can write it at once (`writer_share`).
- The schedule is a virtual clock per partition (GCRA): each write moves the partition's next free time on
  by units / share; a write that is more than `burst_units` ahead of now waits for the difference.
- Throttling seen anyway (other files writing the same site) halves the partition's share for this writer;
  each write that goes through gives back a twentieth of it, up to the full share.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

import orjson

PARTITION_WRITE_UNITS = 1000  # DynamoDB's per-partition write limit (units per second)
UNIT_BYTES = 1024
MIN_FACTOR = 1 / 32
RECOVERY = 1 / 20


def item_write_units(item: dict[str, Any]) -> int:
    """Write units of a put, from the item's JSON form: slightly larger than DynamoDB's own measure (type
    tags and quotes count too), so the pace errs on the slow side."""
    return max(1, math.ceil(len(orjson.dumps(item)) / UNIT_BYTES))


def writer_share(partition_units: float, writers: int) -> float:
    """A writer's units per second on a partition that up to `writers` writers may write at once."""
    return partition_units / max(1, writers)


class PartitionPacer:
    """Paces one writer's writes per partition key (thread-safe)."""

    def __init__(self, share: Callable[[str], float], burst_units: float = 25,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] | None = None) -> None:
        self._share = share
        self._burst_units = burst_units
        self._clock = clock
        self._sleep = sleep or time.sleep
        self._next_free: dict[str, float] = {}
        self._factor: dict[str, float] = {}
        self._lock = threading.Lock()
        self.waited_s = 0.0

    def rate(self, partition: str) -> float:
        return self._share(partition) * self._factor.get(partition, 1.0)

    def acquire(self, units_by_partition: dict[str, int]) -> float:
        """Waits until every partition's schedule allows its units; returns the seconds waited."""
        wait = 0.0
        with self._lock:
            now = self._clock()
            for partition, units in units_by_partition.items():
                rate = self.rate(partition)
                start = max(self._next_free.get(partition, now), now)
                wait = max(wait, start - now - self._burst_units / rate)
                self._next_free[partition] = start + units / rate
        if wait > 0:
            self._sleep(wait)
            self.waited_s += wait
            return wait
        return 0.0

    def throttled(self, partition: str) -> None:
        with self._lock:
            self._factor[partition] = max(MIN_FACTOR, self._factor.get(partition, 1.0) / 2)

    def written(self, partition: str) -> None:
        with self._lock:
            factor = self._factor.get(partition)
            if factor is not None:
                self._factor[partition] = min(1.0, factor + RECOVERY)
