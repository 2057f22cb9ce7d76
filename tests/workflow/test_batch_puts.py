"""The emulator's BatchWriteItem fast path (energy_pipeline.local.batch_puts) answers and stores as moto does.

Each example sends the same BatchWriteItem requests - plain puts, and every kind of request the fast path
hands to moto (deletes, other value types, invalid numbers, empty or over-long keys, duplicates, unknown
tables, oversized items) - through boto3 to a fresh emulator twice: with the fast path and with moto's own
handler. The answers (or the error's code and message) must be equal, and so must what is stored: every
item's keys, DynamoType tree, LimitedSizeDict, kept size and place in the sorted partitions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
from moto.dynamodb.responses import DynamoHandler

from energy_pipeline.local import atomic, batch_puts, dynamo_wire, tuning
from energy_pipeline.local.query_index import SortedPartition
from tests.workflow.helpers import moto_server_on_a_free_port

atomic.install()
dynamo_wire.install()
tuning.install()
batch_puts.install()
TABLE, FLAT = "readings", "flat"  # a table with a sort key and an index, and one with a hash key alone

numbers = st.sampled_from([
    "0", "-0", "1.50", "7", "0.105", "-12.25", "12345678901234567890", "1e-05", "-3.25E+10", " 1", "1 ",
    "abc", "", "1e200", "-1e-200", "NaN", "Infinity", "+5", "00012.500", "1" * 45,
])  # fmt: skip
texts = st.sampled_from(["", "a", "é", "x" * 1100, "N", "s1"])
scalars = st.one_of(
    texts.map(lambda text: {"S": text}), numbers.map(lambda text: {"N": text}),
    st.sampled_from([{"BOOL": True}, {"BOOL": False}, {"NULL": True}, {"NULL": False}, {"N": 5},
                     {"S": 5}, {"BOOL": "yes"}, {"B": b"x"}, {"SS": ["a", "b"]}, {"NS": ["1"]}, {},
                     {"S": "a", "N": "1"}]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda members: {"L": members}),
        st.dictionaries(st.sampled_from(["type", "value", "N", "S", "NULL", "é"]), inner, max_size=3)
        .map(lambda members: {"M": members}),
    ),
    max_leaves=5,
)
sites = st.one_of(st.sampled_from(["s1", "s2"]).map(lambda site: {"S": site}),
                  st.sampled_from([{"S": ""}, {"S": "k" * 2100}, {"N": "1"}]))
stamps = st.one_of(st.sampled_from(["2025-01-01", "2025-01-02", "2025-01-03"]).map(lambda at: {"S": at}),
                   st.sampled_from([{"S": ""}, {"S": "t" * 1100}, {"N": "2"}]))


@st.composite
def puts(draw: Any) -> dict[str, Any]:
    item: dict[str, Any] = draw(st.dictionaries(st.sampled_from(["a", "b", "n", "anomalies", "S"]), values,
                                                max_size=3))
    if draw(st.integers(0, 9)):
        item["site_id"] = draw(sites)
    if draw(st.integers(0, 9)):
        item["timestamp"] = draw(stamps)
    if draw(st.integers(0, 3)) == 0:  # the index key (an empty one is refused)
        item["anomaly_site"] = draw(st.sampled_from([{"S": "s1"}, {"S": ""}, {"N": "1"}]))
    return {"PutRequest": {"Item": item}}


requests = st.lists(
    st.one_of(
        puts(), puts(), puts(),
        st.tuples(sites, stamps).map(lambda key: {"DeleteRequest": {"Key": {"site_id": key[0],
                                                                              "timestamp": key[1]}}}),
        st.sampled_from([{"PutRequest": {}}, {"Other": {}}, {"PutRequest": {"Item": {}}, "DeleteRequest": {}}]),
    ),
    min_size=1, max_size=6,
)  # fmt: skip
tables = st.sampled_from([[TABLE], [TABLE], [TABLE], [FLAT], [TABLE, FLAT], ["missing"]])


pytestmark = pytest.mark.usefixtures("moto_in_process")  # every test here talks to moto's in-process mock


def _answer(call: Any, **request: Any) -> Any:
    try:
        response = call(**request)
    except ClientError as error:
        return ("error", error.response["Error"].get("Code"), error.response["Error"].get("Message"))
    except Exception as crash:
        return ("crash", type(crash).__name__)
    response.pop("ResponseMetadata", None)
    return response


def _tree(value: Any) -> Any:
    """A stored value as exactly what it is made of (classes included)."""
    if type(value) is DynamoType:
        return ("DynamoType", value.type, _tree(value.value))
    if isinstance(value, dict):
        return (type(value).__name__, sorted((key, _tree(member)) for key, member in value.items()))
    if isinstance(value, list):
        return ("list", [_tree(member) for member in value])
    return (type(value).__name__, value)


def _stored(table: Any) -> Any:
    """Every stored item (keys, attributes, kept size, moto's own measure) and each partition's order."""
    items, orders = [], []
    for partition_key, partition in table.items.items():
        entries = partition.values() if isinstance(partition, dict) else [partition]
        if isinstance(partition, SortedPartition):
            orders.append((_tree(partition_key), [_tree(key) for key in partition.keys_in_order],
                           list(partition.ordered)))
        for item in entries:
            assert type(item.attrs) is LimitedSizeDict
            kept = item.__dict__.get(tuning.ITEM_SIZE)
            item.__dict__.pop(tuning.ITEM_SIZE, None)
            items.append((_tree(item.hash_key), _tree(item.range_key), _tree(item.attrs), kept, item.size()))
    return sorted(items, key=repr), sorted(orders, key=repr)


def _tables(client: Any) -> None:
    client.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "site_id", "AttributeType": "S"},
                              {"AttributeName": "timestamp", "AttributeType": "S"},
                              {"AttributeName": "anomaly_site", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "site_id", "KeyType": "HASH"},
                   {"AttributeName": "timestamp", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "AnomaliesBySite", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "anomaly_site", "KeyType": "HASH"},
                          {"AttributeName": "timestamp", "KeyType": "RANGE"}]}],
    )  # fmt: skip
    client.create_table(
        TableName=FLAT, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "site_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "site_id", "KeyType": "HASH"}],
    )  # fmt: skip


def _session(batches: list[tuple[list[str], list[dict[str, Any]]]]) -> Iterator[Any]:
    """Each batch's answer on a fresh emulator, then what both tables hold and an index Query."""
    with mock_aws():
        client = boto3.client("dynamodb", config=Config(parameter_validation=False))
        _tables(client)
        for names, batch in batches:
            yield _answer(client.batch_write_item, RequestItems={name: batch for name in names})
        backend = dynamodb_backends["123456789012"]["us-east-1"]
        for name in (TABLE, FLAT):
            yield _stored(backend.get_table(name))
        yield _answer(client.query, TableName=TABLE, IndexName="AnomaliesBySite",
                      KeyConditionExpression="anomaly_site = :s", ExpressionAttributeValues={":s": {"S": "s1"}})


def _moto_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DynamoHandler, "batch_write_item", batch_puts.ORIGINALS["batch_write_item"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.tuples(tables, requests), min_size=1, max_size=3))
def test_answers_and_stored_items_are_moto_s(batches: list[tuple[list[str], list[dict[str, Any]]]]) -> None:
    fast = list(_session(batches))
    with pytest.MonkeyPatch.context() as patch:
        _moto_only(patch)
        assert list(_session(batches)) == fast


