"""S3 -> EventBridge -> Step Functions, the hop moto cannot make.

When the emulated bucket raises "Object Created", the event is built in the shape S3 sends to
EventBridge, matched against each rule pattern read from template.yaml, and StartExecution is called
for the rules that match - what EventBridge does on AWS.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from energy_pipeline.local.stack import EventRule

# ---- EventBridge pattern matching (the subset of the pattern language rules use) ----


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """True when every field of the pattern matches the event (EventBridge semantics)."""
    for key, expected in pattern.items():
        present = key in event
        actual = event.get(key)
        if isinstance(expected, dict):
            if not isinstance(actual, dict) or not matches(expected, actual):
                return False
        elif not _field_matches(expected, present, actual):
            return False
    return True


def _field_matches(options: list[Any], present: bool, actual: Any) -> bool:
    values = actual if isinstance(actual, list) else [actual]
    return any(_option_matches(option, present, value) for option in options for value in values)


def _option_matches(option: Any, present: bool, value: Any) -> bool:  # noqa: PLR0911 - one per operator
    if not isinstance(option, dict):
        return present and option == value
    (operator, argument), = option.items()
    if operator == "exists":
        return present == bool(argument)
    if not present:
        return False
    if operator == "prefix":
        return isinstance(value, str) and value.startswith(_text(argument))
    if operator == "suffix":
        return isinstance(value, str) and value.endswith(_text(argument))
    if operator == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == str(argument).lower()
    if operator == "wildcard":
        regex = ".*".join(re.escape(part) for part in str(argument).split("*"))
        return isinstance(value, str) and re.fullmatch(regex, value, re.DOTALL) is not None
    if operator == "anything-but":
        excluded = argument if isinstance(argument, list) else [argument]
        if isinstance(argument, dict):
            return not _option_matches(argument, present, value)
        return value not in excluded
    if operator == "numeric":
        return _numeric(argument, value)
    raise ValueError(f"EventBridge operator {operator!r} is not supported by the local engine")


def _text(argument: Any) -> str:
    return str(argument["equals-ignore-case"]) if isinstance(argument, dict) else str(argument)


def _numeric(conditions: list[Any], value: Any) -> bool:
    if not isinstance(value, int | float):
        return False
    checks = {"<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__, "=": float.__eq__}
    pairs = zip(conditions[::2], conditions[1::2], strict=True)
    return all(checks[op](float(value), float(bound)) for op, bound in pairs)


# ---- the S3 "Object Created" event ----


def object_created_event(
    bucket: str, key: str, size: int, etag: str, *, version_id: str | None, account: str, region: str,
    reason: str = "PutObject",
) -> dict[str, Any]:
    """The event S3 sends to EventBridge (key unencoded, as EventBridge delivers it)."""
    now = datetime.now(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": account,
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": {
                "key": key,
                "size": size,
                "etag": etag.strip('"'),
                **({"version-id": version_id} if version_id else {}),
                "sequencer": f"{time_ns_hex()}",
            },
            "request-id": uuid.uuid4().hex[:16].upper(),
            "requester": account,
            "source-ip-address": "127.0.0.1",
            "reason": reason,
        },
    }


def time_ns_hex() -> str:
    import time

    return f"{time.time_ns():016X}"


# ---- dispatch ----

Starter = Callable[[str, str, dict[str, Any]], str]


class EventRouter:
    """Holds the template's rules and starts executions for matching events."""

    def __init__(self, rules: list[EventRule], start: Starter) -> None:
        self.rules = rules
        self.start = start
        self.started: list[tuple[dict[str, Any], str]] = []
        self._lock = threading.Lock()

    def dispatch(self, event: dict[str, Any]) -> list[str]:
        arns = []
        for rule in self.rules:
            if matches(rule.pattern, event):
                arn = self.start(rule.state_machine_arn, execution_name(event), event)
                with self._lock:
                    self.started.append((event, arn))
                arns.append(arn)
        return arns


def execution_name(event: dict[str, Any]) -> str:
    """A readable, unique name: EventBridge names executions randomly; locally the key helps a reader."""
    key = str(event.get("detail", {}).get("object", {}).get("key", "file"))
    stem = re.sub(r"[^0-9A-Za-z_-]+", "-", key.rsplit("/", 1)[-1]).strip("-")[:40] or "file"
    return f"{stem}-{event['id'][:8]}"


ROUTERS: list[EventRouter] = []
_PATCHED = False
_COMPLETING = threading.local()  # set while moto completes a multipart upload in this thread
# The `reason` S3 writes in "Object Created" for each operation (EventBridge's S3 event reference).
REASONS = {"Put": "PutObject", "Post": "POST Object", "Copy": "CopyObject",
           "CompleteMultipartUpload": "CompleteMultipartUpload"}


def install(router: EventRouter) -> None:
    """Hooks moto's S3 notification point so every Object Created reaches the router."""
    global _PATCHED  # noqa: PLW0603 - one patch per process
    ROUTERS.clear()
    ROUTERS.append(router)
    if _PATCHED:
        return
    # Installed with the router: every engine that runs executions has one (embedded and server mode).
    from energy_pipeline.local import sdk_casing

    sdk_casing.install()
    from moto.s3 import notifications
    from moto.s3.models import S3Backend

    original = notifications.send_event
    original_complete = S3Backend.complete_multipart_upload

    def complete_multipart_upload(backend: Any, *args: Any, **kwargs: Any) -> Any:
        # moto stores the assembled object with put_object, which raises its own "Put" event before
        # the "CompleteMultipartUpload" one; AWS raises only the latter: one upload, one execution.
        _COMPLETING.active = True
        try:
            return original_complete(backend, *args, **kwargs)
        finally:
            _COMPLETING.active = False

    def send_event(account_id: str, event_name: Any, bucket: Any, key: Any) -> None:
        original(account_id, event_name, bucket, key)
        name = str(getattr(event_name, "value", event_name))  # an enum member: "s3:ObjectCreated:Put"
        config = bucket.notification_configuration
        if config is None or config.event_bridge is None or not name.startswith("s3:ObjectCreated:"):
            return
        operation = name.rsplit(":", 1)[-1]
        if operation == "Put" and getattr(_COMPLETING, "active", False):
            return
        reason = REASONS.get(operation, f"{operation}Object")
        event = object_created_event(
            bucket.name, key.name, int(key.size), str(key.etag), version_id=getattr(key, "version_id", None),
            account=account_id, region=bucket.region_name, reason=reason,
        )
        for current in list(ROUTERS):
            current.dispatch(event)

    setattr(S3Backend, "complete_multipart_upload", complete_multipart_upload)  # noqa: B010 - a patch
    notifications.send_event = send_event
    _PATCHED = True
