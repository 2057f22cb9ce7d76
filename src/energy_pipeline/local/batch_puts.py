"""BatchWriteItem of plain puts in the embedded emulator, stored as moto stores them with less work.

Storing a 1M-reading file through `serve` spent most of its time in moto's BatchWriteItem: for every item
it builds a DynamoType per value (`DynamoType.__init__` reads the type and value through two list copies),
walks the item again for its type checks (`_validate_item_types`), measures the key attributes once
more (`_validate_key_sizes`, a DynamoType each), looks the table up per item, reads the item it replaces
(only streams use it), writes every whole item as JSON to tell duplicates apart, and takes the emulator's
write lock and the Query index's write count per item.

`fast_batch_puts` answers a BatchWriteItem whose requests are all `PutRequest`s to one existing table
without a stream, made only of S, N, BOOL, NULL, L and M values, by doing each of those things once:
one pass over each item builds the DynamoType tree moto builds, measures it (moto's own size rules:
`bytesize`, `number_size`) and checks it, and the items go into the table's partitions under one lock.
Anything else takes moto's own handler, whole, so every error is moto's own answer:

- another request kind or shape (a DeleteRequest, two tables, an unknown table, a table with a stream);
- a value of another type (binary, sets), or one moto would refuse or treats specially: a number not in
  plain decimal form is passed to moto's own number check and the request goes to moto when it fails;
  an S that is not a string; NULL other than true; an attribute or map key named like a type tag
  (`N`, `S`, `NULL`: moto's type check reads those names as tags);
- a missing key attribute, a key of the wrong type, an empty string in a table or index key, a key longer
  than DynamoDB allows, an item over moto's 405,000-byte limit;
- two puts of the same key in one request (moto compares whole items and refuses identical ones; items
  with different keys are never identical, so only same-key requests need moto's comparison).

What is stored is what moto stores: an `Item` with equal hash and range keys and the same
`LimitedSizeDict` of DynamoType values, with its size kept as `tuning` keeps it (the keys are the key
attributes' own DynamoType objects where moto builds equal copies: two objects fewer per stored item for
the garbage collector, which walks every one of them twice on its way to the oldest generation, and a
key value is never changed in place); the answer is moto's
(ConsumedCapacity of 1 for the table, no UnprocessedItems). tests/workflow/test_batch_puts.py
sends the same requests - valid and invalid - with the fast path on and off and compares the answers
and the stored tables.

In `serve` the same plan and store run one step earlier (`direct_answers`): the Lambda handlers' clients
are in the emulator's own process, and a request the fast path takes is answered inside the client's call,
before botocore signs and sends it - what the request cost on its way to moto's handler and back (signing,
botocore's send and retry events, moto's request set-up, the answer's JSON and botocore's parsing of it)
was ~2/3 of `serve`'s CPU per stored reading (132 -> 66 us, 200k readings over 20 sites). The test sends
the same requests answered directly and through moto's handler and compares whole answers (headers and
metadata included) and the stored tables, for clients of other regions, access keys and accounts.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from typing import Any

from energy_pipeline.errors import LeftToMoto
from energy_pipeline.local import atomic, query_index, tuning

ORIGINALS: dict[str, Any] = {}  # moto's own handler, once patched (for the equivalence test)
FAST: dict[str, Any] = {}  # the fast handler installed in its place
_PATCHED: set[str] = set()
_LOCK = threading.Lock()
_PLAIN_NUMBER = re.compile(r"-?\d{1,20}(?:\.\d{1,20})?")  # within DynamoDB's range, no exponent or space
_TYPE_TAG_NAMES = frozenset({"N", "S", "NULL"})  # names moto's _validate_item_types reads as type tags
Planned = tuple[Any, int]  # an item's LimitedSizeDict of DynamoType values and its size


def install() -> None:
    with _LOCK:
        if "batch_puts" not in _PATCHED:
            fast_batch_puts()
            _PATCHED.add("batch_puts")


def fast_batch_puts() -> None:
    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoHandler

    original = ORIGINALS["batch_write_item"] = DynamoHandler.batch_write_item
    build = _Values()

    def batch_write_item(self: Any) -> Any:
        try:
            table_name, table, shape, items = _plan(self.body, lambda: self.dynamodb_backend, build)
        except LeftToMoto:
            return original(self)
        _store(table, shape, items, build)
        return ActionResult(_answer(table_name))

    batch_write_item.__doc__ = "moto's batch_write_item, plain puts stored directly (local.batch_puts)"
    setattr(DynamoHandler, "batch_write_item", batch_write_item)  # noqa: B010 - deliberate monkeypatch
    FAST["batch_write_item"] = batch_write_item


def _answer(table_name: str) -> dict[str, Any]:
    """moto's answer to a BatchWriteItem it stored whole."""
    return {"ConsumedCapacity": [{"TableName": table_name, "CapacityUnits": 1.0,
                                  "Table": {"CapacityUnits": 1.0}}],
            "ItemCollectionMetrics": {}, "UnprocessedItems": {}}


