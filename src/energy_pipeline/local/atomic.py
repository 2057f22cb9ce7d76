"""Makes moto's DynamoDB writes atomic and its reads consistent, as DynamoDB's are.

moto evaluates a ConditionExpression and then writes, without a lock; executions run in threads,
so two conditional claims of the same ledger item could both succeed locally - something AWS never
allows. One lock around each write restores the guarantee the workflow relies on.

Reads take the same lock: a Query or Scan walks a partition's dict of items, and a write to that partition
from another execution's thread in the middle of the walk made moto fail the read with "dictionary changed
size during iteration" (seen with 50 files processed at once). On AWS a read never fails because of a
concurrent write.

A transaction is all or nothing on AWS. moto makes it so by deep-copying every table a transaction names,
once per item in it, before it starts: a 100-item transaction on a catalog of 100,000 items copied ten
million items, under the lock, and a 50,000-site file's 1,000 transactions never finished
(docs/benchmarks.md, "Scale"). `undo_touched_items` keeps moto's own transaction code and replaces the
table copy with a copy of the items the transaction touches, put back if it is cancelled.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import threading
import types
from collections.abc import Iterator
from typing import Any

_LOCK = threading.RLock()
ORIGINAL_TRANSACT: Any = None  # moto's transact_write_items, once patched (kept for the equivalence test)
_PATCHED = False
WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")
READS = ("get_item", "query", "scan", "describe_table", "execute_statement", "execute_transaction",
         "batch_execute_statement")


@contextlib.contextmanager
def exclusive() -> Iterator[None]:
    """No DynamoDB read or write of the emulator runs meanwhile (e.g. while a table is copied whole)."""
    with _LOCK:
        yield


def install() -> None:
    global _PATCHED  # noqa: PLW0603 - one patch per process
    if _PATCHED:
        return
    from moto.dynamodb.models import DynamoDBBackend

    undo_touched_items()
    for name in (*WRITES, *READS):
        original = getattr(DynamoDBBackend, name)

        @functools.wraps(original)
        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with _LOCK:
                return __original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, locked)
    _PATCHED = True


def undo_touched_items() -> None:
    """moto's transact_write_items with an undo record of the items it touches instead of table copies."""
    global ORIGINAL_TRANSACT  # noqa: PLW0603 - one patch per process
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        # The one Table copy in that module is the transaction's backup: kept as is, and put back as is
        # (a no-op) when moto rolls back; the items themselves are restored below.
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    models.copy = types.SimpleNamespace(deepcopy=deepcopy, copy=copy.copy)  # type: ignore[assignment]
    original = ORIGINAL_TRANSACT = models.DynamoDBBackend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        before = [_touched(self, operation) for operation in transact_items[:100]]
        try:
            original(self, transact_items)
        except Exception:
            for touched in reversed(before):
                if touched is not None:
                    _put_back(*touched)
            raise

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _touched(backend: Any, operation: dict[str, Any]) -> tuple[Any, Any, Any, Any] | None:
    """(table, hash key, range key, a copy of the item or None) for one transaction item; None where
    moto will refuse the item before changing anything (no such table, no key)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    _, request = next(iter(operation.items()))
    table = backend.tables.get(request.get("TableName"))
    key = request.get("Item") if "Item" in request else request.get("Key")
    if table is None or not isinstance(key, dict) or table.hash_key_attr not in key:
        return None
    if table.range_key_attr is not None and table.range_key_attr not in key:
        return None
    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr is not None else None
    item = table.get_item(hash_key, range_key)
    return table, hash_key, range_key, copy.deepcopy(item) if item is not None else None


def _put_back(table: Any, hash_key: Any, range_key: Any, item: Any) -> None:
    if item is None:
        table.delete_item(hash_key, range_key)
    else:
        table.put_item(item.to_json()["Attributes"], overwrite=True)
