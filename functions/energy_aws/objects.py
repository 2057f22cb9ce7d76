"""S3 object access for the steps. Bodies are bytes; callers parse them with energy_core."""

from __future__ import annotations

from typing import Any

import orjson

from energy_aws.errors import ObjectTooLarge

# A raw upload larger than this is refused before it is read: Lambda memory must hold it.
MAX_UPLOAD_BYTES = 1024 * 1024 * 1024


def read_bytes(s3: Any, bucket: str, key: str, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    response = s3.get_object(Bucket=bucket, Key=key)
    length = int(response.get("ContentLength") or 0)
    if length > max_bytes:
        raise ObjectTooLarge(
            f"s3://{bucket}/{key} is {length} bytes, over the {max_bytes}-byte limit; "
            "split it into smaller files",
            length,
        )
    data: bytes = response["Body"].read()
    return data


def write_bytes(
    s3: Any, bucket: str, key: str, body: bytes, content_type: str = "application/x-ndjson"
) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)


def write_json(s3: Any, bucket: str, key: str, document: Any) -> None:
    write_bytes(s3, bucket, key, orjson.dumps(document), content_type="application/json")


def read_json(s3: Any, bucket: str, key: str) -> Any:
    return orjson.loads(read_bytes(s3, bucket, key))


def copy_object(s3: Any, bucket: str, source_key: str, target_key: str) -> None:
    s3.copy_object(Bucket=bucket, Key=target_key, CopySource={"Bucket": bucket, "Key": source_key})
