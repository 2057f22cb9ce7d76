"""The emulator's DynamoDB wire shortcuts (energy_pipeline.local.dynamo_wire) answer exactly as moto does.

Each example sends the same requests - writes, reads with and without projections, and requests DynamoDB
refuses - twice through boto3 on a fresh emulator: once with the shortcuts and once with moto's own
parser, serializer, dynamo_to_dict and Item.project, and compares every answer as botocore parses it (or the error's code
and message). `serve`'s in-process dispatch is checked against its HTTP endpoint in test_serve.py.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import boto3
import orjson
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core.responses import ActionResult
from moto.dynamodb import responses
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.responses import DynamoHandler

from energy_pipeline.local import dynamo_wire
from tests.workflow.helpers import create_readings_table, moto_server_on_a_free_port

dynamo_wire.install()
TABLE = "readings"

numbers = st.sampled_from(["0", "-0", "1.50", "1e-05", "0.105", "12345678901234567890", "-3.25E+10", "7"])
strings = st.text(alphabet="abcé xyz-:", max_size=6)
scalars = st.one_of(
    strings.map(lambda text: {"S": text}), numbers.map(lambda text: {"N": text}),
    st.booleans().map(lambda flag: {"BOOL": flag}), st.just({"NULL": True}),
    st.binary(min_size=1, max_size=4).map(lambda data: {"B": data}),
    st.lists(numbers, min_size=1, max_size=3, unique=True).map(lambda values: {"NS": values}),
    st.lists(st.text(alphabet="abc", min_size=1, max_size=3), min_size=1, max_size=3, unique=True)
    .map(lambda values: {"SS": values}),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: {"L": items}),
        st.dictionaries(st.sampled_from(["type", "value", "x"]), inner, max_size=3).map(lambda m: {"M": m}),
    ),
    max_leaves=6,
)
items = st.lists(
    st.tuples(st.sampled_from(["s1", "s2"]), st.sampled_from([f"2025-01-0{day}" for day in range(1, 8)]),
              st.dictionaries(st.sampled_from(["a", "b", "n", "anomalies"]), values, max_size=4)),
    min_size=1, max_size=12,
)  # fmt: skip
# Always stored too: numbers that moto's projection rewrites (1e-05 -> 0.00001), at the top and nested.
FIXED = ("s1", "2025-01-09", {"n": {"N": "1e-05"}, "a": {"L": [{"N": "1e-05"}, {"SS": ["b", "a"]}]}})
PROJECTIONS = ["#ts, a, n", "a", "anomalies, b, n, site_id", "missing"]


pytestmark = pytest.mark.usefixtures("moto_in_process")  # every test here talks to moto's in-process mock


def _moto_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DynamoHandler, "parse_parameters", dynamo_wire.ORIGINALS["parse_parameters"])
    monkeypatch.setattr(ActionResult, "execute_result", dynamo_wire.ORIGINALS["execute_result"])
    monkeypatch.setattr(Item, "project", dynamo_wire.ORIGINALS["project"])
    monkeypatch.setattr(responses, "dynamo_to_dict", dynamo_wire.ORIGINALS["dynamo_to_dict"])
    monkeypatch.setattr(responses, "dynamo_json_dump", dynamo_wire.ORIGINALS["dynamo_json_dump"])
    monkeypatch.setattr(DynamoHandler, "dynamodb_backend", dynamo_wire.ORIGINALS["dynamodb_backend"])


def _answer(call: Any, **request: Any) -> Any:
    try:
        response = call(**request)
    except ClientError as error:
        return ("error", error.response["Error"].get("Code"), error.response["Error"].get("Message"))
    response.pop("ResponseMetadata", None)
    return response


def _conversation(rows: list[tuple[str, str, dict[str, Any]]], projections: list[str] = PROJECTIONS,
                  fixed: tuple[Any, ...] = (FIXED,)) -> Iterator[Any]:
    """Every answer of one session of requests against a fresh table."""
    with mock_aws():
        client = boto3.client("dynamodb", config=Config(parameter_validation=False))
        create_readings_table(client, TABLE)
        puts = {}
        for site, stamp, attributes in [*rows, *fixed]:
            puts[(site, stamp)] = {"site_id": {"S": site}, "timestamp": {"S": stamp}, **attributes}
        batch = [{"PutRequest": {"Item": item}} for item in puts.values()]
        yield _answer(client.batch_write_item, RequestItems={TABLE: batch})
        yield _answer(client.batch_write_item, RequestItems={TABLE: batch[:1] * 2})  # duplicates
        yield _answer(client.put_item, TableName=TABLE, Item={"site_id": {"S": "s1"}, "timestamp": {"S": ""}})
        yield _answer(client.put_item, TableName=TABLE,
                      Item={"site_id": {"S": "s1"}, "timestamp": {"S": "t"}, "n": {"N": "not a number"}})
        yield _answer(client.query, TableName=TABLE, KeyConditionExpression="site_id = :s",
                      ExpressionAttributeValues={":s": {"S": "s1"}})
        yield _answer(client.query, TableName=TABLE, KeyConditionExpression="site_id = :s", Limit=2,
                      ExpressionAttributeValues={":s": {"S": "s2"}}, ScanIndexForward=False)
        for projection in projections:
            names = {"#ts": "timestamp"} if "#ts" in projection else {}
            yield _answer(client.query, TableName=TABLE, KeyConditionExpression="site_id = :s",
                          ExpressionAttributeValues={":s": {"S": "s1"}}, ProjectionExpression=projection,
                          **({"ExpressionAttributeNames": names} if names else {}))
        for site, stamp in puts:
            key = {"site_id": {"S": site}, "timestamp": {"S": stamp}}
            yield _answer(client.get_item, TableName=TABLE, Key=key)
            yield _answer(client.get_item, TableName=TABLE, Key=key, ProjectionExpression="a, n")
        keys = [{"site_id": {"S": site}, "timestamp": {"S": stamp}} for site, stamp in puts]
        yield _answer(client.batch_get_item, RequestItems={TABLE: {"Keys": keys[:10]}})
        yield _answer(client.scan, TableName=TABLE)
        yield _answer(client.update_item, TableName=TABLE, Key=keys[0], ReturnValues="ALL_NEW",
                      UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": {"N": "2.50"}})
        yield _answer(client.delete_item, TableName=TABLE, Key=keys[-1], ReturnValues="ALL_OLD")
        yield _answer(client.query, TableName="no-such-table", KeyConditionExpression="site_id = :s",
                      ExpressionAttributeValues={":s": {"S": "s1"}})


def _sorted_batch_get(answers: list[Any]) -> list[Any]:
    # BatchGetItem's order of items is unspecified (moto answers in set order): compare as sorted lists.
    for answer in answers:
        if isinstance(answer, dict) and "Responses" in answer:
            for name, found in answer["Responses"].items():
                answer["Responses"][name] = sorted(found, key=repr)
    return answers


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=items)
def test_answers_are_moto_s_answers(rows: list[tuple[str, str, dict[str, Any]]]) -> None:
    shortcut = _sorted_batch_get(list(_conversation(rows)))
    with pytest.MonkeyPatch.context() as patch:
        _moto_only(patch)
        assert dynamo_wire.ORIGINALS["project"] is Item.project
        assert dynamo_wire.ORIGINALS["dynamo_to_dict"] is responses.dynamo_to_dict
        moto = _sorted_batch_get(list(_conversation(rows)))
    assert shortcut == moto


def test_nested_projections_are_moto_s_own() -> None:
    rows = [("s1", "2025-01-01", {"a": {"M": {"x": {"N": "1.50"}}}, "anomalies": {"L": [{"S": "gap"}]}})]
    nested = ["a.x, n", "anomalies[0]"]
    shortcut = list(_conversation(rows, nested, fixed=()))
    with pytest.MonkeyPatch.context() as patch:
        _moto_only(patch)
        assert list(_conversation(rows, nested, fixed=())) == shortcut
    assert {"Items": [{"a": {"M": {"x": {"N": "1.50"}}}}], "Count": 1, "ScannedCount": 1} in shortcut
    assert {"Items": [{"anomalies": {"L": [{"S": "gap"}]}}], "Count": 1, "ScannedCount": 1} in shortcut


def test_plain_requests_only_skip_the_parser() -> None:
    assert dynamo_wire.plain_request(b'{"TableName": "t", "Limit": 2}') == {"TableName": "t", "Limit": 2}
    binary = base64.b64encode(b"x").decode()
    assert dynamo_wire.plain_request(f'{{"Item": {{"k": {{"B": "{binary}"}}}}}}'.encode()) is None
    assert dynamo_wire.plain_request(b"[1, 2]") is None
    assert dynamo_wire.plain_request(b"{not json") is None
    assert dynamo_wire.plain_request(b"") is None


def test_only_plain_results_skip_the_serializer() -> None:
    assert dynamo_wire.is_plain({"Items": [{"a": {"N": "1"}, "b": {"BOOL": True}}], "Count": 1})
    assert not dynamo_wire.is_plain({"Items": [{"a": {"B": b"x"}}]})
    assert not dynamo_wire.is_plain({"LastEvaluatedKey": None})
    assert not dynamo_wire.is_plain({1: "a"})
    assert not dynamo_wire.is_plain({"CapacityUnits": float("nan")})  # orjson would write null
    assert dynamo_wire.is_plain({"CapacityUnits": 0.5, "Items": []})


def test_serve_s_in_process_dispatch_answers_as_its_endpoint_and_needs_no_socket() -> None:
    from botocore.exceptions import EndpointConnectionError
    from botocore.session import Session
    server, endpoint = moto_server_on_a_free_port()
    # A session made before the hook is installed keeps the HTTP path: the reference answers.
    over_http = Session().create_client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
    undispatch = dynamo_wire.in_process_dispatch(endpoint)
    try:
        in_process = boto3.client("dynamodb", endpoint_url=endpoint)  # boto3's default session: the hook
        # A plain botocore session made meanwhile (the query API's client): the hook as well.
        botocore_only = Session().create_client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
        over_http.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "site_id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "site_id", "KeyType": "HASH"}],
        )  # fmt: skip
        in_process.put_item(TableName=TABLE, Item={"site_id": {"S": "s1"}, "n": {"N": "1e-05"}})
        requests: list[tuple[str, dict[str, Any]]] = [
            ("get_item", {"TableName": TABLE, "Key": {"site_id": {"S": "s1"}}}),
            ("get_item", {"TableName": TABLE, "Key": {"site_id": {"S": "s1"}}, "ProjectionExpression": "n"}),
            ("scan", {"TableName": TABLE}),
            ("get_item", {"TableName": "missing", "Key": {"site_id": {"S": "s1"}}}),
            # moto crashes on a nested path into a number (TypeError): both ways a 500, not a traceback
            ("get_item", {"TableName": TABLE, "Key": {"site_id": {"S": "s1"}}, "ProjectionExpression": "n.x"}),
        ]
        for operation, request in requests:
            expected = _answer(getattr(over_http, operation), **request)
            assert _answer(getattr(in_process, operation), **request) == expected
            assert _answer(getattr(botocore_only, operation), **request) == expected
    finally:
        server.stop()
    try:
        # The server is gone: the in-process clients still answer, a client made before the hook cannot.
        for client in (in_process, botocore_only):
            assert client.get_item(TableName=TABLE, Key={"site_id": {"S": "s1"}})["Item"]["n"] == {"N": "1e-05"}
        with pytest.raises(EndpointConnectionError):
            over_http.get_item(TableName=TABLE, Key={"site_id": {"S": "s1"}})
    finally:
        undispatch()
    for client in (in_process, botocore_only, Session().create_client(
            "dynamodb", endpoint_url=endpoint, region_name="us-east-1")):  # uninstalled: none dispatches
        with pytest.raises(EndpointConnectionError):
            client.get_item(TableName=TABLE, Key={"site_id": {"S": "s1"}})


odd_values = st.sampled_from([None, 1.5, float("nan"), 2**70, (1, 2), b"raw", {"S": "x"}, ["a"], True, "é"])
attribute_maps = st.dictionaries(st.sampled_from(["a", "B", "n", "site_id", "é"]),
                                 st.one_of(values, values, odd_values.map(lambda odd: {"S": odd})), max_size=3)


@st.composite
def client_requests(draw: Any) -> tuple[str, dict[str, Any]]:
    """An operation and parameters, mostly as the pipeline sends them, sometimes not what its shape admits."""
    item = draw(attribute_maps)
    operation, params = draw(st.sampled_from([
        ("BatchWriteItem", {"RequestItems": {TABLE: [{"PutRequest": {"Item": item}},
                                                     {"DeleteRequest": {"Key": item}}]}}),
        ("PutItem", {"TableName": TABLE, "Item": item, "ConditionExpression": "attribute_not_exists(a)"}),
        ("Query", {"TableName": TABLE, "KeyConditionExpression": "site_id = :s", "Limit": 5,
                   "ExpressionAttributeValues": item, "ExclusiveStartKey": item, "ConsistentRead": True}),
        ("UpdateItem", {"TableName": TABLE, "Key": item, "UpdateExpression": "SET a = :a",
                        "ExpressionAttributeNames": {"#a": "a"}}),
        ("BatchGetItem", {"RequestItems": {TABLE: {"Keys": [item], "ConsistentRead": True}}}),
        ("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": TABLE, "Item": item}}]}),
        ("DescribeTable", {"TableName": TABLE}),
    ]))
    if draw(st.integers(0, 4)) == 0:  # a member the shape does not have, or a value of another kind
        params[draw(st.sampled_from(["Unknown", "Limit", "TableName"]))] = draw(odd_values)
    return operation, params


def _serialized(serialize: Any, params: dict[str, Any], operation: Any) -> Any:
    try:
        request = serialize(params, operation)
    except Exception as error:
        return ("error", type(error).__name__)
    body = request.pop("body")
    return request, json.loads(body) if body else body


@settings(max_examples=300, deadline=None)
@given(request=client_requests())
def test_client_bodies_are_botocore_s(request: tuple[str, dict[str, Any]]) -> None:
    """The fast client path writes the same parameters (parsed back) and the same method, URL and headers
    as botocore's serializer, and refuses what it refuses."""
    import copy

    name, params = request
    client = boto3.client("dynamodb", region_name="us-east-1", config=Config(parameter_validation=False))
    operation = client.meta.service_model.operation_model(name)
    serializer = client._serializer
    original = dynamo_wire.ORIGINALS["serialize_to_request"]
    expected = _serialized(lambda p, o: original(serializer, p, o), copy.deepcopy(params), operation)
    assert _serialized(serializer.serialize_to_request, params, operation) == expected


