"""Faults injected where AWS produces them: each is retried with backoff and the file completes, or a
permanent one takes the failure path and the file can be reprocessed. After every test the counts add
up and the readings table holds exactly the stored readings - nothing lost, nothing written twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from energy_pipeline.errors import ReprocessRefused
from energy_pipeline.reprocess import ledger_item, reprocess
from tests.workflow.faults import (
    DynamoThrottle,
    LambdaFault,
    ServiceFault,
    dynamo_throttle,
    lambda_fault,
    s3_read_fault,
    sns_publish_fault,
)
from tests.workflow.helpers import object_text, received_alerts, run, stored_readings, subscribe_queue, write

pytestmark = pytest.mark.workflow

SITES = ("fault-a", "fault-b")


def reading(site: str, index: int, generated: float = 0.5) -> dict[str, Any]:
    return {"site_id": site, "timestamp": f"2025-04-01T{index // 4:02d}:{index % 4 * 15:02d}:00Z",
            "energy_generated_kwh": generated, "energy_consumed_kwh": round(1.0 + index % 5 * 0.1, 1)}


def mixed_file(per_site: int = 30, negative: bool = False) -> list[Any]:
    """Two sites, one exact duplicate and one reject, so every term of the accounting is non-zero."""
    rows: list[Any] = [reading(site, i) for site in SITES for i in range(per_site)]
    if negative:
        rows[3] = reading(SITES[0], 3, generated=-2.0)
    rows.append(dict(rows[0]))
    rows.append({**reading(SITES[1], 99), "energy_generated_kwh": "12.5"})
    return rows


def stored_keys(local: Any) -> set[tuple[str, str]]:
    return {(item["site_id"]["S"], item["timestamp"]["S"]) for site in SITES for item in stored_readings(local, site)}


def assert_complete(local: Any, row: dict[str, Any], per_site: int = 30) -> None:
    """Succeeded, the counts add up, and the table holds exactly the stored readings, no more."""
    assert row["status"] == "SUCCEEDED", row
    assert (row["received"], row["stored"], row["rejected"], row["duplicates"]) == (2 * per_site + 2, 2 * per_site, 1, 1)
    assert row["received"] == row["stored"] + row["rejected"] + row["duplicates"]
    expected = {(r["site_id"], r["timestamp"].replace(":00Z", ":00.000000Z")) for r in mixed_file(per_site)[: 2 * per_site]}
    assert stored_keys(local) == expected and len(expected) == row["stored"]


def state(row: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in row["states"] if s["name"] == name)


def test_given_throttled_batch_writes_when_a_file_is_stored_then_unprocessed_items_are_retried_and_none_lost(
        local, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import energy_aws.dynamo

    sleeps: list[float] = []
    monkeypatch.setattr(energy_aws.dynamo, "pause", sleeps.append)  # the backoff is asserted, not waited
    table = local.engine.stack.outputs["ReadingsTableName"]

    with dynamo_throttle(DynamoThrottle(table, unprocessed_calls=3, throttle_call=2)) as fault:
        [row] = run(local, write(tmp_path, "throttled.json", mixed_file()))

    assert fault.throttled == 1 and fault.unprocessed_items > 0
    assert fault.calls > 3  # 60 readings are 3 requests; every handed-back item cost another
    assert len(sleeps) >= 3 and all(0 <= delay <= 5 for delay in sleeps)
    assert_complete(local, row)


def test_given_a_lambda_service_error_when_detect_runs_then_the_state_machine_retries_it(
        local, tmp_path: Path) -> None:
    with lambda_fault(LambdaFault("DetectFunction", "Lambda.ServiceException")) as fault:
        [row] = run(local, write(tmp_path, "transient.json", mixed_file()))

    assert (fault.calls, fault.raised) == (2, 1)
    assert state(row, "Detect anomalies").get("retries") == 1
    assert_complete(local, row)


def test_given_an_sns_failure_when_the_alert_is_published_then_it_is_retried_and_arrives_once(
        local, tmp_path: Path) -> None:
    queue = subscribe_queue(local)
    with sns_publish_fault(ServiceFault(times=1)) as fault:
        [row] = run(local, write(tmp_path, "alerting.json", mixed_file(negative=True)))

    assert (fault.calls, fault.raised) == (2, 1)
    assert state(row, "Publish alert").get("retries") == 1
    assert row["alert_published"] is True and row["anomalies"] >= 1
    assert len(received_alerts(local, queue)) == 1
    assert_complete(local, row)


def test_given_s3_slowdown_when_validate_reads_the_upload_then_the_sdk_retries_and_the_file_completes(
        local, tmp_path: Path) -> None:
    """S3's SlowDown is retried by botocore inside the handler: Step Functions never sees it."""
    with s3_read_fault(ServiceFault(times=1), "incoming/slow-read.json") as fault:
        [row] = run(local, write(tmp_path, "slow-read.json", mixed_file()))

    assert fault.raised == 1 and fault.calls >= 2
    assert_complete(local, row)


