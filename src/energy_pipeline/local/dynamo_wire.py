"""DynamoDB's JSON wire in the emulator without moto's model-driven walk over every value.

moto 5.2 parses each request and serializes each answer by walking botocore's service model value by
value (`moto.core.parse`, `moto.core.serialize`): answering a 1,000-reading Query took ~2 s, most of it
spent serializing, and reading a BatchWriteItem of 25 readings cost more than storing them. For
DynamoDB's JSON protocol both walks are identities on what the pipeline sends and receives - the wire
JSON *is* the parameters and the result - except for binary values (base64 on the wire, bytes inside),
timestamps and absent members. So, for the data-plane operations in `OPERATIONS`:

- `fast_requests`: a request body with no binary attribute value (`"B"`/`"BS"`) that is a JSON object is
  handed to moto's handler as `json.loads` reads it; anything else goes through moto's parser.
- `fast_results`: a result made only of dicts, lists, strings, ints, floats and booleans whose top-level
  names are all members of the operation's output is written as JSON (orjson; json.dumps for what orjson
  cannot write); anything else (bytes, datetimes, None, a name the model does not know) goes through
  moto's serializer.
- `fast_result_values`: moto turns every answer's DynamoType values into plain dicts with a generic walk
  (`dynamo_to_dict`: datetime, to_json and isinstance checks at every value); DynamoDB's own types are
  converted directly, binary values and anything else by moto's function.

And one computation moto repeats: `Item.project` (a ProjectionExpression) turned the whole item into
Python values and back once per projected name, ~0.35 ms per 1,000-reading page item. `fast_projection`
does it once per projected attribute for the top-level names the query API and the pipeline project
(`a, b, #c`), with the same conversion (a number comes back in boto3's Decimal form, as moto answers
it; a string, boolean or null is copied as it is); nested paths and list indexes go to moto's own
`project`.

Reading one site's 10,000 readings through the query API cost `serve` ~0.8 s of CPU; these, tuning's
remembered item sizes and the query API's own changes took it to ~0.45 s (docs/benchmarks.md).

And two costs of each BatchWriteItem (`fast_batch_checks`): moto looks its backend up again for every
item (two dictionary lookups through its account and region registry, ~6% of a 25-item request) and
tells duplicates apart by writing every whole item as JSON with the standard library (~9%). The backend
is looked up once per request, and a request made only of JSON values is written with orjson for that
comparison (equal text for equal items either way); anything else takes moto's own dump.

What moto's handlers compute is untouched: the same validation, the same errors (errors always take
moto's own path), the same stored items. tests/workflow/test_dynamo_wire.py sends the same requests with
the patches on and off and holds every answer - parsed by botocore, as a client sees it - equal.

The clients' side of the same wire (`fast_client_bodies`): botocore writes a DynamoDB request by walking
the operation's input shape value by value and building a copy of the parameters, then json.dumps: ~20 us
per item of a BatchWriteItem, a quarter of what storing a reading costs `serve`. For DynamoDB's JSON
protocol that copy is the parameters themselves wherever the shape holds only structures (without renamed
members), maps, lists and strings, numbers or booleans - not where a value is binary (base64 on the
wire), a timestamp or a float (written in special forms). So a DynamoDB request whose parameters are
only such members, with names the shapes know and values that are JSON as they are, is written with
orjson; anything else (a blob or timestamp member used, an unknown member - which botocore refuses - a
value JSON cannot hold as it is) is botocore's own serializer. The method, URL and headers are always
botocore's. Parameter validation, where a client has it on, runs first as before. Equal parameters on the
wire either way: tests/workflow/test_dynamo_wire.py holds both requests equal for random parameters.

And while `in_process_dispatch` is installed, the DynamoDB requests for its endpoint carry SigV4's
Authorization header without the signature computed (`sign_cheaply`): moto reads the access key and
region from it and never checks the signature, which cost ~8% of storing a reading.

`in_process_dispatch` is for `serve`: the Lambda handlers and the query API run inside the `serve`
process but reach DynamoDB through its HTTP endpoint (the address the interpreter and the AWS CLI
use). A botocore hook hands their DynamoDB requests for that endpoint to moto's handler directly, as
moto's own in-process mock does, instead of a loopback HTTP round trip through the server thread. The
hook is one of botocore's built-in handlers while it is installed (moto's mock registers its stubber
the same way), so every session created meanwhile carries it: boto3's default session and the plain
botocore sessions the query API makes its client from (it skips boto3 to start faster) alike.
"""

