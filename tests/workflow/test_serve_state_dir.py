"""`serve --state-dir`: what one `serve` stored, the next one started on the same directory still has."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.workflow.test_serve import ROWS, cli, free_port, get

pytestmark = [pytest.mark.workflow, pytest.mark.slow]


class Serve:
    """One `energy-pipeline serve --state-dir` process, as a user starts and stops it."""

    def __init__(self, state: Path) -> None:
        self.api_port, self.aws_port = free_port(), free_port()
        self.process = subprocess.Popen(
            cli("serve", "--port", str(self.api_port), "--aws-port", str(self.aws_port), "--state-dir", str(state)),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        assert self.process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            if line.strip().startswith("AWS"):
                return

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def aws(self) -> str:
        return f"http://127.0.0.1:{self.aws_port}"

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        rest, _ = self.process.communicate(timeout=60)
        return self.process.returncode, "".join(self.lines) + rest


def _run(serve: Serve, path: Path) -> dict[str, Any]:
    done = subprocess.run(cli("run", "--json", "--endpoint-url", serve.aws, str(path)),
                          capture_output=True, text=True, check=True, timeout=120)
    [row] = json.loads(done.stdout)
    return dict(row)


def test_a_restarted_serve_answers_from_what_the_last_one_stored(tmp_path: Path) -> None:
    state, upload = tmp_path / "state", tmp_path / "kept-site.json"
    upload.write_text(json.dumps([{**row, "site_id": "kept-site"} for row in ROWS]))

    first = Serve(state)
    assert _run(first, upload)["stored"] == len(ROWS)
    code, output = first.stop()
    assert code == 0 and "saved" in output and (state / "snapshot" / "manifest.json").exists()

    second = Serve(state)
    try:
        status, sites = get(f"{second.api}/sites")
        [site] = [s for s in sites["items"] if s["site_id"] == "kept-site"]
        assert status == 200 and site["reading_count"] == len(ROWS)
        _, readings = get(f"{second.api}/sites/kept-site/readings?limit=100")
        assert len(readings["items"]) == len(ROWS)
        again = _run(second, upload)  # the ledger and the object's ETag came back too
        assert again["already_processed"] is True and again["status"] == "SUCCEEDED"
    finally:
        code, output = second.stop()
    assert code == 0 and "nothing kept there yet" not in output and "loaded" in output


def test_a_snapshot_it_cannot_read_stops_serve_with_what_to_do(tmp_path: Path) -> None:
    snapshot = tmp_path / "state" / "snapshot"
    snapshot.mkdir(parents=True)
    (snapshot / "manifest.json").write_text("{not json")

    serve = Serve(tmp_path / "state")
    code = serve.process.wait(timeout=60)
    output = "".join(serve.lines) + (serve.process.stdout.read() if serve.process.stdout else "")
    assert code == 2
    assert "cannot be loaded" in output and "start with another --state-dir" in output
