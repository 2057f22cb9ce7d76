"""The whole-file accept path: when every record of a JSON file is valid, check it column by column.

Most uploads are clean. For those, the contract is checked a column at a time with C-level builtins
(type sets, min/max, a set of distinct site ids and timestamps) instead of a Python function call per
record, which is what keeps validation within a few multiples of the JSON parse itself. Any doubt -
a missing key, a wrong type, a number out of range, an invalid site id or timestamp - returns None and
the record-by-record path (record_reader.py + reasons.py) runs instead and names each problem; both paths
return the same readings, which tests/unit/test_validation.py holds them to.

`accept_typed` goes one step further for JSON and JSON Lines: msgspec parses the bytes straight into
typed rows, checking each field's type and range as it reads (constraints taken from the schema), which
costs less than orjson building a dict per record. What msgspec cannot express - the site id and
timestamp patterns, DynamoDB's smallest magnitude, -0.0 - is checked here on the columns, as above.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import islice, repeat
from operator import add, attrgetter, itemgetter, lt, ne
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
from energy_core.readings import Block, Readings, TimestampTable, blocks_of
from energy_core.timestamps import canonical_timestamp

_REQUIRED = tuple(map(itemgetter, REQUIRED))
_NUMBER_TYPES = frozenset({float, int})
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
_SITE_ID, _TIMESTAMP = attrgetter(SITE_ID), attrgetter(TIMESTAMP)
_GENERATED, _CONSUMED, _REGISTER = attrgetter(GENERATED), attrgetter(CONSUMED), attrgetter(CUMULATIVE)


def accept_all(values: Sequence[object]) -> tuple[Readings, bool] | None:
    """The canonical readings of `values`, and whether they are already deduplicated and in the order
    validation gives (each site's readings together and in time order, sites in the order the file
    first names them); None unless every value is a valid JSON reading.

    A file that holds each site's readings as one block in time order (the usual export) is in that
    order as it stands: no per-reading sort or duplicate check.
    """
    columns = _columns(values)
    return None if columns is None else _ordered(Readings(*columns))


def accept_typed(data: bytes, kind: str) -> tuple[Readings, bool] | None:
    """As `accept_all`, straight from the bytes of a JSON array (kind "json") or JSON Lines file
    ("jsonl"); None when any record is not a valid reading, or the file is not plain JSON of objects
    (the caller then parses it the general way, which names every problem)."""
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
    return _accept_rows(rows, _may_hold_register(data)) if rows else None


def _accept_rows(rows: list[Any], registers_possible: bool) -> tuple[Readings, bool] | None:
    sites = list(map(_SITE_ID, rows))
    blocks = _blocks_of(sites)
    # msgspec made every site id a str; in blocks, each equals its block's first
    if not _sites_valid(sites if blocks is None else [site for site, _, _ in blocks]):
        return None
    registers: Sequence[float | None] | None = None
    if registers_possible:
        registers = _with_gaps(list(map(_REGISTER, rows)), _typed_numbers)
        if registers is None:
            return None
    stamps = list(map(_TIMESTAMP, rows))
    memo = _canonical_memo(stamps)
    generated = _typed_numbers(list(map(_GENERATED, rows)))
    consumed = _typed_numbers(list(map(_CONSUMED, rows)))
    if memo is None or generated is None or consumed is None:
        return None
    table = None if blocks is None else _timestamp_table(stamps, memo, blocks)
    if blocks is None or table is None:  # not each site's readings together in time order
        return _ordered(Readings(sites, list(map(memo.__getitem__, stamps)), generated, consumed, registers))
    return Readings.with_timestamp_table(sites, blocks, table, generated, consumed, registers), True


def _timestamp_table(stamps: list[str], memo: dict[str, str], blocks: list[Block]) -> TimestampTable | None:
    """The canonical timestamps written once each (TimestampTable); None unless every block rises
    strictly in time and each instant is written one way only: no canonical text per reading, and a
    block whose timestamps are a slice of the table needs no comparison of neighbours."""
    if len(set(memo.values())) != len(memo):
        return None  # one instant written two ways ('Z' and '+00:00'): maybe a repeat, left to dedupe
    table = TimestampTable.of(stamps, blocks, memo)
    return table if table.rising() else None  # out of order, or an instant twice


def _may_hold_register(data: bytes) -> bool:
    """False when no record can hold the register: its name is nowhere in the file, and without a
    backslash no escape can spell it. A substring search instead of a column pass."""
    return CUMULATIVE.encode() in data or b"\\" in data


def _rows_of_lines(body: bytes) -> list[Any]:
    """One row per line, as the general path reads JSON Lines. Not msgspec's decode_lines: that also
    reads two objects on one line, which the general path rejects. A blank line (other than a final
    one) raises here, and the general path skips it."""
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


def _columns(values: Sequence[Any]) -> tuple[Any, ...] | None:
    if not values:
        return None
    try:  # a column at a time: four C-level passes beat one pass that builds a tuple per record
        sites, stamps, generated, consumed = (list(map(getter, values)) for getter in _REQUIRED)
    except (KeyError, TypeError):  # a missing field, or a value that is no JSON object at all
        return None
    if not _sites_valid(sites):
        return None
    columns = (
        sites,
        _canonical_stamps(stamps),
        _numbers(generated),
        _numbers(consumed),
        _cumulative(values),
    )
    return None if None in columns else columns


def _sites_valid(sites: Sequence[Any]) -> bool:
    """Every site id a string of the schema's pattern; each distinct one is checked once."""
    try:
        distinct = set(sites)
    except TypeError:  # a list or dict where a site id should be
        return False
    return set(map(type, distinct)) == {str} and all(map(_site_ok, distinct))


