"""`executions`: one line per execution - file, status, start, duration and the counts from its output."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from energy_pipeline.executions import describe
from energy_pipeline.viewer.source import Source, duration_s, recent

COUNTS = ("received", "stored", "rejected", "duplicates", "anomalies")


def summary(source: Source, item: dict[str, Any], now: datetime) -> dict[str, Any]:
    info = describe(source.stepfunctions, item["executionArn"])
    output = info["output"] or {}
    key = info["input"].get("detail", {}).get("object", {}).get("key")
    row: dict[str, Any] = {
        "name": item["name"],
        "execution": item["executionArn"],
        "file": key,
        "status": info["status"],
        "start": info["start"].astimezone(UTC).isoformat(timespec="seconds") if info["start"] else None,
        "duration_s": duration_s(info["start"], info["stop"], now),
        "error": info["error"],
    }
    # a failed execution has no output: its counts are unknown here, not zero
    row.update({count: output.get(count) for count in COUNTS})
    url = source.console_url(item["executionArn"])
    if url:
        row["console_url"] = url
    return row


def rows(source: Source, limit: int = 20) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [summary(source, item, now) for item in recent(source, limit)]


def _cell(value: Any) -> str:
    return "-" if value is None else str(value)


def table(found: list[dict[str, Any]]) -> str:
    if not found:
        return (
            "no executions yet: upload a file under the input prefix (energy-pipeline run --endpoint-url ...)"
        )
    file_width = min(max(len(_cell(row["file"])) for row in found), 48)
    header = (
        f"{'status':<9}  {'file':<{file_width}}  {'start (UTC)':<19}  {'duration':>8}  "
        + "  ".join(f"{count:>10}" for count in COUNTS)
        + "  execution"
    )
    lines = [header]
    for row in found:
        start = (row["start"] or "-")[:19].replace("T", " ")
        duration = "-" if row["duration_s"] is None else f"{row['duration_s']:.1f} s"
        counts = "  ".join(f"{_cell(row[count]):>10}" for count in COUNTS)
        lines.append(
            f"{row['status']:<9}  {_cell(row['file'])[-file_width:]:<{file_width}}  {start:<19}  "
            f"{duration:>8}  {counts}  {row['name']}"
        )
        if row.get("error"):
            lines.append(f"           error: {row['error']}")
        if row.get("console_url"):
            lines.append(f"           {row['console_url']}")
    return "\n".join(lines)