from __future__ import annotations

import contextlib
import json
import math
import threading
from typing import Any

import orjson

OPERATIONS = frozenset({
    "BatchGetItem", "BatchWriteItem", "DeleteItem", "GetItem", "PutItem", "Query", "Scan", "UpdateItem",
})  # fmt: skip
_BINARY_MARKERS = (b'"B"', b'"BS"')
_PLAIN_SCALARS = (str, int, float, bool)
_ONLY_STR = frozenset({str})
_PATCHED: set[str] = set()
_LOCK = threading.Lock()
CONTENT_TYPE = "application/x-amz-json-1.0"
ORIGINALS: dict[str, Any] = {}  # moto's own methods, by name, once patched (for the equivalence test)
UNCHECKED_SIGNATURE = "0" * 64  # where a request's signature would be: moto reads the header, not this
_UNCHECKED_PREFIXES: set[tuple[str, ...]] = set()  # the endpoints of the installed in-process dispatches


def install() -> None:
    """The request and result patches (idempotent); `in_process_dispatch` is installed by `serve` alone."""
    with _LOCK:
        for name, patch in (
            ("requests", fast_requests),
            ("results", fast_results),
            ("result_values", fast_result_values),
            ("projection", fast_projection),
            ("batch_checks", fast_batch_checks),
            ("client_bodies", fast_client_bodies),
        ):
            if name not in _PATCHED:
                patch()
                _PATCHED.add(name)


def plain_request(body: bytes | str | None) -> dict[str, Any] | None:
    """The parameters of a JSON body that moto's parser would return unchanged, else None."""
    if not body:
        return None
    raw = body.encode() if isinstance(body, str) else body
    if any(marker in raw for marker in _BINARY_MARKERS):
        return None
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None  # moto words the error
    return parsed if isinstance(parsed, dict) else None


def is_plain(value: Any) -> bool:
    """Only dicts with string keys, lists, strings, finite numbers and booleans: JSON as it is written."""
    stack = [value]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is dict:
            if not _ONLY_STR.issuperset(map(type, node)):
                return False
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif kind is float:
            if not math.isfinite(node):
                return False
        elif kind not in _PLAIN_SCALARS:
            return False
    return True


def fast_requests() -> None:
    from moto.dynamodb.responses import DynamoHandler

    original = ORIGINALS["parse_parameters"] = DynamoHandler.parse_parameters

    def parse_parameters(self: Any, request: Any) -> None:
        if self._get_action() in OPERATIONS:
            parsed = plain_request(request.data)
            if parsed is not None:
                self.params = parsed
                return
        original(self, request)

    parse_parameters.__doc__ = "moto's parse_parameters, JSON read as is where that is the same (dynamo_wire)"
    setattr(DynamoHandler, "parse_parameters", parse_parameters)  # noqa: B010 - deliberate monkeypatch


def _output_members(operation_model: Any) -> frozenset[str]:
    shape = operation_model.output_shape
    return frozenset(shape.members) if shape is not None else frozenset()


def fast_results() -> None:
    from moto.core.responses import ActionResult

    original = ORIGINALS["execute_result"] = ActionResult.execute_result
    members: dict[str, frozenset[str]] = {}

    def execute_result(self: Any, context: Any) -> Any:
        operation = context.operation_model
        result = self.result
        if (
            context.service_model.service_name == "dynamodb"
            and operation.name in OPERATIONS
            and type(result) is dict
        ):
            known = members.get(operation.name)
            if known is None:
                known = members[operation.name] = _output_members(operation)
            if known.issuperset(result) and is_plain(result):
                status = operation.http.get("responseCode", 200)
                return status, {"Content-Type": CONTENT_TYPE}, _json_text(result)
        return original(self, context)

    execute_result.__doc__ = "moto's execute_result, DynamoDB JSON written as is where that is the same"
    setattr(ActionResult, "execute_result", execute_result)  # noqa: B010 - deliberate monkeypatch


