"""AWS list prices (us-east-1, arm64, on-demand) and the cost of one run from its counted requests.

Prices are those of platform-facts.md where it has them; the Step Functions, SNS and S3 figures are the
public price pages' (Standard workflows, first-tier S3 Standard requests). Free tiers are ignored.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

PRICES_USD = {
    "state_transitions": 0.025 / 1_000,
    "lambda_gb_s": 0.0000133334,
    "lambda_requests": 0.20 / 1_000_000,
    "ddb_write_units": 0.625 / 1_000_000,
    "ddb_read_units": 0.125 / 1_000_000,
    "sns_publishes": 0.50 / 1_000_000,
    # One email subscriber: every publish is also an email delivery ($2.00 per 100,000).
    "sns_email_deliveries": 2.00 / 100_000,
    "s3_put_requests": 0.005 / 1_000,
    "s3_get_requests": 0.0004 / 1_000,
}


@dataclass
class Usage:
    """What one file costs on AWS, in billed units."""

    state_transitions: int = 0
    lambda_gb_s: float = 0.0
    lambda_requests: int = 0
    ddb_write_units: int = 0
    ddb_read_units: int = 0
    sns_publishes: int = 0
    sns_email_deliveries: int = 0
    s3_put_requests: int = 0
    s3_get_requests: int = 0


def cost_usd(usage: Usage) -> dict[str, float]:
    """Dollars per line of the bill, and `total`."""
    lines = {f.name: getattr(usage, f.name) * PRICES_USD[f.name] for f in fields(usage)}
    return {**lines, "total": sum(lines.values())}


def usd_per_million(usage: Usage, readings: int) -> float:
    return cost_usd(usage)["total"] * 1_000_000 / readings if readings else 0.0


def gb_seconds(duration_ms: float, memory_mb: int) -> float:
    """Lambda bills each invocation per started millisecond at its configured memory."""
    return math.ceil(duration_ms) / 1000 * memory_mb / 1024


def write_units(item_bytes: int) -> int:
    """On-demand writes cost one unit per started KB of item, at least one."""
    return max(1, math.ceil(item_bytes / 1024))


def read_units(scanned_bytes: int) -> int:
    """Eventually consistent reads: half a unit per started 4 KB a request reads, at least one request."""
    return max(1, math.ceil(math.ceil(scanned_bytes / 4096) / 2))


def as_dict(usage: Usage) -> dict[str, float]:
    return asdict(usage)
