"""The canonical reading, its DynamoDB item, and chunks of readings passed between steps via S3."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Context, Decimal
from typing import Any, NamedTuple

import orjson

from energy_core.timestamps import epoch_seconds

__all__ = ["CanonicalReading", "dump_chunk", "epoch_seconds", "load_chunk", "split_chunks", "to_item"]

# DynamoDB keeps 38 significant digits; generated - consumed of two float reprs fits unless the two
# magnitudes are ~20 orders apart, where it is rounded (half-even) instead of failing the write.
_DYNAMODB = Context(prec=38)


class CanonicalReading(NamedTuple):
    """A valid reading in canonical form: UTC timestamp string, numbers as exact decimal strings.

    A NamedTuple (not a dataclass) because a million of them are built per file: tuples are the
    cheapest immutable record to create, compare and serialise.
    """

    site_id: str
    timestamp: str  # YYYY-MM-DDTHH:MM:SS.ffffffZ
    generated: str  # energy_generated_kwh, e.g. "12.5"
    consumed: str  # energy_consumed_kwh
    cumulative: str | None = None  # cumulative_kwh (meter register), when the file has it


def to_item(reading: CanonicalReading, source_key: str, source_etag: str, ingested_at: str) -> dict[str, Any]:
    """The ReadingsTable item: numbers as Decimal (DynamoDB N, exact), net computed in Decimal."""
    generated, consumed = Decimal(reading.generated), Decimal(reading.consumed)
    item: dict[str, Any] = {
        "site_id": reading.site_id,
        "timestamp": reading.timestamp,
        "energy_generated_kwh": generated,
        "energy_consumed_kwh": consumed,
        "net_energy_kwh": _DYNAMODB.subtract(generated, consumed),
        "source_key": source_key,
        "source_etag": source_etag,
        "ingested_at": ingested_at,
    }
    if reading.cumulative is not None:
        item["cumulative_kwh"] = Decimal(reading.cumulative)
    return item


def dump_chunk(readings: Iterable[CanonicalReading]) -> bytes:
    """JSON Lines, one array per reading in field order: `["site","ts","1.5","0.2",null]`."""
    dumps = orjson.dumps
    return b"".join(dumps(tuple(reading)) + b"\n" for reading in readings)


def load_chunk(data: bytes) -> list[CanonicalReading]:
    """The readings of a chunk written by `dump_chunk`."""
    make = CanonicalReading._make
    loads = orjson.loads
    return [make(loads(line)) for line in data.splitlines() if line]


def split_chunks(readings: Sequence[CanonicalReading], max_per_chunk: int) -> list[list[CanonicalReading]]:
    """Chunks of at most `max_per_chunk` readings, in input order (sorted by site, then time).

    A site's readings stay together in one chunk whenever they fit, so that detectors see whole
    series; a site with more readings than a chunk holds fills consecutive chunks, in time order.
    """
    if max_per_chunk < 1:
        raise ValueError("max_per_chunk must be at least 1")
    chunks: list[list[CanonicalReading]] = []
    current: list[CanonicalReading] = []
    for start, end in _site_runs(readings):
        if current and len(current) + (end - start) > max_per_chunk:
            chunks.append(current)
            current = []
        for offset in range(start, end, max_per_chunk):
            piece = list(readings[offset : min(offset + max_per_chunk, end)])
            if current and len(current) + len(piece) > max_per_chunk:
                chunks.append(current)
                current = []
            current.extend(piece)
    if current:
        chunks.append(current)
    return chunks


def _site_runs(readings: Sequence[CanonicalReading]) -> Iterable[tuple[int, int]]:
    """(start, end) index ranges of consecutive readings of one site."""
    start = 0
    for index in range(1, len(readings) + 1):
        if index == len(readings) or readings[index].site_id != readings[start].site_id:
            yield start, index
            start = index
