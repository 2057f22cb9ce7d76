"""`energy-pipeline serve` as a user runs it: a separate process, uploads over its AWS endpoint, the API over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.workflow, pytest.mark.slow]

ROWS = [{"site_id": "served-site", "timestamp": f"2025-03-01T{h:02d}:{m:02d}:00Z",
         "energy_generated_kwh": 0.5, "energy_consumed_kwh": 0.25} for h in range(2) for m in (0, 15, 30, 45)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "energy_pipeline.cli", *args]


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, Any]]:
    api_port, aws_port = free_port(), free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(cli("serve", "--port", str(api_port), "--aws-port", str(aws_port)),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    banner = []
    deadline = time.monotonic() + 60
    assert server.stdout is not None
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        banner.append(line)
        if line.strip().startswith("AWS"):
            break
    bucket = next(line.split()[1] for line in banner if line.strip().startswith("bucket"))
    try:
        yield {"api": f"http://127.0.0.1:{api_port}", "aws": f"http://127.0.0.1:{aws_port}", "bucket": bucket}
    finally:
        server.terminate()
        server.wait(timeout=30)


def get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_upload_over_the_aws_endpoint_is_processed_and_served_by_the_api(served: dict[str, Any]) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=served["aws"], region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    s3.put_object(Bucket=served["bucket"], Key="incoming/served file+1 (copy).json", Body=json.dumps(ROWS).encode())

    # The catalog lists a new site with its first and last reading, then adds its counts in the same
    # step (docs/reliability.md, "The site catalog"): wait for the counts, not only for the site.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, body = get(f"{served['api']}/sites")
        listed = [s for s in body.get("items", []) if s["site_id"] == "served-site"]
        if listed and listed[0]["reading_count"] == len(ROWS):
            break
        time.sleep(0.5)
    [site] = [s for s in body["items"] if s["site_id"] == "served-site"]
    assert site["reading_count"] == len(ROWS)

    seen, token = [], None
    while True:
        url = f"{served['api']}/sites/served-site/readings?limit=3" + (f"&next_token={token}" if token else "")
        status, page = get(url)
        assert status == 200
        seen.extend(item["timestamp"] for item in page["items"])
        token = page.get("next_token")
        if not token:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == len(ROWS)
    assert get(f"{served['api']}/sites/served-site/readings?limit=0")[0] == 400
    assert get(f"{served['api']}/sites/no-such-site/readings")[0] == 404


def test_run_against_serve_reports_like_the_embedded_engine_and_never_processes_twice(
        served: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "via-run.json"
    path.write_text(json.dumps([dict(row, site_id="run-site") for row in ROWS]))

    first = subprocess.run(cli("run", "--endpoint-url", served["aws"], "--json", str(path)),
                           capture_output=True, text=True, timeout=180, check=False)
    again = subprocess.run(cli("run", "--endpoint-url", served["aws"], "--json", str(path)),
                           capture_output=True, text=True, timeout=180, check=False)

    assert first.returncode == 0, first.stderr
    [row] = json.loads(first.stdout)
    assert (row["status"], row["received"], row["stored"], row["already_processed"]) == ("SUCCEEDED", 8, 8, False)
    [repeat] = json.loads(again.stdout)
    assert (repeat["already_processed"], repeat["stored"], repeat["alert_published"]) == (True, 0, False)


def test_charts_against_serve_writes_four_charts_per_site_and_a_gallery(served: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "for-charts.json"
    path.write_text(json.dumps([dict(row, site_id="chart-site") for row in ROWS]))
    uploaded = subprocess.run(cli("run", "--endpoint-url", served["aws"], str(path)),
                              capture_output=True, text=True, timeout=180, check=False)
    assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr
    out = tmp_path / "charts"
    drawn = subprocess.run(cli("charts", "--endpoint-url", served["aws"], "--out", str(out), "--workers", "1"),
                           capture_output=True, text=True, timeout=300, check=False)

    assert drawn.returncode == 0, drawn.stderr
    assert (out / "index.html").is_file() and (out / "fleet-totals.png").is_file()
    site_dirs = [path for path in out.iterdir() if path.is_dir()]
    assert site_dirs
    for folder in site_dirs:
        assert {png.name for png in folder.glob("*.png")} == {
            "energy-trends.png", "net-energy.png", "anomalies.png", "load-profile.png"}


def _stored(served: dict[str, Any], tmp_path: Path, site: str) -> None:
    path = tmp_path / f"{site}.json"
    path.write_text(json.dumps([dict(row, site_id=site) for row in ROWS]))
    uploaded = subprocess.run(cli("run", "--endpoint-url", served["aws"], str(path)),
                              capture_output=True, text=True, timeout=180, check=False)
    assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr


def _aws(served: dict[str, Any], service: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=served["aws"], region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def test_query_takes_from_without_an_offset_as_utc_like_charts(served: dict[str, Any], tmp_path: Path) -> None:
    _stored(served, tmp_path, "utc-site")
    answer = subprocess.run(
        cli("query", "utc-site", "--endpoint-url", served["aws"], "--from", "2025-03-01T01:00",
            "--to", "2025-03-01T02:00:00", "--resolution", "hour", "--json"),
        capture_output=True, text=True, timeout=120, check=False)
    assert answer.returncode == 0, answer.stderr
    summary = json.loads(answer.stdout)["summary"]
    assert (summary["from"], summary["to"]) == ("2025-03-01T01:00:00.000000Z", "2025-03-01T02:00:00.000000Z")
    assert summary["totals"]["reading_count"] == 4  # 01:00, 01:15, 01:30, 01:45


def test_query_json_into_a_closed_pipe_ends_quietly(served: dict[str, Any], tmp_path: Path) -> None:
    _stored(served, tmp_path, "pipe-site")
    # `true` exits long before query has its answer: every write meets a closed pipe (as `| head` does).
    command = " ".join(cli("query", "pipe-site", "--endpoint-url", served["aws"], "--json", "--anomalies"))
    piped = subprocess.run(f"set -o pipefail; {command} | true", shell=True, executable="/bin/bash",
                           capture_output=True, text=True, timeout=120, check=False)
    assert "Traceback" not in piped.stderr and "BrokenPipeError" not in piped.stderr, piped.stderr
    assert piped.returncode in (0, 141), piped.stderr  # success, or ended by SIGPIPE as `cat` would be


def test_the_emulated_state_machine_logs_and_traces_as_the_template_says(served: dict[str, Any]) -> None:
    sfn = _aws(served, "stepfunctions")
    [machine] = sfn.list_state_machines()["stateMachines"]
    described = sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])
    assert described["loggingConfiguration"]["level"] == "ALL"
    assert described["loggingConfiguration"]["includeExecutionData"] is True
    assert described["tracingConfiguration"] == {"enabled": True}


def test_validate_s_output_in_the_history_is_plain_json_not_a_python_repr(
        served: dict[str, Any], tmp_path: Path) -> None:
    _stored(served, tmp_path, "history-site")
    sfn = _aws(served, "stepfunctions")
    [machine] = sfn.list_state_machines()["stateMachines"]
    executions = sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]
    outputs = []
    for execution in executions:
        events = sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)["events"]
        outputs += [event["taskSucceededEventDetails"]["output"] for event in events
                    if "taskSucceededEventDetails" in event and '"format"' in
                    event["taskSucceededEventDetails"]["output"]]
    assert outputs
    assert all(_formats(json.loads(output)) == ["json"] for output in outputs), outputs


def _formats(value: Any) -> list[Any]:
    """Every "format" value inside a JSON document (the Lambda result may nest it)."""
    if isinstance(value, dict):
        return [found for key, item in value.items()
                for found in ([item] if key == "format" else _formats(item))]
    if isinstance(value, list):
        return [found for item in value for found in _formats(item)]
    return []