class _Values:
    """Wire values to the DynamoType trees moto builds, measured as DynamoType.size measures them."""

    def __init__(self) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
        from moto.dynamodb.models.utilities import number_size

        self.dynamo_type, self.limited_size_dict, self.number_size = DynamoType, LimitedSizeDict, number_size

    def scalar(self, kind: str, inner: Any) -> Any:
        value = object.__new__(self.dynamo_type)
        value.type, value.value = kind, inner
        return value

    def value_of(self, raw: Any) -> tuple[Any, int]:
        """One wire value (any type the fast path takes) and its size."""
        if type(raw) is not dict or len(raw) != 1:
            raise LeftToMoto
        (kind, inner), = raw.items()
        kind_of_inner = type(inner)
        if kind == "S" and kind_of_inner is str:
            size = len(inner) if inner.isascii() else len(inner.encode())
        elif kind == "N" and kind_of_inner is str:
            size = self.number(inner)
        elif (kind == "BOOL" and kind_of_inner is bool) or (kind == "NULL" and inner is True):
            size = 1
        elif kind == "L" and kind_of_inner is list:
            members = [self.value_of(member) for member in inner]
            inner = [member for member, _ in members]
            size = sum(member_size for _, member_size in members)
        elif kind == "M" and kind_of_inner is dict:
            inner, size = self.map_of(inner, dict)
        else:
            raise LeftToMoto
        return self.scalar(kind, inner), size

    def number(self, text: str) -> int:
        if _PLAIN_NUMBER.fullmatch(text) is None:
            _moto_number_check(text)
        return int(self.number_size(text))

    def map_of(self, raw: dict[str, Any], kind: Any) -> tuple[Any, int]:
        """A map's values (an item's attributes when `kind` is LimitedSizeDict) and its size; the common
        scalars are handled here, without a call per value."""
        values: dict[str, Any] = {}
        size = 0
        new, dynamo_type, plain_number = object.__new__, self.dynamo_type, _PLAIN_NUMBER.fullmatch
        for name, member in raw.items():
            if name in _TYPE_TAG_NAMES or type(member) is not dict or len(member) != 1:
                raise LeftToMoto
            (tag, inner), = member.items()
            if tag == "S" and type(inner) is str:
                member_size = len(inner) if inner.isascii() else len(inner.encode())
            elif tag == "N" and type(inner) is str:
                if plain_number(inner) is None:
                    _moto_number_check(inner)
                member_size = self.number_size(inner)
            else:
                values[name], member_size = self.value_of(member)
                size += (len(name) if name.isascii() else len(name.encode())) + member_size
                continue
            value = new(dynamo_type)
            value.type, value.value = tag, inner
            values[name] = value
            size += (len(name) if name.isascii() else len(name.encode())) + member_size
        if kind is dict:
            return values, size
        kept = kind.__new__(kind)
        dict.update(kept, values)  # measured here, not by LimitedSizeDict's own check
        return kept, size