def _canonical_stamps(stamps: Sequence[str]) -> list[str] | None:
    """Each timestamp in canonical UTC form; each distinct text is checked once (fleets share a grid)."""
    memo = _canonical_memo(stamps)
    return None if memo is None else list(map(memo.__getitem__, stamps))


def _canonical_memo(stamps: Sequence[str]) -> dict[str, str] | None:
    """The canonical UTC form of each distinct timestamp text; None if any is not a valid timestamp.
    Each distinct text is converted once: the sites of a fleet share one grid."""
    try:
        distinct = set(stamps)
    except TypeError:  # a list or dict where a timestamp should be
        return None
    if set(map(type, distinct)) != {str}:
        return None
    memo = dict(zip(distinct, map(canonical_timestamp, distinct), strict=True))
    return None if None in memo.values() else memo  # type: ignore[return-value]


def _numbers(column: list[Any]) -> Sequence[float] | None:
    """The column as floats with -0.0 made 0.0, or None if any value breaks the contract."""
    kinds = set(map(type, column))
    if not kinds <= _NUMBER_TYPES:
        return None  # bool, str, None, containers: the record path says which record and why
    try:
        total = sum(column)  # NaN or infinity (read by the non-finite fallback parser) spreads to the sum
    except OverflowError:
        return None  # an integer beyond any float
    if not math.isfinite(total) or min(column) < MINIMUM or max(column) > MAXIMUM:
        return None
    if min(filter(None, map(abs, column)), default=SMALLEST) < SMALLEST:
        return None  # a non-zero magnitude DynamoDB cannot store
    if int in kinds or 0 in column:
        return list(map(add, column, repeat(0.0)))  # int -> float, and -0.0 + 0.0 is 0.0
    return column


def _cumulative(values: Sequence[dict[str, Any]]) -> Sequence[float | None] | None:
    """The optional register column (all None when no record has one), or None if a value is refused."""
    if set(map(len, values)) == {4}:
        return [None] * len(values)  # exactly the four required keys everywhere: no register
    return _with_gaps(list(map(dict.get, values, repeat(CUMULATIVE))), _numbers)


def _with_gaps(
    column: list[Any], numbers: Callable[[list[Any]], Sequence[float] | None]
) -> Sequence[float | None] | None:
    """A column that may hold None (absent) checked by `numbers` where it has values; None if refused."""
    present = [value for value in column if value is not None] if None in column else column
    if not present:
        return column
    checked = numbers(present)
    if checked is None or present is column:
        return checked
    filled = iter(checked)
    return [None if value is None else next(filled) for value in column]


def storable(number: float) -> float | None:
    """A number of the contract's range as stored, or None: -0.0 is 0.0, and DynamoDB has no non-zero
    magnitude under SMALLEST."""
    if number == 0:
        return 0.0
    return number if abs(number) >= SMALLEST else None


def _typed_numbers(column: list[float]) -> Sequence[float] | None:
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
    if bytes(map(ne, sites, islice(sites, 1, None))).count(1) > len(sites) // 16:
        return None
    blocks = blocks_of(sites)
    return blocks if len({block.site_id for block in blocks}) == len(blocks) else None
