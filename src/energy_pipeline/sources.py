"""Where `query` and `charts` read from: a local `serve` (--endpoint-url), a deployed stack, or an API URL."""

from __future__ import annotations

import argparse
import os
from typing import Any

from energy_pipeline.errors import SourceChoiceError


def add_source_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--endpoint-url", help="AWS endpoint of a running `energy-pipeline serve` (e.g. http://127.0.0.1:4566)")
    group.add_argument(
        "--stack", help="a deployed CloudFormation stack: its QueryApiUrl output, SigV4-signed"
    )
    group.add_argument("--api", help="a query API base URL (a deployed stage, or `serve`'s API URL)")
    parser.add_argument("--api-key", default=os.environ.get("ENERGY_API_KEY"),
                        help="x-api-key for a stack deployed with ApiAuth=API_KEY (or ENERGY_API_KEY)")
    parser.add_argument("--region", help="AWS region of --stack (default: your AWS configuration)")


def stack_outputs(stack: str, region: str | None) -> dict[str, str]:
    import boto3

    description = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack)
    return {row["OutputKey"]: row["OutputValue"] for row in description["Stacks"][0].get("Outputs", [])}


def data_source(args: argparse.Namespace) -> Any:
    """A viz DataSource over the chosen backend; every backend answers through the same API contract."""
    from viz.http_source import HttpApiSource, sigv4_signer
    from viz.source import HandlerSource

    if args.endpoint_url:
        from energy_pipeline.api.in_process import (
            functions_for_endpoint,
            invoker,
            query_function_spec,
            query_handler,
        )
        from energy_pipeline.session import fake_credentials

        fake_credentials()
        return HandlerSource(
            invoker(query_handler(query_function_spec(functions_for_endpoint()), args.endpoint_url))
        )
    if args.stack:
        outputs = stack_outputs(args.stack, args.region)
        signer = None if args.api_key else sigv4_signer(region=args.region)
        return HttpApiSource(outputs["QueryApiUrl"], signer=signer, api_key=args.api_key)
    if args.api:
        return HttpApiSource(args.api, api_key=args.api_key)
    raise SourceChoiceError("say where the data is: --endpoint-url URL (a running `energy-pipeline serve`), "
                            "--stack NAME (a deployed stack) or --api URL")
