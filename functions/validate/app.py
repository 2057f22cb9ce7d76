"""Validate and stage readings: parse the upload, check every record against the contract, keep the good ones.

The valid readings are staged in chunks of columns, canonical and stamped with the file's provenance: what
Detect reads and Store writes, with nothing left to transform in between.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3

from energy_aws import locations, objects
from energy_aws.contracts import Refusal, UploadedFile, ValidateInput, ValidateResult
from energy_aws.errors import ObjectTooLarge
from energy_aws.memory import gc_paused
from energy_aws.observability import logger, metrics
from energy_aws.settings import number_env, require_env
from energy_aws.step import pipeline_step
from energy_core.accounting import dump_rejects
from energy_core.errors import InvalidFile
from energy_core.parsed import Format
from energy_core.readings import CHUNK_READINGS, dump_chunk, split_chunks
from energy_core.validation import ValidationResult, ingest

BUCKET = require_env("BUCKET_NAME")
# A gzip upload may expand to at most this much: a bomb is refused with its own reason, not an out-of-memory.
MAX_DECOMPRESSED_BYTES = int(number_env("MAX_DECOMPRESSED_MB", 384) * 1024 * 1024)
# Memory per step grows with the file (docs/benchmarks.md: Validate ~0.5 GB and Detect ~0.65 GB per million
# readings), so a file is refused up front, with the limit and how to split it, before a step runs out of
# memory: by its size before it is read, and by its count of valid readings before anything is staged.
MAX_FILE_BYTES = int(number_env("MAX_FILE_MB", 256) * 1024 * 1024)
MAX_FILE_READINGS = int(number_env("MAX_FILE_READINGS", 2_000_000))
s3 = boto3.client("s3")


def write_rejects(result: ValidationResult, bucket: str, source_key: str) -> str | None:
    if not result.rejects:
        return None
    key = locations.rejects_key(source_key)
    objects.write_bytes(s3, bucket, key, dump_rejects(result.rejects))
    return locations.s3_uri(bucket, key)


def file_provenance(file: UploadedFile) -> dict[str, str]:
    """Where the readings came from, which every stored reading carries (source key, ETag, ingestion time)."""
    ingested_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {"source_key": file.key, "source_etag": file.etag, "ingested_at": ingested_at}


def write_chunks(
    result: ValidationResult, bucket: str, execution: str, provenance: dict[str, str],
) -> list[str]:
    """The valid readings in chunks, each with the file's provenance in its header (once per chunk, not per
    reading: Store puts it on every item). Each chunk's header also names its sites that are in more than
    one chunk, with how many hold them (`shared_sites`): Store's writers of those chunks share the site's
    partition, and pace their writes to it."""
    chunks = split_chunks(result.valid, CHUNK_READINGS)
    spans: dict[str, int] = {}
    for chunk in chunks:
        for site_id, _, _ in chunk.site_blocks():
            spans[site_id] = spans.get(site_id, 0) + 1
    keys = []
    for index, chunk in enumerate(chunks):
        shared = {site_id: spans[site_id] for site_id, _, _ in chunk.site_blocks() if spans[site_id] > 1}
        key = locations.staging_key(execution, "valid", index)
        objects.write_bytes(s3, bucket, key, dump_chunk(chunk, shared_sites=shared, provenance=provenance))
        keys.append(key)
    return keys


def refuse_if_too_large(key: str, size: int) -> None:
    """Refuses a file larger than MAX_FILE_BYTES before it is read (the S3 event carries its size)."""
    if size > MAX_FILE_BYTES:
        raise InvalidFile(
            "file_too_large",
            f"{key}: {_size(size)}, over the limit of {_size(MAX_FILE_BYTES)} per file (what one step can "
            f"hold in memory); split it into files of at most {MAX_FILE_READINGS:,} readings - by site or by "
            "month - and upload those",
        )


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:,.0f} MB" if count >= 1024 * 1024 else f"{count:,} bytes"


@pipeline_step("Validate")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = ValidateInput.from_payload(event)
    bucket, key, execution = step.file.bucket, step.file.key, step.execution
    refuse_if_too_large(key, int(step.file.size or 0))
    try:
        data = objects.read_bytes(s3, bucket, key, max_bytes=MAX_FILE_BYTES)
    except ObjectTooLarge as error:  # the event did not say its size (or said less)
        refuse_if_too_large(key, error.size)
        raise
    with gc_paused():  # a file of new objects and no garbage: energy_aws/memory.py
        result = ingest(key, data, MAX_DECOMPRESSED_BYTES)
    rejects_location = write_rejects(result, bucket, key)
    tally = result.counts
    counts = {"received": tally.received, "valid": tally.valid, "rejected": tally.rejected,
              "duplicates": tally.duplicates, "rejects_location": rejects_location}
    metrics.add_metric(name="ReadingsReceived", unit="Count", value=tally.received)
    metrics.add_metric(name="ReadingsRejected", unit="Count", value=len(result.rejects))
    metrics.add_metric(name="FileBytes", unit="Bytes", value=len(data))
    file_format = _format_label(result.source_format)
    refused = refusal(result, key, rejects_location)
    if refused is not None:
        # The counts travel in the state with the refusal; the workflow quarantines the file (InvalidFile).
        logger.warning("file refused", extra={**counts, "code": refused.code, "reason": refused.reason})
        return ValidateResult(**counts, chunks=[], sites=0, format=file_format, refused=refused).to_payload()
    logger.info("validated", extra=counts)
    return ValidateResult(
        **counts, chunks=write_chunks(result, bucket, execution, file_provenance(step.file)),
        sites=len(result.site_ids()), format=file_format,
    ).to_payload()


def refusal(result: ValidationResult, key: str, rejects_location: str | None) -> Refusal | None:
    """Why a file that was read cannot go on, if it cannot: no valid reading, or more than a step can hold."""
    tally = result.counts
    if not result.valid:
        first = result.rejects[0].reason if result.rejects else "the file holds no records"
        return Refusal(
            "no_valid_records",
            f"{key}: none of its {tally.received} records is valid (first problem: {first}); "
            f"fix the file and upload it again"
            + (f" - every reason is in {rejects_location}" if rejects_location else ""),
        )
    if tally.valid > MAX_FILE_READINGS:
        return Refusal(
            "too_many_readings",
            f"{key}: {tally.valid:,} valid readings, over the limit of {MAX_FILE_READINGS:,} per file (what "
            f"one step can hold in memory); split it into files of at most {MAX_FILE_READINGS:,} readings - "
            "by site or by month - and upload those",
        )
    return None


def _format_label(fmt: Format | None) -> str:
    """"json", "csv+gzip": a plain value in the execution history, not the dataclass's repr."""
    return "unknown" if fmt is None else fmt.kind + ("+gzip" if fmt.gzip else "")
