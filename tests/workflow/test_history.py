"""What Detect reads of a site's past (energy_aws.history.load_history), against moto's DynamoDB."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from detect.annotate import to_points
from energy_aws.history import load_history
from energy_core.detect import detect_site, load_config
from tests.workflow.helpers import create_readings_table

TABLE = "readings"


@pytest.fixture
def dynamodb(moto_in_process: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb")
        create_readings_table(client, TABLE)
        yield client


def _store(client: Any, site: str, *stamps: str) -> None:
    for stamp in stamps:
        client.put_item(TableName=TABLE, Item={
            "site_id": {"S": site}, "timestamp": {"S": stamp}, "energy_generated_kwh": {"N": "0"},
            "energy_consumed_kwh": {"N": "0.5"}, "cumulative_kwh": {"N": "10"},
        })  # fmt: skip


def _stamps(rows: list[dict[str, Any]]) -> list[str]:
    return [row["timestamp"] for row in rows]


def test_the_window_s_readings_oldest_first_without_the_file_s_first(dynamodb: Any) -> None:
    _store(dynamodb, "s1", "2025-03-01T00:30:00.000000Z", "2025-03-01T00:00:00.000000Z",
           "2025-03-02T00:00:00.000000Z", "2025-01-01T00:00:00.000000Z")  # fmt: skip
    _store(dynamodb, "s2", "2025-03-01T00:45:00.000000Z")
    rows = load_history(dynamodb, TABLE, "s1", "2025-03-02T00:00:00.000000Z", 28)
    assert _stamps(rows) == ["2025-03-01T00:00:00.000000Z", "2025-03-01T00:30:00.000000Z"]
    assert rows[0] == {"site_id": "s1", "timestamp": "2025-03-01T00:00:00.000000Z",
                       "energy_generated_kwh": "0", "energy_consumed_kwh": "0.5", "cumulative_kwh": "10"}


def test_a_site_silent_longer_than_the_window_gets_its_last_reading(dynamodb: Any) -> None:
    _store(dynamodb, "s1", "2025-01-01T00:00:00.000000Z", "2025-01-20T23:45:00.000000Z")
    rows = load_history(dynamodb, TABLE, "s1", "2025-03-01T00:00:00.000000Z", 28)
    assert _stamps(rows) == ["2025-01-20T23:45:00.000000Z"]


def test_a_new_site_has_no_history(dynamodb: Any) -> None:
    _store(dynamodb, "other", "2025-01-01T00:00:00.000000Z")
    assert load_history(dynamodb, TABLE, "s1", "2025-03-01T00:00:00.000000Z", 28) == []


def test_a_meter_back_after_five_weeks_of_silence_reports_one_high_gap(dynamodb: Any) -> None:
    """Before, the 28-day window was empty and the site looked new: the silence went unreported."""
    _store(dynamodb, "s1", "2025-01-24T23:45:00.000000Z")
    file_points = to_points([
        {"site_id": "s1", "timestamp": f"2025-03-01T{hour:02d}:00:00.000000Z", "energy_generated_kwh": 0,
         "energy_consumed_kwh": 0.4 + hour / 100, "cumulative_kwh": 11 + hour}
        for hour in range(24)
    ])  # fmt: skip
    history = to_points(load_history(dynamodb, TABLE, "s1", file_points[0].timestamp, 28))
    found = detect_site(file_points, history, load_config({}), file_points[-1].epoch + 3600)
    assert [(a.type, a.severity, a.timestamp) for a in found] == [("gap", "high", "2025-01-25T00:45:00.000000Z")]
