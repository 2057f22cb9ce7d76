"""`run` and `demo`: meter-reading files through the local stack, each execution reported."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from energy_pipeline import report as text
from energy_pipeline.errors import UsageError

EXIT_OK, EXIT_FAILED = 0, 1


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    run.add_argument(
        "files", nargs="+", type=Path, help="meter-reading files (.json, .jsonl, .csv, optionally .gz)"
    )
    run.add_argument("--json", action="store_true", help="print one JSON object per file")
    run.add_argument(
        "--endpoint-url", help="a running `energy-pipeline serve` AWS endpoint (default: embedded)"
    )
    run.add_argument("--prefix", help="key prefix to upload under (default: the template's InputPrefix)")
    run.add_argument("--timeout", type=float, default=900, help="seconds to wait for each execution")


def add_demo_arguments(demo: argparse.ArgumentParser) -> None:
    demo.add_argument("--json", action="store_true")
    demo.add_argument("--out", type=Path, default=Path("demo-output"), help="where charts are written")
    demo.add_argument("--no-charts", action="store_true", help="skip the charts")


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
