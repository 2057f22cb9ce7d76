"""Reprocess one uploaded file: put it back through the pipeline the way S3 would, and report the run.

The ledger's claim (statemachine "Claim file") lets an execution through when the key is new, its
ETag changed, or the ledger says FAILED. Reprocessing therefore never bypasses the workflow: it makes
the claim pass (with --force, by marking the item FAILED) and raises a real S3 "Object Created" event,
so the same rule, the same state machine and the same idempotency guard run as for an upload.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from energy_pipeline.errors import ReprocessRefused
from energy_pipeline.runner import Target, find_execution, report, wait

LEDGER_PK = "INGESTION"
QUARANTINE_PREFIX = "quarantine/"


@dataclass
class Trigger:
    """What reprocess did to raise the Object Created event, and the ETag that event carries."""

    etag: str
    restored_from: str | None  # the quarantine key the object was copied back from, if it was gone


def ledger_item(target: Target, table: str, key: str) -> dict[str, str] | None:
    """The ledger item of a key, attribute values flattened to strings (None: never claimed)."""
    response = target.clients.dynamodb.get_item(
        TableName=table, Key={"pk": {"S": LEDGER_PK}, "sk": {"S": key}}, ConsistentRead=True)
    item = response.get("Item")
    if not item:
        return None
    return {name: str(next(iter(value.values()))) for name, value in item.items()}


def _head(target: Target, key: str) -> dict[str, Any] | None:
    try:
        return dict(target.clients.s3.head_object(Bucket=target.bucket, Key=key))
    except target.clients.s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def _etag(head: dict[str, Any]) -> str:
    return str(head["ETag"]).strip('"')


def holder_running(target: Target, item: dict[str, str] | None) -> bool:
    """Whether the execution holding a PROCESSING claim still runs (the workflow takes over a dead one)."""
    if item is None or item.get("status") != "PROCESSING" or not item.get("execution"):
        return False
    try:
        described = target.clients.stepfunctions.describe_execution(executionArn=item["execution"])
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
            return False
        raise
    return str(described["status"]) == "RUNNING"


def check_allowed(
    key: str, item: dict[str, str] | None, etag: str, force: bool, running: bool = True
) -> None:
    """Refuses what would end as "Already processed" anyway, unless forced."""
    if item is None or force:
        return
    status = item.get("status")
    if status == "SUCCEEDED" and item.get("etag") == etag:
        raise ReprocessRefused(
            f"{key} was already processed successfully with this content (ETag {etag}, execution "
            f"{item.get('execution')}); nothing to do. Use --force to run it again anyway.")
    if status == "PROCESSING" and item.get("etag") == etag and running:
        raise ReprocessRefused(
            f"{key} is being processed now by {item.get('execution')}; wait for it to finish, "
            "or stop that execution first (its claim is then taken over).")


def release_claim(target: Target, table: str, key: str) -> None:
    """Marks the ledger item FAILED so the workflow's claim condition lets the next execution in."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    target.clients.dynamodb.update_item(
        TableName=table, Key={"pk": {"S": LEDGER_PK}, "sk": {"S": key}},
        UpdateExpression="SET #status = :failed, #reason = :reason, #updated_at = :now",
        ExpressionAttributeNames={"#status": "status", "#reason": "reason", "#updated_at": "updated_at"},
        ExpressionAttributeValues={":failed": {"S": "FAILED"}, ":reason": {"S": "reprocess requested"},
                                   ":now": {"S": now}},
    )


def _copy(target: Target, source_key: str, key: str, head: dict[str, Any]) -> str:
    """CopyObject raises Object Created on AWS and locally; REPLACE lets an object be copied onto itself."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata = {**head.get("Metadata", {}), "reprocessed-at": stamp}
    response = target.clients.s3.copy_object(
        Bucket=target.bucket, Key=key, CopySource={"Bucket": target.bucket, "Key": source_key},
        MetadataDirective="REPLACE", Metadata=metadata,
        ContentType=head.get("ContentType") or "application/octet-stream",
    )
    return str(response["CopyObjectResult"]["ETag"]).strip('"')


def locate(target: Target, key: str) -> tuple[str, dict[str, Any]]:
    """The object to send through again: the upload itself, or its quarantined copy if the upload is gone."""
    head = _head(target, key)
    if head is not None:
        return key, head
    quarantined = f"{QUARANTINE_PREFIX}{key}"
    head = _head(target, quarantined)
    if head is None:
        raise ReprocessRefused(
            f"neither s3://{target.bucket}/{key} nor s3://{target.bucket}/{quarantined} exists; "
            "upload the file again instead")
    return quarantined, head


def trigger(target: Target, table: str, key: str, force: bool) -> Trigger:
    """Checks the ledger, releases the claim if forced, then raises the Object Created event."""
    source, head = locate(target, key)
    item = ledger_item(target, table, key)
    check_allowed(key, item, _etag(head), force, running=holder_running(target, item))
    if force and item is not None:
        release_claim(target, table, key)
    # Copying back from quarantine is itself the Object Created event: a second copy would race it.
    etag = _copy(target, source, key, head)
    return Trigger(etag, source if source != key else None)


def reprocess(target: Target, table: str, key: str, *, force: bool = False, wait_s: float | None = 900,
              find_timeout_s: float = 60) -> dict[str, Any]:
    """Sends `key` through the pipeline again; returns a `run --json` row (plus `restored_from`).

    With wait_s=None the row describes the execution as just started (status RUNNING).
    """
    started = time.time()
    fired = trigger(target, table, key, force)
    arn = find_execution(target, key, fired.etag, started, timeout_s=find_timeout_s)
    if arn is None:
        raise ReprocessRefused(
            f"the Object Created event for s3://{target.bucket}/{key} started no execution within "
            f"{find_timeout_s:g} s; is the key under the input prefix {target.input_prefix!r}?")
    if wait_s is None:
        return {"file": key, "key": key, "execution": arn, "status": "RUNNING",
                "restored_from": fired.restored_from}
    wait(target, arn, wait_s)
    return {**report(target, key, key, arn), "restored_from": fired.restored_from}
