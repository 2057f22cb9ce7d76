"""Runs Lambda handlers in-process in place of moto's Docker runner.

moto calls `LambdaFunction._invoke_lambda` for every invocation, including the ones the state machine
interpreter makes; that single method is replaced. Each function's handler module is imported once
from its CodeUri with that function's environment variables in place (handlers read configuration
at import, as on Lambda), then called with the event and a small context object.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from energy_pipeline.local.stack import FunctionSpec

Handler = Callable[[dict[str, Any], Any], Any]
# A fault hook may raise (to simulate a failing invocation) before the handler runs.
FaultHook = Callable[[FunctionSpec, dict[str, Any]], None]


@dataclass
class LambdaContext:
    """The parts of the Lambda context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_s: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    _deadline: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class Invocation:
    function: str
    duration_ms: float
    error: str | None


class InProcessExecutor:
    def __init__(self) -> None:
        self.functions: dict[str, FunctionSpec] = {}
        self.fault_hooks: list[FaultHook] = []
        # Bounded: `serve` runs for days; the benchmark reads the few of one file right after it.
        self.invocations: deque[Invocation] = deque(maxlen=10_000)
        # Local-only settings laid over each function's template environment (e.g. quieter logs).
        self.env_overrides: dict[str, str] = {}
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()

    def register(self, specs: dict[str, FunctionSpec]) -> None:
        self.functions.update(specs)

    def warm(self) -> None:
        """Initialises every registered function now (its module imported, its clients created), as SAM's
        `--warm-containers EAGER` or provisioned concurrency would, instead of in its first invocation."""
        for spec in list(self.functions.values()):
            self.handler_for(spec)

    def handler_for(self, spec: FunctionSpec) -> Handler:
        with self._lock:
            if spec.name not in self._handlers:
                self._handlers[spec.name] = _import_handler(spec, self.env_overrides)
            return self._handlers[spec.name]

    def invoke(self, function_name: str, event: Any, arn: str) -> tuple[str, bool]:
        spec = self.functions.get(function_name)
        if spec is None:
            return _error_payload(
                "ResourceNotFoundException", f"{function_name} is not in template.yaml"
            ), True
        started = time.perf_counter()
        context = LambdaContext(spec.name, spec.memory_mb, arn, spec.timeout_s)
        try:
            for hook in list(self.fault_hooks):
                hook(spec, event)
            result = self.handler_for(spec)(event, context)
            payload, errored, error = json.dumps(result, default=str), False, None
        except Exception as exc:
            payload, errored, error = (
                _error_payload(type(exc).__name__, str(exc), exc),
                True,
                type(exc).__name__,
            )
        self.invocations.append(Invocation(spec.name, (time.perf_counter() - started) * 1000, error))
        return payload, errored


def _error_payload(error_type: str, message: str, exc: BaseException | None = None) -> str:
    trace = traceback.format_exception(exc)[-5:] if exc else []
    return json.dumps({"errorType": error_type, "errorMessage": message, "stackTrace": trace})


def _import_handler(spec: FunctionSpec, overrides: dict[str, str]) -> Handler:
    module_path, _, attribute = spec.handler.rpartition(".")
    source = spec.code_dir.joinpath(*module_path.split(".")).with_suffix(".py")
    module_name = f"_local_lambda_{spec.logical_id}"
    # Lambda puts CodeUri first on sys.path; the shared packages resolve the same way here.
    if str(spec.code_dir) not in sys.path:
        sys.path.insert(0, str(spec.code_dir))
    environment = {**spec.environment, **overrides}
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        module = _load_module(module_name, source)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    handler: Handler = getattr(module, attribute)
    return handler


def _load_module(name: str, source: Any) -> ModuleType:
    module_spec = importlib.util.spec_from_file_location(name, source)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot import handler module {source}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    return module


EXECUTOR = InProcessExecutor()
_PATCHED = False


def install() -> InProcessExecutor:
    """Replaces moto's Docker-based Lambda runner with the in-process executor (idempotent)."""
    global _PATCHED  # noqa: PLW0603 - one patch per process
    if not _PATCHED:
        from moto.awslambda.models import LambdaFunction

        def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
            payload = json.loads(event) if isinstance(event, str | bytes) else (event or {})
            result, errored = EXECUTOR.invoke(self.function_name, payload, self.function_arn)
            return result, errored, ""

        # The one point where moto would start Docker; setattr because mypy forbids assigning to a method.
        setattr(LambdaFunction, "_invoke_lambda", _invoke_lambda)  # noqa: B010 - deliberate monkeypatch
        _PATCHED = True
    return EXECUTOR
