"""Transform readings: canonical readings become the stored items Detect annotates and Store writes.

Net energy is not stored: the query API derives it exactly from the two stored decimals.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3

from energy_aws import locations, objects
from energy_aws.contracts import TransformInput, TransformResult
from energy_aws.settings import require_env
from energy_aws.step import pipeline_step
from energy_core.readings import transform_chunk

BUCKET = require_env("BUCKET_NAME")
s3 = boto3.client("s3")


@pipeline_step("Transform")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = TransformInput.from_payload(event)
    ingested_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    provenance = {"source_key": step.file.key, "source_etag": step.file.etag, "ingested_at": ingested_at}
    chunks, total = [], 0
    for index, key in enumerate(step.chunks):
        body, count = transform_chunk(objects.read_bytes(s3, BUCKET, key), provenance)
        target = locations.staging_key(step.execution, "items", index)
        objects.write_bytes(s3, BUCKET, target, body)
        chunks.append(target)
        total += count
    return TransformResult(chunks=chunks, readings=total).to_payload()
