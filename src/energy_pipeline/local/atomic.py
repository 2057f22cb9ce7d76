"""Makes moto's DynamoDB writes atomic and its reads consistent, as DynamoDB's are.

moto evaluates a ConditionExpression and then writes, without a lock; executions run in threads,
so two conditional claims of the same ledger item could both succeed locally - something AWS never
allows. One lock around each write restores the guarantee the workflow relies on.

Reads take the same lock: a Query or Scan walks a partition's dict of items, and a write to that partition
from another execution's thread in the middle of the walk made moto fail the read with "dictionary changed
size during iteration" (seen with 50 files processed at once). On AWS a read never fails because of a
concurrent write.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_LOCK = threading.RLock()
_PATCHED = False
WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")
READS = ("get_item", "query", "scan", "describe_table", "execute_statement", "execute_transaction",
         "batch_execute_statement")


def install() -> None:
    global _PATCHED  # noqa: PLW0603 - one patch per process
    if _PATCHED:
        return
    from moto.dynamodb.models import DynamoDBBackend

    for name in (*WRITES, *READS):
        original = getattr(DynamoDBBackend, name)

        @functools.wraps(original)
        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with _LOCK:
                return __original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, locked)
    _PATCHED = True
