"""Validation: the contract rules, canonical forms, reasons, dedupe and accounting, and the record
reader agreeing with jsonschema on the contract file."""

from __future__ import annotations

import json
import math
import string
from datetime import timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from energy_core.contract import SCHEMA, schema_validator
from energy_core.readings import CanonicalReading
from energy_core.reasons import explain, semantic_problem
from energy_core.record_reader import make_reader
from energy_core.validation import ingest

SAMPLE = [
    {
        "site_id": "test-site-123",
        "timestamp": "2025-02-19T23:45:00",
        "energy_generated_kwh": -50.0,
        "energy_consumed_kwh": 100.0,
    }
]


def reading(**fields: Any) -> dict[str, Any]:
    return {
        "site_id": "s1",
        "timestamp": "2025-02-19T21:46:30Z",
        "energy_generated_kwh": 1.5,
        "energy_consumed_kwh": 0.5,
        **fields,
    }


def one(record: object) -> CanonicalReading:
    result = ingest("t.json", orjson.dumps([record]))
    assert not result.rejects, result.rejects
    return result.valid[0]


def reject_of(record: object, key: str = "t.json") -> tuple[str, str]:
    result = ingest(key, orjson.dumps([record]))
    assert not result.valid
    return result.rejects[0].code, result.rejects[0].reason


def test_given_the_original_projects_sample_when_validated_then_it_is_valid_with_its_negative_value() -> None:
    result = ingest("sample.json", json.dumps(SAMPLE).encode())

    assert result.valid == [
        CanonicalReading("test-site-123", "2025-02-19T23:45:00.000000Z", -50.0, 100.0)
    ]
    assert result.counts.as_dict() == {"received": 1, "valid": 1, "rejected": 0, "duplicates": 0}


@pytest.mark.parametrize(
    ("timestamp", "canonical"),
    [
        ("2025-02-19T21:46:30.822517", "2025-02-19T21:46:30.822517Z"),
        ("2025-02-19T21:46:30Z", "2025-02-19T21:46:30.000000Z"),
        ("2025-02-19T22:46:30+01:00", "2025-02-19T21:46:30.000000Z"),
        ("2025-02-19T16:16:30.5-0530", "2025-02-19T21:46:30.500000Z"),
        ("2025-02-20T00:46:30+03", "2025-02-19T21:46:30.000000Z"),
        ("2025-02-19 21:46", "2025-02-19T21:46:00.000000Z"),
        ("2025-02-19T21:46:30.822517999", "2025-02-19T21:46:30.822517Z"),
        ("2025-01-01T00:30:00+01:00", "2024-12-31T23:30:00.000000Z"),
        ("2024-02-29T00:00:00-00:00", "2024-02-29T00:00:00.000000Z"),
    ],
)
def test_given_an_iso_timestamp_when_validated_then_it_becomes_canonical_utc(
    timestamp: str, canonical: str
) -> None:
    assert one(reading(timestamp=timestamp)).timestamp == canonical


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        (12.5, "12.5"),
        (100, "100.0"),
        (0.1, "0.1"),
        (-0.0, "0.0"),
        (1e9, "1000000000.0"),
        (1e-5, "1e-05"),
        (-1e9, "-1000000000.0"),
        (1e-130, "1e-130"),
    ],
)
def test_given_a_json_number_when_validated_then_it_keeps_its_shortest_decimal_form(
    value: float, canonical: str
) -> None:
    generated = one(reading(energy_generated_kwh=value)).generated
    assert type(generated) is float
    assert repr(generated) == canonical  # the decimal string DynamoDB stores


def test_given_the_optional_register_when_validated_then_it_is_kept_and_null_means_absent() -> None:
    assert one(reading(cumulative_kwh=1234.5)).cumulative == 1234.5
    assert one(reading(cumulative_kwh=None)).cumulative is None


def test_given_unknown_fields_when_validated_then_they_are_ignored() -> None:
    assert one(reading(note="x" * 1000, meter={"model": "A"})) == one(reading())


