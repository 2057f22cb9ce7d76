"""The local engine's overhead cuts (energy_pipeline.local.tuning) change nothing the emulator answers."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from energy_pipeline.local import tuning
from tests.workflow.helpers import run

KEY = {"site_id": {"S": "s"}, "timestamp": {"S": "2025-01-01T00:00:00.000000Z"}}


def _readings_table(local: Any) -> str:
    return str(local.engine.stack.outputs["ReadingsTableName"])


def test_items_over_the_size_limit_are_refused_and_items_under_it_stored_whole(local: Any) -> None:
    ddb, table = local.engine.clients.dynamodb, _readings_table(local)
    item = {**KEY, "a": {"N": "1.5"}, "b": {"S": "x" * 1000}, "c": {"L": [{"M": {"t": {"S": "spike"}}}]},
            "d": {"SS": ["p", "q"]}, "e": {"BOOL": True}, "f": {"NULL": True}}
    ddb.put_item(TableName=table, Item=item)
    assert ddb.get_item(TableName=table, Key=KEY)["Item"] == item
    ddb.put_item(TableName=table, Item={**KEY, "big": {"S": "x" * 400_000}})  # moto's limit is 405,000 bytes
    for spread in ({"big": {"S": "x" * 406_000}}, {f"a{n}": {"S": "x" * 100_000} for n in range(5)}):
        with pytest.raises(ClientError, match="Item size has exceeded the maximum allowed size"):
            ddb.put_item(TableName=table, Item={**KEY, **spread})
        with pytest.raises(ClientError, match="Item size has exceeded the maximum allowed size"):
            ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {**KEY, **spread}}}]})


def test_an_update_past_the_limit_is_still_refused(local: Any) -> None:
    ddb, table = local.engine.clients.dynamodb, _readings_table(local)
    ddb.put_item(TableName=table, Item={**KEY, "a": {"S": "x" * 300_000}})
    with pytest.raises(ClientError, match="Item size"):
        ddb.update_item(TableName=table, Key=KEY, UpdateExpression="SET b = :b",
                        ExpressionAttributeValues={":b": {"S": "y" * 200_000}})


def test_a_query_page_measures_items_again_after_they_are_updated_in_place(local: Any) -> None:
    """Sizes are remembered between reads (tuning._remember_item_sizes) and forgotten when an update changes the item:
    three 300 KB readings fit one 1 MB page; grown to 390 KB in place, only two do."""
    ddb, table = local.engine.clients.dynamodb, _readings_table(local)
    keys = [{"site_id": {"S": "big"}, "timestamp": {"S": f"2025-01-0{day}T00:00:00.000000Z"}} for day in (1, 2, 3)]
    for key in keys:
        ddb.put_item(TableName=table, Item={**key, "a": {"S": "x" * 300_000}})

    def page() -> int:
        answer = ddb.query(TableName=table, KeyConditionExpression="site_id = :s",
                           ExpressionAttributeValues={":s": {"S": "big"}}, Select="COUNT")
        return int(answer["Count"])

    assert page() == 3 and page() == 3  # the second page reads remembered sizes
    for key in keys:
        ddb.update_item(TableName=table, Key=key, UpdateExpression="SET b = :b",
                        ExpressionAttributeValues={":b": {"S": "y" * 90_000}})
    assert page() == 2
    ddb.transact_write_items(TransactItems=[{"Update": {
        "TableName": table, "Key": keys[0], "UpdateExpression": "REMOVE a, b"}}])
    assert page() == 3  # the first is small again: the three fit


def test_the_interpreter_reuses_its_clients_and_the_runner_wakes_when_the_execution_ends(
    local: Any, samples: Path
) -> None:
    ends = tuning.EXECUTION_ENDS.mark()
    [row] = run(local, samples / "solar-farm-01.json")
    assert row["status"] == "SUCCEEDED"
    assert tuning.EXECUTION_ENDS.mark() > ends
    from moto.stepfunctions.parser.asl.utils import boto_client

    cached = boto_client.boto3
    assert isinstance(cached, tuning._CachedBoto3)
    first = boto_client.boto_client_for("us-east-1", "lambda")
    assert boto_client.boto_client_for("us-east-1", "lambda") is first
    assert boto_client.boto_client_for("us-east-1", "sns") is not first


def test_the_collector_is_the_processs_own_again_after_the_engine() -> None:
    from energy_pipeline.session import open_engine

    before = gc.get_threshold()
    with open_engine():
        assert gc.get_threshold() == tuning.GC_THRESHOLD
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before


def test_a_handler_s_actions_are_found_as_moto_lists_them() -> None:
    """`name in FunctionNames(cls)` is `name in method_names_from_class(cls)` for every name moto may ask."""
    from moto.core.utils import method_names_from_class
    from moto.dynamodb.responses import DynamoHandler
    from moto.s3.responses import S3Response
    from moto.stepfunctions.responses import StepFunctionResponse

    from energy_pipeline.local.tuning import FunctionNames

    class Patched(DynamoHandler):
        query = staticmethod(lambda: None)  # not a function on the class: moto does not call it
        extra = 5

    for clazz in (DynamoHandler, S3Response, StepFunctionResponse, Patched):
        listed = method_names_from_class(clazz)
        names = FunctionNames(clazz, method_names_from_class)
        for name in [*dir(clazz), "batch_write_item", "no_such_action", "__class__", "", "query", "extra"]:
            assert (name in names) == (name in listed), (clazz, name)
        assert list(names) == listed


def test_a_value_s_cast_is_moto_s() -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    tuning.install()
    moto_cast = getattr(tuning, "_MOTO_CAST", None)
    assert moto_cast is not None
    for raw in [{"S": "a"}, {"S": ""}, {"N": "1.50"}, {"SS": ["a", "b"]}, {"NS": ["1", "2"]}, {"BOOL": True},
                {"NULL": True}, {"L": [{"S": "a"}, {"N": "2"}]}, {"M": {"x": {"S": "y"}}}, {"B": b"x"}]:
        value = DynamoType(raw)
        assert value.cast_value == moto_cast(value)
        if raw.get("S") is not None or raw.get("N") is not None:  # keys: hashed through the cast
            assert hash(value) == hash((value.type, moto_cast(value)))


def test_items_answered_are_freed_and_the_dashboard_lists_the_stored_items(local: Any) -> None:
    """moto's list of every Item it built (`instances_tracked`) kept each Query's copies for good; now a
    page's items are freed with the page, and the dashboard's model data lists what the tables hold."""
    import weakref

    from moto.dynamodb.models import Table, dynamodb_backends
    from moto.dynamodb.models.dynamo_type import Item

    ddb, table = local.engine.clients.dynamodb, _readings_table(local)
    stamps = [f"2025-01-0{day}T00:00:00.000000Z" for day in (1, 2, 3)]
    ddb.batch_write_item(RequestItems={table: [
        {"PutRequest": {"Item": {"site_id": {"S": "kept"}, "timestamp": {"S": stamp}, "a": {"N": "1"}}}}
        for stamp in stamps]})  # fmt: skip
    ddb.put_item(TableName=table, Item={"site_id": {"S": "kept"}, "timestamp": {"S": "2025-02-01"}})
    built: list[weakref.ref[Any]] = []
    original_query = Table.query

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        answer = original_query(self, *args, **kwargs)
        built.extend(weakref.ref(item) for item in answer[0])
        return answer

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Table, "query", query)
        for projection in ({}, {"ProjectionExpression": "a"}):
            ddb.query(TableName=table, KeyConditionExpression="site_id = :s",
                      ExpressionAttributeValues={":s": {"S": "kept"}}, **projection)
    gc.collect()
    assert len(built) == 8 and all(item() is None for item in built)  # copies, all freed
    stored = {(item.hash_key.value, item.range_key and item.range_key.value)
              for item in Item.instances_tracked}  # type: ignore[attr-defined]
    assert {("kept", stamp) for stamp in [*stamps, "2025-02-01"]} <= stored
    assert len(Item.instances_tracked) == len(stored) == sum(  # type: ignore[attr-defined]
        len(list(each.all_items())) for each in dynamodb_backends["123456789012"]["us-east-1"].tables.values())
