"""Glue between stored items and the pure detectors: grouping, conversion, and attaching results."""

from __future__ import annotations

import bisect
import dataclasses
import time
from collections.abc import Iterable
from typing import Any

from energy_core.detect import Anomaly, Series
from energy_core.detect.inputs import series_of_items
from energy_core.readings import Readings


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


def to_points(items: Iterable[dict[str, Any]]) -> Series:
    """Detector input from one site's stored items, built a column at a time."""
    return series_of_items(list(items))


def anomaly_row(anomaly: Anomaly) -> dict[str, Any]:
    row = {key: value for key, value in dataclasses.asdict(anomaly).items() if value is not None}
    return row


def _stored_form(anomaly: Anomaly) -> dict[str, Any]:
    """What a reading keeps of an anomaly: every field but the site (the reading's own)."""
    row = anomaly_row(anomaly)
    del row["site_id"]
    return row


def _order(row: dict[str, Any]) -> tuple[str, str, str]:
    return row["timestamp"], row["type"], row.get("field") or ""


Placement = dict[int, list[dict[str, Any]]]  # a chunk's row -> the anomalies that reading carries


def annotate(chunks: list[Readings], anomalies: list[Anomaly]) -> list[Placement]:
    """Which reading of this file (same site) carries each anomaly, per chunk: {row: [anomalies]}.

    The reading at the anomaly's timestamp when the file has one; else the first file reading after
    it (a gap goes with the reading that ends the silence, a flatline that began in stored history
    with the file's first reading of the run); else the last file reading before it. Each reading's
    list is ordered by (timestamp, type, field).
    """
    index: dict[tuple[str, str], tuple[int, int]] = {}
    for number, chunk in enumerate(chunks):
        index.update(zip(zip(chunk.site_ids, chunk.timestamps, strict=True),
                         ((number, row) for row in range(len(chunk))), strict=True))
    placed: list[tuple[tuple[int, int], Anomaly]] = []
    elsewhere: dict[str, list[Anomaly]] = {}
    for anomaly in anomalies:
        reading = index.get((anomaly.site_id, anomaly.timestamp))
        if reading is None:
            elsewhere.setdefault(anomaly.site_id, []).append(anomaly)
        else:
            placed.append((reading, anomaly))
    if elsewhere:
        placed += _nearest_readings(chunks, index, elsewhere)
    placements: list[Placement] = [{} for _ in chunks]
    for (number, row), anomaly in placed:
        placements[number].setdefault(row, []).append(_stored_form(anomaly))
    for placement in placements:
        for carried in placement.values():
            carried.sort(key=_order)
    return placements


def _nearest_readings(
    chunks: list[Readings],
    index: dict[tuple[str, str], tuple[int, int]],
    elsewhere: dict[str, list[Anomaly]],
) -> list[tuple[tuple[int, int], Anomaly]]:
    """For anomalies without a file reading at their own time: the file reading after, else before."""
    times: dict[str, list[str]] = {site_id: [] for site_id in elsewhere}
    for chunk in chunks:  # one pass, and only when some anomaly needs it (gaps, runs from history)
        for site_id, start, end in chunk.site_blocks():
            stamps = times.get(site_id)
            if stamps is not None:
                stamps.extend(chunk.timestamps[start:end])
    placed = []
    for site_id, found in elsewhere.items():
        stamps = sorted(times[site_id])
        if not stamps:
            raise ValueError(f"{len(found)} anomalies of site {site_id!r}, which has no reading in this file")
        for anomaly in found:
            after = bisect.bisect_right(stamps, anomaly.timestamp)
            stamp = stamps[after] if after < len(stamps) else stamps[-1]
            placed.append((index[(site_id, stamp)], anomaly))
    return placed
