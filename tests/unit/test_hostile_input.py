"""Hostile input corpus (issue 7 item 4): every case ends in a specific reason code and a reason a
person can read, never an unhandled exception or a hang, and a bad record never sinks its neighbours.
"""

from __future__ import annotations

import gzip
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import orjson
import pytest

from energy_core.errors import InvalidFile
from energy_core.validation import ingest

GOOD = {
    "site_id": "good-site",
    "timestamp": "2025-02-19T21:46:30Z",
    "energy_generated_kwh": 1.5,
    "energy_consumed_kwh": 0.5,
}
CSV_HEADER = b"site_id,timestamp,energy_generated_kwh,energy_consumed_kwh\n"
CSV_GOOD = b"good-site,2025-02-19T21:46:30Z,1.5,0.5\n"
MB5 = "x" * 5_000_000
TIME_LIMIT_S = 5.0


def with_good(bad: object) -> bytes:
    """A JSON array holding one good reading and the hostile one: the good one must survive."""
    return orjson.dumps([GOOD, bad])


def bad_reading(**fields: object) -> bytes:
    return with_good({**GOOD, "site_id": "bad-site", **fields})


def raw_array(bad_json: bytes) -> bytes:
    return b"[" + orjson.dumps(GOOD) + b"," + bad_json + b"]"


def gzip_bomb() -> bytes:
    """64 MiB of zeros in ~64 KB: far over the 1 MiB cap the test sets."""
    stream = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * (1 << 20)
    return b"".join(stream.compress(chunk) for _ in range(64)) + stream.flush()


@dataclass(frozen=True)
class Case:
    name: str
    key: str
    data: bytes | Callable[[], bytes]
    code: str
    file_level: bool = False  # True: the whole file is InvalidFile; False: one record is rejected

    def payload(self) -> bytes:
        return self.data() if callable(self.data) else self.data


FILE_CASES = [
    Case("truncated JSON array", "t.json", b'[{"site_id": "a", "timest', "malformed_json", True),
    Case("trailing comma", "t.json", b'[{"site_id": "a"},]', "malformed_json", True),
    Case(
        "JSON Lines saved as .json",
        "t.json",
        orjson.dumps(GOOD) + b"\n" + orjson.dumps(GOOD),
        "malformed_json",
        True,
    ),
    Case("single object instead of an array", "t.json", orjson.dumps(GOOD), "not_an_array", True),
    Case("a bare number", "t.json", b"42", "not_an_array", True),
    Case("a bare string", "t.json", b'"readings"', "not_an_array", True),
    Case("empty file", "t.json", b"", "empty_file", True),
    Case("whitespace-only file", "t.jsonl", b" \r\n\t\n  ", "empty_file", True),
    Case("BOM only", "t.csv", b"\xef\xbb\xbf", "empty_file", True),
    Case("empty array", "t.json", b"[]", "empty_file", True),
    Case("nesting 100,000 deep", "t.json", b"[" * 100_000 + b"]" * 100_000, "too_deep", True),
    Case("nesting 100,000 deep, unclosed", "t.json", b"[" * 100_000, "too_deep", True),
    Case("Latin-1 text", "t.json", raw_array(b'{"site_id": "caf\xe9"}'), "not_utf8", True),
    Case("UTF-16 with BOM", "t.json", "[]".encode("utf-16"), "not_utf8", True),
    Case("gzip bomb", "t.json.gz", gzip_bomb, "too_large_decompressed", True),
    Case("truncated gzip", "t.json.gz", gzip.compress(with_good(GOOD))[:-12], "bad_gzip", True),
    Case("corrupt gzip", "t.json.gz", b"\x1f\x8b\x08\x00garbage-garbage", "bad_gzip", True),
    Case("spreadsheet uploaded as CSV", "t.csv", b"PK\x03\x04\x14\x00\x06\x00", "unknown_format", True),
    Case("binary with NUL bytes", "t.dat", b"\x00\x01\x02\x03" * 10, "unknown_format", True),
    Case(
        "CSV missing a required column",
        "t.csv",
        b"site_id,timestamp,energy_generated_kwh\na,b,1\n",
        "csv_header_missing_columns",
        True,
    ),
    Case("CSV without header", "t.csv", CSV_GOOD * 2, "csv_header_missing_columns", True),
    Case(
        "CSV separated by semicolons",
        "t.csv",
        b"site_id;timestamp;energy_generated_kwh;energy_consumed_kwh\na;2025-02-19T21:46:30Z;1,5;0,5\n",
        "csv_wrong_delimiter",
        True,
    ),
    Case("CSV with a header only", "t.csv", CSV_HEADER, "empty_file", True),
    Case("every record invalid", "t.json", orjson.dumps([{"a": 1}, {"b": 2}]), "no_valid_records", True),
]

