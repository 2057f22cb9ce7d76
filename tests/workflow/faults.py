"""Fault injection for workflow tests: failures placed where AWS produces them, on the embedded engine.

Each fault counts what it did, so a test can prove the fault really fired (a fault that never fires
would make every "it recovered" assertion pass vacuously). Faults are context managers: the patch
is removed even when the test fails, so the next test's fresh stack starts clean.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from unittest import mock

from energy_pipeline.local.executor import EXECUTOR
from energy_pipeline.local.stack import FunctionSpec


def error_class(name: str) -> type[Exception]:
    """An exception whose class name is `name`: the executor reports it as the Lambda `errorType`,
    which is the error name Retry and Catch match - "Lambda.ServiceException" included."""
    return type(name, (Exception,), {})


@dataclass
class LambdaFault:
    """The first `times` invocations of a function raise `error` before its handler runs (None: always)."""

    function: str  # logical id in template.yaml, e.g. "DetectFunction"
    error: str
    times: int | None = 1
    message: str = "injected fault"
    calls: int = 0
    raised: int = 0

    def __call__(self, spec: FunctionSpec, event: dict[str, Any]) -> None:
        if spec.logical_id != self.function:
            return
        self.calls += 1
        if self.times is None or self.raised < self.times:
            self.raised += 1
            raise error_class(self.error)(f"{self.message} ({self.error}, call {self.calls})")


@contextlib.contextmanager
def lambda_fault(fault: LambdaFault) -> Iterator[LambdaFault]:
    EXECUTOR.fault_hooks.append(fault)
    try:
        yield fault
    finally:
        EXECUTOR.fault_hooks.remove(fault)


@dataclass
class DynamoThrottle:
    """BatchWriteItem to `table` under pressure, as DynamoDB behaves when a partition is hot.

    The first `unprocessed_calls` requests write only half of their items and hand the rest back as
    UnprocessedItems; request number `throttle_call` (1-based) is refused whole with
    ProvisionedThroughputExceededException, which botocore retries by itself.
    """

    table: str
    unprocessed_calls: int = 3
    throttle_call: int | None = 2
    calls: int = 0
    partial_calls: int = 0
    unprocessed_items: int = 0
    throttled: int = 0


def _throttled_batch_write(fault: DynamoThrottle, original: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException

    def batch_write_item(handler: Any) -> Any:
        requests = handler.body["RequestItems"].get(fault.table)
        if requests is None:
            return original(handler)
        fault.calls += 1
        if fault.calls == fault.throttle_call:
            fault.throttled += 1
            raise DynamodbException(ERROR_TYPE_PREFIX + "ProvisionedThroughputExceededException",
                                    "The level of configured provisioned throughput for the table was exceeded")
        if fault.partial_calls >= fault.unprocessed_calls or len(requests) < 2:
            return original(handler)
        fault.partial_calls += 1
        kept, handed_back = requests[: len(requests) // 2], requests[len(requests) // 2:]
        handler.body["RequestItems"][fault.table] = kept
        result = original(handler).result
        fault.unprocessed_items += len(handed_back)
        return ActionResult({**result, "UnprocessedItems": {fault.table: handed_back}})

    return batch_write_item


@contextlib.contextmanager
def dynamo_throttle(fault: DynamoThrottle) -> Iterator[DynamoThrottle]:
    from moto.dynamodb.responses import DynamoHandler

    patched = _throttled_batch_write(fault, DynamoHandler.batch_write_item)
    with mock.patch.object(DynamoHandler, "batch_write_item", patched):
        yield fault


@dataclass
class ServiceFault:
    """Counts calls of a patched emulator operation and fails the first `times` of them."""

    times: int = 1
    calls: int = 0
    raised: int = 0

    def should_fail(self) -> bool:
        self.calls += 1
        if self.raised < self.times:
            self.raised += 1
            return True
        return False


@contextlib.contextmanager
def sns_publish_fault(fault: ServiceFault, permanent: bool = False) -> Iterator[ServiceFault]:
    """sns:Publish fails with InternalError (or, `permanent`, InvalidParameter: a request SNS will never
    take, such as a bad attribute); nothing reaches the subscribers on a failed call."""
    from moto.sns.exceptions import InternalError, InvalidParameterValue
    from moto.sns.models import SNSBackend

    original = SNSBackend.publish

    def publish(backend: Any, *args: Any, **kwargs: Any) -> Any:
        if fault.should_fail():
            if permanent:
                raise InvalidParameterValue("injected fault: Message attributes are invalid")
            raise InternalError("injected fault: SNS could not accept the message")
        return original(backend, *args, **kwargs)

    with mock.patch.object(SNSBackend, "publish", publish):
        yield fault


@contextlib.contextmanager
def s3_read_fault(fault: ServiceFault, key: str) -> Iterator[ServiceFault]:
    """GetObject of `key` fails with S3's SlowDown (503 on AWS): the request-rate error S3 documents."""
    from moto.s3.exceptions import S3ClientError
    from moto.s3.models import S3Backend

    original = S3Backend.get_object

    def get_object(backend: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
        if key_name == key and fault.should_fail():
            raise S3ClientError("SlowDown", "injected fault: please reduce your request rate")
        return original(backend, bucket_name, key_name, *args, **kwargs)

    with mock.patch.object(S3Backend, "get_object", get_object):
        yield fault


@dataclass
class SlowReads:
    """GetItem and BatchGetItem on `table` answer after `seconds`: widens the window between a read and the
    write that depends on it, as a busy Lambda or a slow network does, so a lost update shows every time."""

    table: str
    seconds: float = 0.05
    calls: int = 0


@contextlib.contextmanager
def slow_reads(fault: SlowReads) -> Iterator[SlowReads]:
    import time

    from moto.dynamodb.responses import DynamoHandler

    original, original_batch = DynamoHandler.get_item, DynamoHandler.batch_get_item

    def get_item(handler: Any) -> Any:
        if handler.body.get("TableName") == fault.table:
            fault.calls += 1
            time.sleep(fault.seconds)
        return original(handler)

    def batch_get_item(handler: Any) -> Any:  # the catalog reads many sites' items at once
        if fault.table in handler.body.get("RequestItems", {}):
            fault.calls += 1
            time.sleep(fault.seconds)
        return original_batch(handler)

    with mock.patch.object(DynamoHandler, "get_item", get_item), \
            mock.patch.object(DynamoHandler, "batch_get_item", batch_get_item):
        yield fault


@dataclass
class CommittedThenFailed:
    """The first `times` UpdateItem calls on `table` whose condition holds `marker` commit, and then
    answer 500 InternalServerError: the write happened, the caller does not know, and retries."""

    table: str
    marker: str
    times: int = 1
    calls: int = 0
    raised: int = 0


@contextlib.contextmanager
def committed_then_failed(fault: CommittedThenFailed) -> Iterator[CommittedThenFailed]:
    from moto.dynamodb.exceptions import DynamodbException
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.update_item

    def update_item(handler: Any) -> Any:
        body = handler.body
        if body.get("TableName") != fault.table or fault.marker not in body.get("ConditionExpression", ""):
            return original(handler)
        fault.calls += 1
        response = original(handler)
        if fault.raised < fault.times:
            fault.raised += 1
            error = DynamodbException("com.amazonaws.dynamodb.v20120810#InternalServerError",
                                      "injected fault: the write committed, its response was lost")
            error.code = 500
            raise error
        return response

    with mock.patch.object(DynamoHandler, "update_item", update_item):
        yield fault


@dataclass
class LambdaQuota:
    """The account's Lambda concurrency quota: an invocation beyond `limit` running at once is refused with
    TooManyRequestsException, as Lambda throttles (the state machine sees Lambda.TooManyRequestsException)."""

    limit: int
    running: int = 0
    peak: int = 0
    invocations: int = 0
    refused: int = 0


@contextlib.contextmanager
def lambda_quota(quota: LambdaQuota) -> Iterator[LambdaQuota]:
    import json
    import threading

    lock = threading.Lock()
    original = EXECUTOR.invoke

    def invoke(function_name: str, event: Any, arn: str) -> tuple[str, bool]:
        with lock:
            quota.invocations += 1
            if quota.running >= quota.limit:
                quota.refused += 1
                return json.dumps({"errorType": "Lambda.TooManyRequestsException",
                                   "errorMessage": f"Rate Exceeded: concurrency quota {quota.limit}"}), True
            quota.running += 1
            quota.peak = max(quota.peak, quota.running)
        try:
            return original(function_name, event, arn)
        finally:
            with lock:
                quota.running -= 1

    with mock.patch.object(EXECUTOR, "invoke", invoke):
        yield quota
