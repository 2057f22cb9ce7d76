"""Which AWS errors the handlers turn into TransientError (retried by the state machine)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from energy_aws.errors import TransientError
from energy_aws.transient import is_transient, retry_transient_aws_errors


def client_error(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


@pytest.mark.parametrize("error", [client_error("SlowDown", 503), client_error("ProvisionedThroughputExceededException"),
                                   client_error("InternalError", 500), client_error("Anything", 502),
                                   EndpointConnectionError(endpoint_url="http://x")])
def test_throttling_server_errors_and_lost_connections_are_transient(error: Exception) -> None:
    assert is_transient(error)


@pytest.mark.parametrize("error", [client_error("AccessDenied", 403), client_error("NoSuchKey", 404),
                                   ValueError("bad"), client_error("ValidationException")])
def test_errors_a_retry_cannot_fix_are_not_transient(error: Exception) -> None:
    assert not is_transient(error)


def test_the_decorator_renames_transient_errors_and_passes_others_through() -> None:
    @retry_transient_aws_errors
    def slow(_: object) -> None:
        raise client_error("SlowDown", 503)

    @retry_transient_aws_errors
    def denied(_: object) -> None:
        raise client_error("AccessDenied", 403)

    with pytest.raises(TransientError, match="SlowDown"):
        slow(None)
    with pytest.raises(ClientError):
        denied(None)


def test_every_pipeline_step_reports_its_duration_as_a_metric() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "functions"
    for step in ("validate", "detect", "store", "catalog", "quarantine"):
        source = (root / step / "app.py").read_text(encoding="utf-8")
        assert f'@pipeline_step("{step.title()}")' in source, step
    step_source = (root / "energy_aws" / "step.py").read_text(encoding="utf-8")
    assert "timed_step(name)" in step_source
