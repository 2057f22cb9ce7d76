"""A file too large for one step's memory is refused up front by Validate as InvalidFile, with a reason that
names the limit and how to split the file - not quarantined later with an out-of-memory.

The limits are lowered on the running Validate step (the real ones, 256 MB and 2,000,000 readings, would take
a file of that size to reach); the code paths are the ones a 5M-reading file takes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from energy_pipeline.local.executor import EXECUTOR
from tests.workflow.helpers import run, stored_readings, write

pytestmark = pytest.mark.workflow


def validate_module(local: Any) -> Any:
    spec = next(s for s in local.engine.stack.functions.values() if s.logical_id == "ValidateFunction")
    EXECUTOR.handler_for(spec)
    return sys.modules["_local_lambda_ValidateFunction"]


def rows(count: int) -> list[dict[str, Any]]:
    return [{"site_id": "big-site", "timestamp": f"2025-02-{1 + i // 96:02d}T{i % 96 // 4:02d}:{i % 4 * 15:02d}:00Z",
             "energy_generated_kwh": 0.5, "energy_consumed_kwh": 1.0} for i in range(count)]


def test_given_a_file_over_the_size_limit_then_it_is_refused_before_it_is_read(
        local: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = validate_module(local)
    monkeypatch.setattr(module, "MAX_FILE_BYTES", 4 * 1024)
    monkeypatch.setattr(module, "MAX_FILE_READINGS", 30)
    [row] = run(local, write(tmp_path, "too-big.json", rows(200)))  # ~20 KB

    assert (row["status"], row["error"]) == ("FAILED", "InvalidFile"), row
    assert "over the limit of 4,096 bytes per file" in row["reason"], row["reason"]
    assert "split it into files of at most 30 readings" in row["reason"], row["reason"]
    assert not any(state["name"] == "Detect anomalies" for state in row["states"])
    assert stored_readings(local, "big-site") == []


def test_given_a_file_with_more_readings_than_the_limit_then_it_is_refused_before_anything_is_staged(
        local: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate_module(local), "MAX_FILE_READINGS", 150)
    [row] = run(local, write(tmp_path, "too-many.json", rows(200)))

    assert (row["status"], row["error"]) == ("FAILED", "InvalidFile"), row
    assert "200 valid readings, over the limit of 150 per file" in row["reason"], row["reason"]
    assert "split it into files of at most 150 readings" in row["reason"]
    assert (row["received"], row["rejected"]) == (200, 0)  # the counts reached are still reported
    assert stored_readings(local, "big-site") == []
    # Validate read the file and returned its refusal with the counts; the workflow, not an error, refused it.
    ran = {state["name"]: state["status"] for state in row["states"]}
    assert (ran["Validate and stage readings"], ran["File refused?"], ran["Refuse file"]) == ("SUCCEEDED",) * 3, ran
    execution = row["execution"].rsplit(":", 1)[-1]
    staged = local.engine.clients.s3.list_objects_v2(Bucket=local.target.bucket, Prefix=f"staging/{execution}/")
    assert staged.get("KeyCount", 0) == 0  # nothing staged, no side file: the counts are in the state


def test_a_file_at_the_limit_is_processed(local: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate_module(local), "MAX_FILE_READINGS", 200)
    [row] = run(local, write(tmp_path, "at-limit.json", rows(200)))

    assert row["status"] == "SUCCEEDED", row
    assert len(stored_readings(local, "big-site")) == 200
