"""Re-deliveries and re-uploads: the same content at the same key has the effect of once."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from energy_pipeline.local.events import object_created_event
from energy_pipeline.runner import report, wait
from tests.workflow.helpers import received_alerts, run, stored_readings, subscribe_queue, write

pytestmark = pytest.mark.workflow

NEGATIVE = [{"site_id": "site-i", "timestamp": f"2025-03-01T00:{m:02d}:00Z",
             "energy_generated_kwh": -1.0 if m == 15 else 0.0, "energy_consumed_kwh": 1.5} for m in (0, 15, 30, 45)]


def ledger_item(local, key: str) -> dict:
    table = local.engine.stack.outputs["CatalogTableName"]
    item = local.engine.clients.dynamodb.get_item(TableName=table, Key={"pk": {"S": "INGESTION"}, "sk": {"S": key}})
    return {name: next(iter(value.values())) for name, value in item["Item"].items()}


def test_uploading_the_same_file_twice_stores_and_alerts_once(local, tmp_path: Path) -> None:
    queue = subscribe_queue(local)
    path = write(tmp_path, "twice.json", NEGATIVE)

    [first] = run(local, path)
    [second] = run(local, path)

    assert first["status"] == "SUCCEEDED" and first["stored"] == 4 and first["alert_published"] is True
    assert second["status"] == "SUCCEEDED"
    assert second["already_processed"] is True
    assert (second["stored"], second["alert_published"]) == (0, False)
    assert [state["name"] for state in second["states"]][-1] == "Already processed"
    assert len(received_alerts(local, queue)) == 1
    assert len(stored_readings(local, "site-i")) == 4
    ledger = ledger_item(local, "incoming/twice.json")
    assert ledger["status"] == "SUCCEEDED" and ledger["execution"] == first["execution"]
    assert ledger["stored"] == "4"


def test_a_duplicate_delivery_of_the_same_event_is_processed_once(local, tmp_path: Path) -> None:
    queue = subscribe_queue(local)
    [first] = run(local, write(tmp_path, "redelivered.json", NEGATIVE))
    event = json.loads(local.engine.clients.stepfunctions.describe_execution(executionArn=first["execution"])["input"])
    event["id"] = "11111111-2222-3333-4444-555555555555"  # EventBridge retries carry a new id

    [arn] = local.engine.router.dispatch(event)
    wait(local.target, arn, 60)

    again = report(local.target, "redelivered.json", "incoming/redelivered.json", arn)
    assert again["already_processed"] is True and again["stored"] == 0
    assert len(received_alerts(local, queue)) == 1


def test_changed_content_at_the_same_key_is_processed_again_and_upserted(local, tmp_path: Path) -> None:
    [first] = run(local, write(tmp_path, "changing.json", NEGATIVE))
    changed = [dict(row, energy_consumed_kwh=2.5) for row in NEGATIVE]
    [second] = run(local, write(tmp_path, "changing.json", changed))

    assert first["stored"] == 4 and second["stored"] == 4 and second["already_processed"] is False
    items = stored_readings(local, "site-i")
    assert len(items) == 4
    assert {item["energy_consumed_kwh"]["N"] for item in items} == {"2.5"}
    catalog = local.engine.clients.dynamodb.get_item(
        TableName=local.engine.stack.outputs["CatalogTableName"], Key={"pk": {"S": "SITE"}, "sk": {"S": "site-i"}})
    assert catalog["Item"]["reading_count"]["N"] == "4"  # an overwrite is not a new reading


def test_concurrent_duplicate_deliveries_end_with_one_owner_and_a_succeeded_ledger(local, tmp_path: Path) -> None:
    queue = subscribe_queue(local)
    path = write(tmp_path, "racing.json", NEGATIVE)
    head = local.engine.clients.s3.put_object(Bucket=local.target.bucket, Key="incoming/racing.json",
                                              Body=path.read_bytes())
    etag = head["ETag"].strip('"')
    deadline = time.monotonic() + 10
    while not local.engine.router.started and time.monotonic() < deadline:
        time.sleep(0.05)
    duplicates = []
    for _ in range(3):
        event = object_created_event(local.target.bucket, "incoming/racing.json", path.stat().st_size, etag,
                                     version_id=None, account="123456789012", region="us-east-1")
        duplicates.extend(local.engine.router.dispatch(event))
    arns = [arn for _, arn in local.engine.router.started]
    for arn in arns:
        wait(local.target, arn, 60)
    rows = [report(local.target, "racing.json", "incoming/racing.json", arn) for arn in arns]

    assert all(row["status"] == "SUCCEEDED" for row in rows)
    owners = [row for row in rows if not row["already_processed"]]
    assert len(owners) == 1 and owners[0]["stored"] == 4
    assert len(received_alerts(local, queue)) == 1
    ledger = ledger_item(local, "incoming/racing.json")
    assert ledger["status"] == "SUCCEEDED" and ledger["execution"] == owners[0]["execution"]


def test_a_failed_file_is_recorded_in_the_ledger_with_its_reason(local, tmp_path: Path) -> None:
    [row] = run(local, write(tmp_path, "broken.json", "[{"))
    ledger = ledger_item(local, "incoming/broken.json")
    assert row["status"] == "FAILED"
    assert ledger["status"] == "FAILED" and ledger["error"] == "InvalidFile"
    assert "broken.json" in ledger["reason"] and ledger["quarantine_location"].endswith("quarantine/incoming/broken.json")
