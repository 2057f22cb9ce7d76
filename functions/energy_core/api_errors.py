"""Errors the query API answers with: one class per HTTP status, each carrying a stable code.

The handler maps them to `{"error": {"code", "message"}}` in one place; messages name the parameter
and say how to fix the request, because the caller cannot see our logs.
"""

from __future__ import annotations


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
