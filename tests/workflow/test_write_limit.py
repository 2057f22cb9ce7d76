"""DynamoDB's per-partition write limit, enforced by the local engine, and Store's pacing under it.

The workflow tests run a small file under a low limit (200 units/s per site instead of 1,000) with chunks of
400 readings, so each site is in three chunks and up to four of them are written at once - the same shape as
a 1M-reading file's 50,000-reading chunks under DynamoDB's real limit. The emulator counts the write units
it accepted per partition: a chunk written twice would show as more units than the site has readings.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from energy_aws.pacing import PartitionPacer, item_write_units
from energy_pipeline.local.executor import EXECUTOR
from energy_pipeline.local.write_limit import WriteLimit, enforce, write_units
from tests.workflow.helpers import assert_catalog_matches_table, run, stored_readings, write

SITES = ("hot-a", "hot-b")
PER_SITE = 1000
CHUNK = 400  # 1,000 readings of a site: chunks of 400, 400 and 200
LIMIT = 200.0


def readings() -> list[dict[str, Any]]:
    return [{"site_id": site, "timestamp": f"2025-03-{1 + i // 96:02d}T{i % 96 // 4:02d}:{i % 4 * 15:02d}:00Z",
             "energy_generated_kwh": round(0.25 + i % 7 * 0.05, 2), "energy_consumed_kwh": 0.75}
            for site in SITES for i in range(PER_SITE)]


def handler_module(local: Any, logical_id: str) -> Any:
    spec = next(s for s in local.engine.stack.functions.values() if s.logical_id == logical_id)
    EXECUTOR.handler_for(spec)  # imported once per process, as a warm Lambda
    return sys.modules[f"_local_lambda_{logical_id}"]


@contextlib.contextmanager
def small_chunks_and_limit(local: Any, monkeypatch: pytest.MonkeyPatch, paced_units: float) -> Iterator[None]:
    """Validate's chunks of CHUNK readings, and Store told the partition limit is `paced_units`."""
    monkeypatch.setattr(handler_module(local, "ValidateFunction"), "CHUNK_READINGS", CHUNK)
    monkeypatch.setattr(handler_module(local, "StoreFunction"), "PARTITION_WRITE_UNITS", paced_units)
    yield


def store_calls() -> list[Any]:
    return [call for call in EXECUTOR.invocations if call.function.endswith("StoreFunction")]


