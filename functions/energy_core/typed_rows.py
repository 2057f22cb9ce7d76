"""The decoder: a reading is a typed row, made from the contract, checked as it is read.

msgspec reads the bytes of a JSON array or JSON Lines file straight into typed rows (`Row`), checking
each field's type and range as it parses, for less than orjson's dict per record costs. What msgspec
cannot express - the site id and timestamp patterns, DynamoDB's smallest magnitude, -0.0 - is then
checked on the columns with C-level builtins (a set of distinct site ids and timestamps, min/max),
which keeps validation within a few multiples of the JSON parse. Most uploads are clean, and this is
all that reads them.

When any record is not a valid reading (or the file is CSV), `read_file` says None and the records are
read one by one instead (record_reader.py, through the same `Row`), so that each refused one gets its
position and reason (reasons.py). tests/unit/test_properties_ingest.py holds the two to the same
readings, and each column check here to the plain per-number rule beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice, repeat
from operator import add, attrgetter, lt
from typing import Annotated, Any

import msgspec

from energy_core.contract import (
    CONSUMED,
    CUMULATIVE,
    FIELDS,
    GENERATED,
    MAXIMUM,
    MINIMUM,
    NULLABLE,
    NUMBER_FIELDS,
    REQUIRED,
    SITE_ID,
    SITE_ID_RE,
    SMALLEST,
    TIMESTAMP,
)
from energy_core.file_encoding import bom_length
from energy_core.readings import Block, Readings, TimestampTable, long_blocks_of
from energy_core.timestamps import canonical_timestamps

_site_ok = SITE_ID_RE.fullmatch


def _row_type() -> type[msgspec.Struct]:
    """The typed row of a reading, made from the contract: its fields, which are required, and each
    number's range (inclusive, as the schema's "minimum"/"maximum"), which msgspec checks while it
    parses. Unknown fields are ignored, as the schema says; null where the schema allows it means absent.
    """
    kwh = Annotated[float, msgspec.Meta(ge=MINIMUM, le=MAXIMUM)]
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for name in FIELDS:
        kind: Any = kwh if name in NUMBER_FIELDS else str
        kind = kind | None if name in NULLABLE else kind
        fields.append((name, kind) if name in REQUIRED else (name, kind, None))
    # flat rows of str and float: nothing for the cyclic collector to look at (gc=False)
    return msgspec.defstruct("Row", fields, kw_only=True, gc=False)


Row = _row_type()
_ROW: msgspec.json.Decoder[Any] = msgspec.json.Decoder(Row)
_ROWS: msgspec.json.Decoder[list[Any]] = msgspec.json.Decoder(list[Row])  # type: ignore[valid-type]


def read_row(record: object) -> Any:
    """One parsed record (a JSON value, or a CSV row with its numbers read) as a typed row; None when
    its fields, their types or their ranges are not the contract's."""
    try:
        return msgspec.convert(record, Row)
    except msgspec.ValidationError:
        return None


def read_file(data: bytes, kind: str) -> tuple[Readings, bool] | None:
    """The canonical readings of a JSON array (kind "json") or JSON Lines file ("jsonl"), and whether
    they are already deduplicated and in the order validation gives (each site's readings together and
    in time order, sites in the order the file first names them: a site-by-site export is, as it
    stands); None when any record is not a valid reading, or the file is not plain JSON of objects."""
    body = memoryview(data)[bom_length(data) :]
    # msgspec does not check the UTF-8 of what it skips (an unknown field's name or value), and the
    # contract refuses a file that is not UTF-8: a non-ASCII file is checked whole first (rare, and fast).
    if not data.isascii():
        try:
            str(body, "utf-8")
        except UnicodeDecodeError:
            return None
    try:
        rows = _ROWS.decode(body) if kind == "json" else _rows_of_lines(bytes(body))
    except msgspec.DecodeError:  # a syntax error, a wrong type or a number out of range somewhere
        return None
    return _read_rows(rows) if rows else None


def _read_rows(rows: list[Any]) -> tuple[Readings, bool] | None:
    columns = {name: list(map(attrgetter(name), rows)) for name in FIELDS}  # a pass per field
    sites = columns[SITE_ID]
    blocks = _blocks_of(sites)
    # in blocks, each site id is its block's first: the distinct ones are checked once each
    if not all(map(_site_ok, set(sites) if blocks is None else {site for site, _, _ in blocks})):
        return None
    registers = _stored_with_gaps(columns[CUMULATIVE])
    if registers is None:
        return None
    stamps = columns[TIMESTAMP]
    memo = _canonical_memo(stamps)
    generated = _typed_numbers(columns[GENERATED])
    consumed = _typed_numbers(columns[CONSUMED])
    if memo is None or generated is None or consumed is None:
        return None
    table = None if blocks is None else _timestamp_table(stamps, memo, blocks)
    if blocks is None or table is None:  # not each site's readings together in time order
        return _ordered(Readings(sites, list(map(memo.__getitem__, stamps)), generated, consumed, registers))
    return Readings.with_timestamp_table(sites, blocks, table, generated, consumed, registers), True


