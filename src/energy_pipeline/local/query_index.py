"""DynamoDB Query in the embedded emulator at O(log n + page) instead of a walk over every stored item.

moto answers every Query by listing all items of the table, keeping the partition's, sorting them and
then skipping to ExclusiveStartKey one item at a time: with 87k readings stored a 10-reading page took
1.4-1.8 s. Two patches change where the candidates come from, never what is answered:

- `keep_partitions_sorted`: each partition of a table with a sort key is a `SortedPartition`, a dict
  (what moto stores) that also keeps its sort keys in order. A Query on the table key finds its first and
  last candidates by bisection (the key condition and ExclusiveStartKey both bound a contiguous run of a
  sorted partition) and walks only the page.
- `index_secondary_keys`: a Query on a global secondary index reads a per-index, per-partition sorted
  list, rebuilt lazily after the table changed (puts, deletes and updates count the changes).

The page is then finished exactly as moto finishes it: Limit and the 1 MB page size, LastEvaluatedKey,
a deep copy (skipped when a ProjectionExpression builds new items anyway), the index projection,
FilterExpression after Limit, ProjectionExpression. Every Query these patches do not recognise
(legacy KeyConditions with QueryFilter, multi-attribute keys, Binary keys, a start key from another
partition) goes to moto's own code unchanged. tests/workflow/test_query_index.py
compares both on random tables and queries.
"""

from __future__ import annotations

import copy
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import Any

SORTABLE_TYPES = frozenset({"S", "N"})
ORIGINAL_QUERY: Callable[..., Any] | None = None  # moto's Table.query, once patched


_first = itemgetter(0)


