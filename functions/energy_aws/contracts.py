"""What each state of the workflow hands its Lambda function, and what the function gives back.

One typed model per step input and per step result. The state machine builds each Payload
(`statemachine/pipeline.asl.json`, "Parameters") and keeps part of each result ("ResultSelector"):
tests/unit/test_step_contracts.py holds both to these models, so a key renamed on one side fails a test
instead of an execution. `events/steps/<step>.json` is an example input of each step, the one
`sam local invoke <Function> -e` takes and the handler tests run.

Inputs are read strictly (a missing key names the step and the key: a contract bug, not a bad file);
results are plain JSON for the execution history (`to_payload`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

from energy_aws.errors import ContractError

Model = TypeVar("Model")


def from_payload(model: type[Model], payload: Any, where: str) -> Model:
    """`model` built from a JSON payload: nested models and lists of them included; extra keys ignored."""
    if not isinstance(payload, dict):
        raise ContractError(f"{where}: expected an object for {model.__name__}, got {type(payload).__name__}")
    hints = typing.get_type_hints(model)
    values = {}
    for item in dataclasses.fields(model):  # type: ignore[arg-type]
        if item.name not in payload:
            if item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING:
                raise ContractError(f"{where}: the payload has no '{item.name}' ({model.__name__})")
            continue
        values[item.name] = _value(hints[item.name], payload[item.name], f"{where}.{item.name}")
    return model(**values)


def _value(hint: Any, value: Any, where: str) -> Any:
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return from_payload(hint, value, where)
    if typing.get_origin(hint) is list:
        (inner,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ContractError(f"{where}: expected a list, got {type(value).__name__}")
        return [_value(inner, element, f"{where}[{index}]") for index, element in enumerate(value)]
    if isinstance(hint, types.UnionType) and value is not None:
        models = [arg for arg in typing.get_args(hint) if dataclasses.is_dataclass(arg)]
        if models:
            return _value(models[0], value, where)
    return value


class Payload:
    """A step model read from and written to the JSON the state machine passes."""

    @classmethod
    def from_payload(cls, payload: Any) -> Self:
        return from_payload(cls, payload, cls.__name__)

    def to_payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]


# --- shared parts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile(Payload):
    """The uploaded object an execution processes ("Read upload event" takes it from the S3 event)."""

    bucket: str
    key: str
    etag: str = ""
    size: int | None = None


@dataclass(frozen=True)
class AnnotatedChunk(Payload):
    """One chunk of stored items, each reading carrying its anomalies (Detect writes it, Store reads it)."""

    items: str  # the S3 key


@dataclass(frozen=True)
class Digest(Payload):
    """An alert ready to publish: the SNS subject, message and message attributes."""

    subject: str
    message: str
    attributes: dict[str, dict[str, str]]


@dataclass(frozen=True)
class FileStep(Payload):
    """What every Lambda step is given: the file and the execution processing it."""

    file: UploadedFile
    execution: str  # the execution ARN: staging objects are kept under its name


# --- Validate and stage readings ------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidateInput(FileStep):
    """Validate is given the file alone."""


@dataclass(frozen=True)
class Refusal(Payload):
    """Why Validate refuses a file it did read (no valid reading, more readings than a step can hold).

    Returned, not raised, so that the file's counts stay in the state: the workflow's "Readings to keep?"
    Choice sends a refused file to the failure path as InvalidFile with `reason` as the cause. A file
    Validate cannot read at all still raises InvalidFile: there are no counts to keep.
    """

    code: str  # energy_core.errors.InvalidFile's code: "no_valid_records", "too_many_readings"
    reason: str  # the sentence the failure alert and the ledger carry


@dataclass(frozen=True)
class ValidateResult(Payload):
    received: int
    valid: int
    rejected: int
    duplicates: int
    rejects_location: str | None  # s3:// of the rejects report, when any record was rejected
    chunks: list[str]  # S3 keys of the valid readings, CHUNK_READINGS per chunk; none for a refused file
    sites: int
    format: str  # "json", "csv+gzip", ...
    refused: Refusal | None = None  # set: nothing was staged and the file goes to the failure path


# --- Detect anomalies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DetectInput(FileStep):
    chunks: list[str]  # Validate's chunks


@dataclass(frozen=True)
class DetectResult(Payload):
    total: int  # anomaly events
    by_type: dict[str, int]  # events per type
    readings: int  # readings inside those events
    chunks: list[AnnotatedChunk]
    anomalies_location: str | None  # s3:// of the events as JSON Lines, when there are any
    digest: Digest | None  # the alert, when there are anomalies


# --- Write chunk (inside the "Store readings" Map) --------------------------------------------------------


@dataclass(frozen=True)
class StoreInput(FileStep):
    chunk: AnnotatedChunk


@dataclass(frozen=True)
class StoreResult(Payload):
    stored: int
    anomalies_stored: int
    write_requests: int
    retried_items: int = 0
    throttled_requests: int = 0
    paced_s: float = 0.0


@dataclass(frozen=True)
class StoredChunk(Payload):
    """The part of a StoreResult the Map keeps for the Catalog (the state's ResultSelector)."""

    stored: int
    anomalies_stored: int
    write_requests: int


# --- Update site catalog ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogInput(FileStep):
    chunks: list[AnnotatedChunk]  # what Store wrote: the Catalog reads each site's range from them
    store: list[StoredChunk] = field(default_factory=list)


@dataclass(frozen=True)
class CatalogResult(Payload):
    stored: int
    sites: int


# --- Quarantine file (the failure path) ------------------------------------------------------------------


@dataclass(frozen=True)
class Failure(Payload):
    """What a Catch put at $.failure: the error name and its cause (Lambda errors carry JSON there)."""

    Error: str = "ProcessingFailed"
    Cause: str = ""


@dataclass(frozen=True)
class QuarantineInput(FileStep):
    failure: Failure = field(default_factory=Failure)


@dataclass(frozen=True)
class QuarantineResult(Payload):
    error: str
    cause: str
    location: str  # s3:// of the quarantined copy
    digest: Digest
