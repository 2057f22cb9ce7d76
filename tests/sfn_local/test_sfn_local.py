"""The MockConfigFile test cases on amazon/aws-stepfunctions-local (Docker), or a clear skip without Docker.

AWS labels Step Functions Local unsupported; the embedded engine stays the default tier. This tier checks
the real definition on AWS's own interpreter. SFN_LOCAL_ENDPOINT uses a container you started yourself
(docs/sfn-local.md); otherwise one is started here and removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from energy_pipeline.executions import read_history
from tests.sfn_local.cases import (
    ACCOUNT,
    CASES,
    EVENT,
    MOCK_CONFIG,
    REGION,
    STATE_MACHINE,
    definition_for_local,
)

pytestmark = pytest.mark.sfn_local
IMAGE, PORT = "amazon/aws-stepfunctions-local", 8083
MOUNTED = "/home/StepFunctionsLocal/MockConfigFile.json"


def _docker_reason() -> str | None:
    """Why this tier cannot run here, or None when a Docker daemon answers."""
    if not shutil.which("docker"):
        return "Docker is not installed"
    probe = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=20, check=False)
    return None if probe.returncode == 0 else "no Docker daemon is reachable (`docker info` failed)"


def _wait_for_port(port: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise TimeoutError(f"Step Functions Local did not open port {port} in {timeout_s:.0f} s")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    if os.environ.get("SFN_LOCAL_ENDPOINT"):
        yield os.environ["SFN_LOCAL_ENDPOINT"]
        return
    reason = _docker_reason()
    if reason:
        pytest.skip(
            f"Step Functions Local tier skipped: {reason}. Start Docker and run `make test-sfn-local`, "
            "or run the container yourself and set SFN_LOCAL_ENDPOINT (docs/sfn-local.md)."
        )
    container = subprocess.run(
        [
            "docker",
            "run",
            "--detach",
            "--rm",
            "--publish",
            f"{PORT}:8083",
            "--volume",
            f"{MOCK_CONFIG}:{MOUNTED}:ro",
            "--env",
            f"SFN_MOCK_CONFIG={MOUNTED}",
            IMAGE,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout.strip()
    try:
        _wait_for_port(PORT)
        yield f"http://127.0.0.1:{PORT}"
    finally:
        subprocess.run(["docker", "stop", container], capture_output=True, check=False, timeout=60)


@pytest.fixture(scope="module")
def machine(endpoint: str) -> tuple[Any, str]:
    import boto3

    client = boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    arn = client.create_state_machine(
        name=STATE_MACHINE,
        definition=definition_for_local(),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/StepFunctionsLocal",
    )["stateMachineArn"]
    return client, arn


def _run(client: Any, arn: str, case: str) -> tuple[dict[str, Any], list[Any]]:
    execution = client.start_execution(
        stateMachineArn=f"{arn}#{case}",
        name=f"{case}-{time.time_ns()}",
        input=EVENT.read_text(encoding="utf-8"),
    )["executionArn"]
    deadline = time.monotonic() + 120  # the retried case waits out a real back-off
    while (description := client.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline, f"{case} still running"
        time.sleep(0.5)
    return description, read_history(client, execution).states


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_mocked_case_takes_its_path_to_its_outcome(machine: tuple[Any, str], case: str) -> None:
    client, arn = machine
    description, states = _run(client, arn, case)
    expected = CASES[case]
    assert description["status"] == expected.status, description
    assert [state.name for state in states] == expected.path
    if expected.error:
        assert description["error"] == expected.error and description["cause"]
    if expected.retried:
        assert next(state for state in states if state.name == expected.retried).retries == 1