class SortedPartition(dict):  # moto's partitions are plain dicts
    """A partition (sort key -> Item) whose sort keys are also kept in order, for bisection.

    A new key is only noted when it is stored (storing is the hot path: a 1M-reading file stores 1M keys);
    the order is settled when it is next read - `ordered`, `keys_in_order`, a delete - by one sort of the
    noted keys merged with the ordered ones (Timsort merges the two runs in linear time, and keys noted in
    ascending order after the last one, as a site's readings arrive, are simply appended).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._ordered: list[Any] = []  # the keys' cast values (str or Decimal), ascending
        self._keys_in_order: list[Any] = []  # the DynamoType keys, aligned with `_ordered`
        # The keys stored since the order was settled, and their cast values: two lists rather than a pair
        # per key, one object fewer per stored item for the garbage collector to walk.
        self._noted_casts: list[Any] = []
        self._noted_keys: list[Any] = []
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    @property
    def ordered(self) -> list[Any]:
        """The keys' cast values (str or Decimal), ascending."""
        if self._noted_keys:
            self._settle()
        return self._ordered

    @property
    def keys_in_order(self) -> list[Any]:
        """The DynamoType keys, aligned with `ordered`."""
        if self._noted_keys:
            self._settle()
        return self._keys_in_order

    def _settle(self) -> None:
        casts, keys = self._noted_casts, self._noted_keys
        self._noted_casts, self._noted_keys = [], []
        if any(casts[n] > casts[n + 1] for n in range(len(casts) - 1)):
            noted = sorted(zip(casts, keys, strict=True), key=_first)
            casts, keys = [cast for cast, _ in noted], [key for _, key in noted]
        if self._ordered and casts[0] <= self._ordered[-1]:
            pairs = sorted([*zip(self._ordered, self._keys_in_order, strict=True),
                            *zip(casts, keys, strict=True)], key=_first)  # Timsort: two runs merged
            self._ordered = [cast for cast, _ in pairs]
            self._keys_in_order = [key for _, key in pairs]
        else:  # stored after the last one, as a site's readings arrive: appended
            self._ordered.extend(casts)
            self._keys_in_order.extend(keys)

    def __setitem__(self, key: Any, value: Any) -> None:
        if key not in self:
            self._noted_casts.append(key.cast_value)
            self._noted_keys.append(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        self._forget(key)

    def pop(self, key: Any, *default: Any) -> Any:
        if key in self:
            value = super().pop(key)
            self._forget(key)
            return value
        return super().pop(key, *default)

    def popitem(self) -> tuple[Any, Any]:
        key, value = super().popitem()
        self._forget(key)
        return key, value

    def clear(self) -> None:
        super().clear()
        self._ordered.clear()
        self._keys_in_order.clear()
        self._noted_casts.clear()
        self._noted_keys.clear()

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __reduce__(self) -> Any:
        # copy.deepcopy (moto's backups and restores) rebuilds through __init__ and __setitem__
        return (SortedPartition, (), None, None, iter(self.items()))

    def _forget(self, key: Any) -> None:
        ordered = self.ordered  # settled first: the key may be among the noted ones
        index = bisect_left(ordered, key.cast_value)
        del ordered[index]
        del self._keys_in_order[index]

    def between(self, low: int, high: int, forward: bool) -> Iterator[Any]:
        keys = self.keys_in_order[low:high]
        return (self[key] for key in (keys if forward else reversed(keys)))


def key_bounds(  # noqa: PLR0911 - one answer per key condition DynamoDB knows
    ordered: list[Any], comparison: str | None, values: list[Any]
) -> tuple[int, int] | None:
    """The run [low, high) of `ordered` that satisfies the key condition; None for one not handled."""
    if comparison is None:
        return 0, len(ordered)
    operator = comparison.upper()
    if operator in ("=", "EQ"):
        return bisect_left(ordered, values[0]), bisect_right(ordered, values[0])
    if operator in ("<", "LT"):
        return 0, bisect_left(ordered, values[0])
    if operator in ("<=", "LE"):
        return 0, bisect_right(ordered, values[0])
    if operator in (">", "GT"):
        return bisect_right(ordered, values[0]), len(ordered)
    if operator in (">=", "GE"):
        return bisect_left(ordered, values[0]), len(ordered)
    if operator == "BETWEEN":
        low, high = bisect_left(ordered, values[0]), bisect_right(ordered, values[1])
        return low, max(low, high)
    if operator == "BEGINS_WITH" and isinstance(values[0], str):
        low = high = bisect_left(ordered, values[0])
        while high < len(ordered) and ordered[high].startswith(values[0]):
            high += 1  # a bisection on prefix + max character would miss keys that continue past it
        return low, high
    return None


def _start_after(ordered: list[Any], bounds: tuple[int, int], start: Any, forward: bool) -> tuple[int, int]:
    """Narrows [low, high) to the items after ExclusiveStartKey in the walk's direction."""
    low, high = bounds
    if forward:
        return max(low, bisect_right(ordered, start)), high
    return low, min(high, bisect_left(ordered, start))


def _finish_page(  # noqa: PLR0917 - the page's parts, as moto passes them
    table: Any, candidates: Iterable[Any], limit: int | None, index_name: str | None,
                 filter_expression: Any, projection: Any,
                 more_after: bool = False) -> tuple[list[Any], int, dict[str, Any] | None]:
    """moto's page: Limit and the 1 MB size bound first, then the copy, projections and the filter.

    `more_after`: the partition holds items after the candidates (outside the key condition). moto walks
    the whole partition and stops at the item after the Limit-th, whether or not it matches the key
    condition, so a page that ends at the Limit with such items left carries a LastEvaluatedKey.
    """
    from moto.dynamodb.models.table import RESULT_SIZE_LIMIT

    results: list[Any] = []
    size = 0
    last_evaluated_key = None
    for item in candidates:
        item_size = item.size()
        if len(results) == limit or size + item_size > RESULT_SIZE_LIMIT:
            last_evaluated_key = table._get_last_evaluated_key(results[-1], index_name)
            break
        results.append(item)
        size += item_size
    if last_evaluated_key is None and more_after and results and len(results) == limit:
        last_evaluated_key = table._get_last_evaluated_key(results[-1], index_name)
    scanned = len(results)
    if not projection or index_name:
        # The answer must not share objects with the stored items; a projection builds new items anyway
        # (moto's project goes through Python values, dynamo_wire's shares only immutable strings).
        results = copy.deepcopy(results)
    if index_name:
        index = table.get_index(index_name)
        results = [index.project(item) for item in results]
    if filter_expression is not None:
        results = [item for item in results if filter_expression.expr(item)]
    if projection:
        results = [item.project(projection) for item in results]
    return results, scanned, last_evaluated_key


def _comparable(values: list[Any], key_type: str | None) -> list[Any] | None:
    if key_type not in SORTABLE_TYPES or any(value.type != key_type for value in values):
        return None
    return [value.cast_value for value in values]


def _start_key(start: dict[str, Any] | None, names: list[str], expected: list[Any],
               sort_name: str, key_type: str) -> tuple[bool, Any]:
    """(usable, the start key's sort value): usable when it names this partition with a sortable key."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    if start is None:
        return True, None
    try:
        if any(DynamoType(start[name]) != value for name, value in zip(names, expected, strict=True)):
            return False, None
        sort_value = DynamoType(start[sort_name])
    except (KeyError, TypeError, IndexError, AttributeError):
        return False, None
    return sort_value.type == key_type, sort_value.cast_value


def _table_query(  # noqa: PLR0911, PLR0917 - moto's query arguments; None hands a case back to moto
    table: Any, hash_key: Any, comparison: str | None, values: list[Any], limit: int | None,
                 start: dict[str, Any] | None, forward: bool, projection: Any, filter_expression: Any,
                 range_conditions: list[Any] | None) -> tuple[list[Any], int, dict[str, Any] | None] | None:
    """A Query on the table's own key, or None when moto must answer it."""
    if hash_key is None or table.range_key_attr is None:
        return None
    if range_conditions and (len(range_conditions) > 1 or range_conditions[-1][0] != table.range_key_attr):
        return None
    partition = table.items.get(hash_key)
    if partition is None:
        return _finish_page(table, (), limit, None, filter_expression, projection)
    if not isinstance(partition, SortedPartition):
        return None
    cast_values = _comparable(values, table.range_key_type)
    usable, start_value = _start_key(start, [table.hash_key_attr], [hash_key], table.range_key_attr,
                                     table.range_key_type)
    if cast_values is None or not usable:
        return None
    bounds = key_bounds(partition.ordered, comparison, cast_values)
    if bounds is None:
        return None
    if start is not None:
        bounds = _start_after(partition.ordered, bounds, start_value, forward)
    candidates = partition.between(*bounds, forward) if bounds[0] < bounds[1] else iter(())
    more_after = bounds[1] < len(partition.ordered) if forward else bounds[0] > 0
    return _finish_page(table, candidates, limit, None, filter_expression, projection, more_after)


class IndexPartitions:
    """A global secondary index's items by partition, sorted as moto sorts them; rebuilt after changes."""

    def __init__(self) -> None:
        self.version = -1
        self.partitions: dict[Any, tuple[list[Any], list[Any]]] = {}


_INDEX_LOCK = threading.Lock()


def _index_partitions(table: Any, index: Any, hash_name: str, range_name: str) -> IndexPartitions:
    cache: dict[str, IndexPartitions] = table.__dict__.setdefault("_energy_index_partitions", {})
    version = table.__dict__.get("_energy_writes", 0)
    with _INDEX_LOCK:
        entry = cache.setdefault(index.name, IndexPartitions())
        if entry.version == version:
            return entry
        members: dict[Any, list[tuple[tuple[Any, ...], Any]]] = {}
        sort_names = [range_name, table.hash_key_attr, table.range_key_attr]
        for item in table.all_items():
            partition_value, sort_value = item.attrs.get(hash_name), item.attrs.get(range_name)
            if not partition_value or not sort_value:
                continue  # DynamoDB indexes only the items that carry every key attribute
            order = tuple(item.attrs[name].cast_value for name in sort_names if name)
            members.setdefault(partition_value, []).append((order, item))
        partitions = {}
        for partition_value, rows in members.items():
            rows.sort(key=lambda row: row[0])
            partitions[partition_value] = ([row[0] for row in rows], [row[1] for row in rows])
        entry.partitions, entry.version = partitions, version
        return entry


def _index_query(  # noqa: PLR0911, PLR0917 - moto's query arguments; None hands a case back to moto
    table: Any, index_name: str, comparison: str | None, values: list[Any], limit: int | None,
                 start: dict[str, Any] | None, forward: bool, projection: Any, filter_expression: Any,
                 hash_conditions: list[Any] | None, range_conditions: list[Any] | None,
                 consistent_read: bool) -> tuple[list[Any], int, dict[str, Any] | None] | None:
    """A Query on a global secondary index with one partition and one sort key, or None for moto."""
    index = next((each for each in table.global_indexes if each.name == index_name), None)
    if index is None or consistent_read or table.range_key_attr is None:
        return None  # unknown index, LSI, or an error moto words itself
    hash_names = [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]
    range_names = [key["AttributeName"] for key in index.schema if key["KeyType"] == "RANGE"]
    if len(hash_names) != 1 or len(range_names) != 1 or not hash_conditions or len(hash_conditions) != 1:
        return None
    if range_conditions and (len(range_conditions) > 1 or range_conditions[-1][0] != range_names[0]):
        return None
    (hash_name, hash_value), range_name = hash_conditions[0], range_names[0]
    range_type = _attribute_type(table, range_name)
    if hash_name != hash_names[0] or _attribute_type(table, table.range_key_attr) not in SORTABLE_TYPES:
        return None
    cast_values = _comparable(values, range_type)
    if cast_values is None or _attribute_type(table, table.hash_key_attr) not in SORTABLE_TYPES:
        return None
    entry = _index_partitions(table, index, hash_name, range_name)
    orders, items = entry.partitions.get(hash_value, ([], []))
    first_keys = [order[0] for order in orders]
    bounds = key_bounds(first_keys, comparison, cast_values)
    if bounds is None:
        return None
    if start is not None:
        start_order = _index_start(start, hash_name, hash_value, [range_name, table.hash_key_attr,
                                                                   table.range_key_attr])
        if start_order is None:
            return None
        low, high = bounds
        bounds = (max(low, bisect_right(orders, start_order)), high) if forward else (
            low, min(high, bisect_left(orders, start_order)))
    low, high = bounds
    chosen = items[low:high] if low < high else []
    more_after = high < len(items) if forward else low > 0
    return _finish_page(table, chosen if forward else reversed(chosen), limit, index_name,
                        filter_expression, projection, more_after)


def _index_start(start: dict[str, Any], hash_name: str, hash_value: Any,
                 names: list[str]) -> tuple[Any, ...] | None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    try:
        if DynamoType(start[hash_name]) != hash_value:
            return None
        return tuple(DynamoType(start[name]).cast_value for name in names)
    except (KeyError, TypeError, IndexError, AttributeError):
        return None


def _attribute_type(table: Any, name: str) -> str | None:
    return next((each["AttributeType"] for each in table.attr if each["AttributeName"] == name), None)


def keep_partitions_sorted() -> None:
    """Tables with a sort key store each partition as a SortedPartition; Query bisects them."""
    from collections import defaultdict

    from moto.dynamodb.models.table import Table

    global ORIGINAL_QUERY  # noqa: PLW0603 - kept for the equivalence test
    original_init, original_query = Table.__init__, Table.query
    ORIGINAL_QUERY = original_query

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if self.range_key_attr is not None and not self.items:
            self.items = defaultdict(SortedPartition)

    def query(  # noqa: PLR0917 - moto's Table.query signature
        self: Any, hash_key: Any, range_comparison: str | None, range_objs: list[Any], limit: int,
              exclusive_start_key: dict[str, Any], scan_index_forward: bool, projection_expressions: Any,
              index_name: str | None = None, consistent_read: bool = False, filter_expression: Any = None,
              hash_key_conditions: Any = None, range_key_conditions: Any = None,
              **filter_kwargs: Any) -> Any:
        answer = None
        if not filter_kwargs and index_name is None:
            answer = _table_query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                                  scan_index_forward, projection_expressions, filter_expression,
                                  range_key_conditions)
        elif not filter_kwargs and index_name is not None:
            answer = _index_query(self, index_name, range_comparison, range_objs, limit,
                                  exclusive_start_key, scan_index_forward, projection_expressions,
                                  filter_expression, hash_key_conditions, range_key_conditions,
                                  consistent_read)
        if answer is not None:
            return answer
        return original_query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                              scan_index_forward, projection_expressions, index_name, consistent_read,
                              filter_expression, hash_key_conditions=hash_key_conditions,
                              range_key_conditions=range_key_conditions, **filter_kwargs)

    __init__.__doc__ = "moto's Table.__init__ with sorted partitions (energy_pipeline.local.query_index)"
    query.__doc__ = "moto's Table.query by bisection where it applies (energy_pipeline.local.query_index)"
    setattr(Table, "__init__", __init__)  # noqa: B010 - deliberate monkeypatch
    setattr(Table, "query", query)  # noqa: B010 - deliberate monkeypatch


def table_changed(table: Any) -> None:
    """Moves the table's write count: its index partitions are rebuilt before the next index Query."""
    table.__dict__["_energy_writes"] = table.__dict__.get("_energy_writes", 0) + 1


def count_table_writes() -> None:
    """Every put, delete and update moves the table's write count: index partitions rebuild on a change."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    def counted(method: Callable[..., Any], table_of: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            finally:
                table = table_of(*args, **kwargs)
                if table is not None:
                    table_changed(table)

        wrapper.__doc__ = f"moto's {method.__name__}, counted (energy_pipeline.local.query_index)"
        return wrapper

    def own_table(self: Any, *args: Any, **kwargs: Any) -> Any:
        return self

    def named_table(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        return self.tables.get(table_name)

    setattr(Table, "put_item", counted(Table.put_item, own_table))  # noqa: B010 - deliberate monkeypatch
    setattr(Table, "delete_item", counted(Table.delete_item, own_table))  # noqa: B010
    setattr(DynamoDBBackend, "update_item",  # noqa: B010 - updates change stored items in place
            counted(DynamoDBBackend.update_item, named_table))
