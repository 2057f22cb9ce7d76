"""Where each step keeps its objects in the raw-data bucket.

Keys are derived from the upload key and the execution name so that every step (and a person looking
at the bucket) can find them without passing more than a few strings between states.
"""

from __future__ import annotations

STAGING_PREFIX = "staging/"
REJECTS_PREFIX = "rejected/"
QUARANTINE_PREFIX = "quarantine/"
# Beside an execution's chunks (Validate writes it): {site_id: number of chunks} for sites in more than one.


def execution_name(execution_arn: str) -> str:
    """The last part of an execution ARN: unique per state machine, safe in an S3 key."""
    return execution_arn.rsplit(":", 1)[-1] or "unknown-execution"


def staging_key(execution_arn: str, stage: str, index: int) -> str:
    return f"{STAGING_PREFIX}{execution_name(execution_arn)}/{stage}/{index:05d}.jsonl"


def staging_object(execution_arn: str, name: str) -> str:
    return f"{STAGING_PREFIX}{execution_name(execution_arn)}/{name}"


def rejects_key(source_key: str) -> str:
    return f"{REJECTS_PREFIX}{source_key}.jsonl"


def quarantine_key(source_key: str) -> str:
    return f"{QUARANTINE_PREFIX}{source_key}"


def s3_uri(bucket: str, key: str) -> str:
    return f"s3://{bucket}/{key}"
