"""The real template.yaml and ASL on the embedded engine, files uploaded as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.workflow.helpers import object_text, received_alerts, run, stored_readings, subscribe_queue, write

pytestmark = pytest.mark.workflow

ORIGINAL_SAMPLE = [{"site_id": "test-site-123", "timestamp": "2025-02-19T23:45:00",
                    "energy_generated_kwh": -50.0, "energy_consumed_kwh": 100.0}]


def readings(site: str, count: int, start_hour: int = 0) -> list[dict[str, object]]:
    return [{"site_id": site, "timestamp": f"2025-03-0{1 + (start_hour * 4 + i) // 96}T{((start_hour * 4 + i) % 96) // 4:02d}:{(i % 4) * 15:02d}:00Z",
             "energy_generated_kwh": 0.0, "energy_consumed_kwh": round(1.0 + (i % 7) * 0.1, 1)} for i in range(count)]


def test_a_clean_file_is_stored_completely_and_raises_no_alert(local, tmp_path: Path) -> None:
    queue = subscribe_queue(local)
    path = write(tmp_path, "clean.json", readings("site-a", 8))

    [row] = run(local, path)

    assert row["status"] == "SUCCEEDED", row
    assert (row["received"], row["stored"], row["rejected"], row["duplicates"]) == (8, 8, 0, 0)
    assert row["anomalies"] == 0 and row["alert_published"] is False
    assert len(stored_readings(local, "site-a")) == 8
    assert received_alerts(local, queue) == []
    names = [state["name"] for state in row["states"]]
    assert names[:8] == ["Read upload event", "Folder marker?", "Claim file", "Pick a file slot", "Take the file slot",
                         "Validate and stage readings", "File refused?", "Detect anomalies"]
    assert "Release the file slot" in names


def test_the_original_projects_sample_record_is_one_anomaly_and_one_alert(local, tmp_path: Path) -> None:
    queue = subscribe_queue(local)
    [row] = run(local, write(tmp_path, "original.json", ORIGINAL_SAMPLE))

    assert row["status"] == "SUCCEEDED", row
    assert (row["received"], row["stored"]) == (1, 1)
    assert row["anomalies"] == 1 and row["anomalies_by_type"] == {"negative_value": 1}
    assert row["alert_published"] is True
    [alert] = received_alerts(local, queue)
    assert "original.json" in alert["Message"] and "test-site-123" in alert["Message"]
    [item] = stored_readings(local, "test-site-123")
    assert item["timestamp"]["S"] == "2025-02-19T23:45:00.000000Z"
    assert "net_energy_kwh" not in item  # derived: the API computes generated - consumed when read
    assert (item["energy_generated_kwh"]["N"], item["energy_consumed_kwh"]["N"]) == ("-50.0", "100.0")
    [anomaly] = item["anomalies"]["L"]
    assert anomaly["M"]["type"]["S"] == "negative_value"
    assert anomaly["M"]["timestamp"]["S"] == item["timestamp"]["S"] and anomaly["M"]["value"]["N"] == "-50.0"
    assert item["anomaly_site"]["S"] == "test-site-123"


def test_many_anomalies_in_one_file_send_exactly_one_alert(local, tmp_path: Path) -> None:
    queue = subscribe_queue(local)
    rows = readings("site-neg", 12)
    for row in rows[::2]:
        row["energy_generated_kwh"] = -1.5
    [result] = run(local, write(tmp_path, "negatives.json", rows))

    assert result["anomalies_by_type"].get("negative_value") == 6
    alerts = received_alerts(local, queue)
    assert len(alerts) == 1
    assert alerts[0]["MessageAttributes"]["severity"]["Value"]


def test_a_partly_bad_file_stores_the_good_records_and_explains_each_reject(local, tmp_path: Path) -> None:
    rows = readings("site-b", 6)
    rows[1]["energy_generated_kwh"] = "12.5"
    rows[2]["timestamp"] = "2025-02-30T10:00:00"
    rows.append(dict(rows[0]))  # identical duplicate
    conflicting = dict(rows[3])
    conflicting["energy_consumed_kwh"] = 99.0
    rows.append(conflicting)

    [row] = run(local, write(tmp_path, "partly bad (copy).json", rows))

    assert row["status"] == "SUCCEEDED", row
    assert (row["received"], row["stored"], row["rejected"], row["duplicates"]) == (8, 4, 3, 1)
    assert row["received"] == row["stored"] + row["rejected"] + row["duplicates"]
    rejects = [json.loads(line) for line in object_text(local, row["rejects_location"]).splitlines()]
    assert {reject["code"] for reject in rejects} >= {"conflicting_duplicate"}
    assert all(reject["reason"] for reject in rejects)
    assert row["rejects_location"].endswith("rejected/incoming/partly bad (copy).json.jsonl")
    assert len(stored_readings(local, "site-b")) == 4


def test_an_unparseable_file_is_quarantined_fails_as_invalid_file_and_alerts(local, tmp_path: Path) -> None:
    queue = subscribe_queue(local)
    [row] = run(local, write(tmp_path, "broken.json", '[{"site_id": "x", "timestamp": '))

    assert row["status"] == "FAILED"
    assert row["error"] == "InvalidFile"
    assert "broken.json" in row["reason"] and len(row["reason"]) > 20
    quarantined = local.engine.clients.s3.list_objects_v2(Bucket=local.target.bucket, Prefix="quarantine/")
    keys = {item["Key"] for item in quarantined.get("Contents", [])}
    assert {"quarantine/incoming/broken.json", "quarantine/incoming/broken.json.reason.json"} <= keys
    [alert] = received_alerts(local, queue)
    assert "broken.json" in alert["Message"]


def test_a_file_without_any_valid_record_fails_with_its_counts(local, tmp_path: Path) -> None:
    rows = [{"site_id": "bad id!", "timestamp": "2025-03-01T00:00:00Z",
             "energy_generated_kwh": 1.0, "energy_consumed_kwh": 1.0}] * 1 + [
            {"site_id": "s", "timestamp": "yesterday", "energy_generated_kwh": 1.0, "energy_consumed_kwh": 1.0}]
    [row] = run(local, write(tmp_path, "all-bad.json", rows))

    assert row["status"] == "FAILED" and row["error"] == "InvalidFile"
    assert (row["received"], row["rejected"], row["stored"]) == (2, 2, 0)


def test_an_empty_file_takes_the_failure_path(local, tmp_path: Path) -> None:
    [row] = run(local, write(tmp_path, "empty.json", ""))
    assert row["status"] == "FAILED" and row["error"] == "InvalidFile"


def test_a_folder_made_in_the_s3_console_is_not_a_failed_file(local, tmp_path: Path) -> None:
    """'Create folder' writes an empty object whose key ends in /: nothing to process, nothing to alert."""
    import time

    from energy_pipeline.runner import find_execution, report, wait

    queue = subscribe_queue(local)
    target, started = local.target, time.time()
    key = f"{target.input_prefix}meters-2025/"
    etag = target.clients.s3.put_object(Bucket=target.bucket, Key=key, Body=b"")["ETag"].strip('"')
    arn = find_execution(target, key, etag, started)
    assert arn is not None
    wait(target, arn, 60)
    row = report(target, key, key, arn)

    assert row["status"] == "SUCCEEDED", row
    assert [state["name"] for state in row["states"]] == ["Read upload event", "Folder marker?", "Skip folder marker"]
    assert received_alerts(local, queue) == []
    quarantined = target.clients.s3.list_objects_v2(Bucket=target.bucket, Prefix="quarantine/")
    assert quarantined.get("KeyCount", 0) == 0


@pytest.mark.parametrize("name", ["solar-farm-01.json", "office-hq.csv", "home-0042.jsonl.gz"])
def test_every_bundled_format_runs_end_to_end(local, samples: Path, name: str) -> None:
    [row] = run(local, samples / name)
    assert row["status"] == "SUCCEEDED", row
    assert row["received"] == row["stored"] + row["rejected"] + row["duplicates"] == 288


def test_the_site_catalog_counts_each_reading_once_across_overlapping_files(local, tmp_path: Path) -> None:
    first = readings("site-cat", 8)
    overlapping = readings("site-cat", 8, start_hour=1)  # 4 readings shared with the first file, 4 new
    run(local, write(tmp_path, "first.json", first))
    run(local, write(tmp_path, "overlap.json", overlapping))

    table = local.engine.stack.outputs["CatalogTableName"]
    item = local.engine.clients.dynamodb.get_item(TableName=table, Key={"pk": {"S": "SITE"}, "sk": {"S": "site-cat"}})["Item"]
    stored = stored_readings(local, "site-cat")
    assert int(item["reading_count"]["N"]) == len(stored) == 12
    assert item["first_timestamp"]["S"] == min(row["timestamp"]["S"] for row in stored)
    assert item["last_timestamp"]["S"] == max(row["timestamp"]["S"] for row in stored)


def test_a_run_of_anomalous_readings_is_one_event_counted_with_its_readings(local, tmp_path: Path) -> None:
    queue = subscribe_queue(local)
    rows = readings("site-run", 24)
    for row in rows[4:12]:  # two hours of sign errors in a row: one event, eight readings
        row["energy_consumed_kwh"] = -1.5

    [result] = run(local, write(tmp_path, "a-run.json", rows))

    assert result["status"] == "SUCCEEDED", result
    assert (result["anomalies"], result["anomalies_by_type"], result["anomalous_readings"]) == (
        1, {"negative_value": 1}, 8)
    [alert] = received_alerts(local, queue)
    assert alert["Subject"].startswith("[HIGH] 1 anomaly (8 readings) in ")
    assert "2025-03-01 01:00 UTC to 2025-03-01 02:45 UTC (8 readings)" in alert["Message"]
    stored = {item["timestamp"]["S"]: item for item in stored_readings(local, "site-run")}
    [event] = stored["2025-03-01T01:00:00.000000Z"]["anomalies"]["L"]
    assert (event["M"]["end"]["S"], event["M"]["readings"]["N"]) == ("2025-03-01T02:45:00.000000Z", "8")
