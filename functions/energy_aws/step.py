"""What every pipeline handler is wrapped in, in one place.

Outermost first: the Lambda context on every log line, an X-Ray segment, EMF metrics flushed at the end,
the step's duration, and AWS errors that a retry can fix renamed `TransientError` for the state machine.
Every log line also names the file and the execution, the two things a person searches the logs by.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from energy_aws.observability import logger, metrics, timed_step, tracer
from energy_aws.transient import retry_transient_aws_errors

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def pipeline_step(name: str) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def with_file_keys(event: dict[str, Any], context: Any) -> dict[str, Any]:
            file_key = (event.get("file") or {}).get("key")
            logger.append_keys(file_key=file_key, execution=event.get("execution"))
            return handler(event, context)

        wrapped: Callable[..., Any] = retry_transient_aws_errors(with_file_keys)
        wrapped = timed_step(name)(wrapped)
        wrapped = metrics.log_metrics(wrapped)
        wrapped = tracer.capture_lambda_handler(wrapped)
        outermost: Handler = logger.inject_lambda_context(log_event=False)(wrapped)
        return outermost

    return decorate