def _plan(body: Any, backend_of: Callable[[], Any],
          build: _Values) -> tuple[str, Any, _TableShape, list[Planned]]:
    """The request's table and items if the fast path takes it, else LeftToMoto (moto's handler answers).
    `backend_of` gives the account's and region's DynamoDB backend (asked once the body is known to fit)."""
    requests = body.get("RequestItems") if type(body) is dict else None
    if type(requests) is not dict or len(requests) != 1:
        raise LeftToMoto
    (table_name, table_requests), = requests.items()
    table = backend_of().tables.get(table_name)
    if table is None or table.stream_shard is not None or type(table_requests) is not list:
        raise LeftToMoto
    shape = _TableShape.of(table)
    items = []
    keys = set()
    for request in table_requests:
        put = request.get("PutRequest") if type(request) is dict and len(request) == 1 else None
        raw = put.get("Item") if type(put) is dict else None
        if type(raw) is not dict:
            raise LeftToMoto
        attrs, size = build.map_of(raw, build.limited_size_dict)
        if size > tuning.ITEM_SIZE_LIMIT:
            raise LeftToMoto
        keys.add(shape.check(raw, attrs))
        items.append((attrs, size))
    if len(keys) < len(items):
        raise LeftToMoto  # moto tells whether same-key items are identical (and refuses them) or not
    return table_name, table, shape, items


def _store(table: Any, shape: _TableShape, items: list[Planned], build: _Values) -> None:
    """The items into the table's partitions, as moto's Table.put_item stores them, under the write lock."""
    from moto.dynamodb.models.dynamo_type import Item

    hash_name, range_name = shape.hash_name, shape.range_name
    with atomic.exclusive():
        partitions = table.items
        for attrs, size in items:
            item: Any = Item.__new__(Item)
            # The keys are the key attributes' own values (moto builds equal copies): a key is a string or
            # number, never changed in place (UpdateItem refuses key attributes; an update replaces a
            # value), and two objects fewer per stored item for the garbage collector to walk.
            item.hash_key = attrs[hash_name]
            item.attrs = attrs
            setattr(item, tuning.ITEM_SIZE, size)
            if range_name is None:
                item.range_key = None
                partitions[item.hash_key] = item
            else:
                item.range_key = attrs[range_name]
                partitions[item.hash_key][item.range_key] = item
        query_index.table_changed(table)


def _moto_number_check(text: str) -> None:
    from moto.dynamodb.models.table import Table

    try:
        Table._validate_number_type(None, text)  # type: ignore[arg-type] # it reads only its argument
    except Exception as refused:
        raise LeftToMoto from refused


