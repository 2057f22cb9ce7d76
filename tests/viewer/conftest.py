"""Three real executions on the embedded engine, shared by the viewer tests: clean, anomalous, failed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from energy_pipeline.viewer.source import Source
from tests.workflow.helpers import run, write

# A meter that only consumes, steadily, every 15 minutes: nothing for the detectors to flag.
CLEAN = [
    {
        "site_id": "viewer-site",
        "timestamp": f"2025-03-01T{i // 4:02d}:{(i % 4) * 15:02d}:00Z",
        "energy_generated_kwh": 0.0,
        "energy_consumed_kwh": round(1.0 + (i % 7) * 0.1, 1),
    }
    for i in range(6)
]


@dataclass
class Runs:
    source: Source
    rows: dict[str, dict[str, Any]]  # clean | anomalies | failed -> the `run --json` row

    def arn(self, kind: str) -> str:
        return str(self.rows[kind]["execution"])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    from energy_pipeline.session import open_engine

    folder = tmp_path_factory.mktemp("uploads")
    samples = Path(__file__).resolve().parents[2] / "events" / "data"
    with open_engine() as local:
        clean, anomalies, failed = run(
            local,
            write(folder, "clean.json", CLEAN),
            samples / "original-sample.json",
            samples / "truncated-upload.json",
        )
        source = Source(
            local.engine.clients.stepfunctions, local.target.state_machine_arn, "us-east-1", False
        )
        yield Runs(source, {"clean": clean, "anomalies": anomalies, "failed": failed})