def _stored_with_gaps(column: Sequence[Any]) -> Sequence[float | None] | None:
    """A column where None means absent (the register), each value as stored; None if any cannot be."""
    if column.count(None) == len(column):
        return column  # no record has one (the usual)
    if None not in column:
        return _typed_numbers(column)
    stored = _typed_numbers([value for value in column if value is not None])
    if stored is None:
        return None
    values = iter(stored)
    return [None if value is None else next(values) for value in column]


def _canonical_memo(stamps: Sequence[str]) -> dict[str, str] | None:
    """The canonical UTC form of each distinct timestamp text; None if any is not a valid timestamp.
    Each distinct text is converted once: the sites of a fleet share one grid."""
    return canonical_timestamps(set(stamps))


def _timestamp_table(
    stamps: Sequence[str], memo: dict[str, str], blocks: list[Block]
) -> TimestampTable | None:
    """The canonical timestamps written once each (TimestampTable); None unless every block rises
    strictly in time and each instant is written one way only: no canonical text per reading, and a
    block whose timestamps are a slice of the table needs no comparison of neighbours."""
    if len(set(memo.values())) != len(memo):
        return None  # one instant written two ways ('Z' and '+00:00'): maybe a repeat, left to dedupe
    table = TimestampTable.of(stamps, blocks, memo)
    return table if table.rising() else None  # out of order, or an instant twice


def _rows_of_lines(body: bytes) -> list[Any]:
    """One row per line, as the record by record path reads JSON Lines. Not msgspec's decode_lines:
    that also reads two objects on one line, which that path rejects. A blank line (other than a final
    one) raises here, and that path skips it."""
    lines = body.split(b"\n")
    if lines and not lines[-1].strip():
        lines.pop()
    return list(map(_ROW.decode, lines))


def _ordered(readings: Readings) -> tuple[Readings, bool]:
    blocks = _site_blocks(readings.site_ids, readings.timestamps)
    if blocks is None:
        return readings, False
    readings.known_blocks(blocks)
    return readings, True


def storable(number: float) -> float | None:
    """A number of the contract's range as stored, or None: -0.0 is 0.0, and DynamoDB has no non-zero
    magnitude under SMALLEST."""
    if number == 0:
        return 0.0
    return number if abs(number) >= SMALLEST else None


def _typed_numbers(column: Sequence[float]) -> Sequence[float] | None:
    """A float column msgspec has checked for type, finiteness and range, as stored (see `storable`);
    None if any cannot be. A column at a time with min/max/abs: `plain_numbers` is the reference."""
    lowest = min(column)
    if lowest >= SMALLEST:
        return column  # all positive and large enough: no zero of either sign, nothing too small
    if lowest > 0:
        return None  # a positive number too small to store
    if lowest < 0 and min(map(abs, column)) >= SMALLEST:
        return column  # no zero of either sign, nothing too small
    # zeros (maybe -0.0) among the values: the smallest magnitude is that of the non-zero ones
    if min(filter(None, column if lowest >= 0 else map(abs, column)), default=SMALLEST) < SMALLEST:
        return None
    return list(map(add, column, repeat(0.0)))  # -0.0 + 0.0 is 0.0


def plain_numbers(column: list[float]) -> list[float] | None:
    """Each number as stored, or None if any cannot be: the reference for `_typed_numbers`."""
    stored = [storable(number) for number in column]
    return None if None in stored else stored  # type: ignore[return-value]


def _site_blocks(sites: Sequence[str], stamps: Sequence[str]) -> list[Block] | None:
    """The site blocks when each site's readings are one block, strictly rising in time; None
    otherwise (interleaved sites, unsorted times, repeated instants)."""
    blocks = _blocks_of(sites)
    if blocks is None or not all(_rising(stamps[start:end]) for _, start, end in blocks):
        return None
    return blocks


def _rising(stamps: Sequence[str]) -> bool:
    return all(map(lt, stamps, islice(stamps, 1, None)))


def _blocks_of(sites: Sequence[str]) -> list[Block] | None:
    """The site blocks when each site's readings are one block; None when a site comes back after
    another, or when the site changes more than once in 16 readings (interleaved sites: dedupe's sort
    is the tool then, and finding so many blocks would cost more than it saves)."""
    blocks = long_blocks_of(sites, most=len(sites) // 16 + 1)
    if blocks is None or len({block.site_id for block in blocks}) != len(blocks):
        return None
    return blocks
