"""The timeline of one execution: rows for the terminal table, the HTML page and `--json`."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from energy_pipeline.executions import StateRun
from energy_pipeline.viewer.run import CAUGHT, RunView


@dataclass(frozen=True)
class Row:
    name: str
    status: str
    entered: datetime
    exited: datetime | None
    duration_ms: int | None
    retries: int
    error: str | None
    cause: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "entered": _iso(self.entered),
            "exited": _iso(self.exited),
            "duration_ms": self.duration_ms,
            "retries": self.retries,
            "error": self.error,
            "cause": self.cause,
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="milliseconds")


def clock(moment: datetime | None) -> str:
    return "-" if moment is None else moment.astimezone(UTC).strftime("%H:%M:%S.%f")[:-3]


def readable_cause(cause: str | None) -> str | None:
    """A Lambda error's cause is JSON with a stack trace; the message is what a person needs."""
    if not cause or not cause.startswith("{"):
        return cause
    try:
        parsed = json.loads(cause)
    except ValueError:
        return cause
    return str(parsed.get("errorMessage") or cause) if isinstance(parsed, dict) else cause


def rows(runs: list[StateRun], view: RunView) -> list[Row]:
    """One row per state run (Map iterations repeat their states); a caught failure says so."""
    result = []
    for run in runs:
        caught = run.status == "FAILED" and view.of(run.name).status == CAUGHT
        result.append(
            Row(
                run.name,
                CAUGHT if caught else run.status,
                run.entered,
                run.exited,
                run.duration_ms,
                run.retries,
                run.error,
                readable_cause(run.cause),
            )
        )
    return result


def table(timeline: list[Row], width: int = 110) -> str:
    name_width = max([len(row.name) for row in timeline] + [5])
    lines = [
        f"  {'state':<{name_width}}  {'status':<9}  {'entered':<12}  {'exited':<12}  {'duration':>9}  retries"
    ]
    for row in timeline:
        duration = "-" if row.duration_ms is None else f"{row.duration_ms} ms"
        retries = str(row.retries) if row.retries else ""
        lines.append(
            f"  {row.name:<{name_width}}  {row.status:<9}  {clock(row.entered):<12}  "
            f"{clock(row.exited):<12}  {duration:>9}  {retries}"
        )
        if row.error:
            detail = f"{row.error}: {row.cause}" if row.cause else row.error
            lines += textwrap.wrap(detail, width, initial_indent="      ", subsequent_indent="        ")
    return "\n".join(lines)
