"""Opens a target for the CLI: the embedded engine, or a running `serve` at --endpoint-url."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from energy_pipeline.runner import Target

if TYPE_CHECKING:
    from energy_pipeline.local.engine import LocalEngine


@dataclass
class OpenEngine:
    """The embedded engine and the run target over it."""

    engine: LocalEngine
    target: Target


def quiet_handlers() -> None:
    """Handler logs and EMF metrics would drown the CLI's own output; ENERGY_LOG_LEVEL=INFO shows them."""
    from energy_pipeline.local.executor import EXECUTOR

    quiet = {
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": os.environ.get("ENERGY_LOG_LEVEL", "ERROR"),
    }
    EXECUTOR.env_overrides.update(quiet)
    os.environ.update(quiet)  # Powertools also reads these when it flushes, after the import
    warnings.filterwarnings("ignore", message="No application metrics to publish")


@contextlib.contextmanager
def open_engine(*, warm: bool = False) -> Iterator[OpenEngine]:
    """The embedded engine; `warm` initialises every function first (engine.in_process)."""
    from energy_pipeline.local import engine, tuning

    quiet_handlers()
    with engine.in_process(warm=warm) as local:
        stack = local.stack
        target = Target(local.clients, stack.bucket, stack.input_prefix, stack.state_machine_arn,
                        watch=tuning.EXECUTION_ENDS)
        yield OpenEngine(local, target)


@contextlib.contextmanager
def open_target(endpoint_url: str | None = None) -> Iterator[Target]:
    if endpoint_url is None:
        with open_engine() as local:
            yield local.target
        return
    yield remote_target(endpoint_url)


def remote_target(endpoint_url: str) -> Target:
    """A `serve` process publishes its stack outputs; the names are derived the same way here."""
    from energy_pipeline.local import engine
    from energy_pipeline.local.stack import DEFAULT_STACK_NAME, stack_outputs

    fake_credentials()
    clients = engine.make_clients(endpoint_url)
    outputs = stack_outputs(DEFAULT_STACK_NAME)
    return Target(clients, outputs["RawDataBucketName"], outputs.get("InputPrefix", "incoming/"),
                  outputs["StateMachineArn"])


def fake_credentials() -> None:
    """The local endpoint accepts any credentials; never send a user's real ones to it."""
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"})
    os.environ.pop("AWS_PROFILE", None)
