"""Overhead of the embedded emulator that is neither AWS's nor the pipeline's, taken out.

Every change here keeps what the emulator answers exactly as it was; it only does the same work once
instead of many times, and it applies to every caller alike (the pipeline's handlers, the Step Functions
interpreter, the CLI, the benchmark's naive design):

- moto checks DynamoDB's 400 KB item limit while it builds each stored item, re-measuring the whole item
  for every attribute added (quadratic in the attributes). `Item.__init__` measures it once; the same
  `ItemSizeTooLarge` is raised for the same items (sizes only grow while attributes are added, so the
  final size is the one that decides). Updates of stored items keep moto's own check.
- moto measures every item again each time a Query or Scan reads it (the 1 MB page limit): ~60% of the
  time the Catalog spends counting a 1M-reading file's stored readings. `Item.size` keeps the size it
  measured (or `Item.__init__` did) on the item. UpdateItem is the one write that changes a stored item in
  place (a transaction's updates go through it; puts, PartiQL statements included, build new items;
  deletes drop them): it forgets the kept size of the item it changes, before and after.
- moto's Step Functions interpreter builds a new boto3 client for every Task it runs (each Lambda invoke,
  each DynamoDB/SNS integration: ~3-50 ms each). The clients are kept per region and service; the
  configuration it builds them with never varies.
- Waiting for an execution: the runner polled DescribeExecution every 0.1 s (each call ~1-4 ms of the
  interpreter's time, and on average 50 ms lost after the end). The engine counts the executions that
  end (`EXECUTION_ENDS`) and the runner sleeps until the next one ends instead.
- The cyclic garbage collector: the emulator keeps every stored item, object and history event alive
  in this one process, so each full collection walks all of them (~0.2 s per collection with 500k
  objects). The objects that exist once the stack is built (modules, service models, the backends) are
  moved out of the collector's view (`gc.freeze`) and the youngest generation is collected every
  `GC_THRESHOLD` allocations instead of 700, for as long as the engine runs. A full collection is
  considered after 1,000 collections of the middle generation (~200M allocations) instead of 10: Python
  runs one whenever the long-lived objects grew by a quarter, and while a 1M-reading file is stored
  (some 20 million long-lived objects) those collections were ~20% of `serve`'s time (py-spy --native).
  Cyclic garbage that outlives two young collections waits longer to be freed; all else is freed as
  before (by its reference count, or by the young collections).
- DynamoDB Query: moto walks every item of the table for each page; sorted partitions answer it by
  bisection (energy_pipeline.local.query_index, documented and tested there).
- moto finds the method that answers each request by listing every function of its handler class
  (`inspect.getmembers`, sorted) and searching the list: `FunctionNames` asks for the one name instead.
- Every stored item's keys are hashed and compared through `DynamoType.cast_value`, which tests five
  other types before it returns a string's value as it is: a string (every key of this stack) is
  answered first.
- DynamoDB BatchWriteItem: plain puts are checked and stored in one pass per item instead of moto's
  several (energy_pipeline.local.batch_puts, installed by the engine next to these, documented and
  tested there).
- moto appends every model object it creates to a class list for its dashboard (`instances_tracked`,
  read only by /moto-api/data.json). For DynamoDB items that is every item ever built: the stored ones,
  and every copy a Query answered with or projected - never freed, so every page read through the API or
  counted by the Catalog stayed in memory for good, and in the garbage collector's walks (a 1M-reading
  file's Catalog count alone left 1M projected items behind). Items are no longer recorded; the
  dashboard lists the items stored in the tables at the moment it is asked (`StoredItems`), which is
  what it listed before for items that were only ever put.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from typing import Any

from energy_pipeline.local import query_index

GC_THRESHOLD = (20_000, 10, 1_000)
ITEM_SIZE = "_energy_item_size"  # an Item's attribute: its size, kept until UpdateItem changes it
ITEM_SIZE_LIMIT = 405_000  # moto's own figure (DynamoDB refuses items between 409 and 410 KB)
_PATCHED: set[str] = set()
_PATCH_LOCK = threading.Lock()


class ExecutionEnds:
    """Counts the executions of this process's emulator that ended; a waiter wakes when the count moves."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    def mark(self) -> int:
        with self._changed:
            return self._count

    def wait(self, mark: int, timeout_s: float) -> None:
        """Returns when an execution ended after `mark` was taken, or after `timeout_s`."""
        with self._changed:
            self._changed.wait_for(lambda: self._count != mark, timeout_s)

    def ended(self) -> None:
        with self._changed:
            self._count += 1
            self._changed.notify_all()


