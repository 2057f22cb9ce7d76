"""Hostile files and hostile object keys, end to end on the embedded engine, in ONE batch of uploads.

Every file ends with a reason a person can act on - InvalidFile with a readable cause, or per-record
rejects - never a crash or a hang, and the good file uploaded in the same batch is stored untouched.
The full corpus (40+ cases, the gzip bomb included) runs against the parsers in
tests/unit/test_hostile_input.py; here a representative subset proves the deployed path (S3 event,
ASL, handlers, quarantine, ledger) carries those reasons through. The gzip bomb is not run here: the
Validate handler's decompression cap is the fixed 1 GiB default, and inflating past it takes seconds
and a GiB of memory; a truncated and a corrupt gzip exercise the same path.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from energy_pipeline.reprocess import ledger_item
from energy_pipeline.runner import run_files

pytestmark = pytest.mark.workflow

GOOD = {"site_id": "hostile-good", "timestamp": "2025-02-19T21:46:30Z",
        "energy_generated_kwh": 1.5, "energy_consumed_kwh": 0.5}
NEIGHBOUR = [{**GOOD, "site_id": "neighbour", "timestamp": f"2025-02-19T2{h}:00:00Z"} for h in range(4)]


def with_bad(bad_json: bytes) -> bytes:
    """A JSON array: one good reading and one hostile record written as raw JSON text."""
    return b"[" + orjson.dumps(GOOD) + b"," + bad_json + b"]"


def bad_record(**fields: Any) -> bytes:
    return with_bad(orjson.dumps({**GOOD, "timestamp": "2025-02-19T22:00:00Z", **fields}))


@dataclass(frozen=True)
class Case:
    name: str  # the object's name under the input prefix
    data: bytes
    expect: str  # a fragment of the InvalidFile cause, or the reject code of the one bad record
    invalid_file: bool = True


FILES = [
    Case("truncated.json", b'[{"site_id": "a", "timest', "not valid JSON"),
    Case("latin1.json", with_bad(b'{"site_id": "caf\xe9"}'), "not UTF-8"),
    Case("deep.json", b"[" * 100_000 + b"]" * 100_000, "nests more than"),
    Case("empty.json", b"", "the file is empty"),
    Case("whitespace.jsonl", b" \r\n\t\n  ", "the file is empty"),
    Case("single-object.json", orjson.dumps(GOOD), "single JSON object"),
    Case("semicolons.csv", b"site_id;timestamp;energy_generated_kwh;energy_consumed_kwh\n"
         b"a;2025-02-19T21:46:30Z;1,5;0,5\n", "semicolons"),
    Case("truncated.json.gz", gzip.compress(orjson.dumps([GOOD]))[:-12], "gzip data ends early"),
    Case("corrupt.json.gz", b"\x1f\x8b\x08\x00garbage-garbage", "gzip data is corrupt"),
    Case("bom.json", b"\xef\xbb\xbf" + bad_record(site_id="bad site"), "invalid_site_id", invalid_file=False),
    Case("nan.json", with_bad(b'{"site_id": "x", "timestamp": "2025-02-19T22:00:00Z", '
                              b'"energy_generated_kwh": NaN, "energy_consumed_kwh": 1}'), "not_finite", False),
    Case("overflow.json", with_bad(b'{"site_id": "x", "timestamp": "2025-02-19T22:00:00Z", '
                                   b'"energy_generated_kwh": 1e309, "energy_consumed_kwh": 1}'), "not_finite", False),
    Case("five-mb-string.json", bad_record(site_id="x" * 5_000_000), "invalid_site_id", invalid_file=False),
]
# Keys S3 users really produce: each must reach the pipeline unmangled (EventBridge sends keys as is).
KEYS = ["my readings.json", "a+b.json", "100%.json", "zählerstände-東京.json", "readings (copy).json",
        "2025-02-19T21:46:30Z.json"]


@dataclass
class Batch:
    local: Any
    rows: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Batch]:
    """Every hostile file, every hostile key and one good neighbour, uploaded together as a burst."""
    from energy_pipeline.session import open_engine

    folder = tmp_path_factory.mktemp("hostile")
    paths = [folder / case.name for case in FILES] + [folder / name for name in KEYS] + [folder / "neighbour.json"]
    for case in FILES:
        (folder / case.name).write_bytes(case.data)
    for name in KEYS:
        (folder / name).write_bytes(orjson.dumps([{**GOOD, "site_id": "keyed"}]))
    (folder / "neighbour.json").write_bytes(orjson.dumps(NEIGHBOUR))
    with open_engine() as local:
        rows = run_files(local.target, paths, timeout_s=120)
        yield Batch(local, {Path(row["file"]).name: row for row in rows})


def rejects(batch: Batch, uri: str) -> list[dict[str, Any]]:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    body = batch.local.engine.clients.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return [json.loads(line) for line in body.splitlines() if line.strip()]


@pytest.mark.parametrize("case", [case for case in FILES if case.invalid_file], ids=lambda case: case.name)
def test_given_an_unusable_file_then_it_fails_as_invalid_file_with_a_readable_cause(batch: Batch, case: Case) -> None:
    row = batch.rows[case.name]
    assert (row["status"], row["error"]) == ("FAILED", "InvalidFile"), row
    assert case.expect in row["reason"] and case.name in row["reason"]
    ledger = ledger_item(batch.local.target, batch.local.engine.stack.outputs["CatalogTableName"], row["key"])
    assert ledger is not None and ledger["status"] == "FAILED" and case.expect in ledger["reason"]


@pytest.mark.parametrize("case", [case for case in FILES if not case.invalid_file], ids=lambda case: case.name)
def test_given_one_hostile_record_then_it_is_rejected_with_its_code_and_the_good_one_stored(
        batch: Batch, case: Case) -> None:
    row = batch.rows[case.name]
    assert row["status"] == "SUCCEEDED", row
    assert (row["received"], row["stored"], row["rejected"], row["duplicates"]) == (2, 1, 1, 0)
    [reject] = rejects(batch, row["rejects_location"])
    assert reject["code"] == case.expect and reject["position"] == 1 and reject["reason"]
    assert len(json.dumps(reject)) < 10_000  # a 5 MB record is truncated in the reject line, not copied


@pytest.mark.parametrize("name", KEYS)
def test_given_a_hostile_object_key_then_the_file_is_processed_under_its_exact_key(batch: Batch, name: str) -> None:
    row = batch.rows[name]
    assert row["status"] == "SUCCEEDED", row
    assert row["key"] == f"incoming/{name}" and row["stored"] == 1
    ledger = ledger_item(batch.local.target, batch.local.engine.stack.outputs["CatalogTableName"], row["key"])
    assert ledger is not None and ledger["status"] == "SUCCEEDED"


def test_given_a_burst_of_hostile_files_then_the_good_neighbour_is_stored_untouched(batch: Batch) -> None:
    from tests.workflow.helpers import stored_readings

    row = batch.rows["neighbour.json"]
    assert row["status"] == "SUCCEEDED" and (row["received"], row["stored"], row["rejected"]) == (4, 4, 0)
    assert len(stored_readings(batch.local, "neighbour")) == 4
    assert len(batch.rows) == len(FILES) + len(KEYS) + 1
    assert all(row["status"] in ("SUCCEEDED", "FAILED") for row in batch.rows.values())  # nothing hung
