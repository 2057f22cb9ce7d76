"""`executions` and `show`: a local stand-in for the Step Functions console's list, graph and event views."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from energy_pipeline.errors import ExecutionNotFound

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _add_source(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--endpoint-url",
        help="AWS endpoint of a running `energy-pipeline serve` (e.g. http://127.0.0.1:4566)",
    )
    group.add_argument("--stack", help="a deployed CloudFormation stack (reads its StateMachineArn output)")
    parser.add_argument("--region", help="AWS region of --stack (default: your AWS configuration)")


def _source(args: argparse.Namespace, command: str) -> Any:
    from energy_pipeline.viewer import source

    if args.endpoint_url:
        return source.from_endpoint(args.endpoint_url)
    if args.stack:
        return source.from_stack(args.stack, args.region)
    print(f"energy-pipeline {command}: {source.NO_SOURCE}", file=sys.stderr)
    return None


def _print_listing(args: argparse.Namespace, found: list[dict[str, Any]]) -> None:
    from energy_pipeline.viewer import listing

    if args.json:
        print(json.dumps(found, default=str, indent=None if args.watch else 2), flush=True)
        return
    if args.watch:
        print("\x1b[2J\x1b[H", end="")  # clear the terminal so the table redraws in place
        print(f"{time.strftime('%H:%M:%S')}  refreshing every {args.interval:g} s (Ctrl-C to stop)\n")
    print(listing.table(found), flush=True)


def list_executions(args: argparse.Namespace) -> int:
    from energy_pipeline.viewer import listing

    source = _source(args, "executions")
    if source is None:
        return EXIT_USAGE
    while True:
        found = listing.rows(source, args.limit)
        _print_listing(args, found)
        if not args.watch:
            return (
                EXIT_FAILED
                if any(row["status"] in ("FAILED", "TIMED_OUT", "ABORTED") for row in found)
                else EXIT_OK
            )
        time.sleep(args.interval)


def show_execution(args: argparse.Namespace) -> int:
    from energy_pipeline.viewer import show, source

    origin = _source(args, "show")
    if origin is None:
        return EXIT_USAGE
    try:
        execution = source.load(origin, source.resolve(origin, args.execution))
    except ExecutionNotFound as error:
        print(f"energy-pipeline show: {error}", file=sys.stderr)
        return EXIT_USAGE
    console = origin.console_url(execution.arn)
    drawn = show.picture(execution)
    written = show.write(execution, drawn, args.out or Path(f"execution-{execution.name}"), console)
    if args.json:
        print(json.dumps(show.as_dict(execution, drawn, written, console), default=str, indent=2))
    else:
        print(show.report(execution, drawn, console))
        print(
            f"\nwrote {written.svg}, {written.png} and {written.html} (open it in a browser: works offline)"
        )
    return EXIT_OK if execution.info["status"] in ("SUCCEEDED", "RUNNING") else EXIT_FAILED


def add_executions_arguments(lister: argparse.ArgumentParser) -> None:
    _add_source(lister)
    lister.add_argument("--watch", action="store_true", help="refresh until interrupted")
    lister.add_argument("--interval", type=float, default=2.0, help="seconds between refreshes (--watch)")
    lister.add_argument("--limit", type=int, default=20, help="newest executions to list (default 20)")
    lister.add_argument(
        "--json", action="store_true", help="print a JSON list (one per refresh with --watch)"
    )


def add_show_arguments(shower: argparse.ArgumentParser) -> None:
    shower.add_argument("execution", help="execution ARN, name, or the unique start of a name")
    _add_source(shower)
    shower.add_argument("--out", type=Path, help="directory for the files (default ./execution-<name>/)")
    shower.add_argument("--json", action="store_true", help="print the execution and its timeline as JSON")
