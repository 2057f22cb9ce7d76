"""`energy-pipeline query`: a site's summary (and anomalies) as a readable table."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from viz.source import SourceError


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value}"


def summary_table(summary: dict[str, Any]) -> str:
    header = (
        f"{'bucket start (UTC)':<28} {'readings':>8} {'anom':>5} "
        f"{'generated kWh':>14} {'consumed kWh':>13} {'net kWh':>12}"
    )
    lines = [
        f"{summary['site_id']}  {summary['from']} .. {summary['to']}  per {summary['resolution']}",
        header,
        "-" * len(header),
    ]
    rows = [*summary.get("buckets", []), {"start": "total", **summary.get("totals", {})}]
    for row in rows:
        lines.append(
            f"{row['start']:<28} {_fmt(row.get('reading_count')):>8} {_fmt(row.get('anomaly_count')):>5} "
            f"{_fmt(row.get('energy_generated_kwh', {}).get('sum')):>14} "
            f"{_fmt(row.get('energy_consumed_kwh', {}).get('sum')):>13} "
            f"{_fmt(row.get('net_energy_kwh', {}).get('sum')):>12}"
        )
    return "\n".join(lines)


def anomaly_lines(items: list[dict[str, Any]]) -> str:
    if not items:
        return "no anomalies in this range"
    return "\n".join(
        f"{item['timestamp']}  {item['severity']:<6} {item['type']:<17} {item['reason']}" for item in items
    )


def api_instant(moment: datetime) -> str:
    """The API's form of a parsed --from/--to: UTC with Z (no "+" to encode in the URL)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def run_query(args: argparse.Namespace, source: Any) -> int:
    query = {"resolution": args.resolution}
    if args.start:
        query["from"] = api_instant(args.start)
    if args.end:
        query["to"] = api_instant(args.end)
    from urllib.parse import quote

    try:
        summary = source.get(f"/sites/{quote(args.site, safe='')}/summary", query)
        anomalies = []
        if args.anomalies:
            anomalies = list(source._walk(f"/sites/{quote(args.site, safe='')}/anomalies",
                                          {k: v for k, v in query.items() if k != "resolution"}))
    except SourceError as error:
        print(f"energy-pipeline query: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(
            json.dumps({"summary": summary, **({"anomalies": anomalies} if args.anomalies else {})}, indent=2)
        )
        return 0
    print(summary_table(summary))
    if args.anomalies:
        print()
        print(anomaly_lines(anomalies))
    return 0
