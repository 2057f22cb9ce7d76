"""AWS errors that outlast boto3's own retries become `TransientError`, which the state machine retries.

Without this, a long S3 SlowDown or DynamoDB throttling spell reaches Step Functions as a generic
ClientError that no Retry names, and the file would be quarantined for a problem that passes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import ClientError, ConnectionError, ReadTimeoutError

from energy_aws.errors import TransientError

F = TypeVar("F", bound=Callable[..., Any])

THROTTLING_CODES = frozenset({
    "ThrottlingException", "Throttling", "ThrottledException", "RequestLimitExceeded", "SlowDown",
    "ProvisionedThroughputExceededException", "RequestThrottled", "TooManyRequestsException",
    "InternalError", "InternalServerError", "ServiceUnavailable", "RequestTimeout",
})


def is_transient(error: BaseException) -> bool:
    if isinstance(error, ConnectionError | ReadTimeoutError):
        return True
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        return code in THROTTLING_CODES or status >= 500
    return False


def retry_transient_aws_errors(handler: F) -> F:
    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except Exception as error:
            if is_transient(error):
                raise TransientError(f"temporary AWS error, the step will be retried: {error}") from error
            raise

    return wrapper  # type: ignore[return-value]