@pytest.mark.workflow
def test_given_a_low_partition_limit_when_chunks_of_one_site_are_written_at_once_then_none_is_throttled_or_rewritten(
        local: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = local.engine.stack.outputs["ReadingsTableName"]
    EXECUTOR.invocations.clear()
    with small_chunks_and_limit(local, monkeypatch, LIMIT), enforce(WriteLimit(units_per_s=LIMIT)) as limit:
        [row] = run(local, write(tmp_path, "hot.json", readings()))

    assert row["status"] == "SUCCEEDED", row
    assert row["stored"] == len(SITES) * PER_SITE
    calls = store_calls()
    assert len(calls) == 6 and all(call.error is None for call in calls)  # 3 chunks per site, each once
    # Every reading is one write unit: each site's partition took exactly its readings, nothing twice.
    assert {site: limit.written_units[(table, site)] for site in SITES} == dict.fromkeys(SITES, PER_SITE)
    assert limit.throttled_items == 0  # the writers paced themselves under the limit
    for site in SITES:
        assert len(stored_readings(local, site)) == PER_SITE
        assert_catalog_matches_table(local, site)


@pytest.mark.workflow
def test_given_the_same_file_written_unpaced_then_the_engine_throttles_and_no_chunk_is_rewritten_either(
        local: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: without pacing, the limit bites (the test above would fail on unpaced writers), and the
    unprocessed items are retried within the invocation instead of failing the chunk."""
    table = local.engine.stack.outputs["ReadingsTableName"]
    EXECUTOR.invocations.clear()
    with small_chunks_and_limit(local, monkeypatch, 1e9), enforce(WriteLimit(units_per_s=LIMIT)) as limit:
        [row] = run(local, write(tmp_path, "hot-unpaced.json", readings()))

    assert row["status"] == "SUCCEEDED", row
    assert limit.throttled_items > 0
    assert all(call.error is None for call in store_calls())
    assert {site: limit.written_units[(table, site)] for site in SITES} == dict.fromkeys(SITES, PER_SITE)


def test_the_engine_hands_back_what_a_partition_cannot_take_and_refuses_a_batch_it_can_take_none_of(
        local: Any) -> None:
    ddb = local.engine.clients.dynamodb
    table = local.engine.stack.outputs["ReadingsTableName"]
    now = [0.0]

    def put(site: str, index: int) -> dict[str, Any]:
        return {"PutRequest": {"Item": {"site_id": {"S": site}, "timestamp": {"S": f"2025-01-01T00:{index:02d}:00Z"}}}}

    with enforce(WriteLimit(units_per_s=10, tables=frozenset({table}), clock=lambda: now[0])) as limit:
        first = ddb.batch_write_item(RequestItems={table: [put("a", i) for i in range(15)] + [put("b", 0)]})
        assert len(first["UnprocessedItems"][table]) == 5  # "a" holds 10 units; "b" its own 10
        with pytest.raises(ClientError) as refused:
            _no_retries(ddb).batch_write_item(RequestItems={table: [put("a", 20)]})
        assert refused.value.response["Error"]["Code"] == "ThrottlingException"
        with pytest.raises(ClientError) as single:
            _no_retries(ddb).put_item(TableName=table, Item=put("a", 21)["PutRequest"]["Item"])
        assert single.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
        now[0] += 0.5  # half a second refills 5 units
        again = ddb.batch_write_item(RequestItems={table: first["UnprocessedItems"][table]})
        assert again["UnprocessedItems"] == {}
    assert limit.written_units[(table, "a")] == 15
    assert (limit.partial_batches, limit.throttled_requests, limit.throttled_items) == (1, 2, 5 + 1 + 1), (
        limit.partial_batches, limit.throttled_requests, limit.throttled_items)


def _no_retries(client: Any) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("dynamodb", region_name=client.meta.region_name,
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))


def test_write_units_are_one_per_started_kilobyte_and_the_pacer_never_counts_fewer() -> None:
    small = {"site_id": {"S": "s"}, "timestamp": {"S": "2025-01-01T00:00:00Z"}, "energy_consumed_kwh": {"N": "1.5"}}
    large = {**small, "note": {"S": "x" * 1500}}
    assert (write_units(small), write_units(large)) == (1, 2)
    assert item_write_units(small) >= write_units(small) and item_write_units(large) >= write_units(large)


def test_the_pacer_spends_a_partitions_share_per_second_and_halves_it_after_throttling() -> None:
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    pacer = PartitionPacer(lambda partition: 100.0, burst_units=25, clock=lambda: clock[0], sleep=sleep)
    for _ in range(40):  # 1,000 units at 100 units/s
        pacer.acquire({"a": 25})
    assert 9.5 <= clock[0] <= 10.0  # the first 25 go at once (the burst), then 25 every 0.25 s
    pacer.acquire({"b": 25})  # another partition has its own schedule
    assert clock[0] <= 10.0
    pacer.throttled("a")
    assert pacer.rate("a") == 50.0
    pacer.written("a")
    assert pacer.rate("a") == pytest.approx(55.0)


def test_store_paces_for_as_many_writers_as_the_store_map_runs_at_once() -> None:
    import json

    from energy_pipeline.local.template import PROJECT_ROOT, function_properties, load_template

    template = load_template()
    store_env = function_properties(template, "StoreFunction")["Environment"]["Variables"]
    machine = json.loads((PROJECT_ROOT / "statemachine/pipeline.asl.json").read_text(encoding="utf-8"))
    assert int(store_env["STORE_CONCURRENCY"]) == machine["States"]["Store readings"]["MaxConcurrency"]
    assert int(store_env["PARTITION_WRITE_UNITS"]) == 1000  # DynamoDB's documented per-partition limit
