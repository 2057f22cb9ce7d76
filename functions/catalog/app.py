"""Update site catalog: first/last reading time and counts per touched site, and what was stored in total.

Exact under concurrency, re-sends and retries (docs/reliability.md, "The site catalog"):
- counts are kept per site and month (`pk=SITE#<site>`, `sk=MONTH#<yyyy-mm>`). After its own Store,
  a file recounts each month it touched with a consistent Query and writes the count only if no later
  count is there (`observed_ns`); the same transaction ADDs the change (new - old) to the site item.
  Readings are only added or overwritten, so the count taken last sees every file stored before it,
  and the sum of the applied changes is the sum of the months: nothing is lost or added twice, a
  re-sent file changes nothing, and a retried task finds its own count already there (change 0).
- first/last reading times only move outwards: a conditional SET (`first > :new`) is a safe minimum.

Many sites per file (50,000 and more) are handled in bulk: the site and month items are read 100 at a time
(BatchGetItem, consistent), a range the catalog already covers is not written again, a new site's first and
last are set in one write, and the month changes of up to 50 site-months are committed in one transaction
(each item at most once in it). A transaction cancelled by a concurrent file falls back to the one-by-one
loop above for its site-months, so the bulk path changes the number of calls, never the result.
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

from energy_aws import objects
from energy_aws.chunks import site_spans
from energy_aws.contracts import CatalogInput, CatalogResult
from energy_aws.errors import TransientError
from energy_aws.history import range_counts
from energy_aws.settings import require_env
from energy_aws.step import pipeline_step

BUCKET = require_env("BUCKET_NAME")
READINGS_TABLE = require_env("READINGS_TABLE")
CATALOG_TABLE = require_env("CATALOG_TABLE")
# Sites are refreshed in parallel (a 50,000-site file would take 3-4 calls x 50,000 one after another).
SITE_WORKERS = 16
dynamodb = boto3.client("dynamodb", config=Config(max_pool_connections=SITE_WORKERS + 4))
s3 = boto3.client("s3")
# Transactions on one site item from concurrent files conflict; each conflict is retried after a pause.
MAX_CONFLICTS = 12
BATCH_GET = 100  # BatchGetItem's limit
TRANSACTION_ITEMS = 100  # TransactWriteItems' limit (2 per site-month: the month and the site)


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


def read_items(keys: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The catalog items at `keys` (consistent reads, 100 per request), by (pk, sk); missing ones absent."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for offset in range(0, len(keys), BATCH_GET):
        batch = keys[offset:offset + BATCH_GET]
        pending: dict[str, Any] = {CATALOG_TABLE: {"Keys": batch, "ConsistentRead": True}}
        for attempt in range(MAX_CONFLICTS):
            response = dynamodb.batch_get_item(RequestItems=pending)
            for item in response.get("Responses", {}).get(CATALOG_TABLE, []):
                found[(item["pk"]["S"], item["sk"]["S"])] = item
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                break
            time.sleep(random.uniform(0, 0.05 * 2**attempt))
        else:
            raise TransientError("catalog reads kept coming back unprocessed (throttling); retried")
    return found


def _text(item: dict[str, Any] | None, name: str) -> str | None:
    value = (item or {}).get(name)
    return None if value is None else str(value["S"])


def widen_ranges(sites: list[dict[str, Any]], stored: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Each site's first/last moved outwards where the file reaches further than the catalog read just
    before; a range only ever widens, so one the read already covers needs no write."""
    def widen(site: dict[str, Any]) -> None:
        old = stored.get(("SITE", site["site_id"]))
        first, last = _text(old, "first_timestamp"), _text(old, "last_timestamp")
        if first is None and last is None and _set_new_range(site):
            return
        if first is None or last is None or first > site["first"] or last < site["last"]:
            widen_range(site["site_id"], site["first"], site["last"])

    with ThreadPoolExecutor(max_workers=SITE_WORKERS) as pool:
        list(pool.map(widen, sites))