def test_given_a_permanent_store_fault_then_the_file_is_quarantined_and_reprocess_completes_it(
        local, tmp_path: Path) -> None:
    """RuntimeError is in no Retry list, so it goes straight to Catch: a permanent fault raised as a
    Lambda service error would burn the whole Retry budget (up to 2+4+8+16+32 s) before the same end."""
    queue = subscribe_queue(local)
    key = "incoming/doomed.json"
    with lambda_fault(LambdaFault("StoreFunction", "RuntimeError", times=None, message="table unavailable")):
        [failed] = run(local, write(tmp_path, "doomed.json", mixed_file()))

    assert failed["status"] == "FAILED" and failed["error"] == "ProcessingFailed"
    ledger = ledger_item(local.target, local.engine.stack.outputs["CatalogTableName"], key)
    assert ledger is not None and ledger["status"] == "FAILED"
    assert "table unavailable" in ledger["reason"] and ledger["quarantine_location"].endswith(f"quarantine/{key}")
    assert "table unavailable" in object_text(local, ledger["quarantine_location"] + ".reason.json")
    [alert] = received_alerts(local, queue)
    assert "doomed.json" in alert["Message"]
    # A failed file names no site: no empty String.Array is sent (SNS has no use for one).
    assert set(alert["MessageAttributes"]) == {"severity", "anomaly_types"}

    row = reprocess(local.target, local.engine.stack.outputs["CatalogTableName"], key, wait_s=120)

    assert_complete(local, row)
    assert ledger_item(local.target, local.engine.stack.outputs["CatalogTableName"], key)["status"] == "SUCCEEDED"


def ledger_table(local: Any) -> str:
    return str(local.engine.stack.outputs["CatalogTableName"])


def test_given_a_succeeded_file_when_reprocessed_without_force_then_it_is_refused(local, tmp_path: Path) -> None:
    [first] = run(local, write(tmp_path, "done.json", mixed_file(per_site=4)))

    with pytest.raises(ReprocessRefused, match=r"already processed successfully.*--force"):
        reprocess(local.target, ledger_table(local), "incoming/done.json", wait_s=60)

    assert first["status"] == "SUCCEEDED"
    assert len(local.engine.router.started) == 1  # no Object Created was raised


def test_given_a_succeeded_file_when_reprocessed_with_force_then_it_runs_again_and_upserts(
        local, tmp_path: Path) -> None:
    [first] = run(local, write(tmp_path, "again.json", mixed_file()))

    row = reprocess(local.target, ledger_table(local), "incoming/again.json", force=True, wait_s=120)

    assert row["already_processed"] is False and row["execution"] != first["execution"]
    assert_complete(local, row)  # the same 60 keys: upserted, not duplicated
    ledger = ledger_item(local.target, ledger_table(local), "incoming/again.json")
    assert ledger is not None and (ledger["status"], ledger["execution"]) == ("SUCCEEDED", row["execution"])


def test_given_a_quarantined_file_whose_upload_was_deleted_when_reprocessed_then_it_is_restored(
        local, tmp_path: Path) -> None:
    key = "incoming/gone.json"
    with lambda_fault(LambdaFault("DetectFunction", "RuntimeError", times=None)):
        [failed] = run(local, write(tmp_path, "gone.json", mixed_file()))
    local.engine.clients.s3.delete_object(Bucket=local.target.bucket, Key=key)

    row = reprocess(local.target, ledger_table(local), key, wait_s=120)

    assert failed["status"] == "FAILED" and row["restored_from"] == f"quarantine/{key}"
    assert_complete(local, row)
    assert len(local.engine.router.started) == 2  # the restoring copy is the one trigger: no racing twin


def test_given_a_key_that_never_existed_when_reprocessed_then_it_is_refused_with_the_fix(local) -> None:
    with pytest.raises(ReprocessRefused, match="upload the file again"):
        reprocess(local.target, ledger_table(local), "incoming/never.json")


def test_given_an_alert_sns_refuses_then_the_file_stays_succeeded_and_the_failure_is_recorded(
        local, tmp_path: Path) -> None:
    """The readings are stored before the alert: a digest that cannot be published is recorded in the
    ledger and counted in a metric (with an alarm), and is not retried - it cannot pass. Nothing is
    quarantined."""
    queue = subscribe_queue(local)
    key = "incoming/unannounced.json"
    with sns_publish_fault(ServiceFault(times=10), permanent=True) as fault:
        [row] = run(local, write(tmp_path, "unannounced.json", mixed_file(negative=True)))

    assert fault.raised == 1 and fault.calls == 1  # an error that cannot pass is not retried
    assert row["status"] == "SUCCEEDED" and row["alert_published"] is False and row["anomalies"] >= 1, row
    assert_complete(local, row)
    ledger = ledger_item(local.target, local.engine.stack.outputs["CatalogTableName"], key)
    assert ledger is not None and ledger["status"] == "SUCCEEDED"
    assert ledger["alert_error"].startswith("SNS.") and "Message attributes" in ledger["alert_cause"]
    listed = local.engine.clients.s3.list_objects_v2(Bucket=local.target.bucket, Prefix="quarantine/")
    assert listed.get("KeyCount", 0) == 0
    assert received_alerts(local, queue) == []
    import boto3

    stats = boto3.client("cloudwatch", region_name="us-east-1").get_metric_statistics(
        Namespace="EnergyPipeline", MetricName="AlertsNotPublished",  # MetricsNamespace's default
        StartTime="2000-01-01", EndTime="2100-01-01", Period=60, Statistics=["Sum"])
    assert sum(point["Sum"] for point in stats["Datapoints"]) == 1