class _TableShape:
    """What moto checks of a put against the table: key attributes, their types, emptiness and length."""

    @classmethod
    def of(cls, table: Any) -> _TableShape:
        """The table's shape, worked out again whenever its key schema or its indexes' change."""
        identity = (table.hash_key_attr, table.hash_key_type, table.range_key_attr, table.range_key_type,
                    tuple(table.table_key_attrs), *(
                        (index, tuple((key["AttributeName"], key["KeyType"]) for key in index.schema))
                        for index in [*table.indexes, *table.global_indexes]))
        kept = table.__dict__.get("_energy_put_shape")
        if kept is None or kept[0] != identity:
            kept = table.__dict__["_energy_put_shape"] = (identity, cls(table))
        return kept[1]

    def __init__(self, table: Any) -> None:
        from moto.dynamodb.limits import HASH_KEY_MAX_LENGTH, RANGE_KEY_MAX_LENGTH

        self.hash_name: str = table.hash_key_attr
        self.hash_type: str = table.hash_key_type
        self.range_name: str | None = table.range_key_attr
        self.range_type: str | None = table.range_key_type
        gsi_keys = [key["AttributeName"] for index in table.global_indexes for key in index.schema]
        self.non_empty = frozenset([*table.attribute_keys, *gsi_keys])
        limits: dict[str, int] = {}
        for name in table.hash_key_names:
            limits[name] = min(limits.get(name, HASH_KEY_MAX_LENGTH), HASH_KEY_MAX_LENGTH)
        for name in table.range_key_names:
            limits[name] = min(limits.get(name, RANGE_KEY_MAX_LENGTH), RANGE_KEY_MAX_LENGTH)
        self.key_limits = limits

    def check(self, raw: dict[str, Any], attrs: dict[str, Any]) -> tuple[Any, Any]:
        """The item's key (hash and range values) if moto takes the put as it is, else LeftToMoto."""
        hash_value = attrs.get(self.hash_name)
        if hash_value is None or hash_value.type != self.hash_type:
            raise LeftToMoto
        range_value = None
        if self.range_name is not None:
            range_value = attrs.get(self.range_name)
            if range_value is None or range_value.type != self.range_type:
                raise LeftToMoto
        for name in self.non_empty:
            value = raw.get(name)
            if value is not None and value.get("S", value.get("B")) == "":
                raise LeftToMoto
        for name, limit in self.key_limits.items():
            value = attrs.get(name)
            if value is not None and _key_size(value) > limit:
                raise LeftToMoto
        return hash_value.value, None if range_value is None else range_value.value


def _key_size(value: Any) -> int:
    """DynamoType.size of a key value (a string's bytes directly)."""
    return len(value.value.encode()) if value.type == "S" else int(value.size())


