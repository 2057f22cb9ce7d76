"""Update site catalog: first/last reading time and counts per touched site, and what was stored in total."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3

from energy_aws import locations, objects
from energy_aws.history import range_counts
from energy_aws.settings import require_env
from energy_aws.step import pipeline_step

BUCKET = require_env("BUCKET_NAME")
READINGS_TABLE = require_env("READINGS_TABLE")
CATALOG_TABLE = require_env("CATALOG_TABLE")
dynamodb = boto3.client("dynamodb")
s3 = boto3.client("s3")


def _count(current: dict[str, Any], name: str) -> int:
    return int(current.get(name, {}).get("N", 0))


def counts_after(site: dict[str, Any]) -> tuple[int, int]:
    """Readings and anomalies now stored inside the file's range.

    When that range was empty before the file (new data, the usual case), everything the file
    stored is new and nothing needs counting again; only an overlap is counted with a Query, so a
    million-reading upload never pays for a count over its own partition.
    """
    if site["readings_before"] == 0 and site["anomalies_before"] == 0:
        return site["readings_in_file"], site["anomalies_in_file"]
    span = (site["first"], site["last"])
    after = range_counts(dynamodb, READINGS_TABLE, site["site_id"], span, consistent=True)
    return after["readings_before"], after["anomalies_before"]


def refresh_site(site: dict[str, Any], now: str) -> None:
    """Adds what this file changed inside its own range; counts outside it are untouched by the file.

    Readings are only ever added or overwritten, so the first and last reading times are the
    extremes of the catalog's and the file's.
    """
    site_id = site["site_id"]
    readings_after, anomalies_after = counts_after(site)
    key = {"pk": {"S": "SITE"}, "sk": {"S": site_id}}
    current = dynamodb.get_item(TableName=CATALOG_TABLE, Key=key).get("Item", {})
    readings = _count(current, "reading_count") + readings_after - site["readings_before"]
    anomalies = _count(current, "anomaly_count") + anomalies_after - site["anomalies_before"]
    first = min(filter(None, (current.get("first_timestamp", {}).get("S"), site["first"])))
    last = max(filter(None, (current.get("last_timestamp", {}).get("S"), site["last"])))
    item = {
        **key, "site_id": {"S": site_id}, "first_timestamp": {"S": first}, "last_timestamp": {"S": last},
        "reading_count": {"N": str(max(readings, 0))}, "anomaly_count": {"N": str(max(anomalies, 0))},
        "updated_at": {"S": now},
    }
    dynamodb.put_item(TableName=CATALOG_TABLE, Item=item)


@pipeline_step("Catalog")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    execution = event["execution"]
    sites = objects.read_json(s3, BUCKET, locations.staging_object(execution, "sites.json"))
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for site in sites:
        refresh_site(site, now)
    stored = sum(int(part["stored"]) for part in event["store"])
    return {"stored": stored, "sites": len(sites)}
