"""Helpers for workflow tests: write files, run them as uploads, read what the stack holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from energy_aws.dynamo import query_all
from energy_pipeline.runner import run_files


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(json.dumps(content), encoding="utf-8")
    return path


def run(local: Any, *paths: Path) -> list[dict[str, Any]]:
    return run_files(local.target, list(paths), timeout_s=120)


def subscribe_queue(local: Any) -> str:
    """An SQS queue subscribed to the alert topic: how a test counts the alerts subscribers get."""
    clients = local.engine.clients
    queue_url = clients.sqs.create_queue(QueueName="alerts-under-test")["QueueUrl"]
    queue_arn = clients.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    clients.sns.subscribe(TopicArn=local.engine.stack.topic_arn, Protocol="sqs", Endpoint=queue_arn,
                          Attributes={"RawMessageDelivery": "false"})
    return str(queue_url)


def received_alerts(local: Any, queue_url: str) -> list[dict[str, Any]]:
    messages = []
    while True:
        batch = local.engine.clients.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        if not batch.get("Messages"):
            return messages
        for message in batch["Messages"]:
            messages.append(json.loads(message["Body"]))
            local.engine.clients.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def stored_readings(local: Any, site_id: str) -> list[dict[str, Any]]:
    table = local.engine.stack.outputs["ReadingsTableName"]
    return list(query_all(local.engine.clients.dynamodb, TableName=table, KeyConditionExpression="site_id = :s",
                          ExpressionAttributeValues={":s": {"S": site_id}}))


def object_text(local: Any, uri: str) -> str:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    return str(local.engine.clients.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode())


def catalog_entry(local: Any, site: str) -> dict[str, str]:
    item = local.engine.clients.dynamodb.get_item(
        TableName=local.engine.stack.outputs["CatalogTableName"], Key={"pk": {"S": "SITE"}, "sk": {"S": site}},
        ConsistentRead=True)["Item"]
    return {name: next(iter(value.values())) for name, value in item.items()}


def assert_catalog_matches_table(local: Any, site: str) -> dict[str, str]:
    """The catalog's counts and first/last reading are those of the readings table itself."""
    items = stored_readings(local, site)
    entry = catalog_entry(local, site)
    timestamps = sorted(item["timestamp"]["S"] for item in items)
    anomalies = sum(len(item.get("anomalies", {}).get("L", [])) for item in items)
    assert (int(entry["reading_count"]), int(entry["anomaly_count"])) == (len(items), anomalies), entry
    assert (entry["first_timestamp"], entry["last_timestamp"]) == (timestamps[0], timestamps[-1]), entry
    return entry


def create_readings_table(client: Any, name: str) -> None:
    """A table keyed as the stack's readings table (site_id, timestamp), on any DynamoDB client."""
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "site_id", "AttributeType": "S"},
                              {"AttributeName": "timestamp", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "site_id", "KeyType": "HASH"},
                   {"AttributeName": "timestamp", "KeyType": "RANGE"}],
    )  # fmt: skip


def moto_server_on_a_free_port() -> tuple[Any, str]:
    """moto's threaded server, started on a port the system picked, and its endpoint URL."""
    import socket

    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"
