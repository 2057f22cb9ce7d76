"""Every step handler on its fixture (events/steps/), on the embedded engine with the template's stack.

The fixtures follow one file through one execution; each test runs its handler on its own fixture and
checks the result against the step's model (energy_aws.contracts), against the next step's fixture (so the
fixtures stay what the handlers really hand each other), and against what the step must leave behind.
The upload rule is switched off for the module: the handlers are called directly, no execution starts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from energy_aws import contracts
from energy_core.readings import read_header
from energy_pipeline.local.executor import LambdaContext
from energy_pipeline.session import open_engine

ROOT = Path(__file__).resolve().parents[2]
STEPS = ROOT / "events" / "steps"
SAMPLE = ROOT / "events" / "data" / "solar-farm-01.json"
ORDER = ["validate", "detect", "store", "catalog"]


def fixture(step: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((STEPS / f"{step}.json").read_text(encoding="utf-8"))
    return loaded


class Steps:
    """The engine, and each step's result once its handler has run (in ORDER, each at most once)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.results: dict[str, dict[str, Any]] = {}
        self.specs = {spec.logical_id: spec for spec in engine.stack.functions.values()}

    def invoke(self, step: str, event: dict[str, Any]) -> dict[str, Any]:
        spec = self.specs[f"{step.capitalize()}Function"]
        context = LambdaContext(spec.name, spec.memory_mb, f"arn:aws:lambda:us-east-1:123456789012:function:{spec.name}",
                                spec.timeout_s)
        result: dict[str, Any] = self.engine.executor.handler_for(spec)(event, context)
        return json.loads(json.dumps(result))  # as the state machine sees it

    def result(self, step: str) -> dict[str, Any]:
        for earlier in ORDER[: ORDER.index(step) + 1]:
            if earlier not in self.results:
                self.results[earlier] = self.invoke(earlier, fixture(earlier))
        return self.results[step]


@pytest.fixture(scope="module")
def steps() -> Iterator[Steps]:
    with open_engine() as opened:
        engine = opened.engine
        engine.router.rules = []
        file = fixture("validate")["file"]
        engine.clients.s3.put_object(Bucket=file["bucket"], Key=file["key"], Body=SAMPLE.read_bytes())
        yield Steps(engine)


def test_the_fixtures_follow_one_file_through_one_execution() -> None:
    events = {step: fixture(step) for step in [*ORDER, "quarantine"]}
    assert len({json.dumps(event["file"], sort_keys=True) for event in events.values()}) == 1
    assert len({event["execution"] for event in events.values()}) == 1
    assert events["validate"]["file"]["size"] == SAMPLE.stat().st_size


def test_validate_on_its_fixture_stages_the_chunks_detect_reads_with_the_files_provenance(steps: Steps) -> None:
    result = contracts.ValidateResult.from_payload(steps.result("validate"))

    assert (result.received, result.valid, result.rejected, result.sites, result.format) == (288, 288, 0, 1, "json")
    assert result.refused is None
    assert result.chunks == fixture("detect")["chunks"]
    file = fixture("validate")["file"]
    [chunk] = [steps.engine.clients.s3.get_object(Bucket=file["bucket"], Key=key)["Body"].read() for key in result.chunks]
    provenance = read_header(chunk)[0]["provenance"]
    assert (provenance["source_key"], provenance["source_etag"]) == (file["key"], file["etag"])
    assert provenance["ingested_at"].endswith("Z") and len(provenance["ingested_at"]) == 27


def test_detect_on_its_fixture_finds_the_samples_anomalies_and_gives_store_its_chunk(steps: Steps) -> None:
    result = contracts.DetectResult.from_payload(steps.result("detect"))

    assert (result.total, result.by_type, result.readings) == (2, {"negative_value": 2}, 2)
    assert result.digest is not None and "negative_value" in result.digest.subject
    assert [chunk.to_payload() for chunk in result.chunks] == [fixture("store")["chunk"]]
    assert result.anomalies_location and result.anomalies_location.startswith("s3://")


def test_store_on_its_fixture_writes_every_reading_and_the_map_keeps_what_catalog_reads(steps: Steps) -> None:
    result = contracts.StoreResult.from_payload(steps.result("store"))

    kept = {name: getattr(result, name) for name in ("stored", "anomalies_stored", "write_requests")}
    assert [kept] == fixture("catalog")["store"]
    table = steps.engine.stack.outputs["ReadingsTableName"]
    count = steps.engine.clients.dynamodb.query(
        TableName=table, KeyConditionExpression="site_id = :s", ExpressionAttributeValues={":s": {"S": "solar-farm-01"}},
        Select="COUNT",
    )["Count"]
    assert count == 288


def test_catalog_on_its_fixture_counts_the_site(steps: Steps) -> None:
    result = contracts.CatalogResult.from_payload(steps.result("catalog"))

    assert (result.stored, result.sites) == (288, 1)
    item = steps.engine.clients.dynamodb.get_item(
        TableName=steps.engine.stack.outputs["CatalogTableName"],
        Key={"pk": {"S": "SITE"}, "sk": {"S": "solar-farm-01"}}, ConsistentRead=True,
    )["Item"]
    assert item["reading_count"] == {"N": "288"}


def test_quarantine_on_its_fixture_keeps_the_file_aside_with_the_reason(steps: Steps) -> None:
    result = contracts.QuarantineResult.from_payload(steps.invoke("quarantine", fixture("quarantine")))

    assert result.error == "InvalidFile"
    # the key once: Validate's reason already opens with it
    assert result.cause.startswith("incoming/solar-farm-01.json: none of its 288 records is valid"), result.cause
    assert result.location == f"s3://{fixture('quarantine')['file']['bucket']}/quarantine/incoming/solar-farm-01.json"
    assert result.digest.subject.startswith("[HIGH] File rejected")
    # a failed file names no site: no empty String.Array goes to SNS
    assert all(value["StringValue"] != "[]" for value in result.digest.attributes.values())
    bucket, key = result.location.removeprefix("s3://").split("/", 1)
    reason = json.loads(steps.engine.clients.s3.get_object(Bucket=bucket, Key=f"{key}.reason.json")["Body"].read())
    assert reason["error"] == "InvalidFile" and "timestamp is missing" in reason["reason"]
