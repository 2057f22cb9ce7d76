"""The naive per-record design the original project had: S3 -> one function -> DynamoDB.

One function reads the whole object, checks and normalises each record with the same pure code as the
pipeline (so only the I/O pattern differs), writes one PutItem per reading and publishes one SNS message
per anomalous reading. It runs on the same emulator and stack as the pipeline.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from bench.compute import CONFIG_FILE
from detect.annotate import group_by_site, to_points
from energy_aws.items import reading_attribute_values
from energy_core.detect import Anomaly, detect_site, load_config
from energy_core.readings import to_items
from energy_core.validation import ingest


def process(clients: Any, bucket: str, key: str, table: str, topic_arn: str) -> dict[str, int]:
    """What the original handler did for one uploaded object; returns what it wrote and sent."""
    body = clients.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    result = ingest(key, body)
    ingested_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    items = to_items(result.valid, {"source_key": key, "source_etag": "", "ingested_at": ingested_at})
    for item in items:
        clients.dynamodb.put_item(TableName=table, Item=reading_attribute_values(item))
    config = load_config(json.loads(CONFIG_FILE.read_text()))
    anomalies: list[Anomaly] = []
    for rows in group_by_site(items).values():
        anomalies += detect_site(to_points(rows), [], config, time.time())
    for anomaly in anomalies:
        clients.sns.publish(
            TopicArn=topic_arn,
            Subject=f"Anomaly: {anomaly.type} at {anomaly.site_id}",
            Message=anomaly.reason,
        )
    return {"stored": len(items), "anomalies": len(anomalies), "publishes": len(anomalies)}
