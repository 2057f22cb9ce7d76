"""What every pipeline handler is wrapped in, in one place.

Outermost first: the Lambda context on every log line, an X-Ray segment, EMF metrics flushed at the end,
the step's duration, and AWS errors that a retry can fix renamed `TransientError` for the state machine.
Every log line also names the file and the execution, the two things a person searches the logs by.
The uploaded file's key is resolved before the handler sees it (`resolve_upload_key`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

import boto3
from botocore.exceptions import ClientError

from energy_aws.observability import logger, metrics, timed_step, tracer
from energy_aws.transient import retry_transient_aws_errors
from energy_core.errors import InvalidFile

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
_RESOLVED: dict[tuple[str, str], str] = {}  # (bucket, key as delivered) -> the object's key; per container
_s3: Any = None


def _exists(bucket: str, key: str) -> bool:
    global _s3  # noqa: PLW0603 - one client per container, made on first use
    _s3 = _s3 or boto3.client("s3")
    try:
        _s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return False
        raise
    return True


def resolve_upload_key(bucket: str, key: str) -> str:
    """The uploaded object's real key, whichever way the event wrote it.

    Classic S3 notifications URL-encode keys ("my file.json" arrives as "my+file.json"); EventBridge's
    "Object Created" carries them as they are. Decoding blindly would break a key that really holds
    "+" or "%41", so the key is used as delivered when that object exists, decoded only when it does
    not and the decoded one does. A key that resolves to neither is kept (the step reports it).
    """
    if (bucket, key) not in _RESOLVED:
        decoded = unquote_plus(key)
        if decoded == key or _exists(bucket, key) or not _exists(bucket, decoded):
            _RESOLVED[(bucket, key)] = key  # most keys: nothing to decode, no request made
        else:
            _RESOLVED[(bucket, key)] = decoded
    return _RESOLVED[(bucket, key)]


def pipeline_step(name: str) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def with_file_keys(event: dict[str, Any], context: Any) -> dict[str, Any]:
            file = event.get("file")
            if isinstance(file, dict) and file.get("bucket") and file.get("key"):
                event = {**event, "file": {**file, "key": resolve_upload_key(file["bucket"], file["key"])}}
            file_key = (event.get("file") or {}).get("key")
            logger.append_keys(file_key=file_key, execution=event.get("execution"))
            try:
                return handler(event, context)
            except InvalidFile:
                # Counted apart so the Errors alarm can leave out files that are refused by design.
                metrics.add_metric(name=f"{name}InvalidFiles", unit="Count", value=1)
                raise

        wrapped: Callable[..., Any] = retry_transient_aws_errors(with_file_keys)
        wrapped = timed_step(name)(wrapped)
        wrapped = metrics.log_metrics(wrapped)
        # Responses are not captured: a Store run is ~2,000 invocations, each would add an X-Ray record of its
        # result (counts and locations the execution history already holds).
        wrapped = tracer.capture_lambda_handler(wrapped, capture_response=False)
        outermost: Handler = logger.inject_lambda_context(log_event=False)(wrapped)
        return outermost

    return decorate
