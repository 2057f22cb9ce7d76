"""Format detection and parsing: JSON arrays, JSON Lines, CSV, gzip, BOMs and line endings."""

from __future__ import annotations

import gzip

import orjson
import pytest

from energy_core.errors import InvalidFile
from energy_core.parsed import BadRecord
from energy_core.parsing import Format, RawRecord, detect_format, parse_records
from energy_core.validation import ingest

READING = {
    "site_id": "s1",
    "timestamp": "2025-02-19T21:46:30Z",
    "energy_generated_kwh": 1.5,
    "energy_consumed_kwh": 0.5,
}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("incoming/a.json", Format("json")),
        ("incoming/a.JSONL", Format("jsonl")),
        ("incoming/a.ndjson", Format("jsonl")),
        ("incoming/a.csv", Format("csv")),
        ("incoming/my file (copy).csv", Format("csv")),
        ("incoming/r%C3%A9sum%C3%A9+2025.NDJSON", Format("jsonl")),
        ("incoming/Zürich site+1 100%.csv", Format("csv")),
        ("incoming/dir.v2/readings", Format("json")),  # a dot in a folder is no extension
    ],
)
def test_given_a_plain_file_when_detected_then_the_extension_decides(key: str, expected: Format) -> None:
    assert detect_format(key, b"[") == expected


@pytest.mark.parametrize("key", ["a.json.gz", "a.json", "a.bin"])
def test_given_gzip_bytes_when_detected_then_gzip_is_flagged_whatever_the_name(key: str) -> None:
    head = gzip.compress(b"[{}]")

    assert detect_format(key, head) == Format("json", gzip=True)


@pytest.mark.parametrize(
    ("head", "kind"),
    [(b"  [\n{}", "json"), (b'\xef\xbb\xbf{"a": 1}', "jsonl"), (b"site_id,timestamp", "csv"), (b"", "csv")],
)
def test_given_no_known_extension_when_detected_then_the_first_bytes_decide(head: bytes, kind: str) -> None:
    assert detect_format("incoming/upload", head).kind == kind


def test_given_a_json_array_when_parsed_then_records_keep_their_positions_without_lines() -> None:
    parsed = parse_records(orjson.dumps([READING, {"x": 1}]), Format("json"))

    assert list(parsed) == [RawRecord(0, None, READING), RawRecord(1, None, {"x": 1})]


def test_given_a_bom_and_crlf_when_a_json_array_is_parsed_then_both_are_tolerated() -> None:
    parsed = parse_records(b"\xef\xbb\xbf[\r\n" + orjson.dumps(READING) + b"\r\n]\r\n", Format("json"))

    assert parsed.values == [READING]


def test_given_json_lines_with_blank_and_bad_lines_when_parsed_then_the_rest_survive() -> None:
    data = orjson.dumps(READING) + b"\r\n\r\n{oops\r\n" + orjson.dumps(READING) + b"\n"

    parsed = parse_records(data, Format("jsonl"))

    assert parsed.lines == [1, 3, 4]
    assert parsed.values[0] == READING and parsed.values[2] == READING
    bad = parsed.values[1]
    assert isinstance(bad, BadRecord) and bad.code == "malformed_json"
    assert bad.reason.startswith("line 3 is not valid JSON") and bad.record == "{oops\r"


def test_given_a_csv_with_columns_in_any_order_when_parsed_then_cells_are_keyed_by_column() -> None:
    data = (
        b"\xef\xbb\xbfnote, Energy_Consumed_kWh ,site_id,timestamp,energy_generated_kwh\r\n"
        b'"hello, world",0.5,s1,2025-02-19T21:46:30Z, 1.5 \r\n'
    )

    parsed = parse_records(data, Format("csv"))

    assert parsed.values == [
        {
            "energy_consumed_kwh": "0.5",
            "site_id": "s1",
            "timestamp": "2025-02-19T21:46:30Z",
            "energy_generated_kwh": "1.5",
        }
    ]
    assert parsed.lines == [2]
    assert parsed.cells_are_text


def test_given_a_csv_row_with_a_quoted_line_break_when_parsed_then_the_next_row_has_its_own_line() -> None:
    data = (
        b"site_id,timestamp,energy_generated_kwh,energy_consumed_kwh,note\n"
        b's1,2025-02-19T21:46:30Z,1,2,"two\nlines"\ns2,2025-02-19T21:46:30Z,1,2,x\n'
    )

    parsed = parse_records(data, Format("csv"))

    assert parsed.lines == [2, 4]


