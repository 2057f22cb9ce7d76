"""Update site catalog: first/last reading time and counts per touched site, and what was stored in total."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3

from energy_aws import locations, objects
from energy_aws.history import range_counts
from energy_aws.observability import logger, metrics, tracer
from energy_aws.settings import require_env
from energy_aws.transient import retry_transient_aws_errors

BUCKET = require_env("BUCKET_NAME")
READINGS_TABLE = require_env("READINGS_TABLE")
ANOMALIES_TABLE = require_env("ANOMALIES_TABLE")
CATALOG_TABLE = require_env("CATALOG_TABLE")
dynamodb = boto3.client("dynamodb")
s3 = boto3.client("s3")


def _edge(site_id: str, forward: bool) -> str | None:
    page = dynamodb.query(
        TableName=READINGS_TABLE, KeyConditionExpression="site_id = :site",
        ExpressionAttributeValues={":site": {"S": site_id}}, ScanIndexForward=forward, Limit=1,
        ProjectionExpression="#ts", ExpressionAttributeNames={"#ts": "timestamp"},
    )
    items = page.get("Items", [])
    return str(items[0]["timestamp"]["S"]) if items else None


def refresh_site(site: dict[str, Any], now: str) -> None:
    """Adds what this file changed inside its own range; counts outside it are untouched by the file."""
    site_id = site["site_id"]
    after = range_counts(dynamodb, READINGS_TABLE, ANOMALIES_TABLE, site_id, (site["first"], site["last"]))
    current = dynamodb.get_item(TableName=CATALOG_TABLE, Key={"pk": {"S": "SITE"}, "sk": {"S": site_id}}).get(
        "Item", {}
    )
    readings = (
        int(current.get("reading_count", {}).get("N", 0)) + after["readings_before"] - site["readings_before"]
    )
    anomalies = (
        int(current.get("anomaly_count", {}).get("N", 0))
        + after["anomalies_before"]
        - site["anomalies_before"]
    )
    item = {
        "pk": {"S": "SITE"}, "sk": {"S": site_id}, "site_id": {"S": site_id},
        "first_timestamp": {"S": _edge(site_id, True) or site["first"]},
        "last_timestamp": {"S": _edge(site_id, False) or site["last"]},
        "reading_count": {"N": str(max(readings, 0))}, "anomaly_count": {"N": str(max(anomalies, 0))},
        "updated_at": {"S": now},
    }
    dynamodb.put_item(TableName=CATALOG_TABLE, Item=item)


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
@retry_transient_aws_errors
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    execution = event["execution"]
    logger.append_keys(file_key=event["file"]["key"], execution=execution)
    sites = objects.read_json(s3, BUCKET, locations.staging_object(execution, "sites.json"))
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for site in sites:
        refresh_site(site, now)
    stored = sum(int(part["stored"]) for part in event["store"])
    return {"stored": stored, "sites": len(sites)}
