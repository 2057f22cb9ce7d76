"""Write chunk: one chunk of readings, 25 items per BatchWriteItem, paced per site partition, the
chunk's sites taken in turn (`ChunkToStore.attribute_values`) so that each batch spends several sites' shares.

Anomalies are part of the reading they were observed at (its `anomalies` list), so they cost no
write of their own, and a file sent again replaces its readings' anomalies with its readings.

DynamoDB takes at most PARTITION_WRITE_UNITS write units per second per partition key (one site). Up to
STORE_CONCURRENCY chunks are written at once (the Map's MaxConcurrency), and a site with more readings than
a chunk holds is in several of them: each writer of such a site spends at most the limit divided by the
writers it may share the site with (Validate wrote into each chunk's header how many chunks hold it).
Throttling that still happens (other files writing the same site) slows this writer down; unprocessed items
are retried for as long as the invocation has time, so the chunk is not written twice.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from energy_aws import objects
from energy_aws.chunks import ChunkToStore
from energy_aws.contracts import StoreInput, StoreResult
from energy_aws.dynamo import batch_write
from energy_aws.observability import metrics
from energy_aws.pacing import PartitionPacer, writer_share
from energy_aws.settings import number_env, require_env
from energy_aws.step import pipeline_step

BUCKET = require_env("BUCKET_NAME")
READINGS_TABLE = require_env("READINGS_TABLE")
PARTITION_WRITE_UNITS = number_env("PARTITION_WRITE_UNITS", 1000)
STORE_CONCURRENCY = int(number_env("STORE_CONCURRENCY", 4))  # the Store Map's MaxConcurrency
s3 = boto3.client("s3")
# Items are built by our own code and DynamoDB validates every request itself; botocore's client-side
# validation of 25 items per call was ~18% of this step's CPU (measured under the local engine).
dynamodb = boto3.client("dynamodb", config=Config(parameter_validation=False))


def site_pacer(spans: dict[str, int] | None) -> PartitionPacer:
    """Each site's share of its partition: the limit over the writers that may write it at once."""
    def share(site_id: str) -> float:
        chunks = STORE_CONCURRENCY if spans is None else spans.get(site_id, 1)
        return writer_share(PARTITION_WRITE_UNITS, min(STORE_CONCURRENCY, chunks))

    return PartitionPacer(share)


def _remaining_s(context: Any) -> Any:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return None if remaining is None else (lambda: remaining() / 1000)


@pipeline_step("Store")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = StoreInput.from_payload(event)
    chunk = ChunkToStore.from_bytes(objects.read_bytes(s3, BUCKET, step.chunk.items))
    pacer = site_pacer(chunk.shared_sites)
    stats = batch_write(dynamodb, READINGS_TABLE, chunk.attribute_values(), pacer=pacer,
                        remaining_s=_remaining_s(context))
    anomalies = chunk.anomalies
    metrics.add_metric(name="ReadingsStored", unit="Count", value=stats.items)
    metrics.add_metric(name="WriteRequests", unit="Count", value=stats.requests)
    metrics.add_metric(name="WritesRetried", unit="Count", value=stats.retried_items)
    return StoreResult(
        stored=stats.items, anomalies_stored=anomalies, write_requests=stats.requests,
        retried_items=stats.retried_items, throttled_requests=stats.throttled_requests,
        paced_s=round(pacer.waited_s, 3),
    ).to_payload()
