"""`reprocess`: send a failed (or, forced, any) uploaded file through the pipeline again."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from energy_pipeline.errors import ReprocessRefused
from energy_pipeline.runner import Target

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

NO_STACK = (
    "no stack to reprocess in. The embedded engine lives only while `run` or `demo` runs, so the file and "
    "its ledger entry are gone when they end. Start a long-lived local stack with `energy-pipeline serve`, "
    "upload with `energy-pipeline run --endpoint-url URL FILE...`, then pass the same --endpoint-url here; "
    "or give --stack NAME for a deployed stack."
)


@dataclass
class OpsTarget:
    """A run target plus the ledger's table (the CatalogTable holds the INGESTION items)."""

    target: Target
    ledger_table: str


def endpoint_target(endpoint_url: str) -> OpsTarget:
    from energy_pipeline.local.stack import DEFAULT_STACK_NAME, stack_outputs
    from energy_pipeline.session import remote_target

    return OpsTarget(remote_target(endpoint_url), stack_outputs(DEFAULT_STACK_NAME)["CatalogTableName"])


def deployed_target(stack_name: str, region: str | None) -> OpsTarget:
    """A deployed stack, named by its CloudFormation outputs; the caller's own AWS credentials are used."""
    import boto3

    session = boto3.session.Session(region_name=region)
    stacks = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs", [])}
    missing = {"RawDataBucketName", "StateMachineArn", "CatalogTableName"} - outputs.keys()
    if missing:
        names = ", ".join(sorted(missing))
        raise LookupError(f"stack {stack_name} has no {names} output; is it this project's stack?")
    region = outputs["StateMachineArn"].split(":")[3]
    clients = SimpleNamespace(**{name: session.client(name, region_name=region)
                                 for name in ("s3", "dynamodb", "stepfunctions")})
    target = Target(clients, outputs["RawDataBucketName"], outputs.get("InputPrefix", "incoming/"),
                    outputs["StateMachineArn"])
    return OpsTarget(target, outputs["CatalogTableName"])


def _print(row: dict[str, Any], as_json: bool) -> None:
    from energy_pipeline import report as text

    if as_json:
        print(json.dumps(row, indent=2, default=str))
        return
    if row.get("restored_from"):
        print(f"restored s3 object from {row['restored_from']}")
    if row["status"] == "RUNNING":
        print(f"RUNNING   {row['key']}   (execution {row['execution']}); add --wait to follow it")
        return
    print(text.execution_block(row))


def reprocess_command(args: argparse.Namespace) -> int:
    from energy_pipeline.reprocess import reprocess

    if not (args.endpoint_url or args.stack):
        print(f"energy-pipeline reprocess: {NO_STACK}", file=sys.stderr)
        return EXIT_USAGE
    try:
        ops = (endpoint_target(args.endpoint_url) if args.endpoint_url
               else deployed_target(args.stack, args.region))
        row = reprocess(ops.target, ops.ledger_table, args.key, force=args.force,
                        wait_s=args.timeout if args.wait else None)
    except (ReprocessRefused, LookupError) as error:
        print(f"energy-pipeline reprocess: {error}", file=sys.stderr)
        return EXIT_USAGE
    _print(row, args.json)
    return EXIT_OK if row["status"] in ("SUCCEEDED", "RUNNING") else EXIT_FAILED


def add_reprocess_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("key", help="the object key as uploaded, e.g. incoming/readings.json")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--endpoint-url", help="AWS endpoint of a running `energy-pipeline serve`")
    group.add_argument("--stack", help="a deployed CloudFormation stack of this project")
    parser.add_argument("--region", help="AWS region of --stack (default: your AWS configuration)")
    parser.add_argument("--force", action="store_true",
                        help="reprocess even if the ledger says this content already succeeded")
    parser.add_argument("--wait", action="store_true", help="wait and report it like `run`")
    parser.add_argument("--timeout", type=float, default=900, help="seconds --wait waits (default 900)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
