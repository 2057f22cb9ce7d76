"""energy-pipeline: run the pipeline locally, serve it, query it, chart it.

Exit codes: 0 every execution succeeded, 1 any failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from energy_pipeline import report as text
from energy_pipeline.errors import UsageError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _add_run(commands: Any) -> None:
    run = commands.add_parser("run", help="upload files to the local stack and report each execution")
    run.add_argument(
        "files", nargs="+", type=Path, help="meter-reading files (.json, .jsonl, .csv, optionally .gz)"
    )
    run.add_argument("--json", action="store_true", help="print one JSON object per file")
    run.add_argument(
        "--endpoint-url", help="a running `energy-pipeline serve` AWS endpoint (default: embedded)"
    )
    run.add_argument("--prefix", help="key prefix to upload under (default: the template's InputPrefix)")
    run.add_argument("--timeout", type=float, default=900, help="seconds to wait for each execution")
    demo = commands.add_parser("demo", help="run the bundled sample data through the pipeline and summarise")
    demo.add_argument("--json", action="store_true")
    demo.add_argument("--out", type=Path, default=Path("demo-output"), help="where charts are written")
    demo.add_argument("--no-charts", action="store_true", help="skip the charts")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="energy-pipeline", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_run(commands)
    for extension in _extensions():
        extension.add_parser(commands)
    return parser


def _extensions() -> list[Any]:
    """Further commands (serve, query, charts, executions, show, ...) register themselves here."""
    from energy_pipeline import commands

    return list(commands.ALL)


def _check_files(files: Sequence[Path]) -> None:
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}; give paths to meter-reading files")


def command_run(args: argparse.Namespace) -> int:
    from energy_pipeline.session import open_target

    _check_files(args.files)
    with open_target(args.endpoint_url) as target:
        if args.prefix:
            target.input_prefix = args.prefix
        from energy_pipeline.runner import run_files

        rows = run_files(target, list(args.files), timeout_s=args.timeout)
    _print_rows(rows, args.json)
    return EXIT_OK if all(row["status"] == "SUCCEEDED" for row in rows) else EXIT_FAILED


def command_demo(args: argparse.Namespace) -> int:
    from energy_pipeline.demo import run_demo

    return run_demo(args)


def _print_rows(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
    else:
        for row in rows:
            print(text.execution_block(row))


HANDLERS = {"run": command_run, "demo": command_demo}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) and EXIT_USAGE
    handler = HANDLERS.get(args.command) or getattr(args, "handler", None)
    try:
        return int(handler(args)) if handler else EXIT_USAGE
    except UsageError as error:
        print(f"energy-pipeline {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # before Exception, which it is a kind of
        return _reader_went_away()
    except Exception as error:
        if type(error).__name__ != "EndpointConnectionError":
            raise
        print(
            f"energy-pipeline {args.command}: {error}; is `energy-pipeline serve` running there?",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


def _reader_went_away() -> int:
    """`energy-pipeline query --json | head`: the reader closed the pipe; stop quietly, as cat does."""
    # Python would report the failed flush of the buffered rest at exit: point stdout at nothing first.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141  # 128 + SIGPIPE, what a shell reports for a writer killed by the closed pipe


if __name__ == "__main__":
    sys.exit(main())
