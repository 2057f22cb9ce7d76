"""Transform readings: valid readings become stored items (UTC sort key, exact decimals, net energy)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import orjson

from energy_aws import locations, objects
from energy_aws.settings import require_env
from energy_aws.step import pipeline_step
from energy_core.readings import load_chunk, to_item

BUCKET = require_env("BUCKET_NAME")
s3 = boto3.client("s3")


def transform_chunk(body: bytes, source_key: str, source_etag: str, ingested_at: str) -> tuple[bytes, int]:
    items = [to_item(reading, source_key, source_etag, ingested_at) for reading in load_chunk(body)]
    lines = b"\n".join(orjson.dumps(item, default=str) for item in items)
    return lines + b"\n", len(items)


@pipeline_step("Transform")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    file, execution = event["file"], event["execution"]
    ingested_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    chunks, total = [], 0
    for index, key in enumerate(event["chunks"]):
        body, count = transform_chunk(
            objects.read_bytes(s3, BUCKET, key), file["key"], file.get("etag", ""), ingested_at
        )
        target = locations.staging_key(execution, "items", index)
        objects.write_bytes(s3, BUCKET, target, body)
        chunks.append(target)
        total += count
    return {"chunks": chunks, "readings": total}