@pytest.mark.parametrize(
    ("record", "code", "reason"),
    [
        (
            reading(timestamp="2025-02-30T00:00:00"),
            "impossible_timestamp",
            "timestamp '2025-02-30T00:00:00' is not a real date (February 2025 has 28 days, so there is no day 30); "
            "use ISO 8601 like 2025-02-19T21:46:30Z",
        ),
        (
            reading(timestamp="2025-02-19T25:00:00"),
            "impossible_timestamp",
            "timestamp '2025-02-19T25:00:00' has hour 25, which does not exist (hours are 00-23); "
            "use ISO 8601 like 2025-02-19T21:46:30Z",
        ),
        (
            reading(energy_generated_kwh="12.5"),
            "wrong_type",
            "energy_generated_kwh must be a JSON number, got string '12.5'; write it without quotes",
        ),
        (
            reading(energy_consumed_kwh=False),
            "wrong_type",
            "energy_consumed_kwh must be a JSON number, got boolean false (true/false are not numbers); write a number like 12.5",
        ),
        (
            reading(site_id="plant 7"),
            "invalid_site_id",
            "site_id 'plant 7' contains ' '; site ids may use only letters, digits and . _ : -",
        ),
        (
            reading(energy_generated_kwh=2e9),
            "out_of_range",
            "energy_generated_kwh is 2000000000.0, outside -1e9 to 1e9 kWh; check the unit (kWh, not Wh)",
        ),
        (
            {
                "site_id": "s1",
                "timestamp": "2025-02-19T21:46:30Z",
                "Energy_Generated_kWh": 1,
                "energy_consumed_kwh": 1,
            },
            "missing_field",
            "energy_generated_kwh is missing; every reading needs site_id, timestamp, energy_generated_kwh, "
            "energy_consumed_kwh; found 'Energy_Generated_kWh' - field names are lower case and exact",
        ),
    ],
)
def test_given_a_bad_record_when_validated_then_the_reason_names_field_problem_and_fix(
    record: dict[str, Any], code: str, reason: str
) -> None:
    assert reject_of(record) == (code, reason)


def test_given_several_problems_when_rejected_then_a_missing_field_comes_first_and_the_rest_are_counted() -> (
    None
):
    code, reason = reject_of({"site_id": 7, "timestamp": "2025-02-19T21:46:30Z", "energy_consumed_kwh": "1"})

    assert code == "missing_field"
    assert reason.startswith("energy_generated_kwh is missing")
    assert reason.endswith("(and 2 more problem(s) in this record)")


def test_given_csv_cells_when_validated_then_numbers_are_parsed_from_text() -> None:
    data = (
        b"site_id,timestamp,energy_generated_kwh,energy_consumed_kwh,cumulative_kwh\n"
        b"s1,2025-02-19T21:46:30Z,12.50,100,\ns2,2025-02-19T21:46:30Z,+1e2,.5,7\n"
    )

    result = ingest("t.csv", data)

    assert result.valid == [
        CanonicalReading("s1", "2025-02-19T21:46:30.000000Z", 12.5, 100.0, None),
        CanonicalReading("s2", "2025-02-19T21:46:30.000000Z", 100.0, 0.5, 7.0),
    ]


def test_given_identical_and_conflicting_repeats_when_validated_then_counts_and_reasons_follow() -> None:
    first = reading()
    same_instant = reading(timestamp="2025-02-19T22:46:30+01:00")  # the same instant, written differently
    different = reading(energy_generated_kwh=9.0)

    result = ingest("t.json", orjson.dumps([first, same_instant, different, first]))

    assert len(result.valid) == 1 and result.duplicates == 2
    [conflict] = result.rejects
    assert (conflict.position, conflict.code) == (2, "conflicting_duplicate")
    assert conflict.reason == (
        "site s1 already has a reading at 2025-02-19T21:46:30.000000Z (position 0, which was stored) with "
        "different values (energy_generated_kwh 9.0 here, 1.5 there); remove one of the two from the file"
    )
    assert result.counts.as_dict() == {"received": 4, "valid": 1, "rejected": 1, "duplicates": 2}


