"""Makes moto's DynamoDB writes atomic, as DynamoDB's are.

moto evaluates a ConditionExpression and then writes, without a lock; executions run in threads,
so two conditional claims of the same ledger item could both succeed locally - something AWS never
allows. One lock around each write restores the guarantee the workflow relies on.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_LOCK = threading.RLock()
_PATCHED = False


def install() -> None:
    global _PATCHED  # noqa: PLW0603 - one patch per process
    if _PATCHED:
        return
    from moto.dynamodb.models import DynamoDBBackend

    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        @functools.wraps(original)
        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with _LOCK:
                return __original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, locked)
    _PATCHED = True
