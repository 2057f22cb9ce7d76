"""Quarantine file (failure path): keep the file aside with the reason, prepare the failure alert."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3

from energy_aws import locations, objects
from energy_aws.contracts import Digest, Failure, QuarantineInput, QuarantineResult
from energy_aws.observability import logger
from energy_aws.settings import require_env
from energy_aws.step import pipeline_step
from energy_core.alerts import build_failure_digest, console_url

BUCKET = require_env("BUCKET_NAME")
s3 = boto3.client("s3")


def readable_failure(failure: Failure) -> tuple[str, str]:
    """The error name and a sentence from a Catch result; Lambda errors carry JSON in Cause."""
    error = str(failure.Error or "ProcessingFailed")
    cause = str(failure.Cause or "")
    try:
        parsed = json.loads(cause)
        if isinstance(parsed, dict):
            cause = str(parsed.get("errorMessage") or parsed.get("Cause") or cause)
    except ValueError:
        pass
    return error, cause or f"{error} (no further detail from the failed step)"


def naming_the_file(key: str, cause: str) -> str:
    """The cause as the execution's error shows it, opening with the file's key once (Validate's reasons
    already open with it; other steps' errors do not)."""
    return cause if cause.startswith(f"{key}: ") else f"{key}: {cause}"


def quarantine(bucket: str, key: str, error: str, cause: str, execution: str) -> str:
    target = locations.quarantine_key(key)
    try:
        objects.copy_object(s3, bucket, key, target)
    except s3.exceptions.ClientError as exc:  # the upload may be gone: the reason object still says why
        logger.warning("could not copy to quarantine", extra={"error": str(exc)})
    objects.write_json(s3, bucket, f"{target}.reason.json", {
        "source": locations.s3_uri(bucket, key), "error": error, "reason": cause, "execution": execution,
        "quarantined_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reprocess": f"energy-pipeline reprocess {key}",
    })
    return locations.s3_uri(bucket, target)


def publishable(attributes: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The attributes without empty String.Arrays: a failed file names no site, and SNS has no use for
    an empty list (a filter policy on it can never match)."""
    def empty(value: dict[str, str]) -> bool:
        return value.get("DataType") == "String.Array" and json.loads(value.get("StringValue", "[]")) == []

    return {name: value for name, value in attributes.items() if not empty(value)}


@pipeline_step("Quarantine")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = QuarantineInput.from_payload(event)
    file, execution = step.file, step.execution
    error, cause = readable_failure(step.failure)
    location = quarantine(file.bucket, file.key, error, cause, execution)
    region = execution.split(":")[3] if execution.count(":") >= 3 else "us-east-1"
    digest = build_failure_digest(file.key, error, cause, execution, console_url(region, execution))
    logger.warning("file quarantined", extra={"error": error, "reason": cause, "location": location})
    return QuarantineResult(
        error=error, cause=naming_the_file(file.key, cause)[:32000], location=location,
        digest=Digest(digest.subject, digest.message, publishable(digest.attributes)),
    ).to_payload()
