"""HTTP request <-> API Gateway REST proxy event, for `energy-pipeline serve` and the API tests.

Every local request goes through the real handler as the event API Gateway would send: the path and
query are percent-decoded as API Gateway does, and the handler's answer becomes status, headers, body.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _query(query: str) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    multi: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        multi.setdefault(name, []).append(value)
    if not multi:
        return None, None
    return {name: values[-1] for name, values in multi.items()}, multi


def split_target(target: str) -> tuple[str, str]:
    """A request target ("/sites/a%20b/readings?limit=5") as the decoded path and the raw query."""
    parts = urlsplit(target)
    return unquote(parts.path) or "/", parts.query


def request_to_event(
    method: str,
    path: str,
    query: str = "",
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    stage: str = "v1",
) -> dict[str, Any]:
    """The REST API (v1) proxy event for one request: `path` decoded (as API Gateway does), `query` raw."""
    single, multi = _query(query)
    header_map = dict(headers or {})
    now = datetime.now(UTC)
    return {
        "resource": path, "path": path, "httpMethod": method.upper(),
        "headers": header_map or None,
        "multiValueHeaders": {name: [value] for name, value in header_map.items()} or None,
        "queryStringParameters": single, "multiValueQueryStringParameters": multi,
        "pathParameters": None, "stageVariables": None,
        "requestContext": {
            "resourcePath": path, "httpMethod": method.upper(), "path": f"/{stage}{path}", "stage": stage,
            "requestId": str(uuid.uuid4()), "accountId": "123456789012", "apiId": "local",
            "protocol": "HTTP/1.1", "requestTimeEpoch": int(now.timestamp() * 1000),
            "identity": {"sourceIp": "127.0.0.1", "userAgent": header_map.get("User-Agent", "")},
        },
        "body": base64.b64encode(body).decode() if body else None,
        "isBase64Encoded": bool(body),
    }  # fmt: skip


def event_response(result: Mapping[str, Any]) -> HttpResponse:
    """The handler's proxy result as an HTTP answer."""
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    headers = [(name, str(value)) for name, value in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((name, str(value)) for value in values)
    return HttpResponse(int(result.get("statusCode", 500)), headers, data)


def encoded_slash(raw_path: str) -> HttpResponse | None:
    """API Gateway does not route a path with an encoded "/" (%2F) in a segment: the same 404 here."""
    if "%2f" not in raw_path.lower():
        return None
    body = json.dumps({"error": {"code": "not_found", "message": (
        "no such route: a path segment may not contain an encoded / (%2F); site ids never contain /"
    )}}).encode()  # fmt: skip
    return HttpResponse(404, [("Content-Type", "application/json")], body)


def invoke(handler: Handler, method: str, target: str, headers: Mapping[str, str] | None = None,
           body: bytes | None = None) -> HttpResponse:  # fmt: skip
    refused = encoded_slash(urlsplit(target).path)
    if refused is not None:
        return refused
    path, query = split_target(target)
    return event_response(
        handler(request_to_event(method, path, query, headers=headers, body=body), LocalContext())
    )


class LocalContext:
    """The few Lambda context attributes Powertools' logger reads."""

    function_name = "QueryApiFunction"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:QueryApiFunction"
    memory_limit_in_mb = 512
    aws_request_id = "local"
    log_group_name = "/aws/lambda/QueryApiFunction"
    log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def wsgi_app(handler: Handler) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """A WSGI application that answers through the handler (for wsgiref servers and schemathesis)."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
        refused = encoded_slash(urlsplit(raw).path)
        if refused is not None:
            start_response(f"404 {_REASONS[404]}", refused.headers)
            return [refused.body]
        # WSGI hands PATH_INFO over percent-decoded, as latin-1 characters: recover the UTF-8 text.
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else None
        event = request_to_event(
            environ.get("REQUEST_METHOD", "GET"),
            path,
            environ.get("QUERY_STRING", ""),
            headers=headers,
            body=body,
        )
        answer = event_response(handler(event, LocalContext()))
        start_response(f"{answer.status} {_REASONS.get(answer.status, 'Status')}", answer.headers)
        return [answer.body]

    return application


_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 414: "URI Too Long", 422: "Unprocessable Entity",
            500: "Internal Server Error", 503: "Service Unavailable"}  # fmt: skip
