"""Update site catalog: first/last reading time and counts per touched site, and what was stored in total.

Exact under concurrency, re-sends and retries (docs/reliability.md, "The site catalog"):
- counts are kept per site and month (`pk=SITE#<site>`, `sk=MONTH#<yyyy-mm>`). After its own Store,
  a file recounts each month it touched with a consistent Query and writes the count only if no later
  count is there (`observed_ns`); the same transaction ADDs the change (new - old) to the site item.
  Readings are only added or overwritten, so the count taken last sees every file stored before it,
  and the sum of the applied changes is the sum of the months: nothing is lost or added twice, a
  re-sent file changes nothing, and a retried task finds its own count already there (change 0).
- first/last reading times only move outwards: a conditional SET (`first > :new`) is a safe minimum.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from energy_aws import locations, objects
from energy_aws.history import range_counts
from energy_aws.settings import require_env
from energy_aws.step import pipeline_step
from energy_aws.transient import TransientError

BUCKET = require_env("BUCKET_NAME")
READINGS_TABLE = require_env("READINGS_TABLE")
CATALOG_TABLE = require_env("CATALOG_TABLE")
# Sites are refreshed in parallel (a 50,000-site file would take 3-4 calls x 50,000 one after another).
SITE_WORKERS = 16
dynamodb = boto3.client("dynamodb", config=Config(max_pool_connections=SITE_WORKERS + 4))
s3 = boto3.client("s3")
# Transactions on one site item from concurrent files conflict; each conflict is retried after a pause.
MAX_CONFLICTS = 12


def months(first: str, last: str) -> Iterator[str]:
    """Every "yyyy-mm" from first's month to last's, inclusive."""
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    while (year, month) <= end:
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _number(item: dict[str, Any] | None, name: str) -> int:
    return int((item or {}).get(name, {}).get("N", 0))


def site_key(site_id: str) -> dict[str, Any]:
    return {"pk": {"S": "SITE"}, "sk": {"S": site_id}}


def month_key(site_id: str, month: str) -> dict[str, Any]:
    return {"pk": {"S": f"SITE#{site_id}"}, "sk": {"S": f"MONTH#{month}"}}


@dataclass(frozen=True)
class MonthCount:
    """What one site-month holds, counted at `observed_ns` (nanoseconds since the epoch)."""

    site_id: str
    month: str
    readings: int
    anomalies: int
    observed_ns: int


def recount_month(site_id: str, month: str, now: str) -> None:
    """Counts the month as stored now and applies the change since the last count to the site item."""
    observed = time.time_ns()  # taken before the Query: every write finished earlier is counted
    counts = range_counts(dynamodb, READINGS_TABLE, site_id, (f"{month}-01", f"{month}-99"), consistent=True)
    count = MonthCount(site_id, month, counts["readings_before"], counts["anomalies_before"], observed)
    key = month_key(site_id, month)
    for attempt in range(MAX_CONFLICTS):
        old = dynamodb.get_item(TableName=CATALOG_TABLE, Key=key, ConsistentRead=True).get("Item")
        if old is not None and _number(old, "observed_ns") >= observed:
            return  # a count taken after ours is in place; it includes everything ours saw
        try:
            dynamodb.transact_write_items(TransactItems=month_change(count, old, now))
            return
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            time.sleep(random.uniform(0, 0.05 * 2**attempt))
    raise TransientError(f"catalog month {site_id} {month} kept conflicting with other files; retried")


def month_change(count: MonthCount, old: dict[str, Any] | None, now: str) -> list[dict[str, Any]]:
    """The month's new count (written only over the count it replaces) and the change it adds to the site."""
    guard = ("attribute_not_exists(observed_ns)", {}) if old is None else (
        "observed_ns = :old", {":old": {"N": str(_number(old, "observed_ns"))}})
    items: list[dict[str, Any]] = [{"Update": {
        "TableName": CATALOG_TABLE, "Key": month_key(count.site_id, count.month),
        "UpdateExpression": "SET reading_count = :r, anomaly_count = :a, observed_ns = :o, updated_at = :now",
        "ConditionExpression": guard[0],
        "ExpressionAttributeValues": {":r": {"N": str(count.readings)}, ":a": {"N": str(count.anomalies)},
                                      ":o": {"N": str(count.observed_ns)}, ":now": {"S": now}, **guard[1]},
    }}]
    readings = count.readings - _number(old, "reading_count")
    anomalies = count.anomalies - _number(old, "anomaly_count")
    if readings or anomalies:
        items.append({"Update": {
            "TableName": CATALOG_TABLE, "Key": site_key(count.site_id),
            "UpdateExpression": ("SET site_id = :site, updated_at = :now "
                                 "ADD reading_count :r, anomaly_count :a"),
            "ExpressionAttributeValues": {":site": {"S": count.site_id}, ":now": {"S": now},
                                          ":r": {"N": str(readings)}, ":a": {"N": str(anomalies)}},
        }})
    return items


def widen_range(site_id: str, first: str, last: str) -> None:
    """Moves the site's first/last reading time outwards only: the condition makes each SET a min/max."""
    for name, value, outside in (("first_timestamp", first, ">"), ("last_timestamp", last, "<")):
        try:
            dynamodb.update_item(
                TableName=CATALOG_TABLE, Key=site_key(site_id),
                UpdateExpression="SET #t = :t, site_id = :site",
                ConditionExpression=f"attribute_not_exists(#t) OR #t {outside} :t",
                ExpressionAttributeNames={"#t": name},
                ExpressionAttributeValues={":t": {"S": value}, ":site": {"S": site_id}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise  # a failed condition means the catalog already reaches further: nothing to do


def refresh_site(site: dict[str, Any], now: str) -> None:
    widen_range(site["site_id"], site["first"], site["last"])
    for month in months(site["first"], site["last"]):
        recount_month(site["site_id"], month, now)


@pipeline_step("Catalog")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    execution = event["execution"]
    sites = objects.read_json(s3, BUCKET, locations.staging_object(execution, "sites.json"))
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with ThreadPoolExecutor(max_workers=SITE_WORKERS) as pool:
        list(pool.map(lambda site: refresh_site(site, now), sites))  # list(): re-raises a site's error
    stored = sum(int(part["stored"]) for part in event["store"])
    return {"stored": stored, "sites": len(sites)}