def test_given_excel_padding_cells_when_a_csv_is_parsed_then_empty_extra_cells_are_ignored() -> None:
    data = b"site_id,timestamp,energy_generated_kwh,energy_consumed_kwh\ns1,2025-02-19T21:46:30Z,1,2,,\n"

    assert parse_records(data, Format("csv")).values[0] == {
        "site_id": "s1",
        "timestamp": "2025-02-19T21:46:30Z",
        "energy_generated_kwh": "1",
        "energy_consumed_kwh": "2",
    }


def test_given_concatenated_gzip_members_when_parsed_then_all_members_are_read() -> None:
    data = gzip.compress(b"site_id,timestamp,energy_generated_kwh,energy_consumed_kwh\n") + gzip.compress(
        b"s1,2025-02-19T21:46:30Z,1,2\n"
    )

    assert len(parse_records(data, Format("csv", gzip=True))) == 1


def test_given_a_file_under_the_cap_when_decompressed_then_it_is_read() -> None:
    data = gzip.compress(orjson.dumps([READING] * 100))

    assert len(parse_records(data, Format("json", gzip=True), max_decompressed=100 * 200)) == 100


def test_given_a_file_over_the_cap_when_decompressed_then_it_is_too_large() -> None:
    data = gzip.compress(orjson.dumps([READING] * 100))

    with pytest.raises(InvalidFile) as refused:
        parse_records(data, Format("json", gzip=True), max_decompressed=1000)

    assert refused.value.code == "too_large_decompressed"
    assert "1,000 bytes" in refused.value.reason


def test_given_a_single_object_when_parsed_as_json_then_the_reason_says_wrap_it_in_brackets() -> None:
    with pytest.raises(InvalidFile) as refused:
        parse_records(orjson.dumps(READING), Format("json"))

    assert refused.value.code == "not_an_array"
    assert "wrap it in [ ]" in refused.value.reason


def test_given_an_export_that_wraps_the_readings_in_an_object_then_the_reason_says_upload_the_array() -> None:
    with pytest.raises(InvalidFile) as refused:
        parse_records(orjson.dumps({"meter": "m-1", "readings": [READING, READING]}), Format("json"))

    assert refused.value.code == "not_an_array"
    assert "'readings' holds 2 values; upload that array itself" in refused.value.reason
    assert "wrap it" not in refused.value.reason


def test_given_a_null_where_a_number_belongs_then_the_reason_says_null_once() -> None:
    result = ingest("n.json", orjson.dumps([{**READING, "energy_consumed_kwh": None}]))

    (reject,) = result.rejects
    assert "got null;" in reject.reason and "null null" not in reject.reason


def test_given_broken_json_when_parsed_then_the_reason_names_line_and_column() -> None:
    with pytest.raises(InvalidFile) as refused:
        parse_records(b'[\n  {"site_id": "a",}\n]', Format("json"))

    assert refused.value.code == "malformed_json"
    assert "line 2 column" in refused.value.reason


def test_given_non_finite_literals_when_parsed_then_they_become_values_for_the_validator() -> None:
    parsed = parse_records(b'[{"a": NaN}, {"a": -Infinity}, {"a": 1e309}]', Format("json"))

    values = [record["a"] for record in parsed.values]  # type: ignore[index]
    assert values[0] != values[0] and values[1] == float("-inf") and values[2] == float("inf")


def test_given_non_ascii_text_before_nan_when_parsed_then_nan_still_becomes_a_value() -> None:
    parsed = parse_records('\ufeff[{"a": "Zürich €", "b": NaN}]'.encode(), Format("json"))

    assert parsed.values[0]["a"] == "Zürich €"  # type: ignore[index]


def test_given_nan_and_a_later_syntax_error_when_parsed_then_the_reason_points_at_the_real_error() -> None:
    with pytest.raises(InvalidFile) as refused:
        parse_records(b'[{"a": NaN},\n {"b": 1,}]', Format("json"))

    assert refused.value.code == "malformed_json"
    assert "at line 2 column 10" in refused.value.reason


def test_given_a_latin1_csv_when_parsed_then_the_reason_names_offset_and_line() -> None:
    data = b"site_id,timestamp,energy_generated_kwh,energy_consumed_kwh\nM\xfcnchen,x,1,2\n"

    with pytest.raises(InvalidFile) as refused:
        parse_records(data, Format("csv"))

    assert refused.value.code == "not_utf8"
    offset = data.index(b"\xfc")
    assert f"byte 0xfc at byte offset {offset} (line 2)" in refused.value.reason


def test_given_a_parse_error_when_raised_then_it_is_the_named_step_functions_error() -> None:
    with pytest.raises(InvalidFile) as refused:
        parse_records(b"", Format("json"))

    assert type(refused.value).__name__ == "InvalidFile"
    assert refused.value.as_dict() == {
        "error": "InvalidFile",
        "code": "empty_file",
        "reason": refused.value.reason,
    }
