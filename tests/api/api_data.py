"""Writes test data in the shape the pipeline's Store and Catalog steps write (design.md, DynamoDB)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from query_api.timeparams import canonical


def ts(text: str) -> str:
    return canonical(datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC))


class Store:
    def __init__(self, dynamodb: Any, names: dict[str, str]) -> None:
        self.readings = dynamodb.Table(names["READINGS_TABLE"])
        self.catalog = dynamodb.Table(names["CATALOG_TABLE"])

    def site(
        self, site_id: str, first: str | None, last: str | None, readings: int = 0, anomalies: int = 0
    ) -> None:
        item: dict[str, Any] = {
            "pk": "SITE",
            "sk": site_id,
            "reading_count": readings,
            "anomaly_count": anomalies,
            "updated_at": ts("2025-03-01T00:00:00Z"),
        }
        if first and last:
            item |= {"first_timestamp": first, "last_timestamp": last}
        self.catalog.put_item(Item=item)

    def reading(self, site_id: str, timestamp: str, generated: str, consumed: str, **extra: Any) -> None:
        item = {
            "site_id": site_id,
            "timestamp": timestamp,
            "energy_generated_kwh": Decimal(generated),
            "energy_consumed_kwh": Decimal(consumed),
            "source_key": "incoming/f.json",
            "source_etag": "e",
            "ingested_at": ts("2025-03-01T00:00:00Z"),
        } | extra
        if extra.get("anomalies"):
            item["anomaly_site"] = site_id  # what Store adds to a reading with anomalies
        self.readings.put_item(Item=item)

    def anomaly(
        self,
        site_id: str,
        timestamp: str,
        kind: str,
        severity: str = "high",
        value: str = "5",
        reading: str | None = None,
        end: str | None = None,
        readings: int = 1,
        field: str | None = None,
    ) -> None:
        """An anomaly that began at `timestamp`, attached to the stored reading at `reading` (default:
        the same instant) as Store writes it: appended to its list, the reading put in the sparse index."""
        self.readings.update_item(
            Key={"site_id": site_id, "timestamp": reading or timestamp},
            UpdateExpression="SET anomalies = list_append(if_not_exists(anomalies, :none), :new), "
            "anomaly_site = :site",
            ExpressionAttributeValues={
                ":none": [],
                ":site": site_id,
                ":new": [
                    {
                        "timestamp": timestamp,
                        "type": kind,
                        "severity": severity,
                        "value": Decimal(value),
                        "expected": "0 to 4 kWh",
                        "reason": f"{kind} at {timestamp}",
                        **({"end": end, "readings": readings} if end else {}),
                        **({"field": field} if field else {}),
                    }
                ],
            },
        )

    def series(
        self, site_id: str, start: str, count: int, step: timedelta, anomalies_every: int = 0
    ) -> list[str]:
        """`count` readings `step` apart with the catalog item the pipeline would keep; their timestamps."""
        first = datetime.fromisoformat(start.replace("Z", "+00:00"))
        stamps = [canonical(first + step * index) for index in range(count)]
        with self.readings.batch_writer() as batch:
            for index, stamp in enumerate(stamps):
                g = Decimal(index % 7) / 10
                batch.put_item(
                    Item={
                        "site_id": site_id,
                        "timestamp": stamp,
                        "energy_generated_kwh": g,
                        "energy_consumed_kwh": Decimal("0.2"),
                        "source_key": "incoming/f.json",
                        "ingested_at": ts("2025-03-01T00:00:00Z"),
                    }
                )
        flagged = stamps[::anomalies_every] if anomalies_every else []
        for stamp in flagged:
            self.anomaly(site_id, stamp, "spike")
        self.site(site_id, stamps[0], stamps[-1], count, len(flagged))
        return stamps


def hours(n: int) -> timedelta:
    return timedelta(hours=n)


def walk(api, target: str) -> tuple[list[dict[str, Any]], int]:
    """Every item of a paginated route, following next_token to the end, and the number of pages."""
    items, pages, token = [], 0, None
    separator = "&" if "?" in target else "?"
    while True:
        answer = api.json(target + (f"{separator}next_token={token}" if token else ""))
        items.extend(answer["items"])
        pages += 1
        token = answer["next_token"]
        if token is None:
            return items, pages


def error_of(api, target: str, status: int = 400) -> dict[str, str]:
    """The error body of a refused request, after checking its status and its shape."""
    answer = api.get(target)
    assert answer.status == status, answer.body.decode()
    body = json.loads(answer.body)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return body["error"]
