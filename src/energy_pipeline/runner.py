"""`energy-pipeline run`: upload files as a user would, wait for their executions, report per file."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from energy_pipeline.executions import History, describe, read_history

TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
POLL_S = 0.1  # a remote target: how often DescribeExecution is asked
WATCHED_POLL_S = 1.0  # an embedded engine wakes the waiter when an execution ends; this is the safety net


class ExecutionWatch(Protocol):
    """An embedded engine's notice that some execution ended (`energy_pipeline.local.tuning`)."""

    def mark(self) -> int: ...

    def wait(self, mark: int, timeout_s: float) -> None: ...


@dataclass
class Target:
    """Where files go and whose executions to watch: a local engine or a running `serve`."""

    clients: Any
    bucket: str
    input_prefix: str
    state_machine_arn: str
    watch: ExecutionWatch | None = None


def upload(target: Target, path: Path, key: str | None = None) -> tuple[str, str]:
    key = key or f"{target.input_prefix}{path.name}"
    with path.open("rb") as body:
        response = target.clients.s3.put_object(Bucket=target.bucket, Key=key, Body=body)
    return key, str(response["ETag"]).strip('"')


def find_execution(target: Target, key: str, etag: str, not_before: float, *, timeout_s: float = 60,
                   taken: set[str] | None = None) -> str | None:
    """The execution started for this upload: its input is the S3 event naming the key and ETag.

    `taken` holds executions already matched to earlier uploads of the same content in this run.
    """
    deadline = time.monotonic() + timeout_s
    seen: set[str] = set(taken or ())
    while time.monotonic() < deadline:
        pages = target.clients.stepfunctions.get_paginator("list_executions")
        for page in pages.paginate(stateMachineArn=target.state_machine_arn):
            for execution in page["executions"]:
                arn = execution["executionArn"]
                if arn in seen or execution["startDate"].timestamp() < not_before - 5:
                    continue
                seen.add(arn)
                detail = json.loads(target.clients.stepfunctions.describe_execution(
                    executionArn=arn)["input"]).get("detail", {})
                if detail.get("object", {}).get("key") == key and detail["object"].get("etag") == etag:
                    return str(arn)
        time.sleep(0.2)
    return None


def wait(target: Target, execution_arn: str, timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    watch = target.watch
    while True:
        mark = watch.mark() if watch else 0
        status = str(target.clients.stepfunctions.describe_execution(executionArn=execution_arn)["status"])
        remaining = deadline - time.monotonic()
        if status in TERMINAL or remaining < 0:
            return status
        if watch:
            watch.wait(mark, min(WATCHED_POLL_S, remaining))
        else:
            time.sleep(POLL_S)


def report(target: Target, file: str, key: str, execution_arn: str) -> dict[str, Any]:
    """One row of `run --json`: the keys the README documents, from the execution's own output."""
    info = describe(target.clients.stepfunctions, execution_arn)
    info["execution_arn"] = execution_arn
    history = read_history(target.clients.stepfunctions, execution_arn)
    output = info["output"] or {}
    published = any(state.name in ("Publish alert", "Publish failure alert") and state.status == "SUCCEEDED"
                    for state in history.states)
    row: dict[str, Any] = {
        "file": file,
        "key": key,
        "execution": execution_arn,
        "status": info["status"],
        "error": info["error"],
        "reason": info["cause"],
        "received": output.get("received", 0),
        "stored": output.get("stored", 0),
        "rejected": output.get("rejected", 0),
        "duplicates": output.get("duplicates", 0),
        "anomalies": output.get("anomalies", 0),
        "anomalies_by_type": output.get("anomalies_by_type", {}),
        "anomalous_readings": output.get("anomalous_readings", 0),
        "alert_published": published,
        "already_processed": bool(output.get("already_processed", False)),
        "rejects_location": output.get("rejects_location"),
        "quarantine_location": output.get("quarantine_location"),
        "states": [state.as_dict() for state in history.states],
        "history_events": history.events,
        "max_state_payload_bytes": history.max_payload_bytes,
    }
    if info["status"] != "SUCCEEDED":
        row.update(_failure_counts(target, info, history))
    return row


def _failure_counts(target: Target, info: dict[str, Any], history: History) -> dict[str, Any]:
    """A failed execution has no output: the counts it reached are Validate's, in the state it handed on
    (a file Validate read and refused keeps them; a file it could not read has none)."""
    detail = info["input"].get("detail", {})
    key = detail.get("object", {}).get("key", "")
    counts: dict[str, Any] = {
        "quarantine_location": f"s3://{target.bucket}/quarantine/{key}" if key else None
    }
    validation = (history.output_of("Validate and stage readings") or {}).get("validation") or {}
    for field in ("received", "rejected", "duplicates", "rejects_location"):
        if field in validation:
            counts[field] = validation[field]
    return counts


def run_files(target: Target, files: list[Path], timeout_s: float = 600) -> list[dict[str, Any]]:
    """Uploads every file first (as concurrent uploads would arrive), then waits for each execution."""
    started = time.time()
    uploads = [(path, *upload(target, path)) for path in files]
    rows = []
    taken: set[str] = set()
    for path, key, etag in uploads:
        arn = find_execution(target, key, etag, started, taken=taken)
        if arn is None:
            rows.append(
                {
                    "file": str(path),
                    "key": key,
                    "execution": None,
                    "status": "NOT_STARTED",
                    "error": "NoExecution",
                    "reason": f"no execution started for s3://{target.bucket}/{key}; "
                    f"is the key under the input prefix {target.input_prefix!r}?",
                }
            )
            continue
        taken.add(arn)
        wait(target, arn, timeout_s)
        rows.append(report(target, str(path), key, arn))
    return rows