def _reading(site: str, stamp: str, anomalies: bool = False) -> dict[str, Any]:
    from energy_aws.items import reading_attribute_values

    reading: dict[str, Any] = {
        "site_id": site, "timestamp": stamp, "energy_generated_kwh": 1.25, "energy_consumed_kwh": 1e-05,
        "cumulative_kwh": 12345.5, "source_key": "uploads/a.json", "source_etag": '"abc"',
        "ingested_at": "2026-01-01T00:00:00.000000Z",
        "anomalies": [{"type": "spike", "value": 3.5, "note": None}] if anomalies else [],
    }  # fmt: skip
    return reading_attribute_values(reading)


def test_the_pipeline_s_readings_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Store's batches (readings with and without anomalies, numbers in repr form) never reach moto's
    per-item put, and the stored readings read back as written, through the index too."""
    moto_puts = []
    original = DynamoDBBackend.put_item
    monkeypatch.setattr(DynamoDBBackend, "put_item",
                        lambda self, *args, **kwargs: moto_puts.append(args) or original(self, *args, **kwargs))
    readings = [_reading(f"s{n % 3}", f"2025-01-01T00:{n:02d}:00Z", anomalies=n % 7 == 0) for n in range(25)]
    batch = [{"PutRequest": {"Item": item}} for item in readings]
    fast = list(_session([([TABLE], batch)]))
    assert moto_puts == []
    assert fast[0] == {"ConsumedCapacity": [{"TableName": TABLE, "CapacityUnits": 1.0,
                                             "Table": {"CapacityUnits": 1.0}}],
                       "ItemCollectionMetrics": {}, "UnprocessedItems": {}}  # fmt: skip
    assert len(fast[1][0]) == 25
    assert len(fast[3]["Items"]) == len([n for n in range(0, 25, 7) if n % 3 == 1])
    with pytest.MonkeyPatch.context() as patch:
        _moto_only(patch)
        assert list(_session([([TABLE], batch)])) == fast
    assert len(moto_puts) == 25


def test_requests_the_fast_path_leaves_to_moto_are_refused_as_moto_refuses_them() -> None:
    item = _reading("s1", "2025-01-01T00:00:00Z")
    refused = {
        "identical puts": [{"PutRequest": {"Item": item}}] * 2,
        "oversized item": [{"PutRequest": {"Item": {**item, "big": {"S": "x" * 405_000}}}}],
        "empty key": [{"PutRequest": {"Item": {**item, "timestamp": {"S": ""}}}}],
        "long key": [{"PutRequest": {"Item": {**item, "site_id": {"S": "k" * 2049}}}}],
        "bad number": [{"PutRequest": {"Item": {**item, "cumulative_kwh": {"N": "1e400"}}}}],
    }
    for name, batch in refused.items():
        answers = list(_session([([TABLE], batch)]))
        assert answers[0][0] == "error", name
        assert answers[1][0] == []  # nothing stored
        with pytest.MonkeyPatch.context() as patch:
            _moto_only(patch)
            assert list(_session([([TABLE], batch)])) == answers, name


def test_a_new_index_s_key_is_checked_after_the_table_changed() -> None:
    """The table's shape is kept between requests; a new index (UpdateTable) is seen by the next one."""
    def session() -> Iterator[Any]:
        with mock_aws():
            client = boto3.client("dynamodb", config=Config(parameter_validation=False))
            _tables(client)
            item = _reading("s1", "2025-01-01T00:00:00Z")
            yield _answer(client.batch_write_item, RequestItems={TABLE: [{"PutRequest": {"Item": item}}]})
            client.update_table(
                TableName=TABLE, AttributeDefinitions=[{"AttributeName": "b", "AttributeType": "S"}],
                GlobalSecondaryIndexUpdates=[{"Create": {
                    "IndexName": "ByB", "Projection": {"ProjectionType": "ALL"},
                    "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}]}}],
            )  # fmt: skip
            empty = {**item, "timestamp": {"S": "2025-01-02"}, "b": {"S": ""}}
            yield _answer(client.batch_write_item, RequestItems={TABLE: [{"PutRequest": {"Item": empty}}]})

    fast = list(session())
    assert fast[1][0] == "error"
    with pytest.MonkeyPatch.context() as patch:
        _moto_only(patch)
        assert list(session()) == fast


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """An emulator endpoint with serve's in-process dispatch (and its direct BatchWriteItem answers)."""
    server, endpoint = moto_server_on_a_free_port()
    undispatch = dynamo_wire.in_process_dispatch(endpoint, batch_puts.direct_answers)
    try:
        yield endpoint
    finally:
        undispatch()
        server.stop()


def _full_answer(call: Any, **request: Any) -> Any:
    """The whole answer, metadata and headers included; only the request id and the date differ by nature."""
    try:
        response = call(**request)
    except ClientError as error:
        response = error.response
    except Exception as crash:
        return ("crash", type(crash).__name__)
    metadata = response["ResponseMetadata"]
    headers = metadata["HTTPHeaders"]
    assert metadata.pop("RequestId", None) == headers.pop("x-amzn-requestid", None)
    if "date" in headers:
        headers["date"] = "(a date)"
    return response


def _served_session(endpoint: str, batches: list[tuple[list[str], list[dict[str, Any]]]], *,
                    region: str = "us-east-1", access_key: str = "testing",
                    account: str = "123456789012") -> Iterator[Any]:
    """_session's answers and tables through serve's dispatch, for a client of `region` and `access_key`."""
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region, aws_access_key_id=access_key,
                          aws_secret_access_key="x", config=Config(parameter_validation=False))
    _tables(client)
    try:
        for names, batch in batches:
            yield _full_answer(client.batch_write_item, RequestItems={name: batch for name in names})
        backend = dynamodb_backends[account][region]
        for name in (TABLE, FLAT):
            yield _stored(backend.get_table(name))
    finally:
        for name in (TABLE, FLAT):
            client.delete_table(TableName=name)


def _handler_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's BatchWriteItem handler wrapped (as write_limit replaces it): the direct answers step aside."""
    original = DynamoHandler.batch_write_item

    def batch_write_item(self: Any) -> Any:
        return original(self)

    monkeypatch.setattr(DynamoHandler, "batch_write_item", batch_write_item)


def _dispatched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations of the requests that reach moto's request handling (the direct answers skip it)."""
    reached: list[str] = []
    original = DynamoHandler.dispatch

    def dispatch(request: Any, *args: Any) -> Any:
        reached.append(request.headers["X-Amz-Target"].split(".")[-1])
        return original(request, *args)

    monkeypatch.setattr(DynamoHandler, "dispatch", dispatch)
    return reached


plain_values = st.recursive(
    st.one_of(st.sampled_from(["a", "é", "x" * 30]).map(lambda text: {"S": text}),
              st.sampled_from(["0", "1.50", "-12.25", "7"]).map(lambda text: {"N": text}),
              st.sampled_from([{"BOOL": True}, {"NULL": True}])),
    lambda inner: st.one_of(st.lists(inner, max_size=3).map(lambda members: {"L": members}),
                            st.dictionaries(st.sampled_from(["type", "value"]), inner, max_size=2)
                            .map(lambda members: {"M": members})),
    max_leaves=4,
)
plain_puts = st.lists(
    st.tuples(st.sampled_from(["s1", "s2"]), st.sampled_from(["2025-01-01", "2025-01-02", "2025-01-03"]),
              st.dictionaries(st.sampled_from(["a", "n", "anomalies"]), plain_values, max_size=3)),
    min_size=1, max_size=25, unique_by=lambda put: put[:2],
).map(lambda puts: [{"PutRequest": {"Item": {"site_id": {"S": site}, "timestamp": {"S": stamp}, **rest}}}
                    for site, stamp, rest in puts])  # what the direct answers take: plain puts, keys unique
CLIENTS = [("us-east-1", "testing", None), ("eu-west-1", "AKIAIOSFODNN7EXAMPLE", None),
           ("us-west-2", "testing", "111122223333")]  # region, access key, MOTO_ACCOUNT_ID


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.one_of(st.tuples(st.just([TABLE]), plain_puts), st.tuples(tables, requests)),
                        min_size=1, max_size=3),
       client=st.sampled_from(CLIENTS))