EXECUTION_ENDS = ExecutionEnds()


def install() -> None:
    """The emulator patches (idempotent)."""
    patches = {
        "execution_ends": (_notify_execution_ends,),
        "item_size": (_measure_items_once, _remember_item_sizes),
        "interpreter_clients": (_reuse_interpreter_clients,),
        "query_index": (query_index.keep_partitions_sorted, query_index.count_table_writes),
        "action_lookup": (_look_actions_up_directly,),
        "string_cast": (_cast_strings_directly,),
        "item_instances": (_list_stored_items_only,),
    }
    with _PATCH_LOCK:
        for name, steps in patches.items():
            if name not in _PATCHED:
                for step in steps:
                    step()
                _PATCHED.add(name)


_MOTO_CAST: Any = None  # moto's DynamoType.cast_value getter, once patched
_FUNCTION = type(lambda: None)  # what inspect.isfunction tests for


class FunctionNames:
    """The names of a class's functions, as moto's `method_names_from_class` lists them, asked one name at a
    time: `name in names` is what `getmembers(clazz, isfunction)` would answer for it, without listing and
    sorting every attribute of the class (~3% of the emulator's time per BatchWriteItem of 25 items)."""

    def __init__(self, clazz: Any, listed: Any) -> None:
        self._clazz, self._listed = clazz, listed

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        # A plain class's dir() is the names in its MRO's dicts, and getattr finds no other function (a
        # metaclass's own functions come back bound): getmembers lists the name iff getattr gives a function.
        if type(self._clazz) is not type and name not in dir(self._clazz):
            return False
        return type(getattr(self._clazz, name, None)) is _FUNCTION

    def __iter__(self) -> Iterator[str]:
        return iter(self._listed(self._clazz))


def _cast_strings_directly() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    global _MOTO_CAST  # noqa: PLW0603 - kept for the equivalence test
    moto_cast = _MOTO_CAST = DynamoType.cast_value.fget  # type: ignore[attr-defined]

    def cast_value(self: Any) -> Any:
        return self.value if self.type == "S" else moto_cast(self)

    cast_value.__doc__ = "moto's DynamoType.cast_value, a string's own value without five type tests (tuning)"
    setattr(DynamoType, "cast_value", property(cast_value))  # noqa: B010 - deliberate monkeypatch


class StoredItems:
    """`Item.instances_tracked` for moto's dashboard (/moto-api/data.json): the items stored now, in every
    DynamoDB table of every account and region, listed when asked."""

    def __iter__(self) -> Iterator[Any]:
        from moto.dynamodb.models import dynamodb_backends

        for regions in list(dynamodb_backends.values()):
            for backend in list(regions.values()):
                for table in list(backend.tables.values()):
                    yield from list(table.all_items())

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def append(self, item: Any) -> None:
        """Items are listed from the tables: nothing to keep."""


def _list_stored_items_only() -> None:
    from moto.dynamodb.models.dynamo_type import Item

    def __new__(cls: Any, *args: Any, **kwargs: Any) -> Any:
        if type(Item.__dict__.get("instances_tracked")) is not StoredItems:  # a moto reset put a list back
            Item.instances_tracked = StoredItems()  # type: ignore[attr-defined]
        return object.__new__(cls)

    __new__.__doc__ = "moto's BaseModel.__new__ without recording the item in a class list (local.tuning)"
    setattr(Item, "__new__", staticmethod(__new__))  # noqa: B010 - deliberate monkeypatch
    Item.instances_tracked = StoredItems()  # type: ignore[attr-defined]


