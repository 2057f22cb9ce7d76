"""The annotated chunk: what Detect hands Store, in the one chunk format that runs from Validate on.

A chunk (`energy_core.readings`, `Readings.to_bytes`) is a header line, then one line of columns.
Validate writes the valid readings with the file's provenance in the header, Detect adds the anomalies
each reading carries (`annotated_chunk`); Store turns the annotated chunk into ReadingsTable
items (`ChunkToStore`) and the Catalog reads each site's first and last reading from it.
Only headers are rewritten: the columns pass through byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from energy_aws.items import reading_attribute_values
from energy_core.readings import Block, Readings, read_header, to_items

Carried = dict[int, list[dict[str, Any]]]  # a chunk's row -> the anomalies that reading carries


def annotated_chunk(chunk: bytes, carried: Carried) -> bytes:
    """A Validate chunk with the anomalies its readings carry added to the header ([row, anomalies]
    pairs); the columns pass through byte for byte."""
    header, columns = read_header(chunk)
    header["anomalies"] = sorted(carried.items())
    return orjson.dumps(header) + b"\n" + columns


@dataclass(frozen=True)
class ChunkToStore:
    """What Store reads of an annotated chunk."""

    readings: Readings
    provenance: dict[str, str]
    carried: Carried
    shared_sites: dict[str, int] | None  # sites in more than one chunk -> how many; None: not known

    @classmethod
    def from_bytes(cls, chunk: bytes) -> ChunkToStore:
        readings, header = Readings.from_bytes(chunk)
        carried = dict(header.get("anomalies") or [])
        return cls(readings, header["provenance"], carried, header.get("shared_sites"))

    @property
    def anomalies(self) -> int:
        """How many anomalies the chunk's readings carry."""
        return sum(map(len, self.carried.values()))

    def attribute_values(self) -> Iterator[dict[str, Any]]:
        """The ReadingsTable items, as DynamoDB attribute values, each reading with what it carries, in
        `write_order`."""
        items = to_items(self.readings, self.provenance)
        for row in write_order(self.readings.site_blocks()):
            item = items[row]
            if row in self.carried:
                item["anomalies"] = self.carried[row]
            yield reading_attribute_values(item)


def write_order(blocks: list[Block]) -> Iterator[int]:
    """A chunk's rows taking one reading of each site block in turn (each site's in time order).

    DynamoDB takes at most 1,000 write units a second per partition key, one site here. Written site by
    site, a chunk goes no faster than one site's limit whatever it holds: 50,000 readings of five sites
    took 50 s where 10 s would do. Each batch of 25 spread over the chunk's sites spends every site's
    share at once, and a site's readings still arrive in time order.
    """
    cursors = [(start, end) for _, start, end in blocks]
    while cursors:
        for start, _ in cursors:
            yield start
        cursors = [(start + 1, end) for start, end in cursors if start + 1 < end]


def site_spans(chunk: bytes) -> list[tuple[str, str, str]]:
    """(site, first reading time, last reading time) of each site's readings in a chunk."""
    readings, _ = Readings.from_bytes(chunk)
    stamps = readings.timestamps
    blocks = readings.site_blocks()
    return [(site, min(stamps[start:end]), max(stamps[start:end])) for site, start, end in blocks]
