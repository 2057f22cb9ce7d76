"""The query API's real Lambda handler, called in-process: for `serve`, `query` and `charts`.

Every request becomes the API Gateway proxy event the deployed API would send (http_bridge.py), so
local answers are the deployed function's answers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from energy_pipeline.local.stack import FunctionSpec

QUERY_FUNCTION = "QueryApiFunction"
Invoke = Callable[[str, str, dict[str, str]], tuple[int, dict[str, Any]]]


def query_function_spec(functions: dict[str, FunctionSpec]) -> FunctionSpec:
    return next(spec for spec in functions.values() if spec.logical_id == QUERY_FUNCTION)


def query_handler(spec: FunctionSpec, endpoint_url: str | None) -> Callable[[dict[str, Any], Any], Any]:
    """Imports the handler with its template environment, pointed at the emulator's endpoint."""
    from energy_pipeline.local.executor import EXECUTOR

    # The API reads its tables from the environment at its first request, so the variables stay set.
    os.environ.update(spec.environment)
    if endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = endpoint_url
    EXECUTOR.register({spec.name: spec})
    return EXECUTOR.handler_for(spec)


def invoker(handler: Callable[[dict[str, Any], Any], Any]) -> Invoke:
    import orjson

    from energy_pipeline.api.http_bridge import invoke

    def call(method: str, path: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        target = f"{path}?{urlencode(query)}" if query else path
        answer = invoke(handler, method, target)
        body = orjson.loads(answer.body) if answer.body else {}
        return answer.status, body

    return call


def functions_for_endpoint() -> dict[str, FunctionSpec]:
    """The function specs of the local stack a `serve` process runs (names derive from the template)."""
    from energy_pipeline.local.stack import DEFAULT_STACK_NAME, function_specs

    return function_specs(DEFAULT_STACK_NAME)
