"""energy-pipeline: run the pipeline locally, serve it, query it, chart it.

Exit codes: 0 every execution succeeded, 1 any failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NamedTuple

from energy_pipeline import commands_ingestions, commands_local, commands_ops, commands_run, commands_viewer
from energy_pipeline.errors import UsageError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Command(NamedTuple):
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# Every command, in the order `energy-pipeline --help` lists them.
COMMANDS = (
    Command("run", "upload files to the local stack and report each execution",
            commands_run.add_run_arguments, commands_run.command_run),
    Command("demo", "run the bundled sample data through the pipeline and summarise",
            commands_run.add_demo_arguments, commands_run.command_demo),
    Command("ingestions", "the ingestion ledger: one row per uploaded file, newest first",
            commands_ingestions.add_ingestions_arguments, commands_ingestions.list_ingestions),
    Command("serve", "run the local stack until interrupted: query API + AWS endpoint",
            commands_local.add_serve_arguments, commands_local.serve),
    Command("query", "a site's summary per hour/day/month as a table",
            commands_local.add_query_arguments, commands_local.query),
    Command("charts", "draw every site's charts and an offline index.html",
            commands_local.add_charts_arguments, commands_local.charts),
    Command("reprocess", "send an uploaded file through the pipeline again (failed; any with --force)",
            commands_ops.add_reprocess_arguments, commands_ops.reprocess_command),
    Command("executions", "list executions: file, status, start, duration, counts",
            commands_viewer.add_executions_arguments, commands_viewer.list_executions),
    Command("show", "one execution's timeline; writes graph.svg, graph.png and index.html",
            commands_viewer.add_show_arguments, commands_viewer.show_execution),
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="energy-pipeline", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_arguments(subcommands.add_parser(command.name, help=command.help))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) and EXIT_USAGE
    run = {command.name: command.run for command in COMMANDS}[args.command]
    try:
        return int(run(args))
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
