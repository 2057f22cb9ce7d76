"""Plain-text rendering of execution results for the terminal."""

from __future__ import annotations

from typing import Any


def _by_type(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items()))


def execution_block(row: dict[str, Any]) -> str:
    name = str(row.get("execution") or "-").rsplit(":", 1)[-1]
    lines = [f"{row['status']:<9} {row.get('key') or row['file']}   (execution {name})"]
    if row.get("already_processed"):
        lines.append("  already processed: same content at the same key - nothing written, no alert")
    counts = (f"  received {row.get('received', 0)}  stored {row.get('stored', 0)}  "
              f"rejected {row.get('rejected', 0)}  duplicates {row.get('duplicates', 0)}  "
              f"anomalies {row.get('anomalies', 0)}")
    if row.get("anomalies_by_type"):
        counts += f" ({_by_type(row['anomalies_by_type'])}; {row.get('anomalous_readings', 0)} readings)"
    lines.append(counts)
    lines.append(f"  alert published: {'yes' if row.get('alert_published') else 'no'}")
    if row.get("error"):
        lines.append(f"  error: {row['error']}: {row.get('reason') or ''}")
    for label in ("rejects_location", "quarantine_location"):
        if row.get(label):
            lines.append(f"  {label.replace('_location', '')}: {row[label]}")
    states = row.get("states") or []
    if states:
        lines.append("  states:")
        width = max(len(state["name"]) for state in states) + 1  # durations line up under the longest name
        for state in states:
            duration = "" if state.get("duration_ms") is None else f"{state['duration_ms']:>6} ms"
            extra = f"  retries {state['retries']}" if state.get("retries") else ""
            extra += f"  {state['error']}" if state.get("error") else ""
            lines.append(f"    {state['status']:<9} {state['name']:<{width}}{duration}{extra}")
    return "\n".join(lines) + "\n"
