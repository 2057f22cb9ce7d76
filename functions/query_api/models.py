"""Shapes of the API's answers, for the OpenAPI document and for tests that check responses against it.

Numbers are Decimal in Python and JSON numbers on the wire (see query_api.decimal_json), so the schema
says "number" rather than pydantic's default "string or number" for Decimal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

Number = Annotated[Decimal, WithJsonSchema({"type": "number"})]
Timestamp = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$", examples=["2025-02-19T21:46:30.822517Z"]),
]
NextToken = Annotated[
    str | None, Field(description="Pass as next_token to get the next page; null on the last page")
]
# energy_core.detect.TYPES, written out: the query API never imports the detectors (numpy);
# tests/unit/test_api_types.py holds the two equal.
AnomalyType = Literal[
    "negative_value", "out_of_range", "spike", "flatline", "gap", "future_timestamp", "counter_reset",
    "clock_shift",
]


class _Model(BaseModel):
    # The handler never validates an answer against these (it writes its JSON itself): they describe the
    # answers for the OpenAPI document and the tests, so their schemas are built when those first ask,
    # not at every cold start (~12 ms of the import).
    model_config = ConfigDict(extra="forbid", defer_build=True)


class Site(_Model):
    site_id: str
    first_timestamp: Timestamp | None
    last_timestamp: Timestamp | None
    reading_count: int
    anomaly_count: int


class SiteList(_Model):
    items: list[Site]
    next_token: NextToken


class ReadingAnomaly(_Model):
    type: str
    severity: str
    reason: str


class Reading(_Model):
    timestamp: Timestamp
    energy_generated_kwh: Number
    energy_consumed_kwh: Number
    net_energy_kwh: Number = Field(description="energy_generated_kwh - energy_consumed_kwh, exact (derived)")
    cumulative_kwh: Number | None = None
    anomalies: list[ReadingAnomaly] | None = None


class ReadingPage(_Model):
    site_id: str
    items: list[Reading]
    next_token: NextToken


class Anomaly(_Model):
    """An anomaly event - consecutive anomalous readings of one site, field and type - as stored on the
    reading it is kept with (`reading_timestamp`)."""

    anomaly_id: str = Field(
        description="<start>#<type>, and #<field> when the event is about one field (both fields of a meter"
        " can hold the same fault from the same reading)",
        examples=[
            "2025-02-19T21:45:00.000000Z#gap",
            "2025-02-19T21:45:00.000000Z#flatline#energy_consumed_kwh",
        ],
    )
    start: Timestamp = Field(description="The first affected reading (a gap: its first missing interval)")
    end: Timestamp = Field(description="The last affected reading (a gap: its last missing interval)")
    readings: int = Field(description="Readings the event covers (a gap: intervals missing)")
    timestamp: Timestamp = Field(description="The same as start (clients of the per-reading listing)")
    reading_timestamp: Timestamp = Field(description="The reading of the reporting file that stores it")
    type: str
    severity: str
    value: Number | None = None
    expected: str | None = None
    reason: str
    field: str | None = None
    expected_low: Number | None = None
    expected_high: Number | None = None
    baseline: Number | None = None
    source_key: str | None = None
    ingested_at: str | None = None


class AnomalyPage(_Model):
    site_id: str
    items: list[Anomaly]
    next_token: NextToken


class Stat(_Model):
    sum: Number
    min: Number | None = Field(description="null when no reading falls in the range (totals only)")
    max: Number | None


class Aggregate(_Model):
    reading_count: int
    anomaly_count: int = Field(description="Anomalies attached to the readings counted here")
    energy_generated_kwh: Stat
    energy_consumed_kwh: Stat
    net_energy_kwh: Stat = Field(description="Of each reading's generated - consumed, exact (derived)")


class Bucket(Aggregate):
    start: Timestamp


class Summary(_Model):
    site_id: str
    from_: Timestamp = Field(alias="from")
    to: Timestamp
    resolution: Literal["hour", "day", "month"]
    buckets: list[Bucket]
    totals: Aggregate


IngestionStatus = Literal["PROCESSING", "SUCCEEDED", "FAILED"]


class Ingestion(_Model):
    """One source object in the ingestion ledger; fields the workflow has not written are left out."""

    key: str = Field(description="The object's key in the raw-data bucket")
    status: IngestionStatus
    etag: str | None = None
    size: int | None = Field(None, description="Bytes")
    execution: str | None = Field(None, description="ARN of the execution that last claimed the file")
    started_at: Timestamp | None = None
    finished_at: Timestamp | None = None
    updated_at: Timestamp
    received: int | None = None
    stored: int | None = None
    rejected: int | None = None
    duplicates: int | None = None
    anomalies: int | None = None
    rejects_location: str | None = Field(None, description="s3:// URI of the rejected records, if any")
    error: str | None = None
    reason: str | None = None
    quarantine_location: str | None = Field(None, description="s3:// URI of the quarantined file (FAILED)")


class IngestionPage(_Model):
    items: list[Ingestion]
    next_token: NextToken


class ErrorDetail(_Model):
    code: str = Field(examples=["invalid_parameter"])
    message: str = Field(
        examples=["limit: Input should be less than or equal to 1000; use an integer from 1 to 1000"]
    )


class ErrorBody(_Model):
    error: ErrorDetail
