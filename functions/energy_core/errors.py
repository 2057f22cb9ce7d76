"""Every exception of the domain package, in one place.

The state machine catches errors by their class name (Lambda reports it as `errorType`), so a
class name here is part of the workflow contract: never rename `InvalidFile`.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose.

    `code` is stable and machine-readable (tests, metrics, the ingestion ledger); `reason` is one
    sentence a person can act on, and is also the exception message Step Functions shows as the
    cause.
    """

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def as_dict(self) -> dict[str, str]:
        """The error as the quarantine reason object and the ledger store it."""
        return {"error": type(self).__name__, "code": self.code, "reason": self.reason}


class InvalidFile(PipelineError):
    """The whole file is unusable: unparseable, too large once decompressed, or no valid record.

    Codes: empty_file, not_utf8, malformed_json, too_deep, not_an_array, bad_gzip,
    too_large_decompressed, unknown_format, csv_header_missing_columns, csv_wrong_delimiter,
    no_valid_records.
    """


class ConfigError(ValueError):
    """The detection config (functions/config/detection.json) is malformed; the message names the key.

    Not energy_aws's MissingEnvironmentVariable: that one is a variable template.yaml sets, missing.
    """
