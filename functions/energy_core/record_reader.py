"""Record by record: the canonical reading of each parsed record, through the typed row of the contract.

For a file that typed_rows.read_file refused whole (some record is not a valid reading, the JSON does
not parse, or it is CSV), each record the parsers found is read alone: through the same `Row` as the
whole-file read (typed_rows.read_row), then the rules msgspec cannot state. A None says the record
is refused, and reasons.explain says why. tests/unit/test_validation.py holds this path to jsonschema,
and tests/unit/test_properties_ingest.py to `plain_reading` below, the same rules written plainly.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar

from energy_core.contract import (
    CONSUMED,
    CUMULATIVE,
    GENERATED,
    MAXIMUM,
    MINIMUM,
    NUMBER_FIELDS,
    NUMBER_TEXT,
    REQUIRED,
    SITE_ID,
    SITE_ID_RE,
    TIMESTAMP,
)
from energy_core.readings import CanonicalReading
from energy_core.reasons import typed_cells
from energy_core.timestamps import canonical_timestamp
from energy_core.typed_rows import read_row, storable

Reader = Callable[[object], CanonicalReading | None]
T = TypeVar("T")
_SITE_ID, _TIMESTAMP = attrgetter(SITE_ID), attrgetter(TIMESTAMP)
_GENERATED, _CONSUMED, _REGISTER = attrgetter(GENERATED), attrgetter(CONSUMED), attrgetter(CUMULATIVE)
# Files repeat site ids and timestamps (many sites share one 15-minute grid): each reader checks each
# distinct one once, up to this many (a hostile file of distinct values must not grow a memo unbounded).
_MEMO_LIMIT = 1 << 16


def _site_ok(site_id: str) -> bool:
    return SITE_ID_RE.fullmatch(site_id) is not None


def _remembered(function: Callable[[str], T]) -> Callable[[str], T]:
    """`function`, with its results for the first _MEMO_LIMIT distinct arguments kept. Not an LRU
    cache: a file repeats its timestamps in the same order site after site, and a cache that drops
    the oldest would have dropped each one just before it comes round again."""
    memo: dict[str, T] = {}

    def remembered(argument: str) -> T:
        result = memo.get(argument, memo)
        if result is memo:
            result = function(argument)
            if len(memo) < _MEMO_LIMIT:
                memo[argument] = result
        return result  # type: ignore[return-value]

    return remembered


def make_reader(cells_are_text: bool) -> Reader:
    """A reader for one file's records (JSON values, or CSV rows of cell text); None means refused."""
    site_ok, canonical = _remembered(_site_ok), _remembered(canonical_timestamp)

    def read(record: object) -> CanonicalReading | None:
        if cells_are_text:  # a row of cell text (or a BadRecord: a row the CSV parser could not read)
            record = typed_cells(record) if isinstance(record, dict) else None
            if isinstance(record, tuple):
                return None  # a cell that is no number
        row = read_row(record)
        if row is None:  # fields, types or ranges not the contract's
            return None
        site_id, when = _SITE_ID(row), canonical(_TIMESTAMP(row))
        if when is None or not site_ok(site_id):
            return None
        generated, consumed = storable(_GENERATED(row)), storable(_CONSUMED(row))
        if generated is None or consumed is None:
            return None
        cumulative = _REGISTER(row)  # None: absent
        if cumulative is not None and (cumulative := storable(cumulative)) is None:
            return None
        return CanonicalReading(site_id, when, generated, consumed, cumulative)

    return read


def plain_reading(value: object, cells_are_text: bool) -> CanonicalReading | None:
    """The canonical reading of one record, or None: the rules `make_reader` applies, written plainly
    (no memo, NamedTuple's own constructor), as the reference it is held to."""
    if not isinstance(value, dict):
        return None
    site_id, timestamp = value.get(SITE_ID), value.get(TIMESTAMP)
    site_ok = isinstance(site_id, str) and SITE_ID_RE.fullmatch(site_id) is not None
    when = canonical_timestamp(timestamp) if isinstance(timestamp, str) else None
    numbers = [_plain_number(value.get(field), field, cells_are_text) for field in NUMBER_FIELDS]
    if not site_ok or when is None or _REFUSED in numbers:
        return None
    generated, consumed, cumulative = numbers
    return CanonicalReading(site_id, when, generated, consumed, cumulative)  # type: ignore[arg-type]


_REFUSED = "refused"


def _plain_number(value: Any, field: str, cells_are_text: bool) -> float | str | None:
    """A number field as stored, None when it is absent (JSON null, an empty cell), or _REFUSED."""
    if value is None or (cells_are_text and value == ""):
        return _REFUSED if field in REQUIRED else None
    if cells_are_text:  # a cell is text: a number as people write one
        value = float(value) if NUMBER_TEXT.fullmatch(value) else None
    if type(value) not in (int, float) or not MINIMUM <= value <= MAXIMUM:
        return _REFUSED
    number = storable(float(value))
    return _REFUSED if number is None else number