def _set_new_range(site: dict[str, Any]) -> bool:
    """A site without a range gets both ends in one write; False if another file set one meanwhile."""
    try:
        dynamodb.update_item(
            TableName=CATALOG_TABLE, Key=site_key(site["site_id"]),
            UpdateExpression="SET first_timestamp = :first, last_timestamp = :last, site_id = :site",
            ConditionExpression=("attribute_not_exists(first_timestamp) "
                                 "AND attribute_not_exists(last_timestamp)"),
            ExpressionAttributeValues={":first": {"S": site["first"]}, ":last": {"S": site["last"]},
                                       ":site": {"S": site["site_id"]}},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return False
    return True


def count_months(sites: list[dict[str, Any]]) -> list[MonthCount]:
    """Every touched site-month counted as stored now (each count's time taken before its Query)."""
    def count(target: tuple[str, str]) -> MonthCount:
        site_id, month = target
        observed = time.time_ns()
        span = (f"{month}-01", f"{month}-99")
        counts = range_counts(dynamodb, READINGS_TABLE, site_id, span, consistent=True)
        return MonthCount(site_id, month, counts["readings_before"], counts["anomalies_before"], observed)

    targets = [(site["site_id"], month) for site in sites for month in months(site["first"], site["last"])]
    with ThreadPoolExecutor(max_workers=SITE_WORKERS) as pool:
        return list(pool.map(count, targets))


def apply_counts(counts: list[MonthCount], now: str) -> None:
    """The month changes, up to 50 site-months per transaction; a cancelled one is redone one by one."""
    stored = read_items([month_key(c.site_id, c.month) for c in counts])
    groups: list[list[tuple[MonthCount, list[dict[str, Any]]]]] = [[]]
    in_group: set[str] = set()
    for count in counts:
        old = stored.get((f"SITE#{count.site_id}", f"MONTH#{count.month}"))
        if old is not None and _number(old, "observed_ns") >= count.observed_ns:
            continue  # a later count is in place already
        change = month_change(count, old, now)
        size = sum(len(group_items) for _, group_items in groups[-1])
        if count.site_id in in_group or size + len(change) > TRANSACTION_ITEMS:
            groups.append([])
            in_group = set()
        groups[-1].append((count, change))
        in_group.add(count.site_id)

    def commit(group: list[tuple[MonthCount, list[dict[str, Any]]]]) -> None:
        try:
            dynamodb.transact_write_items(TransactItems=[item for _, change in group for item in change])
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            for count, _ in group:  # a concurrent file touched one of them: each on its own, as before
                _recount_applied(count, now)

    with ThreadPoolExecutor(max_workers=SITE_WORKERS) as pool:
        list(pool.map(commit, [group for group in groups if group]))


def _recount_applied(count: MonthCount, now: str) -> None:
    """One site-month's count applied over whatever count is in place (the loop of `recount_month`)."""
    key = month_key(count.site_id, count.month)
    for attempt in range(MAX_CONFLICTS):
        old = dynamodb.get_item(TableName=CATALOG_TABLE, Key=key, ConsistentRead=True).get("Item")
        if old is not None and _number(old, "observed_ns") >= count.observed_ns:
            return
        try:
            dynamodb.transact_write_items(TransactItems=month_change(count, old, now))
            return
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            time.sleep(random.uniform(0, 0.05 * 2**attempt))
    raise TransientError(
        f"catalog month {count.site_id} {count.month} kept conflicting with other files; retried")


def file_sites(keys: list[str]) -> list[dict[str, Any]]:
    """Each site of the file with its first and last reading, read from the chunks Store wrote (a site
    in several chunks once, its range over all of them), in the file's order."""
    sites: dict[str, dict[str, Any]] = {}
    for key in keys:
        for site_id, first, last in site_spans(objects.read_bytes(s3, BUCKET, key)):
            site = sites.setdefault(site_id, {"site_id": site_id, "first": first, "last": last})
            site["first"], site["last"] = min(site["first"], first), max(site["last"], last)
    return list(sites.values())


@pipeline_step("Catalog")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = CatalogInput.from_payload(event)
    sites = file_sites([chunk.items for chunk in step.chunks])
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    widen_ranges(sites, read_items([site_key(site["site_id"]) for site in sites]))
    apply_counts(count_months(sites), now)
    stored = sum(part.stored for part in step.store)
    return CatalogResult(stored=stored, sites=len(sites)).to_payload()
