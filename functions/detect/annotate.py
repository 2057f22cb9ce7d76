"""Glue between stored items and the pure detectors: grouping, conversion, and attaching results."""

from __future__ import annotations

import bisect
import dataclasses
import time
from collections.abc import Iterable
from typing import Any

from energy_core.detect import Anomaly, SeriesPoint
from energy_core.readings import epoch_seconds


def now_epoch() -> float:
    return time.time()


def group_by_site(items: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Items per site in time order (chunks arrive sorted; sorting again is cheap and makes it certain)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(item["site_id"], []).append(item)
    for rows in groups.values():
        rows.sort(key=lambda row: row["timestamp"])
    return groups


def to_points(items: Iterable[dict[str, Any]]) -> list[SeriesPoint]:
    """Detector input from stored items; the canonical timestamp converts without a datetime per reading."""
    make = SeriesPoint._make
    points = []
    for item in items:
        cumulative = item.get("cumulative_kwh")
        timestamp = item["timestamp"]
        points.append(make((
            item["site_id"], timestamp, epoch_seconds(timestamp), float(item["energy_generated_kwh"]),
            float(item["energy_consumed_kwh"]), None if cumulative is None else float(cumulative),
        )))
    return points


def anomaly_row(anomaly: Anomaly) -> dict[str, Any]:
    row = {key: value for key, value in dataclasses.asdict(anomaly).items() if value is not None}
    return row


def annotate(
    chunks: list[list[dict[str, Any]]], anomalies: list[Anomaly]
) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Flags each reading with its anomalies and assigns every anomaly to the chunk holding its site's time.

    A gap has no reading of its own: it goes with the chunk of the last reading before it, or the
    site's first chunk, so each anomaly is stored exactly once.
    """
    index: dict[tuple[str, str], dict[str, Any]] = {}
    site_starts: dict[str, list[tuple[str, int]]] = {}
    for position, chunk in enumerate(chunks):
        firsts: dict[str, str] = {}  # one pass per chunk, whatever the number of sites in it
        for item in chunk:
            site_id, timestamp = item["site_id"], item["timestamp"]
            index[(site_id, timestamp)] = item
            if site_id not in firsts or timestamp < firsts[site_id]:
                firsts[site_id] = timestamp
        for site_id, first in firsts.items():
            site_starts.setdefault(site_id, []).append((first, position))
    for starts in site_starts.values():
        starts.sort()
    per_chunk: list[list[dict[str, Any]]] = [[] for _ in chunks]
    for anomaly in anomalies:
        reading = index.get((anomaly.site_id, anomaly.timestamp))
        if reading is not None:
            reading.setdefault("anomalies", []).append(
                {"type": anomaly.type, "severity": anomaly.severity, "reason": anomaly.reason})
        starts = site_starts.get(anomaly.site_id, [("", 0)])
        slot = max(0, bisect.bisect_right(starts, (anomaly.timestamp, len(chunks))) - 1)
        per_chunk[starts[slot][1]].append(anomaly_row(anomaly))
    return list(zip(chunks, per_chunk, strict=True))


def digest_fields(digest: Any) -> dict[str, Any]:
    return {"subject": digest.subject, "message": digest.message, "attributes": digest.attributes}