def _json_text(result: dict[str, Any]) -> str:
    """The result as JSON text: orjson's (a few times faster) where it can write it, json.dumps' otherwise
    (integers beyond 64 bits, strings with lone surrogates). Both read back as the same values."""
    try:
        return orjson.dumps(result).decode()
    except orjson.JSONEncodeError:
        return json.dumps(result)


def fast_result_values() -> None:
    """moto's dynamo_to_dict (every answer's DynamoType values to plain dicts) without its generic checks
    (datetime, to_json, isinstance) on the types a DynamoDB answer is made of; anything else is moto's."""
    from moto.dynamodb import responses
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    original = ORIGINALS["dynamo_to_dict"] = responses.dynamo_to_dict
    binary = ("B", "BS")

    def dynamo_to_dict(value: Any) -> Any:
        kind = type(value)
        if kind is DynamoType:
            if value.type in binary:
                return original(value)
            inner = value.value
            return {value.type: inner if type(inner) in _PLAIN_SCALARS else dynamo_to_dict(inner)}
        if kind is str or kind is int or kind is bool:
            return value
        if kind is dict or kind is LimitedSizeDict:
            return {key: dynamo_to_dict(member) for key, member in value.items()}
        if kind is list:
            return [dynamo_to_dict(member) for member in value]
        return original(value)

    dynamo_to_dict.__doc__ = "moto's dynamo_to_dict, DynamoDB's own types converted directly (dynamo_wire)"
    setattr(responses, "dynamo_to_dict", dynamo_to_dict)  # noqa: B010 - deliberate monkeypatch


def in_process_dispatch(endpoint_url: str, answer_in_call: Any = None) -> Any:
    """DynamoDB requests of this process's clients for `endpoint_url` answered without HTTP.

    Every botocore session created while it is installed gets the hook (it is added to botocore's
    built-in handlers, which each new session registers), and so does boto3's default session if it
    exists already; clients made before, from other sessions, keep the HTTP path. Returns the function
    that uninstalls it.

    `answer_in_call(local_urls, active)`, when given, builds a `before-call.dynamodb.BatchWriteItem` hook
    installed alongside (local.batch_puts.direct_answers: the puts it takes are answered in the call).
    """
    from urllib.parse import urlsplit

    from botocore.awsrequest import AWSResponse
    from moto.core.botocore_stubber import MockRawResponse
    from moto.core.exceptions import HTTPException
    from moto.core.request import normalize_request
    from moto.dynamodb.responses import DynamoHandler
    from werkzeug.exceptions import InternalServerError

    port = urlsplit(endpoint_url).port
    local = (endpoint_url.rstrip("/") + "/", f"http://localhost:{port}/", f"http://127.0.0.1:{port}/")
    active = threading.Event()
    active.set()

    def send(request: Any, **kwargs: Any) -> Any:  # an AWSResponse, or None: over HTTP
        if not active.is_set() or not request.url.startswith(local):
            return None
        normalized = normalize_request(request)
        try:
            status, headers, body = DynamoHandler.dispatch(normalized, normalized.raw_url, normalized.headers)
        except HTTPException as error:
            status, headers, body = error.code, error.get_headers(), error.get_body()
        except Exception:  # a crash inside moto: what its HTTP server (werkzeug) answers
            crash = InternalServerError()
            status, headers, body = crash.code, dict(crash.get_headers()), crash.get_body()
        return AWSResponse(request.url, status, headers, MockRawResponse(body))

    sign_cheaply(local)
    hooks = [("before-send.dynamodb", send, "energy-pipeline-dynamo-wire")]
    if answer_in_call is not None:
        hooks.append(("before-call.dynamodb.BatchWriteItem", answer_in_call(local, active),
                      "energy-pipeline-batch-puts"))
    unhook = built_in(hooks)

    def unregister() -> None:
        active.clear()  # sessions and clients created meanwhile hold a copy of the hooks
        with _LOCK:
            _UNCHECKED_PREFIXES.discard(local)
        unhook()

    return unregister


