"""The emulator's transactions (energy_pipeline.local.atomic.undo_touched_items) answer as moto's own.

moto backs a transaction up by deep-copying each table it names; the patch copies only the items it
touches and puts them back when the transaction is cancelled. Each example applies the same random puts
and transactions (Put, Update, Delete, ConditionCheck; conditions that hold or fail; an item named twice)
once with the patch and once with moto's original, and compares every answer and the tables after.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import Any

import boto3
import moto.dynamodb.models as models
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.dynamodb.models.table import Table

from energy_pipeline.local import atomic

atomic.install()

KEYS = ["a", "b", "c"]
CONDITIONS = [None, "attribute_exists(v)", "attribute_not_exists(v)", "v = :one", "v < :one"]


def _create(client: Any) -> None:
    client.create_table(
        TableName="sorted", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )  # fmt: skip
    client.create_table(
        TableName="plain", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )  # fmt: skip


def _key(table: str, pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}} | ({"sk": {"S": sk}} if table == "sorted" else {})


operations = st.tuples(
    st.sampled_from(["Put", "Update", "Delete", "ConditionCheck"]), st.sampled_from(["sorted", "plain"]),
    st.sampled_from(KEYS), st.sampled_from(KEYS), st.sampled_from(CONDITIONS), st.integers(-2, 2),
)


def _request(operation: tuple[str, str, str, str, str | None, int]) -> dict[str, Any]:
    kind, table, pk, sk, condition, value = operation
    request: dict[str, Any] = {"TableName": table}
    if kind == "Put":
        request["Item"] = _key(table, pk, sk) | {"v": {"N": str(value)}}
    else:
        request["Key"] = _key(table, pk, sk)
    if kind == "Update":
        request["UpdateExpression"] = "ADD v :n SET w = :w"
        request["ExpressionAttributeValues"] = {":n": {"N": str(value)}, ":w": {"S": "x"}}
    if kind == "ConditionCheck" and condition is None:
        condition = "attribute_exists(v)"
    if condition is not None:
        request["ConditionExpression"] = condition
        if ":one" in condition:
            request.setdefault("ExpressionAttributeValues", {})[":one"] = {"N": "1"}
    return {kind: request}


@contextlib.contextmanager
def _moto_original() -> Iterator[None]:
    patched, shim = models.DynamoDBBackend.transact_write_items, models.copy
    models.DynamoDBBackend.transact_write_items = atomic.ORIGINAL_TRANSACT  # type: ignore[method-assign]
    models.copy = copy  # type: ignore[assignment]
    try:
        yield
    finally:
        models.DynamoDBBackend.transact_write_items = patched  # type: ignore[method-assign]
        models.copy = shim  # type: ignore[assignment]


def _run(initial: list[tuple[Any, ...]], transactions: list[list[tuple[Any, ...]]]) -> list[Any]:
    answers: list[Any] = []
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _create(client)
        for operation in initial:
            client.put_item(**_request(("Put", *operation[1:4], None, operation[5]))["Put"])
        for transaction in transactions:
            try:
                client.transact_write_items(TransactItems=[_request(op) for op in transaction])
                answers.append("ok")
            except ClientError as error:
                reasons = error.response.get("CancellationReasons") or []
                answers.append((error.response["Error"]["Code"], [r.get("Code") for r in reasons]))
        for table in ("sorted", "plain"):
            items = client.scan(TableName=table, ConsistentRead=True)["Items"]
            answers.append(sorted(items, key=lambda item: (item["pk"]["S"], item.get("sk", {}).get("S", ""))))
    return answers


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=st.lists(operations, max_size=8),
       transactions=st.lists(st.lists(operations, min_size=1, max_size=5), min_size=1, max_size=6))
def test_transactions_answer_and_leave_the_tables_as_motos_own(
    initial: list[tuple[Any, ...]], transactions: list[list[tuple[Any, ...]]]
) -> None:
    patched = _run(initial, transactions)
    with _moto_original():
        original = _run(initial, transactions)
    assert patched == original


def test_a_cancelled_transaction_restores_items_without_copying_a_table(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Table, memo: Any) -> Table:
        raise AssertionError("a transaction copied a whole table")

    monkeypatch.setattr(Table, "__deepcopy__", refuse, raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _create(client)
        client.put_item(TableName="sorted", Item=_key("sorted", "a", "a") | {"v": {"N": "1"}})
        with pytest.raises(ClientError, match="TransactionCanceled"):
            client.transact_write_items(TransactItems=[
                _request(("Update", "sorted", "a", "a", None, 5)),
                _request(("Put", "plain", "b", "b", None, 7)),
                _request(("Delete", "sorted", "c", "c", "attribute_exists(v)", 0)),
            ])  # fmt: skip
        client.transact_write_items(TransactItems=[_request(("Update", "sorted", "a", "a", None, 2))])
        assert client.scan(TableName="plain")["Items"] == []
        stored = client.get_item(TableName="sorted", Key=_key("sorted", "a", "a"))["Item"]
    assert stored == _key("sorted", "a", "a") | {"v": {"N": "3"}, "w": {"S": "x"}}
