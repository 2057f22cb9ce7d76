"""The whole-file accept path: when every record of a JSON file is valid, check it column by column.

Most uploads are clean. For those, the contract is checked a column at a time with C-level builtins
(type sets, min/max, a set of distinct site ids and timestamps) instead of a Python function call per
record, which is what keeps validation within a few multiples of the JSON parse itself. Any doubt -
a missing key, a wrong type, a number out of range, an invalid site id or timestamp - returns None and
the record-by-record path (fastpath.py + reasons.py) runs instead and names each problem; both paths
return the same readings, which tests/unit/test_validation.py holds them to.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from itertools import chain, islice, repeat
from operator import add, ge, itemgetter, ne
from typing import Any

from energy_core.bulk import where
from energy_core.contract import CONSUMED, CUMULATIVE, GENERATED, MAXIMUM, MINIMUM, SITE_ID_RE, SMALLEST
from energy_core.readings import Readings
from energy_core.timestamps import canonical_timestamp

_fromisoformat = datetime.fromisoformat

_REQUIRED = tuple(map(itemgetter, ("site_id", "timestamp", GENERATED, CONSUMED)))
_NUMBER_TYPES = frozenset({float, int})
_site_ok = SITE_ID_RE.fullmatch


def accept_all(values: Sequence[object]) -> tuple[Readings, bool] | None:
    """The canonical readings of `values`, and whether they are already deduplicated and sorted by
    (site_id, timestamp); None unless every value is a valid JSON reading.

    A file that holds each site's readings as one block in time order (the usual export) comes back
    sorted, blocks reordered by site id, with no per-reading sort or duplicate check.
    """
    columns = _columns(values)
    if columns is None:
        return None
    readings = Readings(*columns)
    blocks = _site_blocks(readings.site_ids, readings.timestamps)
    if blocks is None:
        return readings, False
    if len(blocks) > 1 and blocks != sorted(blocks, key=lambda block: readings.site_ids[block[0]]):
        blocks.sort(key=lambda block: readings.site_ids[block[0]])
        reordered: list[Any] = [_reorder(column, blocks) for column in readings.columns()]
        readings = Readings(*reordered)
    return readings, True


def _reorder(column: Sequence[Any] | None, blocks: list[tuple[int, int]]) -> list[Any] | None:
    if column is None:
        return None
    return list(chain.from_iterable(column[start:end] for start, end in blocks))


def _columns(values: Sequence[Any]) -> tuple[Any, ...] | None:
    if not values:
        return None
    try:  # a column at a time: four C-level passes beat one pass that builds a tuple per record
        sites, stamps, generated, consumed = (list(map(getter, values)) for getter in _REQUIRED)
    except (KeyError, TypeError):  # a missing field, or a value that is no JSON object at all
        return None
    try:
        distinct_sites = set(sites)
    except TypeError:  # a list or dict where a site id should be
        return None
    if set(map(type, distinct_sites)) != {str} or not all(map(_site_ok, distinct_sites)):
        return None
    columns = (
        sites,
        _canonical_stamps(stamps),
        _numbers(generated),
        _numbers(consumed),
        _cumulative(values),
    )
    return None if None in columns else columns


def _canonical_stamps(stamps: Sequence[str]) -> list[str] | None:
    """Each timestamp in canonical UTC form; each distinct text is checked once (fleets share a grid)."""
    try:
        distinct = list(set(stamps))
    except TypeError:  # a list or dict where a timestamp should be
        return None
    if set(map(type, distinct)) != {str}:
        return None
    if _whole_seconds_utc(distinct):
        if len(distinct) > _MEMO_LIMIT:  # a big memo misses the CPU cache: slicing each is cheaper
            return list(map(add, map(_SECONDS, stamps), repeat(".000000Z")))
        memo = dict(zip(distinct, map(add, map(_SECONDS, distinct), repeat(".000000Z")), strict=True))
    else:
        memo = {}
        for text in distinct:
            when = canonical_timestamp(text)
            if when is None:
                return None
            memo[text] = when
    return list(map(memo.__getitem__, stamps))


_MEMO_LIMIT = 1 << 15
_SEPARATORS = itemgetter(4, 7, 10, 13, 16)
_UTC_SUFFIXES = frozenset({"", "Z", "+00:00"})
_SECONDS = itemgetter(slice(0, 19))


def _whole_seconds_utc(distinct: list[str]) -> bool:
    """True when every timestamp is whole-second UTC ('2025-02-19T21:46:30' with 'Z', '+00:00' or no
    offset: what loggers write), whose canonical form is its first 19 characters + '.000000Z'.

    The shape is checked at fixed positions and the digits and the real instant by fromisoformat
    (ASCII digits only, Feb 30 and hour 25 refused), which together say what the schema pattern and
    canonical_timestamp say for this shape.
    """
    if not set(map(len, distinct)) <= {19, 20, 25}:
        return False
    if set(map(_SEPARATORS, distinct)) != {("-", "-", "T", ":", ":")}:
        return False
    if not set(map(itemgetter(slice(19, None)), distinct)) <= _UTC_SUFFIXES:
        return False
    try:
        list(map(_fromisoformat, distinct))
    except ValueError:
        return False
    return True


def _numbers(column: Sequence[Any]) -> Sequence[float] | None:
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
    column = list(map(dict.get, values, repeat(CUMULATIVE)))
    present = [value for value in column if value is not None]
    numbers = _numbers(present) if present else []
    if numbers is None or len(present) == len(column):
        return numbers
    filled = iter(numbers)
    return [None if value is None else next(filled) for value in column]


def _site_blocks(sites: Sequence[str], stamps: Sequence[str]) -> list[tuple[int, int]] | None:
    """(start, end) of each site's block when every site's readings are consecutive and strictly rising
    in time; None otherwise (interleaved sites, unsorted times, repeated instants)."""
    count = len(sites)
    changes = bytes(map(ne, sites, islice(sites, 1, None)))
    if changes.count(1) > count // 16:
        return None  # interleaved: the general sort is the right tool
    # Time falls back only where a new site starts; anywhere else the order or a repeat is off.
    falls = bytes(map(ge, stamps, islice(stamps, 1, None)))
    if falls.count(1) > changes.count(1):
        return None
    if not all(map(changes.__getitem__, where(falls))):
        return None
    starts = [0, *(index + 1 for index in where(changes))]
    if len(set(map(sites.__getitem__, starts))) != len(starts):
        return None  # a site in two blocks
    return list(zip(starts, [*starts[1:], count], strict=True))