def built_in(hooks: list[tuple[str, Any, str]]) -> Any:
    """Each (event, hook, unique id) registered in every botocore session created from now on (botocore's
    built-in handlers) and in boto3's default session if it exists; returns the function that removes them.
    """
    import boto3
    from botocore import handlers

    handlers.BUILTIN_HANDLERS.extend((event, hook) for event, hook, _ in hooks)
    default_events = boto3.DEFAULT_SESSION.events if boto3.DEFAULT_SESSION is not None else None
    if default_events is not None:  # created before the hooks were built in
        for event, hook, unique_id in hooks:
            default_events.register(event, hook, unique_id=unique_id)

    def unhook() -> None:
        for event, hook, unique_id in hooks:
            with contextlib.suppress(ValueError):
                handlers.BUILTIN_HANDLERS.remove((event, hook))
            if default_events is not None:
                default_events.unregister(event, hook, unique_id=unique_id)

    return unhook


def fast_projection() -> None:
    from boto3.dynamodb.types import DYNAMODB_CONTEXT, TypeDeserializer, TypeSerializer
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    original = ORIGINALS["project"] = Item.project
    create_decimal = DYNAMODB_CONTEXT.create_decimal

    def projected(value: Any) -> Any:
        """One attribute as moto's project returns it: through boto3's Python values and back."""
        kind, inner = value.type, value.value
        if kind == "N":
            inner = str(create_decimal(inner))  # boto3's _serialize_n of its Decimal
            scalar = inner not in ("Infinity", "NaN")
        else:
            scalar = kind in ("S", "BOOL", "NULL")
        if not scalar:
            python_value = TypeDeserializer().deserialize(value.to_regular_json())
            return DynamoType(dict(TypeSerializer().serialize(python_value)))
        copy = DynamoType.__new__(DynamoType)  # what DynamoType({kind: inner}) builds for a scalar
        copy.type, copy.value = kind, inner
        return copy

    # A Query projects every item of its page with the same list: its names are worked out once.
    last: list[tuple[Any, tuple[str, ...] | None]] = [((), ())]

    def top_level_names(projection_expressions: list[list[str]]) -> tuple[str, ...] | None:
        seen, names = last[0]
        if seen is not projection_expressions:
            simple = all(len(path) == 1 and "[" not in path[0] for path in projection_expressions)
            names = tuple(path[0] for path in projection_expressions) if simple else None
            last[0] = (projection_expressions, names)  # one assignment: threads see old or new, whole
        return names

    def project(self: Any, projection_expressions: list[list[str]]) -> Any:
        names = top_level_names(projection_expressions)
        if names is None:
            return original(self, projection_expressions)
        attrs = self.attrs
        picked = LimitedSizeDict.__new__(LimitedSizeDict)
        dict.__init__(picked)  # a part of a stored item: within the item size limit, not measured again
        for name in names:
            if name in attrs:
                dict.__setitem__(picked, name, projected(attrs[name]))
        item: Any = Item.__new__(Item)
        item.hash_key, item.range_key, item.attrs = self.hash_key, self.range_key, picked
        return item

    project.__doc__ = "moto's Item.project, one conversion per projected top-level name (dynamo_wire)"
    setattr(Item, "project", project)  # noqa: B010 - deliberate monkeypatch


def fast_batch_checks() -> None:
    from moto.dynamodb import responses

    original_dump = ORIGINALS["dynamo_json_dump"] = responses.dynamo_json_dump
    backend: Any = responses.DynamoHandler.__dict__["dynamodb_backend"]  # the property itself
    ORIGINALS["dynamodb_backend"] = backend

    def dynamo_json_dump(value: Any) -> Any:
        """Only compared with the other items' dumps (moto's duplicate check): bytes are as good as text."""
        try:
            return orjson.dumps(value)
        except TypeError:  # bytes (B, BS) or other non-JSON values: moto's own encoder
            return original_dump(value)

    def dynamodb_backend(self: Any) -> Any:
        found = self.__dict__.get("_backend")  # a handler answers one request, for one account and region
        if found is None:
            found = self.__dict__["_backend"] = backend.fget(self)
        return found

    responses.dynamo_json_dump = dynamo_json_dump  # type: ignore[assignment]
    responses.DynamoHandler.dynamodb_backend = property(dynamodb_backend)  # type: ignore[method-assign,assignment]


