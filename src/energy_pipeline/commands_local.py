"""`serve`, `query` and `charts`: a long-running local stack, and reading what it stored."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

from energy_pipeline.errors import SourceChoiceError, StateDirError, StopRequested
from energy_pipeline.sources import add_source_options, data_source


def serve(args: argparse.Namespace) -> int:
    from energy_pipeline.api.in_process import query_function_spec, query_handler
    from energy_pipeline.api.server import api_server, raise_on_stop_signals, serving
    from energy_pipeline.local import engine
    from energy_pipeline.session import quiet_handlers

    raise_on_stop_signals()
    quiet_handlers()
    try:
        with engine.server(args.aws_port, host=args.host) as local:
            if args.state_dir is not None:
                _restore(args.state_dir, local.stack.region)
            handler = query_handler(query_function_spec(local.stack.functions), local.endpoint_url)
            try:
                with serving(api_server(handler, args.host, args.port)):
                    api_url, aws_url = f"http://{args.host}:{args.port}", local.endpoint_url
                    banner = _banner(local.stack.bucket, local.stack.input_prefix, api_url, str(aws_url),
                                     args.state_dir)
                    print(banner, flush=True)
                    threading.Event().wait()
            except StopRequested as stop:
                print(f"\nstopping ({stop})", file=sys.stderr, flush=True)
                if args.state_dir is not None:
                    _save(args.state_dir, local.stack.region)
                # Now, inside the engine: leaving it hands the collector back to the process, whose next
                # full collection walks every stored object (~10 s with a 1M-reading file stored).
                return _exit_now(0)
    except StopRequested as stop:
        print(f"\nstopped ({stop}) before the state was saved; {args.state_dir} keeps its previous snapshot"
              if args.state_dir is not None else f"\nstopping ({stop})", file=sys.stderr, flush=True)
    except StateDirError as error:
        print(f"energy-pipeline serve: {error}", file=sys.stderr, flush=True)
        return _exit_now(2)
    return _exit_now(0)


def _restore(directory: Path, region: str) -> None:
    from energy_pipeline.local import state_dir

    print(f"loading the state kept in {directory} ...", file=sys.stderr, flush=True)
    loaded = state_dir.restore(directory, region)
    print(f"loaded {loaded}" if loaded else "nothing kept there yet: starting empty", file=sys.stderr,
          flush=True)


def _save(directory: Path, region: str) -> None:
    from energy_pipeline.local import state_dir

    print(f"saving the state to {directory} (Ctrl-C again abandons it) ...", file=sys.stderr, flush=True)
    print(f"saved {state_dir.save(directory, region)}", file=sys.stderr, flush=True)


def _exit_now(code: int) -> int:
    """Ends the process without tearing the emulator down object by object.

    Every stored item, object and history event lives in this process; the interpreter's own teardown
    freed them one by one (over 60 s after a 1M-reading file). The API server is closed; the emulator's
    sockets close with the process. Nothing is written anywhere: the data is discarded either way.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _banner(bucket: str, prefix: str, api_url: str, aws_url: str, state: Path | None) -> str:
    kept = f"the data is saved to {state} when it stops" if state else "all data lives in memory"
    return "\n".join([
        f"energy-pipeline local stack is running (Ctrl-C stops it; {kept})",
        f"  bucket      {bucket}",
        f"  query API   {api_url}    e.g. curl {api_url}/sites",
        f"  AWS         {aws_url}",
        "",
        "Upload a file (either way starts the pipeline):",
        f"  aws --endpoint-url {aws_url} s3 cp readings.json s3://{bucket}/{prefix}",
        f"  energy-pipeline run --endpoint-url {aws_url} readings.json",
        f"Then: energy-pipeline query SITE --endpoint-url {aws_url}",
        f"      energy-pipeline charts --endpoint-url {aws_url} --out charts/",
    ])


def query(args: argparse.Namespace) -> int:
    from energy_pipeline.query_report import run_query

    try:
        return run_query(args, data_source(args))
    except SourceChoiceError as error:
        print(f"energy-pipeline query: {error}", file=sys.stderr)
        return 2


def charts(args: argparse.Namespace) -> int:
    import viz.cli

    try:
        source = data_source(args)
    except SourceChoiceError as error:
        print(f"energy-pipeline charts: {error}", file=sys.stderr)
        return 2
    return viz.cli.run(args, source)


def add_serve_arguments(server: argparse.ArgumentParser) -> None:
    server.add_argument("--port", type=int, default=8080, help="query API port (default 8080)")
    server.add_argument(
        "--aws-port", type=int, default=4566, help="AWS-compatible endpoint port (default 4566)"
    )
    server.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    server.add_argument(
        "--state-dir", type=Path, metavar="DIR",
        help="keep the stored data across restarts: loaded from DIR on start, saved to DIR on stop "
             "(tables and buckets; not executions or their histories)",
    )


def add_query_arguments(reader: argparse.ArgumentParser) -> None:
    import viz.cli

    reader.add_argument("site", help="site id")
    # One rule with `charts`: ISO 8601, and a time without an offset is UTC (viz.cli.instant).
    reader.add_argument("--from", dest="start", type=viz.cli.instant, metavar="TIME",
                        help="ISO 8601 start, inclusive (no offset = UTC); default: first reading")
    reader.add_argument("--to", dest="end", type=viz.cli.instant, metavar="TIME",
                        help="ISO 8601 end, exclusive (no offset = UTC); default: after the last reading")
    reader.add_argument("--resolution", choices=["hour", "day", "month"], default="day")
    reader.add_argument("--anomalies", action="store_true", help="also list the site's anomalies")
    reader.add_argument("--json", action="store_true", help="print the API's JSON answers")
    add_source_options(reader)


def add_charts_arguments(drawer: argparse.ArgumentParser) -> None:
    import viz.cli

    viz.cli.add_arguments(drawer)
    add_source_options(drawer)
