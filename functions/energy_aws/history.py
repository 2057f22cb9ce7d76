"""What is already stored for a site: recent history for the detectors, counts inside a file's range."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from energy_aws.dynamo import count_all, query_all

_FIELDS = "site_id, #ts, energy_generated_kwh, energy_consumed_kwh, cumulative_kwh"


def _days_before(timestamp: str, days: int) -> str:
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00")) - timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {key: next(iter(value.values())) for key, value in item.items()}


def load_history(client: Any, table: str, site_id: str, before: str, days: int) -> list[dict[str, Any]]:
    """The site's stored readings in the `days` before `before` (exclusive), oldest first."""
    rows = query_all(
        client, TableName=table, ProjectionExpression=_FIELDS,
        KeyConditionExpression="site_id = :site AND #ts BETWEEN :start AND :end",
        ExpressionAttributeNames={"#ts": "timestamp"},
        ExpressionAttributeValues={":site": {"S": site_id}, ":start": {"S": _days_before(before, days)},
                                   ":end": {"S": before}},
    )
    return [_plain(row) for row in rows if row["timestamp"]["S"] < before]


def range_counts(
    client: Any, readings_table: str, anomalies_table: str, site_id: str, span: tuple[str, str]
) -> dict[str, int]:
    """Readings and anomalies stored in span = (first, last), inclusive: the catalog adds what is new."""
    first, last = span
    values = {":site": {"S": site_id}, ":start": {"S": first}, ":end": {"S": last}}
    readings = count_all(
        client,
        TableName=readings_table,
        KeyConditionExpression="site_id = :site AND #ts BETWEEN :start AND :end",
        ExpressionAttributeNames={"#ts": "timestamp"},
        ExpressionAttributeValues=values,
    )
    anomalies = count_all(
        client, TableName=anomalies_table,
        KeyConditionExpression="site_id = :site AND anomaly_id BETWEEN :start AND :end",
        ExpressionAttributeValues={**values, ":end": {"S": last + "~"}},
    )
    return {"readings_before": readings, "anomalies_before": anomalies}
