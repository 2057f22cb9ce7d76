"""Query API handler: routes only. Logic lives in service.py, shapes in models.py, errors in errors.py."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal

import botocore.session
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from energy_aws.settings import optional_env, require_env
from energy_core.contract import MAX_SITE_ID_LENGTH, SITE_ID_RE
from query_api import decimal_json, errors, models, timeparams
from query_api.errors import ApiError
from query_api.page_tokens import MAX_TOKEN_CHARS, TOKEN_PATTERN, TokenCodec
from query_api.service import QueryService, Tables

logger = Logger()

SiteId = Annotated[  # a site id of the input contract: no other can have been stored
    str,
    Path(
        pattern=SITE_ID_RE.pattern,
        min_length=1,
        max_length=MAX_SITE_ID_LENGTH,
        description=errors.HINTS["site_id"],
    ),
]
From = Annotated[
    str | None,
    Query(alias="from", max_length=64, pattern=timeparams.INSTANT_PATTERN, description=timeparams.FROM_TEXT),
]
To = Annotated[
    str | None,
    Query(alias="to", max_length=64, pattern=timeparams.INSTANT_PATTERN, description=timeparams.TO_TEXT),
]
Limit = Annotated[int, Query(ge=1, le=1000, description="Items per page, 1-1000")]
Token = Annotated[
    str | None,
    Query(max_length=MAX_TOKEN_CHARS, pattern=TOKEN_PATTERN,
          description="The next_token of the previous page, unchanged (signed: only this API's tokens pass)"),
]
# 400s that no parameter schema can express (they relate two parameters, or a token to its query):
# each operation's 400 description names the ones it can answer, so a client (and schemathesis) knows
# that a request matching every parameter's schema may still get them.
SEMANTIC_400 = {
    "invalid_range": "`invalid_range`: from is not earlier than to",
    "range_too_large": (
        "`range_too_large`: the range is wider than the resolution allows (hour: 31 days, day: 366 days, "
        "month: 5 years) or holds more readings than one summary reads within API Gateway's 29 s; the "
        "message says how to narrow from/to or which coarser resolution to use"
    ),
    "invalid_next_token": (
        "`invalid_next_token`: a next_token of the documented form that this API did not sign, or that "
        "belongs to another query or deployment"
    ),
    "no_readings": "invalid_parameter when from or to is left out and the site has no readings: give both",
}


def _bad_request(*semantic: str) -> str:
    text = "Bad request: the message names the parameter and the fix"
    if not semantic:
        return text
    return text + ". Also, with every parameter of its documented form: " + "; ".join(
        SEMANTIC_400[code] for code in semantic)


def _responses(model: type[models.BaseModel], *semantic: str) -> dict[int, Any]:
    errors: dict[int, Any] = {
        code: {"description": text, "content": {"application/json": {"model": models.ErrorBody}}}
        for code, text in (
            (400, _bad_request(*semantic)),
            (404, "Unknown site or route"),
            (503, "The data store is throttling: retry after the Retry-After seconds"),
        )
    }
    return {200: {"description": "OK", "content": {"application/json": {"model": model}}}} | errors


def _cors() -> CORSConfig | None:
    origin = optional_env("CORS_ALLOW_ORIGIN")
    return CORSConfig(allow_origin=origin, max_age=600) if origin else None


def _token_key(tables: Tables) -> bytes:
    # A deployer may set NEXT_TOKEN_KEY; otherwise the key is tied to this stack's tables, so a token
    # from another deployment fails. The tokens protect integrity, not secrecy (the key is in the pk).
    secret = optional_env("NEXT_TOKEN_KEY") or f"{tables.readings}|{tables.catalog}"
    return hashlib.sha256(b"energy-pipeline-next-token|" + secret.encode()).digest()


def build_service() -> QueryService:
    tables = Tables(require_env("READINGS_TABLE"), require_env("CATALOG_TABLE"))
    # botocore's own client: boto3 adds only resources and S3 transfers, which this API never uses, and
    # importing it (s3transfer, multiprocessing) lengthened every cold start. Region and endpoint come
    # from the environment as they would through boto3.
    client = botocore.session.get_session().create_client("dynamodb")
    return QueryService(client, tables, TokenCodec(_token_key(tables)))


app = APIGatewayRestResolver(enable_validation=True, cors=_cors(), serializer=decimal_json.dumps)
_service: QueryService | None = None


def service() -> QueryService:
    """Created on first use (once per process), so tests can set the environment before the import."""
    global _service  # noqa: PLW0603 - one client per Lambda process
    if _service is None:
        _service = build_service()
    return _service


def _ok(document: dict[str, Any]) -> Response[Any]:
    # Serialized here, not by the validation middleware: that would turn Decimal into float.
    return Response(status_code=200, content_type="application/json", body=decimal_json.dumps(document))


@app.get(
    "/sites", summary="List the known sites", responses=_responses(models.SiteList, "invalid_next_token")
)
def list_sites(limit: Limit = 100, next_token: Token = None) -> Response[Any]:
    return _ok(service().list_sites(limit, next_token))


@app.get(
    "/sites/<site_id>/readings",
    summary="Readings of a site in [from, to)",
    responses=_responses(models.ReadingPage, "invalid_range", "invalid_next_token"),
)
def readings(  # noqa: PLR0917 - Powertools passes each query parameter as an argument
    site_id: SiteId,
    from_: From = None,
    to: To = None,
    limit: Limit = 100,
    next_token: Token = None,
    order: Annotated[Literal["asc", "desc"], Query(description="Time order")] = "asc",
) -> Response[Any]:
    return _ok(service().readings(site_id, from_, to, limit, order, next_token))


@app.get(
    "/sites/<site_id>/anomalies",
    summary="Anomalies attached to the site's readings in [from, to) (by the reading's timestamp)",
    responses=_responses(models.AnomalyPage, "invalid_range", "invalid_next_token"),
)
def anomalies(  # noqa: PLR0917 - Powertools passes each query parameter as an argument
    site_id: SiteId,
    from_: From = None,
    to: To = None,
    type_: Annotated[models.AnomalyType | None, Query(alias="type", description="Only this type")] = None,
    limit: Limit = 100,
    next_token: Token = None,
) -> Response[Any]:
    return _ok(service().anomalies(site_id, from_, to, type_, limit, next_token))


@app.get(
    "/sites/<site_id>/summary",
    summary="Aggregates per hour, day or month",
    responses=_responses(models.Summary, "invalid_range", "range_too_large", "no_readings"),
)
def summary(
    site_id: SiteId,
    from_: From = None,
    to: To = None,
    resolution: Annotated[Literal["hour", "day", "month"], Query(description="Bucket size (UTC)")] = "day",
) -> Response[Any]:
    return _ok(service().summary(site_id, from_, to, resolution))


@app.get(
    "/ingestions",
    summary="The ingestion ledger, newest first by updated_at; from/to apply to updated_at",
    responses=_responses(models.IngestionPage, "invalid_range", "invalid_next_token"),
)
def ingestions(
    status: Annotated[models.IngestionStatus | None, Query(description="Only this status")] = None,
    from_: From = None,
    to: To = None,
    limit: Limit = 100,
    next_token: Token = None,
) -> Response[Any]:
    return _ok(service().ingestions(status, from_, to, limit, next_token))


@app.exception_handler(ApiError)
def api_error(error: ApiError) -> Response[Any]:
    return errors.from_api_error(error)


@app.exception_handler(RequestValidationError)
def invalid_request(error: RequestValidationError) -> Response[Any]:
    return errors.from_validation_error(error)


@app.exception_handler(ClientError)
def dynamodb_error(error: ClientError) -> Response[Any]:
    # Throttling that outlived botocore's retries is ours to absorb, not the caller's fault: 503 + retry.
    logger.exception("DynamoDB call failed")
    code = error.response.get("Error", {}).get("Code", "")
    status = 503 if "Throttl" in code or code == "ProvisionedThroughputExceededException" else 500
    return errors.error_response(
        status,
        "service_unavailable" if status == 503 else "internal_error",
        "the data store did not answer; retry in a few seconds",
        {"Retry-After": "2"},
    )


@app.exception_handler(BotoCoreError)
def aws_unreachable(error: BotoCoreError) -> Response[Any]:
    logger.exception("DynamoDB unreachable")
    return errors.error_response(
        503, "service_unavailable", "the data store did not answer; retry in a few seconds"
    )


@app.not_found
def not_found(error: Exception) -> Response[Any]:
    if app.current_event.http_method.upper() != "GET":
        # Every route is read-only: any other method (HEAD, TRACE, POST...) is the method's fault.
        return errors.error_response(
            405, "method_not_allowed", "this API answers GET only; send the request as GET",
            {"Allow": "GET"},
        )
    return errors.error_response(
        404,
        "not_found",
        "no such route; the routes are GET /sites, GET /sites/{site_id}/readings|anomalies|summary "
        "and GET /ingestions",
    )


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
