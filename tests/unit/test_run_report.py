"""What `energy-pipeline run` prints for an execution (energy_pipeline.report)."""

from __future__ import annotations

from energy_pipeline.report import execution_block


def test_the_state_durations_line_up_under_the_longest_state_name() -> None:
    row = {
        "status": "SUCCEEDED", "file": "incoming/a.json", "name": "a-json", "received": 2, "stored": 2,
        "rejected": 0, "duplicates": 0, "anomalies": 0,
        "states": [
            {"status": "SUCCEEDED", "name": "Read upload event", "duration_ms": 9},
            {"status": "SUCCEEDED", "name": "Validate and stage readings", "duration_ms": 29},
            {"status": "FAILED", "name": "Store readings", "duration_ms": 1089, "retries": 1},
        ],
    }
    lines = [line for line in execution_block(row).splitlines() if line.endswith(" ms") or " ms  " in line]
    assert len(lines) == 3
    assert len({line.index(" ms") for line in lines}) == 1, lines  # one column for every duration
    assert "Validate and stage readings " in lines[1]  # never runs into its duration
