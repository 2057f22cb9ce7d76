"""The emulator's bisecting Query (energy_pipeline.local.query_index) answers exactly as moto's own walk.

Each example builds a random table (with a global secondary index shaped like AnomaliesBySite), changes
it with puts, overwrites, deletes and updates, then asks the same Query twice through boto3: once with
the patch and once with moto's original Table.query, page after page.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.dynamodb.models.table import Table

from energy_pipeline.local import query_index, tuning

tuning.install()

SITES = ["a", "b", "c"]
STAMPS = [f"2025-0{month}-{day:02d}T{hour}" for month in (1, 2) for day in (1, 2, 10, 11) for hour in (0, 5)]
TABLE, INDEX = "readings", "BySite"


def _create(client: Any) -> None:
    client.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"}
                              for name in ("site_id", "timestamp", "anomaly_site")],
        KeySchema=[{"AttributeName": "site_id", "KeyType": "HASH"},
                   {"AttributeName": "timestamp", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": INDEX,
            "KeySchema": [{"AttributeName": "anomaly_site", "KeyType": "HASH"},
                          {"AttributeName": "timestamp", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]},
        }],
    )  # fmt: skip


def _item(site: str, stamp: str, value: int, flagged: bool) -> dict[str, Any]:
    item = {"site_id": {"S": site}, "timestamp": {"S": stamp}, "v": {"N": str(value)}, "w": {"S": "x"}}
    return item | ({"anomaly_site": {"S": site}} if flagged else {})


writes = st.lists(
    st.tuples(st.sampled_from(["put", "put", "put", "delete", "flag", "unflag"]), st.sampled_from(SITES),
              st.sampled_from(STAMPS), st.integers(-5, 5), st.booleans()),
    min_size=8, max_size=40,
)
CONDITIONS = ["", "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]
queries = st.fixed_dictionaries({
    "site": st.sampled_from(SITES), "index": st.booleans(), "condition": st.sampled_from(CONDITIONS),
    "low": st.sampled_from([*STAMPS, "2025-01", "2025-02-1", "2025-03", "2024"]),
    "high": st.sampled_from([*STAMPS, "2025-02", "2026"]),
    "forward": st.booleans(), "limit": st.one_of(st.none(), st.integers(1, 3), st.integers(1, 3)),
    "filter": st.booleans(), "projection": st.booleans(), "count": st.booleans(),
    "consistent": st.booleans(),
    "start": st.one_of(st.none(), st.tuples(st.sampled_from(SITES), st.sampled_from(STAMPS))),
})  # fmt: skip


def _apply(client: Any, operation: str, site: str, stamp: str, value: int, flagged: bool) -> None:
    key = {"site_id": {"S": site}, "timestamp": {"S": stamp}}
    if operation == "put":
        client.put_item(TableName=TABLE, Item=_item(site, stamp, value, flagged))
    elif operation == "delete":
        client.delete_item(TableName=TABLE, Key=key)
    elif operation == "flag":
        client.update_item(TableName=TABLE, Key=key, UpdateExpression="SET anomaly_site = :s, v = :v",
                           ExpressionAttributeValues={":s": {"S": site}, ":v": {"N": str(value)}})
    else:
        client.update_item(TableName=TABLE, Key=key, UpdateExpression="REMOVE anomaly_site")


def _request(query: dict[str, Any]) -> dict[str, Any]:
    partition = "anomaly_site" if query["index"] else "site_id"
    values: dict[str, Any] = {":p": {"S": query["site"]}}
    expression = f"{partition} = :p"
    condition, low, high = query["condition"], query["low"], max(query["low"], query["high"])
    if condition == "BETWEEN":
        expression += " AND #t BETWEEN :low AND :high"
        values |= {":low": {"S": low}, ":high": {"S": high}}
    elif condition == "begins_with":
        expression += " AND begins_with(#t, :low)"
        values[":low"] = {"S": low}
    elif condition:
        expression += f" AND #t {condition} :low"
        values[":low"] = {"S": low}
    request: dict[str, Any] = {"TableName": TABLE, "KeyConditionExpression": expression,
                               "ExpressionAttributeValues": values, "ScanIndexForward": query["forward"]}
    if condition:
        request["ExpressionAttributeNames"] = {"#t": "timestamp"}
    if query["index"]:
        request["IndexName"] = INDEX
    elif query["consistent"]:
        request["ConsistentRead"] = True
    if query["limit"]:
        request["Limit"] = query["limit"]
    if query["filter"]:
        request["FilterExpression"] = "v > :zero"
        values[":zero"] = {"N": "0"}
    if query["count"]:
        request["Select"] = "COUNT"
    elif query["projection"]:
        request["ProjectionExpression"] = "site_id, #t, v" if condition else "site_id, v"
    if query["start"]:
        site, stamp = query["start"]
        start = {"site_id": {"S": query["site"] if not query["index"] else site}, "timestamp": {"S": stamp}}
        if query["index"]:
            start["anomaly_site"] = {"S": query["site"]}
        request["ExclusiveStartKey"] = start
    return request


def _pages(client: Any, request: dict[str, Any]) -> list[Any]:
    """Every page of the query (at most 30), or the error it gets."""
    pages: list[Any] = []
    try:
        for _ in range(30):
            page = client.query(**request)
            page.pop("ResponseMetadata", None)
            pages.append(page)
            if "LastEvaluatedKey" not in page:
                break
            request = {**request, "ExclusiveStartKey": page["LastEvaluatedKey"]}
    except ClientError as error:
        pages.append(error.response["Error"])
    return pages


@contextlib.contextmanager
def _unpatched() -> Iterator[None]:
    patched = Table.query
    setattr(Table, "query", query_index.ORIGINAL_QUERY)
    try:
        yield
    finally:
        setattr(Table, "query", patched)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(writes, st.lists(queries, min_size=1, max_size=6))
def test_every_query_answers_as_moto_answers_it(changes: list[Any], asked: list[dict[str, Any]]) -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _create(client)
        for change in changes:
            _apply(client, *change)
        for query in asked:
            request = _request(query)
            fast = _pages(client, request)
            with _unpatched():
                slow = _pages(client, request)
            assert fast == slow, request


def test_partitions_stay_sorted_through_puts_overwrites_and_deletes() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _create(client)
        for stamp in reversed(STAMPS):
            client.put_item(TableName=TABLE, Item=_item("a", stamp, 1, False))
        client.put_item(TableName=TABLE, Item=_item("a", STAMPS[3], 2, True))
        client.delete_item(TableName=TABLE, Key={"site_id": {"S": "a"}, "timestamp": {"S": STAMPS[0]}})
        from moto.dynamodb.models import dynamodb_backends

        partition = dynamodb_backends["123456789012"]["us-east-1"].tables[TABLE].items[
            next(iter(dynamodb_backends["123456789012"]["us-east-1"].tables[TABLE].items))]
        assert isinstance(partition, query_index.SortedPartition)
        assert partition.ordered == sorted(STAMPS[1:])
        assert sorted(key.cast_value for key in partition) == partition.ordered


@pytest.mark.parametrize("comparison", ["=", "<", "<=", ">", ">=", "BETWEEN", "BEGINS_WITH"])
def test_key_bounds_select_exactly_the_keys_the_condition_admits(comparison: str) -> None:
    from moto.dynamodb.comparisons import get_comparison_func

    ordered = sorted(["a", "ab", "abc", "ab\U0010ffffz", "b", "ba", "c"])
    for low in ["", "a", "ab", "abz", "b", "d"]:
        values = [low, "b"] if comparison == "BETWEEN" else [low]
        bounds = query_index.key_bounds(ordered, comparison, values)
        assert bounds is not None
        admitted = [key for key in ordered if get_comparison_func(comparison)(key, *values)]
        assert ordered[bounds[0]:bounds[1]] == admitted


def _stored_items() -> list[Any]:
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends["123456789012"]["us-east-1"].tables[TABLE]
    return list(table.all_items())


resizes = st.lists(
    st.tuples(st.sampled_from(["put", "grow", "append", "create", "refused", "delete"]), st.sampled_from(STAMPS[:4]),
              st.integers(0, 3000)),
    min_size=1, max_size=25,
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(resizes)
def test_the_size_kept_on_each_item_is_the_size_moto_measures_after_every_change(changes: list[Any]) -> None:
    """tuning remembers item sizes (Item.size); UpdateItem changes stored items in place."""
    from moto.dynamodb.models.utilities import bytesize

    def measure(item: Any) -> int:  # moto's own Item.size
        return sum(bytesize(key) + value.size() for key, value in item.attrs.items())
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _create(client)
        for operation, stamp, length in changes:
            key = {"site_id": {"S": "a"}, "timestamp": {"S": stamp}}
            text = {":t": {"S": "x" * (length + 1)}}
            with contextlib.suppress(ClientError):
                if operation == "put":
                    client.put_item(TableName=TABLE, Item=_item("a", stamp, length, length % 2 == 0))
                elif operation in ("grow", "create"):  # create: on a key that may hold no item yet
                    client.update_item(TableName=TABLE, Key=key, UpdateExpression="SET w = :t",
                                       ExpressionAttributeValues=text)
                elif operation == "append":  # a nested change: the list inside the item grows
                    client.update_item(TableName=TABLE, Key=key,
                                       UpdateExpression="SET l = list_append(if_not_exists(l, :empty), :t)",
                                       ExpressionAttributeValues={":empty": {"L": []}, ":t": {"L": [text[":t"]]}})
                elif operation == "refused":  # the condition fails: moto changes nothing
                    client.update_item(TableName=TABLE, Key=key, UpdateExpression="SET w = :t",
                                       ConditionExpression="attribute_not_exists(site_id)",
                                       ExpressionAttributeValues=text)
                else:
                    client.delete_item(TableName=TABLE, Key=key)
            for item in _stored_items():
                assert item.size() == measure(item), operation


@settings(max_examples=200, deadline=None)
@given(operations=st.lists(st.tuples(st.sampled_from(["set", "set", "delete", "pop", "read"]),
                                     st.integers(0, 30)), max_size=60))
def test_the_order_settled_on_reading_is_the_sorted_keys(operations: list[tuple[str, int]]) -> None:
    """Keys noted on storing and settled when read: after any mix of stores, deletes and reads, the order
    is every stored key, ascending (numbers as numbers)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    partition = query_index.SortedPartition()
    for operation, number in operations:
        key = DynamoType({"N": str(number)})
        if operation == "set":
            partition[key] = number
        elif operation in ("delete", "pop") and key in partition:
            if operation == "delete":
                del partition[key]
            else:
                partition.pop(key)
        elif operation == "read":
            assert partition.ordered == sorted(stored.cast_value for stored in partition)
    assert partition.ordered == sorted(stored.cast_value for stored in partition)
    assert [key.cast_value for key in partition.keys_in_order] == partition.ordered
    assert [partition[key] for key in partition.keys_in_order] == [int(cast) for cast in partition.ordered]