def test_direct_answers_are_what_serve_s_dispatch_answers(
        served: str, batches: list[tuple[list[str], list[dict[str, Any]]]],
        client: tuple[str, str, str | None]) -> None:
    """Answered in the client's call or sent to moto's handler: the same answers, headers and metadata, and
    the same items stored in the same account's (MOTO_ACCOUNT_ID when set) and region's backend."""
    region, access_key, account = client
    with pytest.MonkeyPatch.context() as environment:
        if account is not None:
            environment.setenv("MOTO_ACCOUNT_ID", account)
        where = {"region": region, "access_key": access_key, "account": account or "123456789012"}
        direct = list(_served_session(served, batches, **where))
        with pytest.MonkeyPatch.context() as patch:
            _handler_replaced(patch)
            assert list(_served_session(served, batches, **where)) == direct


@pytest.mark.parametrize("client", CLIENTS)
def test_the_pipeline_s_batches_are_answered_in_the_call_unless_moto_s_handler_is_replaced(
        served: str, monkeypatch: pytest.MonkeyPatch, client: tuple[str, str, str | None]) -> None:
    from energy_pipeline.local.write_limit import WriteLimit, enforce

    region, access_key, account = client
    if account is not None:
        monkeypatch.setenv("MOTO_ACCOUNT_ID", account)
    where = {"region": region, "access_key": access_key, "account": account or "123456789012"}
    batch = [{"PutRequest": {"Item": _reading(f"s{n % 3}", f"2025-01-01T00:{n:02d}:00Z", n % 7 == 0)}}
             for n in range(25)]
    reached = _dispatched(monkeypatch)
    answers = list(_served_session(served, [([TABLE], batch)], **where))
    assert answers[0]["UnprocessedItems"] == {} and len(answers[1][0]) == 25
    assert "BatchWriteItem" not in reached and "CreateTable" in reached
    with enforce(WriteLimit(units_per_s=2)) as limit:  # throttling is moto's handler's, replaced meanwhile
        throttled = list(_served_session(served, [([TABLE], batch)], **where))
    assert limit.throttled_items > 0 and throttled[0]["UnprocessedItems"]
    assert "BatchWriteItem" in reached