RECORD_CASES = [
    Case(
        "NaN literal",
        "t.json",
        raw_array(
            b'{"site_id": "x", "timestamp": "2025-02-19T21:46:30Z", '
            b'"energy_generated_kwh": NaN, "energy_consumed_kwh": 1}'
        ),
        "not_finite",
    ),
    Case(
        "Infinity literal",
        "t.json",
        raw_array(
            b'{"site_id": "x", "timestamp": "2025-02-19T21:46:30Z", '
            b'"energy_generated_kwh": 1, "energy_consumed_kwh": Infinity}'
        ),
        "not_finite",
    ),
    Case(
        "-Infinity literal",
        "t.json",
        raw_array(
            b'{"site_id": "x", "timestamp": "2025-02-19T21:46:30Z", '
            b'"energy_generated_kwh": -Infinity, "energy_consumed_kwh": 1}'
        ),
        "not_finite",
    ),
    Case(
        "1e309 overflows a double",
        "t.json",
        raw_array(
            b'{"site_id": "x", "timestamp": "2025-02-19T21:46:30Z", '
            b'"energy_generated_kwh": 1e309, "energy_consumed_kwh": 1}'
        ),
        "not_finite",
    ),
    Case(
        "NaN in a JSON line",
        "t.jsonl",
        orjson.dumps(GOOD) + b'\n{"site_id": "x", "timestamp": "2025-02-19T21:46:30Z",'
        b' "energy_generated_kwh": NaN, "energy_consumed_kwh": 1}\n',
        "not_finite",
    ),
    Case("huge float", "t.json", bad_reading(energy_generated_kwh=1e300), "out_of_range"),
    Case(
        "huge integer",
        "t.json",
        raw_array(
            b'{"site_id": "x", "timestamp": "2025-02-19T21:46:30Z", '
            b'"energy_generated_kwh": 100000000000000000000000000000000, '
            b'"energy_consumed_kwh": 1}'
        ),
        "out_of_range",
    ),
    Case("too close to zero for DynamoDB", "t.json", bad_reading(energy_consumed_kwh=1e-200), "out_of_range"),
    Case("5 MB site_id", "t.json", bad_reading(site_id=MB5), "invalid_site_id"),
    Case("5 MB timestamp", "t.json", bad_reading(timestamp=MB5), "invalid_timestamp"),
    Case("5 MB string as a number", "t.json", bad_reading(energy_generated_kwh=MB5), "wrong_type"),
    Case("number in quotes", "t.json", bad_reading(energy_generated_kwh="12.5"), "wrong_type"),
    Case("boolean as a number", "t.json", bad_reading(energy_consumed_kwh=True), "wrong_type"),
    Case("null as a number", "t.json", bad_reading(energy_generated_kwh=None), "wrong_type"),
    Case("array as site_id", "t.json", bad_reading(site_id=["a"]), "wrong_type"),
    Case("object as timestamp", "t.json", bad_reading(timestamp={"t": 1}), "wrong_type"),
    Case("epoch number as timestamp", "t.json", bad_reading(timestamp=1739999999), "wrong_type"),
    Case(
        "missing field",
        "t.json",
        with_good({"site_id": "x", "timestamp": "2025-02-19T21:46:30Z", "energy_generated_kwh": 1}),
        "missing_field",
    ),
    Case("record is a number", "t.json", with_good(7), "not_an_object"),
    Case("record is an array", "t.json", with_good([1, 2, 3]), "not_an_object"),
    Case("February 30", "t.json", bad_reading(timestamp="2025-02-30T00:00:00"), "impossible_timestamp"),
    Case("hour 25", "t.json", bad_reading(timestamp="2025-02-19T25:00:00"), "impossible_timestamp"),
    Case("year 0", "t.json", bad_reading(timestamp="0000-01-01T00:00:00"), "impossible_timestamp"),
    Case("month 13", "t.json", bad_reading(timestamp="2025-13-01T00:00:00"), "impossible_timestamp"),
    Case(
        "UTC offset +24:00",
        "t.json",
        bad_reading(timestamp="2025-02-19T21:46:30+24:00"),
        "impossible_timestamp",
    ),
    Case("day/month date", "t.json", bad_reading(timestamp="19/02/2025 21:46"), "invalid_timestamp"),
    Case("SQL injection site id", "t.json", bad_reading(site_id="'; DROP TABLE--"), "invalid_site_id"),
    Case("script tag site id", "t.json", bad_reading(site_id="<script>alert(1)</script>"), "invalid_site_id"),
    Case("path traversal site id", "t.json", bad_reading(site_id="../../etc/passwd"), "invalid_site_id"),
    Case("NUL byte in site id", "t.json", bad_reading(site_id="a\u0000b"), "invalid_site_id"),
    Case("unicode site id", "t.json", bad_reading(site_id="sité-α"), "invalid_site_id"),
    Case("empty site id", "t.json", bad_reading(site_id=""), "invalid_site_id"),
    Case("129-character site id", "t.json", bad_reading(site_id="s" * 129), "invalid_site_id"),
    Case("site id ending in a newline", "t.json", bad_reading(site_id="plant-7\n"), "invalid_site_id"),
    Case("malformed JSON line", "t.jsonl", orjson.dumps(GOOD) + b'\n{"site_id": "x",\n', "malformed_json"),
    Case(
        "JSON line nested 100,000 deep",
        "t.jsonl",
        orjson.dumps(GOOD) + b"\n" + b"[" * 100_000 + b"\n",
        "too_deep",
    ),
    Case(
        "CSV row with a missing cell",
        "t.csv",
        CSV_HEADER + CSV_GOOD + b"x,2025-02-19T21:46:30Z,1\n",
        "csv_wrong_cell_count",
    ),
    Case(
        "CSV row with an extra cell",
        "t.csv",
        CSV_HEADER + CSV_GOOD + b"x,2025-02-19T21:46:30Z,1,2,3\n",
        "csv_wrong_cell_count",
    ),
    Case(
        "CSV quoted decimal comma",
        "t.csv",
        CSV_HEADER + CSV_GOOD + b'x,2025-02-19T21:46:30Z,"1,5",2\n',
        "wrong_type",
    ),
    Case(
        "CSV text in a number cell",
        "t.csv",
        CSV_HEADER + CSV_GOOD + b"x,2025-02-19T21:46:30Z,abc,2\n",
        "wrong_type",
    ),
    Case("CSV NaN cell", "t.csv", CSV_HEADER + CSV_GOOD + b"x,2025-02-19T21:46:30Z,NaN,2\n", "not_finite"),
    Case(
        "CSV empty required cell",
        "t.csv",
        CSV_HEADER + CSV_GOOD + b"x,2025-02-19T21:46:30Z,,2\n",
        "missing_field",
    ),
    Case("CSV 5 MB cell", "t.csv", CSV_HEADER + CSV_GOOD + b'x,"' + MB5.encode() + b'",1,2\n', "csv_bad_row"),
    Case(
        "conflicting duplicate",
        "t.json",
        with_good({**GOOD, "energy_generated_kwh": 9.0}),
        "conflicting_duplicate",
    ),
]


