"""What is already stored for a site: recent history for the detectors, counts inside a file's range."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from energy_aws.dynamo import query_all

_FIELDS = "site_id, #ts, energy_generated_kwh, energy_consumed_kwh, cumulative_kwh"


def _days_before(timestamp: str, days: int) -> str:
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00")) - timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {key: next(iter(value.values())) for key, value in item.items()}


def load_history(client: Any, table: str, site_id: str, before: str, days: int) -> list[dict[str, Any]]:
    """The site's stored readings in the `days` before `before` (exclusive), oldest first; when there
    are none, its last reading before them, if any: a meter silent for longer than the window is still
    one gap from that reading to the file, not a site that seems new."""
    start = _days_before(before, days)
    rows = query_all(
        client, TableName=table, ProjectionExpression=_FIELDS,
        KeyConditionExpression="site_id = :site AND #ts BETWEEN :start AND :end",
        ExpressionAttributeNames={"#ts": "timestamp"},
        ExpressionAttributeValues={":site": {"S": site_id}, ":start": {"S": start}, ":end": {"S": before}},
    )
    recent = [_plain(row) for row in rows if row["timestamp"]["S"] < before]
    if recent:
        return recent
    last = client.query(
        TableName=table, ProjectionExpression=_FIELDS, ScanIndexForward=False, Limit=1,
        KeyConditionExpression="site_id = :site AND #ts < :start",
        ExpressionAttributeNames={"#ts": "timestamp"},
        ExpressionAttributeValues={":site": {"S": site_id}, ":start": {"S": start}},
    )
    return [_plain(row) for row in last.get("Items", [])]


def range_counts(
    client: Any, readings_table: str, site_id: str, span: tuple[str, str], consistent: bool = False
) -> dict[str, int]:
    """Readings and anomalies stored in span = (first, last), inclusive: the catalog adds what is new.

    Anomalies live on their readings, so one Query over the range counts both: each reading, and the
    length of its `anomalies` list (the only attribute read). Counting readings reads the whole range
    anyway, so this costs no more than a count alone; and it reads the table itself, never the
    anomaly index, which lags behind writes (the catalog counts right after Store, `consistent`).
    """
    first, last = span
    rows = query_all(
        client, TableName=readings_table, ProjectionExpression="anomalies", ConsistentRead=consistent,
        KeyConditionExpression="site_id = :site AND #ts BETWEEN :start AND :end",
        ExpressionAttributeNames={"#ts": "timestamp"},
        ExpressionAttributeValues={":site": {"S": site_id}, ":start": {"S": first}, ":end": {"S": last}},
    )  # fmt: skip
    readings = anomalies = 0
    for row in rows:
        readings += 1
        if "anomalies" in row:
            anomalies += len(row["anomalies"]["L"])
    return {"readings_before": readings, "anomalies_before": anomalies}
