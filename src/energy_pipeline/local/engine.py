"""Starts the emulator (in-process or as a server), builds the stack from template.yaml, wires the hooks."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from energy_pipeline.local import atomic, batch_puts, dynamo_wire, events, executor, tuning
from energy_pipeline.local.stack import DEFAULT_STACK_NAME, LocalStack, create_stack
from energy_pipeline.local.template import LOCAL_REGION

if TYPE_CHECKING:  # moto is imported lazily: the CLI starts without it
    import boto3
    from moto.core.config import DefaultConfig

SFN_CONFIG: DefaultConfig = {"stepfunctions": {"execute_state_machine": True}}
_SERVICES = {"s3": "s3", "dynamodb": "dynamodb", "sns": "sns", "sqs": "sqs", "stepfunctions": "stepfunctions",
             "iam": "iam", "awslambda": "lambda", "logs": "logs"}


def _quiet_emulator() -> None:
    """The interpreter logs every caught task error with its whole parse tree; the CLI reports them better."""
    for name in ("moto", "werkzeug"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _fake_credentials() -> None:
    # The emulator accepts any credentials; real ones must never reach it by accident.
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"  # noqa: S105 - emulator credential
    os.environ["AWS_SESSION_TOKEN"] = "testing"  # noqa: S105 - emulator credential
    os.environ["AWS_DEFAULT_REGION"] = LOCAL_REGION
    os.environ.pop("AWS_PROFILE", None)


def _session(region: str) -> boto3.session.Session:
    """A new session (its own credentials, from the fake ones above) sharing one loader of service models.

    The in-process handlers create their clients from boto3's default session; with one loader the
    JSON models (s3's alone is ~25 ms to load) are read once per process instead of once per session.
    """
    import boto3
    import botocore.session

    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    core = botocore.session.get_session()
    core.register_component("data_loader", boto3.DEFAULT_SESSION._session.get_component("data_loader"))
    return boto3.session.Session(botocore_session=core, region_name=region)


def make_clients(endpoint_url: str | None = None, region: str = LOCAL_REGION) -> SimpleNamespace:
    session = _session(region)
    return SimpleNamespace(**{
        attr: session.client(service, endpoint_url=endpoint_url) for attr, service in _SERVICES.items()  # type: ignore[call-overload]
    })


@dataclass
class LocalEngine:
    stack: LocalStack
    clients: SimpleNamespace
    router: events.EventRouter | None
    executor: executor.InProcessExecutor | None
    endpoint_url: str | None = None


def _start_execution(clients: SimpleNamespace) -> events.Starter:
    def start(state_machine_arn: str, name: str, event: dict[str, Any]) -> str:
        response = clients.stepfunctions.start_execution(
            stateMachineArn=state_machine_arn, name=name, input=json.dumps(event)
        )
        return str(response["executionArn"])

    return start


def _wire(clients: SimpleNamespace, stack_name: str, parameters: dict[str, str] | None,
          endpoint_url: str | None) -> LocalEngine:
    _quiet_emulator()
    atomic.install()
    dynamo_wire.install()
    tuning.install()
    batch_puts.install()
    run = executor.install()
    stack = create_stack(clients, stack_name, parameters)
    run.register(stack.functions)
    router = events.EventRouter(stack.rules, _start_execution(clients))
    events.install(router)
    return LocalEngine(stack, clients, router, run, endpoint_url)


@contextlib.contextmanager
def in_process(
    stack_name: str = DEFAULT_STACK_NAME, parameters: dict[str, str] | None = None, *, warm: bool = False
) -> Iterator[LocalEngine]:
    """The embedded default: moto patched into this process, executions in background threads.

    `warm` initialises every function before the engine is handed out (see `InProcessExecutor.warm`);
    otherwise each is imported in its first invocation, as a cold Lambda is.
    """
    _fake_credentials()
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    with mock_aws(config=SFN_CONFIG):
        undirect = batch_puts.direct_puts_in_mock()  # the handlers' batches answered in their calls
        try:
            local = _wire(make_clients(), stack_name, parameters, None)
            if warm and local.executor is not None:
                local.executor.warm()
            with tuning.collector():
                yield local
        finally:
            undirect()


@contextlib.contextmanager
def server(port: int, stack_name: str = DEFAULT_STACK_NAME, parameters: dict[str, str] | None = None,
           host: str = "127.0.0.1") -> Iterator[LocalEngine]:
    """An AWS-compatible endpoint on host:port (for the AWS CLI) running the same stack and hooks."""
    _fake_credentials()
    _quiet_emulator()
    # The interpreter calls services at localhost:MOTO_PORT; it must be set before moto is imported.
    os.environ["MOTO_PORT"] = str(port)
    endpoint = f"http://{host}:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint  # handler code run in-process reaches the same server
    from moto.server import ThreadedMotoServer

    moto_server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    moto_server.start()
    try:
        request = urllib.request.Request(  # noqa: S310 - fixed loopback URL
            f"{endpoint}/moto-api/config", data=json.dumps(SFN_CONFIG).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
        local = _wire(make_clients(endpoint), stack_name, parameters, endpoint)
        # The handlers and the query API run in this process: their DynamoDB calls skip the loopback HTTP.
        undispatch = dynamo_wire.in_process_dispatch(endpoint, batch_puts.direct_answers)
        try:
            with tuning.collector():
                yield local
        finally:
            undispatch()
    finally:
        moto_server.stop()
