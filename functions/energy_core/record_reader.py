"""The accept path: canonical readings from records that satisfy the contract, ~1 µs each.

Hand-written from the constants of the contract schema (see contract.py) because jsonschema checks
~30k records/s. It answers only "valid, and here is the canonical reading" or None; the reason for
a None comes from reasons.explain. tests/unit/test_validation.py holds it to jsonschema, and
tests/unit/test_properties_ingest.py to `plain_reading`, the same rules written plainly.
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
    NUMBER_FIELDS,
    NUMBER_TEXT,
    REQUIRED,
    SITE_ID,
    SITE_ID_RE,
    TIMESTAMP,
)
from energy_core.readings import CanonicalReading
from energy_core.timestamps import canonical_timestamp
from energy_core.typed_rows import storable

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
    return storable(value)  # type: ignore[arg-type]


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