def direct_answers(local: tuple[str, ...], active: threading.Event, *,
                   regional: bool = False) -> Callable[..., Any]:
    """BatchWriteItem of plain puts answered where botocore would start sending it.

    A botocore `before-call.dynamodb.BatchWriteItem` hook (registered by dynamo_wire.in_process_dispatch
    for the endpoint's URLs in `local`, or by `direct_puts_in_mock`, while `active` is set): a request
    the fast path takes is planned, stored and answered in the client's own call, without what a request
    costs on the way to moto's handler and back (~2/3 of the CPU of storing a reading in `serve`, py-spy):
    botocore's signing, sending and retry events, moto's request normalisation and handler set-up, the
    answer's serialisation and botocore's parsing of it. What moto's request set-up does besides
    answering is done here as well: the account and region are read as moto reads them from the request
    botocore would send (the region in the URL or the signing region, the access key's account or
    MOTO_ACCOUNT_ID), the account is marked as visited and IAM's no-auth request count moves on. The
    answer is what that request would have got: the same JSON body, headers (a new request id and date,
    the body's CRC32) and parsed result.

    `regional`: the URLs name their region (https://dynamodb.<region>.amazonaws.com/, moto's in-process
    mock), which moto reads before the signing region; `serve`'s endpoint names none.

    Anything else is sent as before (the hook answers None): another endpoint, a request the fast path
    leaves to moto, moto's handler replaced meanwhile (write_limit's per-partition throttling), IAM
    authorisation switched on, or a request whose account or region is not simply read (an account
    header, a region in the URL or user agent, unsigned or per-request credentials).
    """
    import os

    import orjson
    from botocore.awsrequest import AWSResponse
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.botocore_stubber import MockRawResponse
    from moto.core.utils import utcnow
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.responses import DynamoHandler
    from moto.iam.models import get_account_id_from, mark_account_as_visited
    from moto.utilities.aws_headers import gen_amz_crc32, gen_amzn_requestid_long
    from werkzeug.http import http_date

    from energy_pipeline.local.dynamo_wire import CONTENT_TYPE, plain_request

    build = _Values()

    def account_and_region(url: str, headers: Any, signer: Any,
                           context: dict[str, Any]) -> tuple[str, str, str]:
        """(account, region, access key) as DynamoHandler.setup_class reads them, else LeftToMoto."""
        signing = context.get("signing") or {}
        in_url = DynamoHandler.region_regex.search(url)
        if ((in_url is None) == regional
                or DynamoHandler.region_from_useragent_regex.search(headers.get("User-Agent", ""))
                or any(name.lower() == "x-moto-account-id" for name in headers)
                or signing.get("request_credentials") or signing.get("identity_cache") is not None
                or (context.get("auth_type") or signer.signature_version) != "v4"
                or signer._credentials is None):
            raise LeftToMoto
        key = signer._credentials.get_frozen_credentials().access_key  # what botocore signs with
        found = DynamoHandler.access_key_regex.search(f"AWS4-HMAC-SHA256 Credential={key}/")
        access_key = found.group(1) if found else "AKIAEXAMPLE"  # moto's default for a key it cannot read
        region = in_url.group(1) if in_url is not None else signing.get("region") or signer.region_name
        account = os.environ["MOTO_ACCOUNT_ID"] if "MOTO_ACCOUNT_ID" in os.environ else (
            get_account_id_from(access_key))
        return account, region, access_key

    def backend_of(account: str, region: str) -> Callable[[], Any]:
        def backend() -> Any:
            try:
                return dynamodb_backends[account][region]
            except KeyError as unknown:  # a region moto refuses: its handler words that
                raise LeftToMoto from unknown
        return backend

    def before_call(params: dict[str, Any], request_signer: Any, context: dict[str, Any],
                    **kwargs: Any) -> tuple[Any, dict[str, Any]] | None:
        url = params.get("url")
        if (not active.is_set() or type(url) is not str or not url.startswith(local)
                or DynamoHandler.__dict__.get("batch_write_item") is not FAST.get("batch_write_item")
                or not math.isinf(settings.INITIAL_NO_AUTH_ACTION_COUNT)):
            return None
        body = plain_request(params.get("body"))
        if body is None:
            return None
        try:
            account, region, access_key = account_and_region(url, params.get("headers", {}), request_signer,
                                                             context)
            table_name, table, shape, items = _plan(body, backend_of(account, region), build)
        except LeftToMoto:
            return None
        mark_account_as_visited(account_id=account, access_key=access_key, service="dynamodb", region=region)
        ActionAuthenticatorMixin.request_count += 1
        _store(table, shape, items, build)
        result = _answer(table_name)
        text = orjson.dumps(result)
        headers: Any = {"server": "amazon.com", "date": http_date(utcnow()), "Content-Type": CONTENT_TYPE,
                   "status": "200"}
        request_id = gen_amzn_requestid_long(headers)
        gen_amz_crc32(text, headers)
        result["ResponseMetadata"] = {
            "RequestId": request_id, "HTTPStatusCode": 200, "RetryAttempts": 0,
            "HTTPHeaders": {name.lower(): value for name, value in headers.items()},
        }
        return AWSResponse(url, 200, headers, MockRawResponse(text)), result

    before_call.__doc__ = "BatchWriteItem of plain puts answered in the client's call (local.batch_puts)"
    return before_call


def direct_puts_in_mock() -> Callable[[], None]:
    """The embedded engine's (moto's in-process mock) BatchWriteItem of plain puts answered in the client's
    call, as `serve`'s in-process dispatch answers them (`direct_answers`), for the AWS endpoints the mock
    intercepts (https://dynamodb.<region>.amazonaws.com/). Only while the mock is on: returns the function
    that uninstalls it, to be called before the mock stops."""
    from energy_pipeline.local.dynamo_wire import built_in

    active = threading.Event()
    active.set()
    unhook = built_in([("before-call.dynamodb.BatchWriteItem",
                        direct_answers(("https://dynamodb.",), active, regional=True),
                        "energy-pipeline-batch-puts")])

    def unregister() -> None:
        active.clear()
        unhook()

    return unregister
