"""Opt-in: the same checks against a deployed stack. Set ENERGY_STACK=<stack name> (and AWS credentials).

    ENERGY_STACK=energy-pipeline make test-deployed
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

import pytest

STACK = os.environ.get("ENERGY_STACK")
pytestmark = [pytest.mark.deployed,
              pytest.mark.skipif(not STACK, reason="set ENERGY_STACK to a deployed stack's name to run these")]


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    from energy_pipeline.sources import stack_outputs

    return stack_outputs(str(STACK), os.environ.get("AWS_REGION"))


def wait_for_execution(sfn: Any, machine: str, key: str, timeout_s: float = 600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for execution in sfn.list_executions(stateMachineArn=machine, maxResults=50)["executions"]:
            description = sfn.describe_execution(executionArn=execution["executionArn"])
            if json.loads(description["input"])["detail"]["object"]["key"] == key and description["status"] != "RUNNING":
                return dict(description)
        time.sleep(5)
    raise AssertionError(f"no finished execution for {key} within {timeout_s} s")


def test_an_upload_runs_the_pipeline_and_the_api_serves_it(outputs: dict[str, str]) -> None:
    import boto3

    from viz.http_source import HttpApiSource, sigv4_signer

    site = f"deployed-test-{uuid.uuid4().hex[:8]}"
    key = f"{outputs['InputPrefix']}{site}.json"
    rows = [{"site_id": site, "timestamp": f"2025-03-01T00:{m:02d}:00Z", "energy_generated_kwh": 1.0,
             "energy_consumed_kwh": -1.0 if m == 15 else 0.5} for m in (0, 15, 30, 45)]
    boto3.client("s3").put_object(Bucket=outputs["RawDataBucketName"], Key=key, Body=json.dumps(rows).encode())

    execution = wait_for_execution(boto3.client("stepfunctions"), outputs["StateMachineArn"], key)

    assert execution["status"] == "SUCCEEDED", execution.get("cause")
    result = json.loads(execution["output"])
    assert (result["received"], result["stored"], result["anomalies"]) == (4, 4, 1)
    api = HttpApiSource(outputs["QueryApiUrl"], signer=sigv4_signer())
    items = api.get(f"/sites/{site}/readings", {})["items"]
    assert [item["timestamp"] for item in items] == sorted(item["timestamp"] for item in items)
    assert len(items) == 4
    assert items[1]["net_energy_kwh"] == 2.0  # 1.0 - (-1.0), derived when read (never stored)
    # The anomaly lives on its reading; the API lists it from a GSI, which is eventually consistent.
    deadline = time.monotonic() + 60
    while not (anomalies := api.get(f"/sites/{site}/anomalies", {})["items"]) and time.monotonic() < deadline:
        time.sleep(2)
    assert [(a["type"], a["reading_timestamp"]) for a in anomalies] == [("negative_value", items[1]["timestamp"])]
    assert anomalies[0]["anomaly_id"] == f"{items[1]['timestamp']}#negative_value#energy_generated_kwh"
