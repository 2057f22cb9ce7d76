"""`MemorySource`: readings held in memory, served with the query API's exact semantics.

Used by the tests and the benchmark. Its pages, half-open ranges and Decimal summary follow the
API's contract (anomalies selected and counted by the reading they are stored with), so a chart that
agrees with this summary agrees with the API's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from viz.source import Item, PagedSource, SourceError

FIELDS = ("energy_generated_kwh", "energy_consumed_kwh", "net_energy_kwh")
LIMITS = {"hour": timedelta(days=31), "day": timedelta(days=366), "month": timedelta(days=5 * 366)}
KEY_WIDTH = {"hour": 13, "day": 10, "month": 7}  # prefix of the canonical timestamp naming the bucket


class MemorySource(PagedSource):
    def __init__(
        self,
        readings: dict[str, list[Item]],
        anomalies: dict[str, list[Item]] | None = None,
        page_size: int = 1000,
    ) -> None:
        self._readings = {
            site: sorted(items, key=lambda r: r["timestamp"]) for site, items in readings.items()
        }
        self._anomalies = {
            site: sorted(map(_as_listed, items), key=lambda a: a["reading_timestamp"])
            for site, items in (anomalies or {}).items()
        }
        self._page_size = page_size
        self.requests: list[str] = []  # what was asked, so tests can prove every page was read

    def get(self, path: str, query: dict[str, str]) -> Item:
        self.requests.append(path)
        parts = path.strip("/").split("/")
        if parts == ["sites"]:
            return self._page(self._catalog(), query)
        site = unquote(parts[1])  # API Gateway hands the handler the decoded path parameter
        if site not in self._readings:
            raise SourceError(404, f"unknown site {site!r}")
        start, end = query["from"], query["to"]
        if parts[2] == "readings":
            return {"site_id": site, **self._page(_within(self._readings[site], start, end), query)}
        if parts[2] == "anomalies":
            listed = _within(self._anomalies.get(site, []), start, end, "reading_timestamp")
            return {"site_id": site, **self._page(listed, query)}
        return self._summary(site, start, end, query["resolution"])

    def _catalog(self) -> list[Item]:
        return [
            {
                "site_id": site,
                "first_timestamp": items[0]["timestamp"] if items else None,
                "last_timestamp": items[-1]["timestamp"] if items else None,
                "reading_count": len(items),
                "anomaly_count": len(self._anomalies.get(site, [])),
            }
            for site, items in sorted(self._readings.items())
        ]

    def _page(self, items: list[Item], query: dict[str, str]) -> Item:
        offset = int(query.get("next_token") or 0)
        size = min(int(query.get("limit", 100)), self._page_size)
        more = offset + size < len(items)
        return {"items": items[offset : offset + size], "next_token": str(offset + size) if more else None}

    def _summary(self, site: str, start: str, end: str, resolution: str) -> Item:
        span = datetime.fromisoformat(end) - datetime.fromisoformat(start)
        if span > LIMITS[resolution]:
            raise SourceError(400, f"range too large for resolution={resolution}")
        width = KEY_WIDTH[resolution]
        buckets: dict[str, list[Item]] = {}
        for reading in _within(self._readings[site], start, end):
            buckets.setdefault(reading["timestamp"][:width], []).append(reading)
        # An anomaly counts in the bucket of the reading it is stored with, as the API counts it.
        flagged = [
            a["reading_timestamp"][:width]
            for a in _within(self._anomalies.get(site, []), start, end, "reading_timestamp")
        ]
        rows = [_bucket(key, items, flagged.count(key)) for key, items in sorted(buckets.items())]
        everything = _within(self._readings[site], start, end)
        return {
            "site_id": site,
            "from": start,
            "to": end,
            "resolution": resolution,
            "buckets": rows,
            "totals": _bucket(start, everything, len(flagged)),
        }


def _within(items: list[Item], start: str, end: str, key: str = "timestamp") -> list[Item]:
    # Canonical timestamps sort as text, so the half-open range is a string comparison.
    return [item for item in items if start <= item[key] < end]


def _as_listed(anomaly: Item) -> Item:
    """An anomaly as GET .../anomalies lists it: with its id and the reading it is stored with
    (the reading at its own time unless the caller says otherwise, e.g. a gap's later reading)."""
    parts = (anomaly["timestamp"], anomaly["type"], anomaly.get("field"))
    listed = {"anomaly_id": "#".join(part for part in parts if part), **anomaly}
    listed.setdefault("reading_timestamp", anomaly["timestamp"])
    return listed


def _bucket(key: str, items: list[Item], anomaly_count: int) -> Item:
    row: dict[str, Any] = {"start": key, "reading_count": len(items), "anomaly_count": anomaly_count}
    for field in FIELDS:
        # str() of a float is its shortest round-trip form: the exact decimal the API stores.
        values = [Decimal(str(item[field])) for item in items]
        row[field] = {
            "sum": sum(values, Decimal(0)),
            "min": min(values, default=None),
            "max": max(values, default=None),
        }
    return row
