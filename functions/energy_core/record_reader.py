"""The accept path: canonical readings from records that satisfy the contract, ~1 µs each.

Hand-written from the constants of the contract schema (see contract.py) because jsonschema checks
~30k records/s. It answers only "valid, and here is the canonical reading" or None; the reason for
a None comes from reasons.explain. tests/unit/test_validation.py holds the two paths to agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from energy_core.contract import (
    CONSUMED,
    CUMULATIVE,
    GENERATED,
    MAXIMUM,
    MINIMUM,
    NUMBER_TEXT,
    SITE_ID_RE,
    SMALLEST,
)
from energy_core.readings import CanonicalReading
from energy_core.timestamps import canonical_timestamp

Reader = Callable[[object], CanonicalReading | None]
_site_ok = SITE_ID_RE.fullmatch
_number_text_ok = NUMBER_TEXT.fullmatch
_new_tuple = tuple.__new__  # skips NamedTuple's Python-level __new__, a fifth of the cost per reading
# Per-file memo of checked site ids and converted timestamps: files repeat both (many sites share
# one 15-minute grid), and a hit costs ~30 ns against ~600 ns. Bounded for hostile files.
_MEMO_LIMIT = 1 << 16


def canonical_number(value: object) -> float | None:
    """A JSON number as the float stored for it (ints become floats, -0.0 becomes 0.0), or None if refused.

    A float's repr is its shortest round-trip decimal: that string is what DynamoDB stores.
    """
    kind = type(value)
    if kind is not float:
        # bounds before float() so a 400-digit integer cannot overflow; bool is no number
        if kind is not int or not MINIMUM <= value <= MAXIMUM:  # type: ignore[operator]
            return None
        value = float(value)  # type: ignore[arg-type]
    if not MINIMUM <= value <= MAXIMUM:  # type: ignore[operator]  # NaN fails every comparison
        return None
    if -SMALLEST < value < SMALLEST:  # type: ignore[operator]
        return 0.0 if value == 0 else None  # -0.0 and 0.0 are one value; DynamoDB has no 1e-200
    return value  # type: ignore[return-value]


def canonical_cell(text: str) -> float | None:
    """A CSV cell as the float the equal JSON number gives ("100" and 100 -> 100.0)."""
    if _number_text_ok(text) is None:
        return None
    return canonical_number(float(text))


def make_reader(cells_are_text: bool) -> Reader:
    """A reader for one file: JSON values, or CSV rows (dicts of cell text); None means reject."""
    sites: set[str] = set()
    stamps: dict[str, str] = {}
    number: Callable[[Any], float | None] = canonical_cell if cells_are_text else canonical_number

    def read(value: object) -> CanonicalReading | None:  # noqa: PLR0911 - flat on purpose: calls cost more
        if type(value) is not dict:
            return None
        site_id, timestamp = value.get("site_id"), value.get("timestamp")
        if type(site_id) is not str or type(timestamp) is not str:
            return None
        if site_id not in sites:
            if _site_ok(site_id) is None:
                return None
            if len(sites) < _MEMO_LIMIT:
                sites.add(site_id)
        when = stamps.get(timestamp)
        if when is None:
            when = canonical_timestamp(timestamp)
            if when is None:
                return None
            if len(stamps) < _MEMO_LIMIT:
                stamps[timestamp] = when
        generated = number(value.get(GENERATED))
        consumed = number(value.get(CONSUMED))
        cumulative = value.get(CUMULATIVE)
        if cumulative is not None and (cumulative != "" or not cells_are_text):
            cumulative = number(cumulative)
            if cumulative is None:
                return None
        else:
            cumulative = None  # JSON null, or an empty CSV cell: no register value
        if generated is None or consumed is None:
            return None
        reading: CanonicalReading = _new_tuple(
            CanonicalReading, (site_id, when, generated, consumed, cumulative)
        )
        return reading

    return read
