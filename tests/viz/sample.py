"""A small deterministic generator of readings and anomalies shaped like the query API's items."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2025, 3, 1, tzinfo=UTC)
STEP = timedelta(minutes=15)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def reading(moment: datetime, generated: float, consumed: float) -> dict[str, Any]:
    generated, consumed = round(generated, 3), round(consumed, 3)
    # The API derives net with Decimal from the stored texts; round() reproduces that for 3 decimals.
    return {
        "timestamp": stamp(moment),
        "energy_generated_kwh": generated,
        "energy_consumed_kwh": consumed,
        "net_energy_kwh": round(generated - consumed, 3),
    }


def readings(
    count: int,
    start: datetime = START,
    step: timedelta = STEP,
    seed: int = 1,
    skip: tuple[range, ...] = (),
    solar: float = 2.0,
) -> list[dict[str, Any]]:
    """Sunny-day generation and a two-peak household load, 15-minute readings, minus `skip` indexes."""
    rng = random.Random(seed)
    items = []
    for i in range(count):
        if any(i in gap for gap in skip):
            continue
        moment = start + i * step
        hour = moment.hour + moment.minute / 60
        sun = max(0.0, math.sin(math.pi * (hour - 6) / 12)) * solar
        load = 0.3 + 0.5 * math.exp(-((hour - 8) ** 2) / 2) + 0.8 * math.exp(-((hour - 19) ** 2) / 3)
        items.append(reading(moment, sun * rng.uniform(0.7, 1.0), load * rng.uniform(0.8, 1.2)))
    return items


def anomaly(
    item: dict[str, Any], kind: str, field: str | None = "energy_consumed_kwh", value: float | None = None
) -> dict[str, Any]:
    found = item[field] if value is None and field else value
    return {
        "anomaly_id": f"{item['timestamp']}#{kind}",
        "timestamp": item["timestamp"],
        "reading_timestamp": item["timestamp"],
        "type": kind,
        "severity": "high",
        "value": found,
        "expected": "0 to 5 kWh",
        "reason": f"{kind} on {field}",
        **({"field": field} if field else {}),
    }


def with_value(items: list[dict[str, Any]], index: int, field: str, value: float) -> dict[str, Any]:
    """Replace one reading's value (and its net), returning the changed reading."""
    item = dict(items[index], **{field: value})
    item["net_energy_kwh"] = round(item["energy_generated_kwh"] - item["energy_consumed_kwh"], 3)
    items[index] = item
    return item
