"""A multipart upload raises one "Object Created" (reason CompleteMultipartUpload), as on AWS."""

from __future__ import annotations

import pytest

from energy_pipeline.runner import wait

pytestmark = pytest.mark.workflow

PART = 5 * 1024 * 1024  # S3's smallest part but the last


def test_one_multipart_upload_starts_one_execution(local) -> None:
    rows = [f'{{"site_id": "multi", "timestamp": "2025-09-01T00:{m:02d}:00Z", "energy_generated_kwh": 0.5, '
            f'"energy_consumed_kwh": 1.0}}' for m in (0, 15, 30, 45)]
    body = ("\n".join(rows) + "\n" + " " * PART).encode()  # JSONL; trailing blanks fill the first part
    s3, bucket, key = local.engine.clients.s3, local.target.bucket, "incoming/multipart.jsonl"
    before = len(local.engine.router.started)

    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    parts = [s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=chunk)["ETag"]
             for number, chunk in enumerate((body[:PART], body[PART:]), start=1)]
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={
        "Parts": [{"ETag": etag, "PartNumber": number} for number, etag in enumerate(parts, start=1)]})

    started = local.engine.router.started[before:]
    assert len(started) == 1, [event["detail"]["reason"] for event, _ in started]
    [(event, arn)] = started
    assert event["detail"]["reason"] == "CompleteMultipartUpload"
    assert event["detail"]["object"]["etag"].endswith("-2")  # a multipart ETag: the MD5 of the parts, "-2"
    wait(local.target, arn, 120)