def run_timed(case: Case) -> tuple[object, float]:
    data = case.payload()
    started = time.perf_counter()
    try:
        ingested = ingest(case.key, data, max_decompressed=1 << 20)
        result: object = ingested
        if not ingested.valid:  # what the Validate step then refuses the file with (validate/app.py)
            raise InvalidFile("no_valid_records", f"none of its {ingested.counts.received} records is valid")
    except InvalidFile as error:
        result = error
    return result, time.perf_counter() - started


def test_the_corpus_has_at_least_forty_cases() -> None:
    assert len(FILE_CASES) + len(RECORD_CASES) >= 40


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", FILE_CASES, ids=lambda case: case.name)
def test_given_a_hostile_file_when_ingested_then_it_is_refused_with_its_reason(case: Case) -> None:
    outcome, elapsed = run_timed(case)

    assert isinstance(outcome, InvalidFile), f"expected InvalidFile {case.code}, got {outcome!r}"
    assert outcome.code == case.code, outcome.reason
    assert outcome.reason.strip() and len(outcome.reason) < 1000
    assert str(outcome) == outcome.reason
    assert elapsed < TIME_LIMIT_S


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", RECORD_CASES, ids=lambda case: case.name)
def test_given_a_hostile_record_when_ingested_then_only_it_is_rejected_with_its_reason(case: Case) -> None:
    outcome, elapsed = run_timed(case)

    assert not isinstance(outcome, InvalidFile), outcome
    assert [reading.site_id for reading in outcome.valid] == ["good-site"]  # type: ignore[attr-defined]
    [reject] = outcome.rejects  # type: ignore[attr-defined]
    assert reject.code == case.code, reject.reason
    assert reject.reason.strip() and len(reject.reason) < 1000
    assert len(orjson.dumps(reject.as_dict())) < 4096  # the record is cut to 2 KB
    assert elapsed < TIME_LIMIT_S


def test_given_a_number_in_quotes_when_rejected_then_the_reason_says_to_remove_the_quotes() -> None:
    result = ingest("t.json", bad_reading(energy_generated_kwh="12.5"))

    assert result.rejects[0].reason == (
        "energy_generated_kwh must be a JSON number, got string '12.5'; write it without quotes"
    )


def test_given_a_non_utf8_byte_when_ingested_then_the_reason_names_its_byte_offset() -> None:
    data = b'[{"site_id": "caf\xe9"}]'

    with pytest.raises(InvalidFile) as refused:
        ingest("t.json", data)

    assert "byte offset 17" in refused.value.reason
    assert data[17] == 0xE9


def test_given_a_5mb_string_when_rejected_then_the_reason_and_record_stay_small() -> None:
    result = ingest("t.json", bad_reading(site_id=MB5))

    reject = result.rejects[0]
    assert len(reject.reason) < 300
    assert isinstance(reject.record, str) and "truncated" in reject.record
    assert len(reject.record.encode()) <= 2048
