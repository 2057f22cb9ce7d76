"""Anomalies stored on the readings they were observed at: no write of their own, replaced on re-upload,
listed by the API from the sparse index, net energy derived at read time (files run as uploads)."""

from __future__ import annotations

import contextlib
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from energy_aws.dynamo import query_all
from tests.workflow.helpers import run, stored_readings, write

pytestmark = pytest.mark.workflow


def quarter_hours(site: str, count: int, skip: range = range(0)) -> list[dict[str, Any]]:
    """15-minute readings from 2025-03-01T00:00Z, leaving out the indexes in `skip` (a silence)."""
    start = datetime(2025, 3, 1, tzinfo=UTC)
    return [{"site_id": site, "timestamp": (start + i * timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "energy_generated_kwh": 0.0, "energy_consumed_kwh": round(1.0 + (i % 5) * 0.1, 1)}
            for i in range(count) if i not in skip]


@contextlib.contextmanager
def counted_batch_writes() -> Iterator[Counter[str]]:
    """BatchWriteItem requests and the items in them, per table, as DynamoDB (the emulator) receives them."""
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.batch_write_item
    seen: Counter[str] = Counter()

    def batch_write_item(handler: Any) -> Any:
        for table, requests in handler.body["RequestItems"].items():
            seen[f"{table} requests"] += 1
            seen[f"{table} items"] += len(requests)
        return original(handler)

    with mock.patch.object(DynamoHandler, "batch_write_item", batch_write_item):
        yield seen


def index_items(local: Any, site_id: str) -> list[dict[str, Any]]:
    """What the sparse index AnomaliesBySite holds for the site: its readings that carry anomalies."""
    table = local.engine.stack.outputs["ReadingsTableName"]
    return list(query_all(local.engine.clients.dynamodb, TableName=table, IndexName="AnomaliesBySite",
                          KeyConditionExpression="anomaly_site = :s", ExpressionAttributeValues={":s": {"S": site_id}}))


def catalog_counts(local: Any, site_id: str) -> tuple[int, int]:
    table = local.engine.stack.outputs["CatalogTableName"]
    item = local.engine.clients.dynamodb.get_item(TableName=table, Key={"pk": {"S": "SITE"}, "sk": {"S": site_id}})["Item"]
    return int(item["reading_count"]["N"]), int(item["anomaly_count"]["N"])


@pytest.fixture
def api(local: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The query API's real handler over the local stack's tables."""
    from energy_pipeline.api.in_process import invoker, query_function_spec, query_handler
    from viz.source import HandlerSource

    spec = query_function_spec(local.engine.stack.functions)
    for name, value in spec.environment.items():
        monkeypatch.setenv(name, value)
    handler = query_handler(spec, None)
    monkeypatch.setattr(sys.modules[handler.__module__], "_service", None)  # a handler cached by another test
    return HandlerSource(invoker(handler))


def test_a_file_with_anomalies_is_written_with_one_batch_write_per_25_readings(local: Any, tmp_path: Path) -> None:
    rows = quarter_hours("site-w", 100)
    for row in rows[5:60:5]:
        row["energy_generated_kwh"] = -2.0  # 11 negative values, each an anomaly on its reading

    with counted_batch_writes() as seen:
        [result] = run(local, write(tmp_path, "negatives.json", rows))

    assert result["status"] == "SUCCEEDED" and result["stored"] == 100
    assert result["anomalies_by_type"] == {"negative_value": 11}
    table = local.engine.stack.outputs["ReadingsTableName"]
    assert seen == {f"{table} requests": 4, f"{table} items": 100}  # no other table, no extra request
    assert len(index_items(local, "site-w")) == 11
    assert catalog_counts(local, "site-w") == (100, 11)


def test_a_gap_is_stored_on_the_reading_that_ends_the_silence(local: Any, tmp_path: Path) -> None:
    [result] = run(local, write(tmp_path, "gap.json", quarter_hours("site-g", 40, skip=range(20, 28))))

    assert result["anomalies_by_type"] == {"gap": 1}
    by_time = {item["timestamp"]["S"]: item for item in stored_readings(local, "site-g")}
    after = by_time["2025-03-01T07:00:00.000000Z"]  # index 28: the first reading after the silence
    [gap] = after["anomalies"]["L"]
    assert gap["M"]["type"]["S"] == "gap"
    assert gap["M"]["timestamp"]["S"] == "2025-03-01T05:00:00.000000Z"  # the first missing interval
    assert gap["M"]["value"]["N"] == "8.0" and gap["M"]["reason"]["S"].startswith("no readings for")
    assert after["anomaly_site"]["S"] == "site-g"
    assert "anomalies" not in by_time["2025-03-01T04:45:00.000000Z"]  # the reading before the silence
    assert [item["timestamp"]["S"] for item in index_items(local, "site-g")] == ["2025-03-01T07:00:00.000000Z"]


def test_a_corrected_re_upload_removes_the_anomaly_the_new_version_no_longer_has(
    local: Any, tmp_path: Path, api: Any
) -> None:
    rows = quarter_hours("site-r", 8)
    rows[3]["energy_generated_kwh"] = -5.0
    [first] = run(local, write(tmp_path, "meter.json", rows))
    assert first["anomalies_by_type"] == {"negative_value": 1}
    assert [a["type"] for a in api.get("/sites/site-r/anomalies", {})["items"]] == ["negative_value"]
    assert catalog_counts(local, "site-r") == (8, 1)

    rows[3]["energy_generated_kwh"] = 0.5  # the meter's export fixed, same key
    [second] = run(local, write(tmp_path, "meter.json", rows))

    assert second["status"] == "SUCCEEDED" and second["anomalies"] == 0
    stored = stored_readings(local, "site-r")
    assert len(stored) == 8 and not any("anomalies" in item or "anomaly_site" in item for item in stored)
    assert index_items(local, "site-r") == []
    assert api.get("/sites/site-r/anomalies", {})["items"] == []
    assert catalog_counts(local, "site-r") == (8, 0)


def test_the_api_lists_stored_anomalies_and_derives_net_energy_from_the_stored_values(
    local: Any, tmp_path: Path, api: Any
) -> None:
    rows = quarter_hours("site-a", 40, skip=range(20, 28))
    rows[2] |= {"energy_generated_kwh": 0.1, "energy_consumed_kwh": 0.30000000000000004}
    rows[5]["energy_consumed_kwh"] = -1.0
    run(local, write(tmp_path, "api.json", rows))

    stored = stored_readings(local, "site-a")
    assert not any("net_energy_kwh" in item for item in stored)
    readings = api.get("/sites/site-a/readings", {"limit": "3"})["items"]
    assert str(readings[2]["net_energy_kwh"]) == "-0.20000000000000004"
    anomalies = api.get("/sites/site-a/anomalies", {})["items"]
    assert [(a["type"], a["reading_timestamp"][11:16]) for a in anomalies] == [
        ("negative_value", "01:15"), ("gap", "07:00")]
    gap = anomalies[1]
    assert gap["timestamp"] == "2025-03-01T05:00:00.000000Z" and gap["anomaly_id"] == gap["timestamp"] + "#gap"
    assert gap["source_key"] == "incoming/api.json"
    assert [a["type"] for a in api.get("/sites/site-a/anomalies", {"type": "gap"})["items"]] == ["gap"]
    summary = api.get("/sites/site-a/summary", {"resolution": "day"})
    assert summary["totals"]["anomaly_count"] == 2 and summary["totals"]["reading_count"] == 32
