"""Per-bucket aggregates of readings for GET /sites/{site_id}/summary (pure, exact Decimal arithmetic)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Context, Decimal
from typing import Any

from query_api.timeparams import bucket_start

GENERATED, CONSUMED, NET = "energy_generated_kwh", "energy_consumed_kwh", "net_energy_kwh"
STORED_FIELDS = (GENERATED, CONSUMED)  # what a reading item holds
FIELDS = (*STORED_FIELDS, NET)  # what the API answers: net is derived at read time, never stored
# Stored numbers have up to 38 digits (DynamoDB N); 100 digits keeps every realistic sum exact.
EXACT = Context(prec=100)
# Two DynamoDB N (38 digits, magnitudes 1e-130 to 1e126) differ by at most ~295 digits: always exact.
_NET = Context(prec=300)


def net_energy(generated: Decimal, consumed: Decimal) -> Decimal:
    """generated - consumed, exactly (what the pipeline once stored as net_energy_kwh)."""
    return _NET.subtract(generated, consumed)


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

    def add_reading(self, values: dict[str, Decimal], anomalies: int) -> None:
        self.reading_count += 1
        self.anomaly_count += anomalies
        for name in STORED_FIELDS:
            value = values.get(name)
            if value is not None:
                self.stats[name].add(value)
        generated, consumed = values.get(GENERATED), values.get(CONSUMED)
        if generated is not None and consumed is not None:
            self.stats[NET].add(net_energy(generated, consumed))

    def as_dict(self) -> dict[str, Any]:
        counts = {"reading_count": self.reading_count, "anomaly_count": self.anomaly_count}
        return counts | {name: stat.as_dict() for name, stat in self.stats.items()}


def summarise(
    readings: Iterable[tuple[str, dict[str, Decimal], int]], resolution: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Buckets that hold readings, in time order, and the totals over the whole range.

    Each reading comes with its stored numbers and the number of anomalies attached to it, so an
    anomaly counts in the bucket of its reading (a gap in the bucket of the reading that ended it).
    """
    buckets: dict[str, Bucket] = {}
    totals = Bucket()
    for timestamp, values, anomalies in readings:
        buckets.setdefault(bucket_start(timestamp, resolution), Bucket()).add_reading(values, anomalies)
        totals.add_reading(values, anomalies)
    ordered = [{"start": start} | buckets[start].as_dict() for start in sorted(buckets)]
    return ordered, totals.as_dict()
