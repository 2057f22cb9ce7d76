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

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, body = get(f"{served['api']}/sites")
        if any(site["site_id"] == "served-site" for site in body.get("items", [])):
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
