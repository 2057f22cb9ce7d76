"""The canonical reading, its DynamoDB item, and chunks of readings passed between steps via S3."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import groupby, islice, repeat
from operator import lt, ne
from typing import Any, NamedTuple, overload

import orjson

from energy_core.contract import CONSUMED, CUMULATIVE, GENERATED, SITE_ID, TIMESTAMP
from energy_core.timestamps import epoch_seconds

__all__ = [
    "Block",
    "CanonicalReading",
    "Readings",
    "dump_chunk",
    "epoch_seconds",
    "split_chunks",
    "to_items",
    "where",
]


class CanonicalReading(NamedTuple):
    """A valid reading in canonical form: UTC timestamp string, numbers as floats.

    A NamedTuple (not a dataclass) because a million of them are built per file: tuples are the
    cheapest immutable record to create, compare and serialise. A float's repr is the shortest
    decimal that reads back as the same float, so the number written to DynamoDB (repr) is exactly
    the one in the file whenever the file's digits fit a double (~15-17 significant digits).
    """

    site_id: str
    timestamp: str  # YYYY-MM-DDTHH:MM:SS.ffffffZ
    generated: float  # energy_generated_kwh
    consumed: float  # energy_consumed_kwh
    cumulative: float | None = None  # cumulative_kwh (meter register), when the file has it


class Block(NamedTuple):
    """A site's block: its readings, consecutive at positions start to end (exclusive)."""

    site_id: str
    start: int
    end: int


CHUNK_READINGS = 50_000  # per S3 chunk object: small enough for one Store invocation to write in time
ITEM_FIELDS = (SITE_ID, TIMESTAMP, GENERATED, CONSUMED, CUMULATIVE)  # a CanonicalReading's, in its order
# Builds a CanonicalReading without NamedTuple's Python-level __new__ (a third of the cost of iterating
# a million readings); plain_rows below is the reference it is held to.
_new_tuple = tuple.__new__


