"""Every failure becomes `{"error": {"code", "message"}}` here, the one place HTTP codes are chosen."""

from __future__ import annotations

from typing import Any, get_args

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from energy_core import api_json
from energy_core.api_errors import ApiError
from energy_core.api_time import PLUS_AS_SPACE, PLUS_HINT
from query_api.models import AnomalyType

# The fix to suggest for each parameter, appended to pydantic's description of the problem.
HINTS = {
    "site_id": "site ids are 1-128 characters of A-Z a-z 0-9 . _ : - (GET /sites lists them)",
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
    body = api_json.dumps({"error": {"code": code, "message": message}})
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
