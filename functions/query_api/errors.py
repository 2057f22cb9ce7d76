"""The query API's errors, and the one place they become HTTP answers: `{"error": {"code", "message"}}`.

One class per HTTP status, each carrying a stable code. Messages name the parameter and say how to fix
the request, because the caller cannot see our logs.
"""

from __future__ import annotations

import re
from typing import Any, get_args

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from energy_core.contract import MAX_SITE_ID_LENGTH
from query_api import decimal_json
from query_api.models import AnomalyType


class ApiError(Exception):
    status = 500

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class BadRequest(ApiError):
    status = 400


class NotFound(ApiError):
    status = 404


def bad_parameter(name: str, problem: str) -> BadRequest:
    return BadRequest("invalid_parameter", f"{name}: {problem}")


# An unencoded "+" in a query string arrives as a space: "...T10:00:00 01:00".
PLUS_AS_SPACE = re.compile(r"\d \d{2}:\d{2}$")
PLUS_HINT = "a + in a URL means a space: write the offset's + as %2B, e.g. 2025-02-19T21:46:30%2B01:00"

# The fix to suggest for each parameter, appended to pydantic's description of the problem.
HINTS = {
    "site_id": f"site ids are 1-{MAX_SITE_ID_LENGTH} characters of A-Z a-z 0-9 . _ : - "
    "(GET /sites lists them)",
    "limit": "use an integer from 1 to 1000",
    "order": "use asc or desc",
    "resolution": "use hour, day or month",
    "type": "use one of " + ", ".join(get_args(AnomalyType)),
    "next_token": "pass the next_token of the previous page unchanged",
    "from": "write YYYY-MM-DD or an ISO 8601 time with Z or an offset, e.g. 2025-02-19T21:46:30Z",
    "to": "write YYYY-MM-DD or an ISO 8601 time with Z or an offset, e.g. 2025-02-19T21:46:30Z",
}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response[Any]:
    body = decimal_json.dumps({"error": {"code": code, "message": message}})
    return Response(status_code=status, content_type="application/json", body=body, headers=headers)


def from_api_error(error: ApiError) -> Response[Any]:
    return error_response(error.status, error.code, error.message)


def from_validation_error(error: RequestValidationError) -> Response[Any]:
    details = list(error.errors())
    problems = [_describe(detail) for detail in details]
    # A token that is not even shaped like one gets the same code as one whose signature fails.
    names = {str(detail.get("loc", ("",))[-1]) for detail in details}
    code = "invalid_next_token" if names == {"next_token"} else "invalid_parameter"
    return error_response(400, code, "; ".join(problems))


def _describe(detail: dict[str, Any]) -> str:
    location = [str(part) for part in detail.get("loc", ())]
    name = location[-1] if location else "request"
    hint = HINTS.get(name)
    # pydantic's message, never the input itself: it can be 5,000 characters of anything.
    problem = str(detail.get("msg", "invalid value"))
    if detail.get("type") == "string_pattern_mismatch":
        problem = "not in an accepted form"  # pydantic would quote the whole regular expression
    if name in ("from", "to") and PLUS_AS_SPACE.search(str(detail.get("input", ""))):
        hint = PLUS_HINT
    return f"{name}: {problem}" + (f"; {hint}" if hint else "")