def _look_actions_up_directly() -> None:
    from moto.core import responses

    listed = responses.method_names_from_class
    if not isinstance(listed, type):
        responses.method_names_from_class = lambda clazz: FunctionNames(clazz, listed)  # type: ignore[assignment,return-value]


def _measure_items_once() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, ItemSizeTooLarge, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        values = {key: DynamoType(value) for key, value in attrs.items()}
        size = sum(bytesize(key) + value.size() for key, value in values.items())
        if size > ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge
        stored = LimitedSizeDict()
        dict.update(stored, values)  # already measured: moto's per-key check would measure it again
        self.attrs = stored
        setattr(self, ITEM_SIZE, size)

    __init__.__doc__ = "moto's Item.__init__ with the item size measured once (energy_pipeline.local.tuning)"
    setattr(Item, "__init__", __init__)  # noqa: B010 - deliberate monkeypatch


def _remember_item_sizes() -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import Item

    measure, original_update = Item.size, DynamoDBBackend.update_item

    def size(self: Any) -> int:
        kept = getattr(self, ITEM_SIZE, None)  # not self.__dict__: reading it would build the item a dict
        if kept is None:
            kept = measure(self)
            setattr(self, ITEM_SIZE, kept)
        return int(kept)

    def update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        _forget_size(self, table_name, key)  # measured afresh while moto changes it in place ...
        try:
            return original_update(self, table_name, key, *args, **kwargs)
        finally:  # ... and after: a size measured meanwhile may be of a half-changed item
            _forget_size(self, table_name, key)

    size.__doc__ = "moto's Item.size, kept on the item until UpdateItem changes it (local.tuning)"
    update_item.__doc__ = "moto's update_item; the item it changes is measured again (local.tuning)"
    setattr(Item, "size", size)  # noqa: B010 - deliberate monkeypatch
    setattr(DynamoDBBackend, "update_item", update_item)  # noqa: B010 - deliberate monkeypatch


def _forget_size(backend: Any, table_name: str, key: dict[str, Any]) -> None:
    with contextlib.suppress(Exception):  # no such table, item or key: moto answers that itself
        table = backend.get_table(table_name)
        item = table.get_item(*backend.get_keys_value(table, key))
        if item is not None:
            item.__dict__.pop(ITEM_SIZE, None)


class _CachedBoto3:
    """Stands in for the `boto3` module inside moto's interpreter: one client per region and service."""

    def __init__(self, boto3: Any) -> None:
        self._boto3 = boto3
        self._clients: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()

    def client(self, *args: Any, **kwargs: Any) -> Any:
        key = (args, kwargs.get("service_name"), kwargs.get("region_name"), kwargs.get("endpoint_url"),
               kwargs.get("aws_access_key_id"))
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._boto3.client(*args, **kwargs)
            return client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._boto3, name)


def _notify_execution_ends() -> None:
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    original = BaseExecutionWorkerCommunication.terminated

    def terminated(self: Any) -> None:
        try:
            original(self)
        finally:
            EXECUTION_ENDS.ended()

    setattr(BaseExecutionWorkerCommunication, "terminated", terminated)  # noqa: B010 - deliberate monkeypatch


def _reuse_interpreter_clients() -> None:
    import boto3
    from moto.stepfunctions.parser.asl.utils import boto_client

    if not isinstance(boto_client.boto3, _CachedBoto3):
        boto_client.boto3 = _CachedBoto3(boto3)  # type: ignore[assignment]


@contextlib.contextmanager
def collector() -> Iterator[None]:
    """The collector settings above while the engine runs; the process's own afterwards."""
    previous = gc.get_threshold()
    gc.freeze()  # without a collection first: one costs more than the little garbage it would free
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()