class Readings(Sequence[CanonicalReading]):
    """Readings as columns; once validated, each site's readings together and in time order, sites in
    the order the file first names them.

    A million readings flow through validation, chunking and detection as five lists rather than a
    million tuples: every step works a column at a time with C-level builtins, and a reading tuple
    is built only where one is asked for (indexing, iteration).
    """

    __slots__ = ("_blocks", "_stamp_table", "_timestamps", "consumed", "cumulative", "generated", "site_ids")

    def __init__(
        self,
        site_ids: Sequence[str],
        timestamps: Sequence[str],
        generated: Sequence[float],
        consumed: Sequence[float],
        cumulative: Sequence[float | None] | None = None,
    ) -> None:
        self.site_ids = site_ids
        self._timestamps: Sequence[str] | None = timestamps
        self._stamp_table: TimestampTable | None = None
        self.generated, self.consumed = generated, consumed
        # None when no reading has a register value: the common case costs no column at all
        self.cumulative = (
            cumulative if cumulative is not None and cumulative.count(None) != len(cumulative) else None
        )
        self._blocks: list[Block] | None = None

    @classmethod
    def with_timestamp_table(  # noqa: PLR0917 - one argument per column
        cls,
        site_ids: Sequence[str],
        blocks: list[Block],
        stamps: TimestampTable,
        generated: Sequence[float],
        consumed: Sequence[float],
        cumulative: Sequence[float | None] | None = None,
    ) -> Readings:
        """Readings whose timestamps are given once each (`stamps`, with an entry per site block): the
        list of a timestamp per reading is only built if something asks for it."""
        readings = cls(site_ids, [], generated, consumed, cumulative)
        readings._timestamps, readings._stamp_table = None, stamps
        readings.known_blocks(blocks)
        return readings

    @property
    def timestamps(self) -> Sequence[str]:
        if self._timestamps is None:
            assert self._stamp_table is not None and self._blocks is not None
            self._timestamps = self._stamp_table.expand(self._blocks)
        return self._timestamps

    def known_blocks(self, blocks: list[Block]) -> None:
        """Record `site_blocks()` where it is already known (validation found it, a chunk header
        holds it), so that it is not worked out again."""
        self._blocks = blocks

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[Any]]) -> Readings:
        rows = list(rows)
        if not rows:
            return cls([], [], [], [])
        site_ids, timestamps, generated, consumed, cumulative = zip(*rows, strict=True)
        return cls(site_ids, timestamps, generated, consumed, cumulative)

    def __len__(self) -> int:
        return len(self.site_ids)

    @overload
    def __getitem__(self, index: int) -> CanonicalReading: ...
    @overload
    def __getitem__(self, index: slice) -> Readings: ...
    def __getitem__(self, index: int | slice) -> CanonicalReading | Readings:
        if isinstance(index, slice):
            sliced: list[Any] = [None if column is None else column[index] for column in self.columns()]
            return Readings(*sliced)
        cumulative = None if self.cumulative is None else self.cumulative[index]
        return _new_tuple(
            CanonicalReading,
            (
                self.site_ids[index],
                self.timestamps[index],
                self.generated[index],
                self.consumed[index],
                cumulative,
            ),
        )

    def __iter__(self) -> Iterator[CanonicalReading]:
        columns: list[Any] = list(self.columns())
        rows = zip(*columns[:4], columns[4] or repeat(None), strict=False)
        return map(_new_tuple, repeat(CanonicalReading), rows)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or len(other) != len(self):
            return False
        return all(map(tuple.__eq__, self, other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Readings({list(self)!r})"

    def columns(self) -> tuple[Sequence[Any] | None, ...]:
        return self.site_ids, self.timestamps, self.generated, self.consumed, self.cumulative

    def plain_rows(self) -> list[CanonicalReading]:
        """What iterating gives, written plainly: the reference for `__iter__` and `__getitem__`
        (tests/unit/test_properties_ingest.py holds them equal)."""
        cumulative = self.cumulative or [None] * len(self)
        rows = zip(self.site_ids, self.timestamps, self.generated, self.consumed, cumulative, strict=True)
        return [CanonicalReading(*row) for row in rows]

    def site_blocks(self) -> list[Block]:
        """The site blocks, in order: where the site id changes, a block starts."""
        if self._blocks is None:
            self._blocks = blocks_of(self.site_ids)
        return self._blocks

    def to_bytes(self, **extra: Any) -> bytes:
        """The chunk object passed between steps through S3: a header line (the count, site ids as
        [site_id, count] runs since they repeat per reading, and any `extra` keys such as the file's
        provenance), then one line of JSON columns. A step that only changes the header rewrites that
        line and passes the columns through byte for byte.

        Timestamps are written once each (TimestampTable): the sorted distinct ones, and per site block
        where its timestamps start among them (the sites of a fleet share one grid, so a block's are a
        slice), or their positions when they are not a slice. A tenth of the text to read back for a
        fleet of ten.
        """
        blocks = self.site_blocks()
        site_blocks = [[site, end - start] for site, start, end in blocks]
        header = orjson.dumps({"count": len(self), "site_blocks": site_blocks, **extra})
        stamps = self._stamp_table or TimestampTable.of(self.timestamps, blocks)
        columns = {
            "timestamp_table": stamps.table,
            "timestamp_blocks": stamps.blocks,
            "energy_generated_kwh": self.generated,
            "energy_consumed_kwh": self.consumed,
            "cumulative_kwh": self.cumulative,
        }
        return header + b"\n" + orjson.dumps(columns)

    @classmethod
    def from_bytes(cls, data: bytes) -> tuple[Readings, dict[str, Any]]:
        """The readings of a `to_bytes` chunk, and the other keys of its header."""
        header, columns = read_header(data)
        document = orjson.loads(columns)
        site_ids: list[str] = []
        blocks = []
        for site, count in header.pop("site_blocks"):
            blocks.append(Block(site, len(site_ids), len(site_ids) + count))
            site_ids += repeat(site, count)
        del header["count"]
        stamps = TimestampTable(document["timestamp_table"], document["timestamp_blocks"])
        readings = cls(
            site_ids,
            stamps.expand(blocks),
            document["energy_generated_kwh"],
            document["energy_consumed_kwh"],
            document["cumulative_kwh"],
        )
        readings.known_blocks(blocks)
        return readings, header


class TimestampTable(NamedTuple):
    """Timestamps written once each: the sorted distinct ones (`table`), and per site block where
    its timestamps start among them (the block's are a slice of them: the usual, as the sites of a
    fleet share one grid) or the position of each."""

    table: list[str]
    blocks: list[int | list[int]]

    @classmethod
    def of(
        cls,
        stamps: Sequence[str],
        blocks: list[Block],
        canonical: Mapping[str, str] | None = None,
    ) -> TimestampTable:
        """The TimestampTable of a timestamp per reading, `stamps` as written: `canonical` maps each
        distinct text to its canonical form, one to one (none: they are canonical already)."""
        if canonical is None:
            order = table = sorted(set(stamps))
        else:
            text_of = {stamp: text for text, stamp in canonical.items()}
            table = sorted(text_of)
            order = list(map(text_of.__getitem__, table))  # the distinct texts, in time order
        position = dict(zip(order, range(len(order)), strict=True))
        entries: list[int | list[int]] = []
        for _, start, end in blocks:
            part = list(stamps[start:end]) if not isinstance(stamps, list) else stamps[start:end]
            first = position[part[0]]
            if order[first : first + len(part)] == part:  # a slice (the usual): one list comparison
                entries.append(first)
            else:
                entries.append(list(map(position.__getitem__, part)))
        return cls(table, entries)

    def rising(self) -> bool:
        """Whether every block's timestamps rise strictly (a slice of the sorted distinct ones does);
        `plain_rising` is the reference."""
        return all(
            isinstance(entry, int) or all(map(lt, entry, islice(entry, 1, None))) for entry in self.blocks
        )

    def expand(self, blocks: list[Block]) -> list[str]:
        """A timestamp per reading, block after block."""
        table, timestamps = self.table, []
        for (_, start, end), entry in zip(blocks, self.blocks, strict=True):
            if isinstance(entry, int):
                timestamps += table[entry : entry + end - start]
            else:
                timestamps += map(table.__getitem__, entry)
        return timestamps


def plain_rising(stamps: Sequence[str], blocks: list[Block]) -> bool:
    """Whether each block's timestamps rise strictly, reading by reading: the reference for
    `TimestampTable.rising`."""
    return all(
        stamps[index] < stamps[index + 1] for _, start, end in blocks for index in range(start, end - 1)
    )


def site_changes(sites: Sequence[str]) -> bytes:
    """A flag per pair of neighbours: 1 where the site id changes."""
    return bytes(map(ne, sites, islice(sites, 1, None)))


def blocks_of(sites: Sequence[str], changes: bytes | None = None) -> list[Block]:
    """The blocks of a column of site ids: a block starts wherever the site id changes (`changes`, if
    the caller has them already). The changes are found a column at a time (`where`); `plain_blocks_of`
    is the reference."""
    if not sites:
        return []
    starts = [0, *(index + 1 for index in where(site_changes(sites) if changes is None else changes))]
    ends = [*starts[1:], len(sites)]
    return [Block(sites[start], start, end) for start, end in zip(starts, ends, strict=True)]


def long_blocks_of(sites: Sequence[str], most: int) -> list[Block] | None:
    """The blocks of a column of site ids, as `blocks_of` gives them, or None when there are more
    than `most` of them.

    For a file written site by site, whose blocks are long: each block's end is found by galloping
    then bisecting (a few comparisons), and the block then checked whole by one C-level count, instead
    of comparing every pair of neighbours. `plain_blocks_of` is the reference."""
    blocks: list[Block] = []
    start = 0
    while start < len(sites):
        if len(blocks) == most:
            return None
        end = _block_end(sites, start)
        blocks.append(Block(sites[start], start, end))
        start = end
    return blocks


def _block_end(sites: Sequence[str], start: int) -> int:
    """Where the block of equal site ids that starts at `start` ends (exclusive)."""
    site, count = sites[start], len(sites)
    same, step = start, 1  # sites[same] is the site; probe ever further ahead until one is not
    while same + step < count and sites[same + step] == site:
        same, step = same + step, step * 2
    other = min(same + step, count)  # a different site there (or the column's end)
    while other - same > 1:  # bisect: the block ends at the first different site after `same`
        middle = (same + other) // 2
        if sites[middle] == site:
            same = middle
        else:
            other = middle
    if sites[start:other].count(site) == other - start:
        return other
    # The site came back within the probed stretch (a, a, b, a): the probes skipped its first end.
    end = start + 1
    while sites[end] == site:
        end += 1
    return end


def plain_blocks_of(sites: Sequence[str]) -> list[Block]:
    """The blocks of a column of site ids, one group of equal neighbours after another."""
    blocks: list[Block] = []
    for site, group in groupby(sites):
        start = blocks[-1].end if blocks else 0
        blocks.append(Block(site, start, start + len(list(group))))
    return blocks


def where(flags: Iterable[bool] | bytes | bytearray) -> list[int]:
    """Indices of the true flags (a flag per reading, few of them true). bytes.find skips the false
    ones at C speed, where a Python loop over a million flags costs ~0.1 s. `plain_where` is the reference."""
    marks = flags if isinstance(flags, bytes | bytearray) else bytes(flags)
    found, index = [], marks.find(1)
    while index >= 0:
        found.append(index)
        index = marks.find(1, index + 1)
    return found


def plain_where(flags: Iterable[bool]) -> list[int]:
    """Indices of the true flags."""
    return [index for index, flag in enumerate(flags) if flag]


def read_header(chunk: bytes) -> tuple[dict[str, Any], memoryview]:
    """A chunk's header, and its columns line still encoded (JSON never holds a raw newline)."""
    end = chunk.index(b"\n")
    header: dict[str, Any] = orjson.loads(chunk[:end])
    return header, memoryview(chunk)[end + 1 :]


def to_items(readings: Readings, provenance: dict[str, str]) -> list[dict[str, Any]]:
    """The ReadingsTable items of a chunk, with the chunk's provenance on each."""
    return [_item(reading, provenance) for reading in readings]


def _item(reading: CanonicalReading, provenance: dict[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = dict(zip(ITEM_FIELDS, reading, strict=True))
    if reading.cumulative is None:
        del item[CUMULATIVE]
    item.update(provenance)
    return item


def dump_chunk(readings: Readings, **extra: Any) -> bytes:
    """A chunk of readings as stored between steps in S3 (one JSON object of columns)."""
    return readings.to_bytes(**extra)


def split_chunks(readings: Readings, max_per_chunk: int) -> list[Readings]:
    """Chunks of at most `max_per_chunk` readings, in input order (by site, then time).

    A site's readings stay together in one chunk whenever they fit, so that detectors see whole
    series; a site with more readings than a chunk holds fills consecutive chunks, in time order.
    """
    if max_per_chunk < 1:
        raise ValueError("max_per_chunk must be at least 1")
    bounds: list[tuple[int, int]] = []  # (start, end) of each chunk; chunks are contiguous slices
    start = end = 0
    for _, site_start, site_end in readings.site_blocks():
        if end > start and end - start + (site_end - site_start) > max_per_chunk:
            bounds.append((start, end))
            start = end
        for offset in range(site_start, site_end, max_per_chunk):
            piece_end = min(offset + max_per_chunk, site_end)
            if end > start and end - start + (piece_end - offset) > max_per_chunk:
                bounds.append((start, end))
                start = end
            end = piece_end
    if end > start:
        bounds.append((start, end))
    if bounds == [(0, len(readings))]:
        return [readings]  # one chunk: as it is (keeping what it knows of its blocks and timestamps)
    return [readings[first:last] for first, last in bounds]