def test_given_readings_out_of_order_when_validated_then_each_site_is_together_in_time_order_in_file_order() -> (
    None
):
    records = [
        reading(site_id=site, timestamp=f"2025-02-19T0{hour}:00:00Z")
        for hour, site in [(3, "b"), (1, "a"), (2, "b"), (2, "a"), (1, "a.x"), (1, "a-")]
    ]

    result = ingest("t.json", orjson.dumps(records))

    assert [(r.site_id, r.timestamp[11:13]) for r in result.valid] == [
        ("b", "02"),
        ("b", "03"),
        ("a", "01"),
        ("a", "02"),
        ("a.x", "01"),
        ("a-", "01"),
    ]


def test_given_rejects_when_reported_then_they_are_in_file_order_with_lines_for_json_lines() -> None:
    data = b"\n".join(
        orjson.dumps(r) for r in [reading(site_id="?"), reading(), reading(), reading(site_id="!")]
    )

    result = ingest("t.jsonl", data)

    assert [(r.position, r.line, r.code) for r in result.rejects] == [
        (0, 1, "invalid_site_id"),
        (3, 4, "invalid_site_id"),
    ]
    assert result.rejects[0].as_dict() == {
        "position": 0,
        "line": 1,
        "reason": result.rejects[0].reason,
        "code": "invalid_site_id",
        "record": reading(site_id="?"),
    }


# --- the record reader and jsonschema agree ----------------------------------------------------

SITE_CHARS = string.ascii_letters + string.digits + "._:-"
site_ids = st.one_of(
    st.text(SITE_CHARS, min_size=1, max_size=130),
    st.text(max_size=10),
    st.sampled_from(["a\n", "", "x" * 128, "x" * 129]),
)
timestamps = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat(sep=" ", timespec="minutes") + "Z"),
    st.from_regex(SCHEMA["properties"]["timestamp"]["pattern"], fullmatch=True),
    st.text(max_size=30),
)
numbers = st.one_of(
    st.floats(),
    st.integers(),
    st.floats(-1e-120, 1e-120),
    st.booleans(),
    st.none(),
    st.sampled_from([1e9, -1e9, 1e-130, -1e-131, 1e9 + 1, 10**30, "1.5"]),
    st.text(max_size=5),
)
fields = {
    "site_id": site_ids,
    "timestamp": timestamps,
    "energy_generated_kwh": numbers,
    "energy_consumed_kwh": numbers,
    "cumulative_kwh": numbers,
    "note": st.integers(),
}
offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
good = {
    "site_id": st.from_regex(r"[A-Za-z0-9._:-]{1,128}", fullmatch=True),
    "timestamp": st.datetimes(timezones=st.none() | offsets).map(lambda d: d.isoformat()),
    "energy_generated_kwh": st.floats(-1e9, 1e9) | st.integers(-(10**9), 10**9),
    "energy_consumed_kwh": st.floats(-1e9, 1e9),
}
good_records = st.fixed_dictionaries(good, optional={"cumulative_kwh": st.floats(0, 1e9) | st.none()})
one_field_changed = st.builds(
    lambda record, name, value: {**record, name: value},
    good_records,
    st.sampled_from(list(fields)),
    numbers | site_ids | timestamps,
)
records = st.one_of(
    good_records,
    one_field_changed,
    st.tuples(good_records, st.sampled_from(list(good))).map(
        lambda pair: {k: v for k, v in pair[0].items() if k != pair[1]}
    ),
    st.fixed_dictionaries({}, optional=fields),
    st.fixed_dictionaries({k: v for k, v in fields.items() if k != "cumulative_kwh" and k != "note"}),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_given_any_record_when_checked_then_the_record_reader_and_jsonschema_agree(record: Any) -> None:
    accepted = make_reader(cells_are_text=False)(record) is not None

    by_contract = schema_validator().is_valid(record) and semantic_problem(record) is None

    event("accepted" if accepted else "rejected")  # --hypothesis-show-statistics shows both occur
    assert accepted == by_contract
    if not accepted:
        code, reason = explain(record, cells_are_text=False)
        assert code != "invalid_record" and reason


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_given_any_float_when_accepted_then_its_decimal_string_round_trips_exactly(value: float) -> None:
    canonical = make_reader(False)(reading(energy_generated_kwh=value))

    if canonical is not None:
        assert math.isfinite(value) and float(canonical.generated) == value
