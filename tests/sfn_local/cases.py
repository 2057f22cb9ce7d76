"""What each MockConfigFile.json test case must do on Step Functions Local: its outcome and its path."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MOCK_CONFIG = ROOT / "statemachine" / "MockConfigFile.json"
DEFINITION = ROOT / "statemachine" / "pipeline.asl.json"
EVENT = ROOT / "events" / "s3-object-created.json"
STATE_MACHINE = "EnergyPipeline"  # the MockConfigFile's key; Step Functions Local matches it by name
ACCOUNT, REGION = "123456789012", "us-east-1"

_HEAD = [
    "Read upload event",
    "Folder marker?",
    "Claim file",
    "Pick a file slot",
    "Take the file slot",
    "Validate and stage readings",
    "File refused?",
    "Detect anomalies",
    "Store readings",
    "Write chunk",
    "Update site catalog",
    "Record ingestion",
    "Release the file slot",
    "Any anomalies?",
]


@dataclass(frozen=True)
class Case:
    status: str
    path: list[str]  # every state entered, in order
    error: str | None = None
    retried: str | None = None  # a state whose task ran again after a transient error


CASES = {
    "HappyPath": Case("SUCCEEDED", [*_HEAD, "Report without alert"]),
    "Anomalies": Case("SUCCEEDED", [*_HEAD, "Publish alert", "Report with alert"]),
    "InvalidFile": Case(
        "FAILED",
        [
            "Read upload event",
            "Folder marker?",
            "Claim file",
            "Pick a file slot",
            "Take the file slot",
            "Validate and stage readings",
            "Quarantine file",
            "Record failure",
            "Holds a file slot?",
            "Release the file slot after failure",
            "Publish failure alert",
            "Invalid file?",
            "File rejected",
        ],
        error="InvalidFile",
    ),
    "RetriedTransientError": Case("SUCCEEDED", [*_HEAD, "Report without alert"], retried="Validate and stage readings"),
}


def mock_config() -> dict[str, Any]:
    return dict(json.loads(MOCK_CONFIG.read_text(encoding="utf-8")))


def definition_for_local() -> str:
    """The real definition with its template substitutions filled in with names Step Functions Local accepts."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in ("FileSlots", "FileSlotWaitSeconds"):  # numbers inside intrinsic functions
            return "2"
        if "Function" in name:
            return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name.removesuffix('Arn')}"
        if "Topic" in name:
            return f"arn:aws:sns:{REGION}:{ACCOUNT}:{name.removesuffix('Arn')}"
        return f"energy-pipeline-{name}"

    return re.sub(r"\$\{(\w+)\}", fill, DEFINITION.read_text(encoding="utf-8"))
