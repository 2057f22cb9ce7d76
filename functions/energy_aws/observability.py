"""One place for the Powertools Logger, Tracer and Metrics every handler uses.

Service name and metrics namespace come from the template (POWERTOOLS_SERVICE_NAME,
POWERTOOLS_METRICS_NAMESPACE); locally the tracer is disabled (no X-Ray daemon).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

F = TypeVar("F", bound=Callable[..., Any])

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "energy-pipeline"))
tracer = Tracer(disabled=os.environ.get("AWS_EXECUTION_ENV") is None)
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "EnergyPipeline"))


def timed_step(step: str) -> Callable[[F], F]:
    """Emits `<step>DurationMs` (EMF) for every invocation of the handler, failed ones included."""

    def decorate(handler: F) -> F:
        @functools.wraps(handler)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return handler(*args, **kwargs)
            finally:
                metrics.add_metric(name=f"{step}DurationMs", unit=MetricUnit.Milliseconds,
                                   value=round((time.perf_counter() - started) * 1000, 1))

        return wrapper  # type: ignore[return-value]

    return decorate
