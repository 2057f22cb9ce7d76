"""Why a record was rejected: a machine code and a reason naming the field, the problem and the fix.

Run only for records the record reader refused (record_reader.py): jsonschema (the contract)
finds the structural problems, and the checks a schema cannot express follow.

Record codes: not_an_object, missing_field, wrong_type, invalid_site_id, invalid_timestamp,
impossible_timestamp, not_finite, out_of_range; from the parsers: malformed_json, too_deep,
csv_wrong_cell_count, csv_bad_row; from dedupe: conflicting_duplicate.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

import orjson

from energy_core.contract import (
    FIELDS,
    MAX_SITE_ID_LENGTH,
    MAXIMUM,
    MINIMUM,
    NUMBER_FIELDS,
    NUMBER_TEXT,
    OPTIONAL,
    REQUIRED,
    SITE_ID_RE,
    SMALLEST,
    schema_validator,
)
from energy_core.parsed import BadRecord
from energy_core.timestamps import explain_timestamp, quoted

Problem = tuple[str, str]  # (code, reason)
_NON_FINITE_TEXT = {"nan", "-nan", "+nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"}
_FIELD_ORDER = {name: index for index, name in enumerate(FIELDS)}
_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    type(None): "null",
    int: "number",
    float: "number",
}


def explain(value: object, cells_are_text: bool) -> Problem:
    """The first problem of a record the record reader refused."""
    if isinstance(value, BadRecord):
        return value.code, value.reason
    if not isinstance(value, dict):
        return (
            "not_an_object",
            f"the record is a JSON {_json_type(value)}, not an object; each reading is an object",
        )
    if cells_are_text:
        typed = typed_cells(value)
        if isinstance(typed, tuple):
            return typed
        value = typed
    problem = _non_finite(value) or _schema_problem(value) or semantic_problem(value)
    # Unreachable while the record reader and the schema agree (a property test holds them to it).
    return problem or ("invalid_record", "the record does not match the input contract")


def semantic_problem(value: dict[str, Any]) -> Problem | None:
    """Rules a JSON Schema cannot state, for a record that satisfies the schema."""
    site_id = value["site_id"]
    if site_id.endswith("\n"):
        return "invalid_site_id", f"site_id {_show(site_id)} ends with a line break; remove it"
    problem = explain_timestamp(value["timestamp"]) or _non_finite(value)
    if problem:
        return problem
    for field in NUMBER_FIELDS:
        number = value.get(field)
        if number and -SMALLEST < number < SMALLEST:
            return "out_of_range", (
                f"{field} is {number!r}, closer to zero than DynamoDB can store (1e-130); write 0 instead"
            )
    return None


def typed_cells(cells: dict[str, str]) -> dict[str, Any] | Problem:
    """A CSV row with its number cells parsed, or the problem with the first cell that is no number.
    The record reader reads a CSV row through this too: one rule for which cell text is a number."""
    typed: dict[str, Any] = dict(cells)
    for field in NUMBER_FIELDS:
        text = cells.get(field)
        if text is None:
            continue
        if not text:
            if field in OPTIONAL:
                del typed[field]
                continue
            return "missing_field", f"{field} is empty on this row; write a number like 12.5"
        number = _cell_number(field, text)
        if isinstance(number, tuple):
            return number
        typed[field] = number
    return typed


def _cell_number(field: str, text: str) -> float | Problem:
    if NUMBER_TEXT.fullmatch(text):
        return float(text)
    if text.lower() in _NON_FINITE_TEXT:
        return (
            "not_finite",
            f"{field} is {text!r}; only finite numbers are readings, so write a number or drop the row",
        )
    if re.fullmatch(r"[+-]?[0-9]*,[0-9]+", text):
        return (
            "wrong_type",
            f"{field} cell {_show(text)} uses a decimal comma; write it with a point, like 12.5",
        )
    return "wrong_type", f"{field} cell {_show(text)} is not a number; write a number like 12.5"


def _non_finite(value: dict[str, Any]) -> Problem | None:
    for field in NUMBER_FIELDS:
        number = value.get(field)
        if type(number) is float and not math.isfinite(number):
            return "not_finite", (
                f"{field} is {number!r} (NaN, Infinity or a number too large for a double, like 1e309); "
                "write a finite number or leave the reading out"
            )
    return None


def _schema_problem(value: dict[str, Any]) -> Problem | None:
    errors = list(schema_validator().iter_errors(value))
    if not errors:
        return None
    error = min(errors, key=lambda e: _FIELD_ORDER.get(str(e.path[0]) if e.path else "", -1))
    field = str(error.path[0]) if error.path else ""
    problem = _describe(error.validator, field, value)
    if len(errors) > 1:
        return problem[0], f"{problem[1]} (and {len(errors) - 1} more problem(s) in this record)"
    return problem


def _describe(keyword: object, field: str, value: dict[str, Any]) -> Problem:
    if keyword == "required":
        return _missing(value)
    found: Any = value.get(field)
    if keyword == "type":
        return "wrong_type", _type_reason(field, found)
    if keyword == "pattern" and field == "site_id":
        return "invalid_site_id", _site_id_reason(found)
    if keyword == "pattern":
        return explain_timestamp(found) or ("invalid_timestamp", f"timestamp {_show(found)} is not ISO 8601")
    if keyword in ("minimum", "maximum"):
        bounds = f"{_sci(MINIMUM)} to {_sci(MAXIMUM)} kWh"
        return "out_of_range", f"{field} is {found!r}, outside {bounds}; check the unit (kWh, not Wh)"
    return "invalid_record", f"{field or 'the record'} does not match the input contract ({keyword})"


def _missing(value: dict[str, Any]) -> Problem:
    field = next(name for name in REQUIRED if name not in value)
    near = difflib.get_close_matches(field, [str(key)[:100] for key in list(value)[:50]], n=1, cutoff=0.7)
    hint = f"; found {near[0]!r} - field names are lower case and exact" if near else ""
    return "missing_field", f"{field} is missing; every reading needs {', '.join(REQUIRED)}{hint}"


def _type_reason(field: str, found: object) -> str:
    got = "null" if found is None else f"{_json_type(found)} {_show(found)}"  # not "null null"
    if field not in NUMBER_FIELDS:
        if field == "timestamp" and isinstance(found, int | float) and not isinstance(found, bool):
            example = "2025-02-19T21:46:30Z"
            return f"timestamp must be an ISO 8601 string, got number {found!r}; write it like {example}"
        return f"{field} must be a JSON string, got {got}; put it in quotes"
    if isinstance(found, str) and NUMBER_TEXT.fullmatch(found.strip()):
        return f"{field} must be a JSON number, got string {_show(found)}; write it without quotes"
    if isinstance(found, bool):
        return (
            f"{field} must be a JSON number, got {got} (true/false are not numbers); write a number like 12.5"
        )
    return f"{field} must be a JSON number, got {got}; write a number like 12.5"


def _site_id_reason(site_id: str) -> str:
    if not site_id:
        return "site_id is empty; give every reading the id of its site, like 'plant-7'"
    if len(site_id) > MAX_SITE_ID_LENGTH:
        return f"site_id is {len(site_id):,} characters long; the limit is {MAX_SITE_ID_LENGTH}"
    bad = next((char for char in site_id if not SITE_ID_RE.fullmatch(char)), "?")
    return f"site_id {_show(site_id)} contains {bad!r}; site ids may use only letters, digits and . _ : -"


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _show(value: object, limit: int = 60) -> str:
    """A value for a message: strings quoted, containers as JSON, all cut to `limit` characters."""
    if isinstance(value, str):
        return quoted(value, limit)
    try:
        text = orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, TypeError):  # nested deeper than orjson writes
        return f"(a {_json_type(value)} nested too deeply to show)"
    return text if len(text) <= limit else text[:limit] + "..."


def _sci(number: float) -> str:
    return f"{number:g}".replace("e+0", "e")  # -1e9, not -1e+09