def test_the_pipeline_s_batches_skip_botocore_s_walk() -> None:
    client = boto3.client("dynamodb", region_name="us-east-1", config=Config(parameter_validation=False))
    operation = client.meta.service_model.operation_model("BatchWriteItem")
    item = {"site_id": {"S": "s1"}, "timestamp": {"S": "2025-01-01T00:00:00Z"}, "n": {"N": "1e-05"},
            "anomalies": {"L": [{"M": {"type": {"S": "spike"}, "value": {"N": "3.5"}}}]}}
    params = {"RequestItems": {TABLE: [{"PutRequest": {"Item": item}}]}}
    assert client._serializer.serialize_to_request(params, operation)["body"] == orjson.dumps(params)
    binary = {"RequestItems": {TABLE: [{"PutRequest": {"Item": {**item, "b": {"B": b"x"}}}}]}}
    assert b'"b":{"B":"eA=="}' in client._serializer.serialize_to_request(binary, operation)["body"].replace(b" ", b"")


def test_local_dynamodb_requests_carry_the_header_moto_reads_without_a_computed_signature() -> None:
    """While serve's in-process dispatch is installed, its endpoint's DynamoDB requests are signed as botocore
    signs them (credential scope, signed headers, date, token) but for the signature itself, which moto never
    checks; every other request, and every request after it is uninstalled, gets its real signature."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    endpoint, remote = "http://127.0.0.1:9", "https://dynamodb.eu-west-1.amazonaws.com/"
    credentials = Credentials("AKIDLOCAL", "secret", "token")

    def signed(url: str, service: str = "dynamodb") -> Any:
        request = AWSRequest(method="POST", url=url, data=b'{"TableName": "t"}',
                             headers={"X-Amz-Target": "DynamoDB_20120810.GetItem"})
        SigV4Auth(credentials, service, "eu-west-1").add_auth(request)
        return request.headers

    def header(headers: Any) -> tuple[str, str]:
        scope, signature = headers["Authorization"].rsplit("Signature=", 1)
        return scope, signature

    real = signed(endpoint + "/")
    undispatch = dynamo_wire.in_process_dispatch(endpoint)
    try:
        cheap, elsewhere, other_service = signed(endpoint + "/"), signed(remote), signed(endpoint + "/", "s3")
    finally:
        undispatch()
    assert header(cheap) == (header(real)[0], dynamo_wire.UNCHECKED_SIGNATURE)
    assert sorted(cheap.keys()) == sorted(real.keys())
    assert cheap["X-Amz-Security-Token"] == "token"
    assert "Credential=AKIDLOCAL/" in header(cheap)[0] and "/eu-west-1/dynamodb/aws4_request" in header(cheap)[0]
    for signed_for_real in (elsewhere, other_service, signed(endpoint + "/")):
        assert header(signed_for_real)[1] != dynamo_wire.UNCHECKED_SIGNATURE
        assert len(header(signed_for_real)[1]) == 64
