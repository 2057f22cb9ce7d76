"""`energy-pipeline ingestions`: the ingestion ledger (GET /ingestions) as a table, newest first.

Exit codes: 0 listed (FAILED files are data here, not a failure of the command), 1 the API answered an
error, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from energy_pipeline.errors import SourceChoiceError
from energy_pipeline.sources import add_source_options, data_source

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
STATUSES = ("PROCESSING", "SUCCEEDED", "FAILED")
PAGE_LIMIT = "1000"  # the API's largest page: fewest round trips
KEY_WIDTH = 48
REASON_WIDTH = 70


def shorten(text: str, width: int, keep_end: bool = False) -> str:
    """One line of at most `width` characters; keys keep their end (the file name), reasons their start."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    return "…" + flat[-(width - 1) :] if keep_end else flat[: width - 1] + "…"


def _counts(entry: dict[str, Any]) -> str:
    if "stored" not in entry and "rejected" not in entry:
        return "-"
    return f"{entry.get('stored', '-')}/{entry.get('rejected', '-')}"


def _reason(entry: dict[str, Any]) -> str:
    parts = [entry[name] for name in ("error", "reason") if entry.get(name)]
    return shorten(": ".join(parts), REASON_WIDTH) if parts else ""


def _updated(entry: dict[str, Any]) -> str:
    # Canonical "2026-11-29T20:31:54.123000Z" reads better as "2026-11-29 20:31:54" under a UTC header.
    return str(entry.get("updated_at", ""))[:19].replace("T", " ")


def _totals(entries: list[dict[str, Any]]) -> str:
    counted = Counter(str(entry.get("status")) for entry in entries)
    order = [status for status in ("SUCCEEDED", "FAILED", "PROCESSING") if counted[status]]
    order += sorted(set(counted) - set(order))
    noun = "file" if len(entries) == 1 else "files"
    return f"{len(entries)} {noun}: " + ", ".join(f"{counted[status]} {status}" for status in order)


def table(entries: list[dict[str, Any]]) -> str:
    """Key, status, stored/rejected, anomalies, updated time and a shortened reason; a totals line."""
    if not entries:
        return "no ingestions match"
    keys = [shorten(str(entry.get("key", "")), KEY_WIDTH, keep_end=True) for entry in entries]
    width = max(len("key"), *(len(key) for key in keys))
    header = (
        f"{'key':<{width}}  {'status':<10}  {'stored/rejected':>15}  {'anomalies':>9}  "
        f"{'updated (UTC)':<19}  reason"
    )
    lines = [header, "-" * len(header)]
    for key, entry in zip(keys, entries, strict=True):
        anomalies = entry.get("anomalies", "-")
        lines.append(
            f"{key:<{width}}  {entry.get('status', '?'):<10}  {_counts(entry):>15}  {anomalies!s:>9}  "
            f"{_updated(entry):<19}  {_reason(entry)}".rstrip()
        )
    return "\n".join([*lines, "", _totals(entries)])


def run_ingestions(args: argparse.Namespace, source: Any) -> int:
    from viz.source import SourceError

    query = {"status": args.status, "from": args.start, "to": args.end, "limit": PAGE_LIMIT}
    try:
        # The source follows next_token to the end (and stops if a token ever repeats).
        entries = list(source._walk("/ingestions", {k: v for k, v in query.items() if v}))
    except SourceError as error:
        print(f"energy-pipeline ingestions: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(entries, indent=2) if args.json else table(entries))
    return EXIT_OK


def list_ingestions(args: argparse.Namespace) -> int:
    try:
        source = data_source(args)
    except SourceChoiceError as error:
        print(f"energy-pipeline ingestions: {error}", file=sys.stderr)
        return EXIT_USAGE
    return run_ingestions(args, source)


def add_ingestions_arguments(lister: argparse.ArgumentParser) -> None:
    lister.add_argument("--status", choices=STATUSES, help="only files with this status")
    lister.add_argument("--from", dest="start", help="updated at or after this ISO 8601 time")
    lister.add_argument("--to", dest="end", help="updated before this ISO 8601 time")
    lister.add_argument("--json", action="store_true", help="print the entries as a JSON list")
    add_source_options(lister)
