"""The ledger claim under what AWS does to it: a retried call whose first write committed."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from energy_pipeline.reprocess import ledger_item
from tests.workflow.faults import CommittedThenFailed, committed_then_failed
from tests.workflow.helpers import run, stored_readings, write

pytestmark = pytest.mark.workflow

ROWS = [{"site_id": "claim-site", "timestamp": f"2025-07-01T00:{m:02d}:00Z", "energy_generated_kwh": 0.5,
         "energy_consumed_kwh": 1.0} for m in (0, 15, 30, 45)]


def ledger_table(local: Any) -> str:
    return str(local.engine.stack.outputs["CatalogTableName"])


def test_given_a_claim_that_committed_before_its_error_when_it_is_retried_then_the_file_is_processed(
        local, tmp_path: Path) -> None:
    # "attribute_not_exists(#sk)" is in the claim's condition only: the first claim commits, then fails.
    fault = CommittedThenFailed(ledger_table(local), marker="attribute_not_exists(#sk)")
    with committed_then_failed(fault):
        [row] = run(local, write(tmp_path, "claimed-once.json", ROWS))

    assert fault.raised == 1 and fault.calls == 2  # the retry saw the claim its first attempt wrote
    assert row["status"] == "SUCCEEDED" and row["already_processed"] is False, row
    assert row["stored"] == 4 and len(stored_readings(local, "claim-site")) == 4
    entry = ledger_item(local.target, ledger_table(local), "incoming/claimed-once.json")
    assert entry is not None and entry["status"] == "SUCCEEDED" and entry["execution"] == row["execution"]


def plant_claim(local: Any, key: str, body: bytes, holder: str) -> None:
    """The ledger as an execution that died mid-way leaves it: PROCESSING this content, held by `holder`."""
    local.engine.clients.dynamodb.put_item(TableName=ledger_table(local), Item={
        "pk": {"S": "INGESTION"}, "sk": {"S": key}, "ledger": {"S": "INGESTION"}, "status": {"S": "PROCESSING"},
        "etag": {"S": hashlib.md5(body).hexdigest()},  # S3's ETag of a single-part upload
        "execution": {"S": holder}, "started_at": {"S": "2025-01-01T00:00:00.000Z"}})


@pytest.mark.parametrize("holder_state", ["ended", "expired"])
def test_given_a_claim_whose_execution_has_ended_when_the_file_is_delivered_again_then_it_is_taken_over(
        local, tmp_path: Path, holder_state: str) -> None:
    """A claim's lease is its execution's life, which the state machine's TimeoutSeconds bounds: an
    execution that was aborted, failed or timed out (or whose record is gone) no longer holds the file."""
    [earlier] = run(local, write(tmp_path, "other.json", ROWS[:1]))
    machine = earlier["execution"].rsplit(":", 1)[0].replace(":execution:", ":stateMachine:")
    holder = earlier["execution"] if holder_state == "ended" else machine.replace(
        ":stateMachine:", ":execution:") + ":long-gone"
    path = write(tmp_path, "stuck.json", ROWS)
    plant_claim(local, "incoming/stuck.json", path.read_bytes(), holder)

    [row] = run(local, path)

    assert row["status"] == "SUCCEEDED" and row["already_processed"] is False, row
    assert row["stored"] == 4 and len(stored_readings(local, "claim-site")) == 4
    entry = ledger_item(local.target, ledger_table(local), "incoming/stuck.json")
    assert entry is not None and entry["status"] == "SUCCEEDED"
    assert entry["execution"] == row["execution"] and entry["taken_over_from"] == holder


def test_given_a_claim_held_by_a_running_execution_then_a_second_delivery_leaves_it_alone(
        local, tmp_path: Path) -> None:
    path = write(tmp_path, "busy.json", ROWS)
    [holder] = run(local, write(tmp_path, "slow.json", ROWS[:1]))  # an ARN the emulator knows ...
    plant_claim(local, "incoming/busy.json", path.read_bytes(), holder["execution"])
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[holder["execution"].split(":")[4]][holder["execution"].split(":")[3]]
    execution = backend.describe_execution(holder["execution"])
    status = execution.exec_status
    execution.exec_status = type(status)("RUNNING")  # ... shown as still running: its claim is alive
    try:
        [row] = run(local, path)
    finally:
        execution.exec_status = status

    assert row["already_processed"] is True and row["stored"] == 0, row
    entry = ledger_item(local.target, ledger_table(local), "incoming/busy.json")
    assert entry is not None and entry["status"] == "PROCESSING" and entry["execution"] == holder["execution"]


def test_given_a_claim_whose_execution_ended_then_reprocess_sends_the_file_again_without_force(
        local, tmp_path: Path) -> None:
    from energy_pipeline.reprocess import reprocess

    path = write(tmp_path, "left-behind.json", ROWS)
    [first] = run(local, path)
    plant_claim(local, "incoming/left-behind.json", path.read_bytes(), first["execution"])  # ended, yet PROCESSING

    row = reprocess(local.target, ledger_table(local), "incoming/left-behind.json", wait_s=60)

    assert row["status"] == "SUCCEEDED" and row["already_processed"] is False, row
    entry = ledger_item(local.target, ledger_table(local), "incoming/left-behind.json")
    assert entry is not None and entry["status"] == "SUCCEEDED" and entry["taken_over_from"] == first["execution"]
