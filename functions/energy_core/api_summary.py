"""Per-bucket aggregates of readings for GET /sites/{site_id}/summary (pure, exact Decimal arithmetic)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Context, Decimal
from typing import Any

from energy_core.api_time import bucket_start

FIELDS = ("energy_generated_kwh", "energy_consumed_kwh", "net_energy_kwh")
# Stored numbers have up to 38 digits (DynamoDB N); 100 digits keeps every realistic sum exact.
EXACT = Context(prec=100)


@dataclass(slots=True)
class Stat:
    sum: Decimal = Decimal(0)
    min: Decimal | None = None
    max: Decimal | None = None

    def add(self, value: Decimal) -> None:
        self.sum = EXACT.add(self.sum, value)
        self.min = value if self.min is None or value < self.min else self.min
        self.max = value if self.max is None or value > self.max else self.max

    def as_dict(self) -> dict[str, Decimal | None]:
        return {"sum": self.sum, "min": self.min, "max": self.max}


@dataclass(slots=True)
class Bucket:
    reading_count: int = 0
    anomaly_count: int = 0
    stats: dict[str, Stat] = field(default_factory=lambda: {name: Stat() for name in FIELDS})

    def add_reading(self, values: dict[str, Decimal]) -> None:
        self.reading_count += 1
        for name in FIELDS:
            value = values.get(name)
            if value is not None:
                self.stats[name].add(value)

    def as_dict(self) -> dict[str, Any]:
        counts = {"reading_count": self.reading_count, "anomaly_count": self.anomaly_count}
        return counts | {name: stat.as_dict() for name, stat in self.stats.items()}


def summarise(
    readings: Iterable[tuple[str, dict[str, Decimal]]],
    anomaly_timestamps: Iterable[str],
    resolution: str,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Buckets that hold readings or anomalies, in time order, and the totals over the whole range.

    A bucket with anomalies but no readings (a gap) is kept so counts add up to the totals; its
    min/max are null and its sums 0.
    """
    buckets: dict[str, Bucket] = {}
    totals = Bucket()
    for timestamp, values in readings:
        buckets.setdefault(bucket_start(timestamp, resolution), Bucket()).add_reading(values)
        totals.add_reading(values)
    for timestamp in anomaly_timestamps:
        buckets.setdefault(bucket_start(timestamp, resolution), Bucket()).anomaly_count += 1
        totals.anomaly_count += 1
    ordered = [{"start": start} | buckets[start].as_dict() for start in sorted(buckets)]
    return ordered, totals.as_dict()
