"""The `charts` subcommand's options and run step; the CLI decides where the data comes from.

parser = subparsers.add_parser("charts"); viz.cli.add_arguments(parser)
... build a DataSource from --endpoint-url / --stack / --api ...
sys.exit(viz.cli.run(args, source))
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from viz.batch import generate_charts
from viz.source import DataSource


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNGs and index.html")
    parser.add_argument(
        "--site",
        action="append",
        dest="sites",
        metavar="SITE_ID",
        help="chart only this site (repeatable); default: every site the API lists",
    )
    parser.add_argument(
        "--from",
        dest="start",
        type=instant,
        metavar="TIME",
        help="ISO 8601 start, inclusive (no offset = UTC); default: each site's first reading",
    )
    parser.add_argument(
        "--to",
        dest="end",
        type=instant,
        metavar="TIME",
        help="ISO 8601 end, exclusive; default: just after each site's last reading",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes drawing charts in parallel (default: one per CPU)",
    )
    parser.add_argument(
        "--fetchers",
        type=int,
        default=None,
        metavar="N",
        help="sites read from the API at once, in threads (default 1). Against a deployed API, 4 hides "
        "network latency; not against `serve`, whose handler is not safe for concurrent requests yet",
    )
    parser.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="no progress bar (it is already off when stderr is not a terminal)",
    )


def instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 time: {text!r} (e.g. 2025-03-01T00:00:00Z)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run(args: argparse.Namespace, source: DataSource) -> int:
    """Draw everything, print the report; 1 when any site failed (its reason is printed)."""
    if args.start and args.end and args.end <= args.start:
        print("--to must be after --from", file=sys.stderr)
        return 2
    if args.fetchers is not None and args.fetchers < 1:
        print("--fetchers must be 1 or more", file=sys.stderr)
        return 2
    report = generate_charts(
        source, args.out, args.sites, args.start, args.end, args.workers, args.progress, args.fetchers
    )
    print(report.text(), file=sys.stderr if report.failures else sys.stdout)
    return 0 if report.ok else 1