def fast_client_bodies() -> None:
    from botocore.serialize import JSONSerializer

    original = ORIGINALS["serialize_to_request"] = JSONSerializer.serialize_to_request
    checks: dict[tuple[str, str, str], Any] = {}

    def serialize_to_request(self: Any, parameters: Any, operation_model: Any) -> Any:
        service = operation_model.service_model
        shape = operation_model.input_shape
        if service.service_name != "dynamodb" or shape is None or operation_model.endpoint is not None:
            return original(self, parameters, operation_model)
        check = _shape_check(shape, (service.service_name, service.api_version), checks)
        if not check(parameters):
            return original(self, parameters, operation_model)
        try:
            body = orjson.dumps(parameters)
        except orjson.JSONEncodeError:  # integers beyond 64 bits
            return original(self, parameters, operation_model)
        serialized = original(self, {}, operation_model)  # botocore's method, URL and headers
        serialized["body"] = body
        return serialized

    serialize_to_request.__doc__ = "botocore's serialize_to_request, DynamoDB JSON as it is (dynamo_wire)"
    setattr(JSONSerializer, "serialize_to_request", serialize_to_request)  # noqa: B010 - deliberate monkeypatch


def _never(value: Any) -> bool:
    return False


def _plain_scalar(value: Any) -> bool:
    kind = type(value)
    return kind is str or kind is int or kind is bool or (kind is float and math.isfinite(value))


def _shape_check(shape: Any, service: tuple[str, str], checks: dict[tuple[str, str, str], Any]) -> Any:
    """A function telling whether botocore's serializer would write a value of `shape` as it is: built once
    per shape (recursive shapes such as AttributeValue refer to their own check)."""
    key = (*service, shape.name)
    found = checks.get(key)
    if found is not None:
        return found
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type or any("name" in member.serialization for member in shape.members.values()):
            checks[key] = _never
            return _never
        members: dict[str, Any] = {}

        def structure(value: Any) -> bool:
            if type(value) is not dict:
                return False
            for name, member in value.items():
                member_check = members.get(name)  # an unknown member: botocore raises KeyError
                if member_check is None or not member_check(member):
                    return False
            return True

        checks[key] = structure
        for name, member in shape.members.items():
            members[name] = _shape_check(member, service, checks)
        return structure
    if kind == "map":
        values = _shape_check(shape.value, service, checks)

        def mapping(value: Any) -> bool:
            return type(value) is dict and all(type(name) is str and values(member)
                                               for name, member in value.items())

        checks[key] = mapping
        return mapping
    if kind == "list":
        members_check = _shape_check(shape.member, service, checks)

        def listing(value: Any) -> bool:
            return type(value) is list and all(members_check(member) for member in value)

        checks[key] = listing
        return listing
    check = _plain_scalar if kind in ("string", "integer", "long", "boolean") else _never
    checks[key] = check
    return check


def sign_cheaply(local: tuple[str, ...]) -> None:
    """DynamoDB requests to `local` carry SigV4's Authorization header without its signature computed.

    moto never checks a signature: it reads the access key (the account) and the region from the
    header's credential scope. The header is written as botocore writes it (scope, signed header names,
    X-Amz-Date and the session token) with UNCHECKED_SIGNATURE in place of the HMAC chain over the
    canonical request, which cost ~8% of storing a reading in `serve`. Any other request is signed.
    """
    from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
    from botocore.compat import get_current_datetime
    from botocore.exceptions import NoCredentialsError

    with _LOCK:
        _UNCHECKED_PREFIXES.add(local)
        if "add_auth" in ORIGINALS:
            return
        original = ORIGINALS["add_auth"] = SigV4Auth.add_auth

    def add_auth(self: Any, request: Any) -> None:
        if self._service_name != "dynamodb" or not any(
                request.url.startswith(prefixes) for prefixes in tuple(_UNCHECKED_PREFIXES)):
            return original(self, request)
        if self.credentials is None:
            raise NoCredentialsError
        request.context["timestamp"] = get_current_datetime().strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        self._inject_signature_to_request(request, UNCHECKED_SIGNATURE)
        return None

    add_auth.__doc__ = "botocore's SigV4 add_auth, no signature computed for the local emulator (dynamo_wire)"
    setattr(SigV4Auth, "add_auth", add_auth)  # noqa: B010 - deliberate monkeypatch
