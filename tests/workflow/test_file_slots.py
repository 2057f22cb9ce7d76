"""Concurrency across files is bounded by design: at most FileConcurrency files hold a slot (an item in the
catalog table) from Validate to their end, and the others wait their turn in the state machine.

Under a simulated account quota of 8 concurrent Lambda invocations (2 slots x the Store Map's 4), 30 files
uploaded at once all succeed and the quota refuses nothing: without the slots, 30 Validates start at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from energy_aws.dynamo import query_all
from energy_pipeline.runner import Target, run_files
from tests.workflow.faults import LambdaQuota, lambda_quota
from tests.workflow.helpers import assert_catalog_matches_table, write

pytestmark = [pytest.mark.workflow, pytest.mark.slow]

FILES = 30
SLOTS = 2
STORE_CONCURRENCY = 4
SITES = [f"slot-{n}" for n in range(3)]
PER_FILE = 12


@pytest.fixture
def slotted() -> Iterator[Any]:
    """A stack deployed with FileConcurrency=2 and a one-second wait between tries for a slot."""
    from energy_pipeline.local import engine, tuning
    from energy_pipeline.session import OpenEngine, quiet_handlers

    quiet_handlers()
    with engine.in_process(parameters={"FileConcurrency": str(SLOTS), "FileSlotWaitSeconds": "1"}) as local:
        stack = local.stack
        yield OpenEngine(local, Target(local.clients, stack.bucket, stack.input_prefix, stack.state_machine_arn,
                                       watch=tuning.EXECUTION_ENDS))


def file_rows(index: int) -> list[dict[str, Any]]:
    site, day = SITES[index % len(SITES)], 1 + index // len(SITES)
    return [{"site_id": site, "timestamp": f"2025-06-{day:02d}T{8 + i // 4:02d}:{i % 4 * 15:02d}:00Z",
             "energy_generated_kwh": 0.5, "energy_consumed_kwh": 1.25} for i in range(PER_FILE)]


def test_given_30_files_at_once_under_a_low_lambda_quota_then_none_is_throttled_or_quarantined(
        slotted: Any, tmp_path: Path) -> None:
    paths = [write(tmp_path, f"burst-{index:02d}.json", file_rows(index)) for index in range(FILES)]

    with lambda_quota(LambdaQuota(limit=SLOTS * STORE_CONCURRENCY)) as quota:
        rows = run_files(slotted.target, paths, timeout_s=600)

    assert [row["status"] for row in rows] == ["SUCCEEDED"] * FILES, [r for r in rows if r["status"] != "SUCCEEDED"]
    assert quota.refused == 0 and quota.peak <= SLOTS * STORE_CONCURRENCY, quota
    assert quota.invocations >= FILES * 4  # Validate, Detect, Store, Catalog per file
    clients, bucket = slotted.engine.clients, slotted.engine.stack.bucket
    assert clients.s3.list_objects_v2(Bucket=bucket, Prefix="quarantine/").get("KeyCount", 0) == 0
    waited = [row for row in rows if any(s["name"] == "Wait for a file slot" for s in row["states"])]
    assert waited, "30 files over 2 slots: some must have waited their turn"
    slots = list(query_all(clients.dynamodb, TableName=slotted.engine.stack.outputs["CatalogTableName"],
                           KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "FILE_SLOT"}}))
    assert len(slots) <= SLOTS and all("holder" not in slot for slot in slots)  # every slot released
    for site in SITES:
        assert int(assert_catalog_matches_table(slotted, site)["reading_count"]) == FILES // len(SITES) * PER_FILE


def test_a_slot_left_by_an_execution_that_ended_is_taken_over(slotted: Any, tmp_path: Path) -> None:
    """An execution aborted while it held a slot never released it; the next files take it over."""
    table = slotted.engine.stack.outputs["CatalogTableName"]
    dead = "arn:aws:states:us-east-1:123456789012:execution:gone:aborted-holder"
    for slot in range(1, SLOTS + 1):  # every slot held by an execution that no longer exists
        slotted.engine.clients.dynamodb.put_item(TableName=table, Item={
            "pk": {"S": "FILE_SLOT"}, "sk": {"S": str(slot)}, "holder": {"S": dead}})

    rows = run_files(slotted.target, [write(tmp_path, "after-abort.json", file_rows(0))], timeout_s=120)

    assert rows[0]["status"] == "SUCCEEDED", rows[0]
    assert any(state["name"] == "Take over the file slot" for state in rows[0]["states"])


def test_a_file_that_finds_its_slot_busy_takes_a_free_one_without_waiting(slotted: Any, tmp_path: Path) -> None:
    """Slot 1 is held by a running execution and slot 2 is free: every file takes slot 2 at once, whichever slot
    it tried first (the first try is random: six files try slot 1 first with probability 1 - 1/64)."""
    clients = slotted.engine.clients
    table = slotted.engine.stack.outputs["CatalogTableName"]
    machine = clients.stepfunctions.create_state_machine(
        name="slot-holder", roleArn="arn:aws:iam::123456789012:role/slot-holder",
        definition='{"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 600, "End": true}}}')
    holder = clients.stepfunctions.start_execution(stateMachineArn=machine["stateMachineArn"])["executionArn"]
    clients.dynamodb.put_item(TableName=table, Item={
        "pk": {"S": "FILE_SLOT"}, "sk": {"S": "1"}, "holder": {"S": holder}})
    try:
        paths = [write(tmp_path, f"one-slot-free-{n}.json", file_rows(n)) for n in range(6)]
        rows = [run_files(slotted.target, [path], timeout_s=120)[0] for path in paths]
    finally:
        clients.stepfunctions.stop_execution(executionArn=holder)

    assert [row["status"] for row in rows] == ["SUCCEEDED"] * len(rows), rows
    visited = [[state["name"] for state in row["states"]] for row in rows]
    assert not any("Wait for a file slot" in names for names in visited), visited
    assert not any("Take over the file slot" in names for names in visited), visited  # the holder runs
    assert any("Try the next file slot" in names for names in visited), visited
    held = clients.dynamodb.get_item(TableName=table, Key={"pk": {"S": "FILE_SLOT"}, "sk": {"S": "1"}})["Item"]
    assert held["holder"]["S"] == holder  # never taken from a running holder
