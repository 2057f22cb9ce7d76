"""The input contract is written once, in functions/energy_core/schema/reading.schema.json, and every rule
the code checks is read from it (energy_core.contract). These tests read the file themselves and fail when
the file and the code disagree: on the fields, which are required, the numeric bounds, the site id and
timestamp patterns, and on what every way into validation accepts at the edges they draw."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import string
from typing import Any

import msgspec
import orjson
import pytest

from energy_core import contract, typed_rows
from energy_core.readings import ITEM_FIELDS, CanonicalReading
from energy_core.validation import ValidationResult, ingest
from tests.conftest import ROOT

FILE = json.loads((ROOT / "functions" / "energy_core" / "schema" / "reading.schema.json").read_text())
PROPERTIES: dict[str, dict[str, Any]] = FILE["properties"]
NUMBERS = [name for name, rules in PROPERTIES.items() if "number" in rules["type"]]


def test_given_the_schema_file_when_loaded_then_it_is_a_valid_schema_and_the_one_the_code_reads() -> None:
    contract.schema_validator()  # check_schema raises if the contract file is not a valid schema

    assert contract.SCHEMA == FILE


def test_given_the_schema_file_when_compared_with_the_code_then_fields_and_requirements_agree() -> None:
    assert tuple(PROPERTIES) == contract.FIELDS
    assert tuple(FILE["required"]) == contract.REQUIRED
    assert tuple(name for name in PROPERTIES if name not in FILE["required"]) == contract.OPTIONAL
    assert tuple(NUMBERS) == contract.NUMBER_FIELDS
    assert {name for name, rules in PROPERTIES.items() if "null" in rules["type"]} == contract.NULLABLE
    # a canonical reading holds a value per field, in the schema's order, and its item names them so
    assert ITEM_FIELDS == contract.FIELDS
    assert len(CanonicalReading._fields) == len(contract.FIELDS)


def test_given_the_schema_file_when_compared_with_the_code_then_bounds_and_patterns_agree() -> None:
    for name in NUMBERS:
        assert (PROPERTIES[name]["minimum"], PROPERTIES[name]["maximum"]) == (contract.MINIMUM, contract.MAXIMUM)
    assert contract.SITE_ID_RE.pattern == PROPERTIES["site_id"]["pattern"]
    assert contract.TIMESTAMP_RE.pattern == PROPERTIES["timestamp"]["pattern"]
    longest = re.fullmatch(r"\^\[[^]]+\]\{1,(\d+)\}\$", PROPERTIES["site_id"]["pattern"])
    assert longest is not None and int(longest[1]) == contract.MAX_SITE_ID_LENGTH


def test_given_the_typed_row_when_compared_with_the_schema_then_it_has_its_fields_requirements_and_ranges() -> (
    None
):
    info = msgspec.inspect.type_info(typed_rows.Row)
    assert isinstance(info, msgspec.inspect.StructType)
    fields = {field.name: field for field in info.fields}
    assert list(fields) == list(PROPERTIES)
    assert {name for name, field in fields.items() if field.required} == set(FILE["required"])
    for name, rules in PROPERTIES.items():
        kinds = list(getattr(fields[name].type, "types", (fields[name].type,)))
        if "number" in rules["type"]:
            number = next(t for t in kinds if isinstance(t, msgspec.inspect.FloatType))
            assert (number.ge, number.le) == (rules["minimum"], rules["maximum"])
            assert any(isinstance(t, msgspec.inspect.NoneType) for t in kinds) == ("null" in rules["type"])
        else:
            assert kinds == [msgspec.inspect.StrType()]


def test_given_a_csv_header_of_the_schema_fields_in_any_order_when_read_then_every_field_is_a_column() -> None:
    record = valid()
    header = list(reversed(PROPERTIES))
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, [record[name] for name in header]])

    assert ingest("t.csv", buffer.getvalue().encode()).valid == ingest("t.json", orjson.dumps([record])).valid


# --- every way in accepts and refuses alike at the edges the schema draws ---------------------------------


def valid(**fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "site_id": "s1",
        "timestamp": "2025-02-19T21:46:30Z",
        **{name: 1.5 for name in NUMBERS},
    }
    return {**record, **fields}


def as_csv(record: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(record))
    writer.writerow([repr(value) if isinstance(value, float) else value for value in record.values()])
    return buffer.getvalue().encode()


WAYS_IN = {
    # a file of that one record: read as typed rows
    "typed rows (JSON)": lambda record: ingest("t.json", orjson.dumps([record])),
    "typed rows (JSON Lines)": lambda record: ingest("t.jsonl", orjson.dumps(record)),
    # beside a record that is no reading: read record by record
    "record by record": lambda record: ingest("t.json", orjson.dumps([record, 0])),
    "CSV": lambda record: ingest("t.csv", as_csv(record)),
}


def accepted(way: str, record: dict[str, Any]) -> bool:
    result: ValidationResult = WAYS_IN[way](record)
    if result.valid:  # what a way in takes, the schema takes (it may refuse more: see reasons.py)
        assert contract.schema_validator().is_valid(record)
    return bool(result.valid)


@pytest.mark.parametrize("way", list(WAYS_IN))
@pytest.mark.parametrize("field", NUMBERS)
def test_given_a_number_at_or_just_past_a_bound_of_the_schema_when_validated_then_every_way_in_agrees(
    way: str, field: str
) -> None:
    low, high = PROPERTIES[field]["minimum"], PROPERTIES[field]["maximum"]

    assert accepted(way, valid(**{field: high}))
    assert accepted(way, valid(**{field: low}))
    assert not accepted(way, valid(**{field: math.nextafter(high, math.inf)}))
    assert not accepted(way, valid(**{field: math.nextafter(low, -math.inf)}))


@pytest.mark.parametrize("way", list(WAYS_IN))
def test_given_site_ids_at_and_past_the_schema_pattern_when_validated_then_every_way_in_agrees(way: str) -> None:
    longest = contract.MAX_SITE_ID_LENGTH

    assert accepted(way, valid(site_id="A.z_0:-" + "x" * (longest - 7)))
    assert not accepted(way, valid(site_id="x" * (longest + 1)))
    assert not accepted(way, valid(site_id="plant 7"))


@pytest.mark.parametrize("way", list(WAYS_IN))
@pytest.mark.parametrize(
    ("timestamp", "by_pattern"),
    [
        ("2025-02-19T21:46:30.123456789+01:00", True),
        ("2025-02-19 21:46", True),
        ("2025-02-19T21:46:30.1234567890Z", False),  # ten digits of fraction: the pattern allows nine
        ("2025-02-19T21:46:30+1", False),
        ("20250219T214630Z", False),
    ],
)
def test_given_timestamps_of_and_off_the_schema_pattern_when_validated_then_every_way_in_agrees(
    way: str, timestamp: str, by_pattern: bool
) -> None:
    assert (contract.TIMESTAMP_RE.fullmatch(timestamp) is not None) == by_pattern

    assert accepted(way, valid(timestamp=timestamp)) == by_pattern


def test_given_the_site_id_pattern_when_a_reject_names_the_characters_allowed_then_they_are_the_patterns() -> None:
    said = set(string.ascii_letters + string.digits + "._:-")
    reason = ingest("t.json", orjson.dumps([valid(site_id="plant 7")])).rejects[0].reason

    assert reason.endswith("site ids may use only letters, digits and . _ : -")
    assert {chr(code) for code in range(0x20, 0x7F) if contract.SITE_ID_RE.fullmatch(chr(code))} == said
