"""Issue 5's promise, end to end: clean data raises nothing; one fault of each type raises each type, once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from energy_core.detect import load_config
from energy_pipeline import synth, synth_files
from tests.workflow.helpers import received_alerts, run, subscribe_queue

pytestmark = pytest.mark.workflow


def two_weeks_ending_now() -> str:
    # future_timestamp is judged against the real clock, so the data must end about now.
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=14)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ")


def with_site_capacities(local, sites):
    """An operator sets each site's capacity in config/detection.json; here the running Detect step gets them."""
    spec = next(s for s in local.engine.stack.functions.values() if s.logical_id == "DetectFunction")
    import json
    import sys

    from energy_pipeline.local.executor import EXECUTOR

    EXECUTOR.handler_for(spec)  # imports the handler module once
    raw = json.loads((Path(__file__).resolve().parents[2] / "functions/config/detection.json").read_text())
    raw["sites"] = synth.capacities(sites)
    module = sys.modules[f"_local_lambda_{spec.logical_id}"]
    original = module.CONFIG
    module.CONFIG = load_config(raw)
    return original


def test_a_clean_two_week_file_raises_nothing(local, tmp_path: Path) -> None:
    queue = subscribe_queue(local)
    data = synth.generate(sites=3, days=14, start=two_weeks_ending_now(), seed=7)
    path = tmp_path / "clean-two-weeks.json"
    synth_files.write_readings(path, data.readings)

    [row] = run(local, path)

    assert row["status"] == "SUCCEEDED", row
    assert row["stored"] == len(data.readings)
    assert row["anomalies"] == 0, row["anomalies_by_type"]
    assert row["alert_published"] is False and received_alerts(local, queue) == []


def test_one_fault_of_each_type_raises_each_type_and_one_alert(local, tmp_path: Path) -> None:
    queue = subscribe_queue(local)
    data = synth.generate(sites=2, days=14, start=two_weeks_ending_now(), seed=11,
                          faults={kind: 1 for kind in synth.FAULT_TYPES})
    original = with_site_capacities(local, data.sites)
    path = tmp_path / "one-of-each.jsonl"
    synth_files.write_readings(path, data.readings)

    started = time.monotonic()
    try:
        [row] = run(local, path)
    finally:
        import sys

        sys.modules["_local_lambda_DetectFunction"].CONFIG = original

    assert row["status"] == "SUCCEEDED", row
    found = row["anomalies_by_type"]
    assert set(found) == set(synth.FAULT_TYPES), found
    assert row["anomalies"] <= len(data.labels) + 2, (found, len(data.labels))
    [alert] = received_alerts(local, queue)
    for kind in synth.FAULT_TYPES:
        assert kind in alert["Message"] or kind in alert["MessageAttributes"]["anomaly_types"]["Value"]
    assert time.monotonic() - started < 600
