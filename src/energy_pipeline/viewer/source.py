"""Where executions are read from: a running `serve` (--endpoint-url) or a deployed stack (--stack)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from energy_pipeline.errors import ExecutionNotFound
from energy_pipeline.executions import History, describe, read_history

NO_SOURCE = (
    "no stack to read executions from. The embedded engine lives only while `run` or `demo` runs, so its "
    "executions are gone when they end. Start a long-lived local stack with `energy-pipeline serve`, upload "
    "with `energy-pipeline run --endpoint-url URL FILE...`, then pass the same --endpoint-url here; "
    "or give --stack NAME for a deployed stack."
)


@dataclass
class Source:
    stepfunctions: Any
    state_machine_arn: str
    region: str
    deployed: bool  # a real AWS stack: the console has a page for each execution

    def console_url(self, execution_arn: str) -> str | None:
        if not self.deployed:
            return None
        return (
            f"https://{self.region}.console.aws.amazon.com/states/home?region={self.region}"
            f"#/v2/executions/details/{execution_arn}"
        )


@dataclass
class Execution:
    arn: str
    name: str
    info: dict[str, Any]  # executions.describe(): status, input, output, error, cause, start, stop
    history: History
    definition: dict[str, Any]

    @property
    def file_key(self) -> str:
        return str(self.info["input"].get("detail", {}).get("object", {}).get("key", "?"))


def from_endpoint(endpoint_url: str) -> Source:
    from energy_pipeline.session import remote_target

    target = remote_target(endpoint_url)
    return Source(target.clients.stepfunctions, target.state_machine_arn, "us-east-1", deployed=False)


def from_stack(stack_name: str, region: str | None = None) -> Source:
    import boto3

    session = boto3.session.Session(region_name=region)
    stacks = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs", [])}
    if "StateMachineArn" not in outputs:
        raise ExecutionNotFound(
            f"stack {stack_name} has no StateMachineArn output; is it this project's stack?"
        )
    arn = outputs["StateMachineArn"]
    return Source(
        session.client("stepfunctions", region_name=arn.split(":")[3]), arn, arn.split(":")[3], True
    )


def recent(source: Source, limit: int) -> list[dict[str, Any]]:
    """The newest executions first, as list_executions returns them."""
    found: list[dict[str, Any]] = []
    pages = source.stepfunctions.get_paginator("list_executions")
    for page in pages.paginate(stateMachineArn=source.state_machine_arn):
        found.extend(page["executions"])
        if len(found) >= limit:
            break
    return sorted(found, key=lambda item: item["startDate"], reverse=True)[:limit]


def resolve(source: Source, execution: str) -> str:
    """An ARN as given; a name, or the unique start of one, is looked up among the machine's executions."""
    if execution.startswith("arn:"):
        return execution
    matches = [item["executionArn"] for item in recent(source, 1000) if item["name"].startswith(execution)]
    exact = [arn for arn in matches if arn.rsplit(":", 1)[-1] == execution]
    if exact or len(matches) == 1:
        return str((exact or matches)[0])
    if matches:
        names = ", ".join(arn.rsplit(":", 1)[-1] for arn in matches[:5])
        raise ExecutionNotFound(f"{execution!r} matches several executions ({names}); give more of the name")
    raise ExecutionNotFound(f"no execution named {execution!r}; `energy-pipeline executions` lists them")


def load(source: Source, execution_arn: str) -> Execution:
    sfn = source.stepfunctions
    info = describe(sfn, execution_arn)
    from botocore.exceptions import ClientError

    try:  # the definition this execution ran, even if the state machine was updated since
        definition = sfn.describe_state_machine_for_execution(executionArn=execution_arn)["definition"]
    except ClientError:
        definition = sfn.describe_state_machine(stateMachineArn=source.state_machine_arn)["definition"]
    return Execution(
        execution_arn,
        execution_arn.rsplit(":", 1)[-1],
        info,
        read_history(sfn, execution_arn),
        json.loads(definition),
    )


def duration_s(start: datetime | None, stop: datetime | None, now: datetime | None = None) -> float | None:
    if start is None:
        return None
    end = stop or now
    return None if end is None else round((end - start).total_seconds(), 3)