def _mocked_session(batches: list[tuple[list[str], list[dict[str, Any]]]], region: str) -> Iterator[Any]:
    """_served_session's answers and tables on moto's in-process mock with the engine's direct answers."""
    with mock_aws():
        undirect = batch_puts.direct_puts_in_mock()
        try:
            client = boto3.client("dynamodb", region_name=region, config=Config(parameter_validation=False))
            _tables(client)
            for names, batch in batches:
                yield _full_answer(client.batch_write_item, RequestItems={name: batch for name in names})
            backend = dynamodb_backends["123456789012"][region]
            for name in (TABLE, FLAT):
                yield _stored(backend.get_table(name))
        finally:
            undirect()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.one_of(st.tuples(st.just([TABLE]), plain_puts), st.tuples(tables, requests)),
                        min_size=1, max_size=3),
       region=st.sampled_from(["us-east-1", "eu-west-1"]))
def test_direct_answers_in_the_mock_are_what_moto_s_mock_answers(
        batches: list[tuple[list[str], list[dict[str, Any]]]], region: str) -> None:
    direct = list(_mocked_session(batches, region))
    with pytest.MonkeyPatch.context() as patch:
        _handler_replaced(patch)
        assert list(_mocked_session(batches, region)) == direct


def test_the_mock_s_direct_answers_end_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answered in the call while the hook is installed; sent to the mock (moto's handler) once it is not,
    by the clients that were made meanwhile too."""
    from moto.core.botocore_stubber import BotocoreStubber

    batch = [{"PutRequest": {"Item": _reading("s1", f"2025-01-01T00:{n:02d}:00Z")}} for n in range(25)]
    sent: list[str] = []
    original = BotocoreStubber.__call__
    monkeypatch.setattr(BotocoreStubber, "__call__", lambda self, event_name, request, **kwargs: (
        sent.append(request.headers.get("X-Amz-Target", b"")) or original(self, event_name, request, **kwargs)))
    with mock_aws():
        undirect = batch_puts.direct_puts_in_mock()
        client = boto3.client("dynamodb", config=Config(parameter_validation=False))  # holds the hook
        _tables(client)
        try:
            client.batch_write_item(RequestItems={TABLE: batch})
            assert not any(b"BatchWriteItem" in target for target in sent)
        finally:
            undirect()
        client.batch_write_item(RequestItems={TABLE: batch})
        assert any(b"BatchWriteItem" in target for target in sent)
