"""Counts every AWS API request made in this process: the handlers', the emulator's and the bench's own.

Patching `BaseClient._make_api_call` sees each client, including the ones the handlers create at import
and the ones the Step Functions interpreter uses for its service integrations (the SNS publish).
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bench.prices import read_units, write_units


def item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (strings and numbers by their text).

    Counted inside the timed run for every item written, so the usual attribute (a string or a
    number) is measured inline: the instrument's own cost is kept out of the designs' figures."""
    total = 0
    for name, value in item.items():
        total += len(name.encode())
        inner = value.get("S")
        if inner is None:
            inner = value.get("N")
        total += len(inner.encode()) if inner is not None else _value_bytes(value)
    return total


def _value_bytes(value: dict[str, Any]) -> int:
    ((kind, inner),) = value.items()
    if kind == "M":
        return 3 + item_bytes(inner)
    if kind == "L":
        return 3 + sum(_value_bytes(v) for v in inner)
    if kind == "BOOL" or kind == "NULL":
        return 1
    return len(str(inner).encode())


@dataclass
class Tally:
    """Requests by (service, operation), and what DynamoDB would bill for them."""

    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    write_units: int = 0
    written_items: int = 0
    written_bytes: int = 0
    read_units: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, service: str, operation: str, params: dict[str, Any]) -> None:
        with self._lock:
            self.requests[(service, operation)] += 1
            for item in _written_items(operation, params):
                size = item_bytes(item)
                self.write_units += write_units(size)
                self.written_items += 1
                self.written_bytes += size

    def count_read(self, scanned: int) -> None:
        """A Query's cost follows the items it reads (Select=COUNT too), sized like the items written."""
        average = self.written_bytes // self.written_items if self.written_items else 0
        with self._lock:
            self.read_units += read_units(scanned * average)

    def of(self, service: str, *operations: str) -> int:
        return sum(
            n for (s, op), n in self.requests.items() if s == service and (not operations or op in operations)
        )


def _written_items(operation: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if operation == "PutItem":
        yield params["Item"]
    elif operation == "BatchWriteItem":
        for requests in params["RequestItems"].values():
            yield from (r["PutRequest"]["Item"] for r in requests if "PutRequest" in r)


@contextlib.contextmanager
def counting() -> Iterator[Tally]:
    """Counts requests while the block runs (from every thread); restores the client afterwards."""
    from botocore.client import BaseClient

    tally = Tally()
    original = BaseClient._make_api_call  # type: ignore[attr-defined]

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        tally.count(client.meta.service_model.service_name, operation, params)
        response = original(client, operation, params)
        if operation in ("Query", "Scan", "GetItem"):
            tally.count_read(int(response.get("ScannedCount", response.get("Count", 1))))
        return response

    BaseClient._make_api_call = counted  # type: ignore[attr-defined]
    try:
        yield tally
    finally:
        BaseClient._make_api_call = original  # type: ignore[attr-defined]
