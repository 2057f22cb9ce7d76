"""Properties of the ingest path (hypothesis): parsers and validator only ever raise InvalidFile,
accounting always holds, canonical timestamps round-trip and sort chronologically, the same
readings give the same canonical readings whether sent as JSON, JSON Lines or CSV, and every fast
kernel of the path gives what its plain version beside it gives, on valid and invalid input."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from energy_core import typed_rows, validation
from energy_core.accounting import dedupe, plain_dedupe
from energy_core.contract import MAXIMUM, MINIMUM, NUMBER_TEXT, SMALLEST
from energy_core.errors import InvalidFile
from energy_core.parsed import Format, ParsedFile
from energy_core.parsing import parse_records
from energy_core.readings import (
    CanonicalReading,
    Readings,
    TimestampTable,
    blocks_of,
    dump_chunk,
    long_blocks_of,
    plain_blocks_of,
    plain_rising,
    plain_where,
    where,
)
from energy_core.record_reader import make_reader, plain_reading
from energy_core.timestamps import canonical_timestamp, canonical_timestamps
from energy_core.validation import ValidationResult, ingest, validate_file

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = ["f.json", "f.jsonl", "f.csv", "f", "f.json.gz", "f.csv.gz"]
FIELDS = ["site_id", "timestamp", "energy_generated_kwh", "energy_consumed_kwh", "cumulative_kwh"]

offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
instants = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.none() | offsets
)
site_ids = st.from_regex(r"[A-Za-z0-9._:-]{1,20}", fullmatch=True)
kwh = st.floats(-1e6, 1e6, allow_subnormal=False).filter(lambda x: x == 0 or abs(x) > 1e-100) | st.integers(
    -1000, 1000
)
good_readings = st.fixed_dictionaries(
    {
        "site_id": site_ids,
        "timestamp": instants.map(datetime.isoformat),
        "energy_generated_kwh": kwh,
        "energy_consumed_kwh": kwh,
    },
    optional={"cumulative_kwh": st.floats(0, 1e9)},
)
anything = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
messy_readings = st.one_of(
    good_readings,
    st.builds(lambda r, k, v: {**r, k: v}, good_readings, st.sampled_from(FIELDS), anything),
    anything,
)


def ingest_or_refuse(key: str, data: bytes) -> ValidationResult | InvalidFile:
    try:
        return ingest(key, data, max_decompressed=1 << 20)
    except InvalidFile as refused:
        assert refused.code and refused.reason
        return refused


def assert_grouped_in_time_order(keys: list[tuple[str, str]]) -> None:
    """Each site's readings together, strictly rising in time (so no instant twice)."""
    sites = [site for site, _ in keys]
    blocks = [site for i, site in enumerate(sites) if i == 0 or site != sites[i - 1]]
    assert len(blocks) == len(set(blocks))
    for site in blocks:
        stamps = [stamp for other, stamp in keys if other == site]
        assert stamps == sorted(set(stamps))


def assert_accounting(result: ValidationResult, received: int | None = None) -> None:
    counts = result.counts
    assert counts.received == counts.valid + counts.rejected + counts.duplicates
    if received is not None:
        assert counts.received == received
    assert_grouped_in_time_order([(r.site_id, r.timestamp) for r in result.valid])
    positions = [reject.position for reject in result.rejects]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)


@FAST
@given(st.sampled_from(KEYS), st.binary(max_size=300))
def test_given_any_bytes_when_ingested_then_only_invalid_file_is_ever_raised(key: str, data: bytes) -> None:
    if key.endswith(".gz"):
        data = gzip.compress(data)
    outcome = ingest_or_refuse(key, data)
    if isinstance(outcome, ValidationResult):
        assert_accounting(outcome)


@FAST
@given(st.sampled_from(KEYS[:3]), st.lists(messy_readings, max_size=8), st.data())
def test_given_a_damaged_file_when_ingested_then_only_invalid_file_is_ever_raised(
    key: str, readings: list[Any], data: st.DataObject
) -> None:
    text = encode(key, readings)
    cut = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.binary(max_size=4))
    outcome = ingest_or_refuse(key, text[:cut] + junk + text[cut + len(junk) :])
    if isinstance(outcome, ValidationResult):
        assert_accounting(outcome)


@FAST
@given(st.lists(messy_readings, min_size=1, max_size=12), st.lists(st.integers(0, 11), max_size=6))
def test_given_messy_records_with_repeats_when_validated_then_accounting_always_holds(
    readings: list[Any], repeats: list[int]
) -> None:
    readings += [readings[i % len(readings)] for i in repeats]  # exact repeats: duplicates or conflicts
    for key in ("f.json", "f.jsonl"):
        outcome = ingest_or_refuse(key, encode(key, readings))
        if isinstance(outcome, ValidationResult):
            assert_accounting(outcome, received=len(readings))


@FAST
@given(instants, instants)
def test_given_two_instants_when_canonical_then_they_round_trip_and_sort_chronologically(
    first: datetime, second: datetime
) -> None:
    a, b = canonical_timestamp(first.isoformat()), canonical_timestamp(second.isoformat())

    assert a is not None and b is not None and len(a) == len(b) == 27
    assert datetime.fromisoformat(a) == as_utc(first)
    assert canonical_timestamp(a) == a
    assert (a < b) == (as_utc(first) < as_utc(second))


@FAST
@given(st.lists(good_readings, min_size=1, max_size=15))
def test_given_the_same_readings_when_sent_as_json_jsonl_or_csv_then_the_canonical_readings_are_equal(
    readings: list[dict[str, Any]],
) -> None:
    outcomes = [ingest(key, encode(key, readings)) for key in ("f.json", "f.jsonl", "f.csv", "f.csv.gz")]

    first = outcomes[0]
    assert first.counts.received == len(readings)
    for other in outcomes[1:]:
        assert other.valid == first.valid
        assert other.counts == first.counts


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def encode(key: str, readings: list[Any]) -> bytes:
    """The readings as the file format the key names (CSV: the contract columns, numbers as text)."""
    if ".jsonl" in key:
        data = b"\n".join(orjson.dumps(r) for r in readings)
    elif ".csv" in key:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(FIELDS)
        for r in readings:
            row = r if isinstance(r, dict) else {}
            writer.writerow(["" if row.get(f) is None else row.get(f) for f in FIELDS])
        data = buffer.getvalue().encode("utf-8", "surrogatepass")
    else:
        data = orjson.dumps(readings)
    return gzip.compress(data) if key.endswith(".gz") else data


def blocks_of_sites(readings: int, most: int, latest: int) -> st.SearchStrategy[dict[str, list[int]]]:
    """One to four sites, each with `readings` to `most` distinct minutes (sorted) up to `latest`."""
    minutes = st.lists(st.integers(0, latest), min_size=readings, max_size=most, unique=True).map(sorted)
    return st.dictionaries(site_ids, minutes, min_size=1, max_size=4)


site_blocks = blocks_of_sites(1, 6, 10**6)


@FAST
@given(site_blocks, st.randoms(use_true_random=False))
def test_given_sites_in_blocks_in_any_site_order_when_validated_then_they_keep_that_order_without_a_sort(
    blocks: dict[str, list[int]], shuffle: Any
) -> None:
    order = list(blocks)
    shuffle.shuffle(order)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    records = [
        {
            "site_id": site,
            "timestamp": (start + timedelta(minutes=minute)).isoformat(),
            "energy_generated_kwh": float(minute % 7),
            "energy_consumed_kwh": minute % 5,
        }
        for site in order
        for minute in blocks[site]
    ]

    typed = validation._all_valid(encode("f.json", records), Format("json"))
    one_by_one = validate_file(ParsedFile(Format("json"), records))

    assert typed is not None
    assert list(typed.valid) == list(one_by_one.valid)
    assert_grouped_in_time_order([(r.site_id, r.timestamp) for r in typed.valid])
    assert [r.site_id for r in typed.valid] == [site for site in order for _ in blocks[site]]  # file's order


@FAST
@given(
    st.sampled_from(["json", "jsonl"]),
    st.lists(st.one_of(good_readings, messy_readings), min_size=1, max_size=12),
    st.lists(st.integers(0, 11), max_size=4),
    st.data(),
)
def test_given_any_file_when_read_as_typed_rows_then_it_is_accepted_only_as_record_by_record_reads_it(
    kind: str, records: list[Any], repeats: list[int], data: st.DataObject
) -> None:
    records += [records[i % len(records)] for i in repeats]  # duplicates and conflicts too
    text = encode(f"f.{kind}", records)
    damage = data.draw(st.sampled_from(["none", "bytes", "two records on a line"]))
    if damage == "bytes":
        cut = data.draw(st.integers(0, len(text)))
        junk = data.draw(st.sampled_from([b"", b" ", b"\n", b"\n\n", b"{", b"}", b",", b"\\", b"\xff"]))
        text = text[:cut] + junk + text[cut + data.draw(st.integers(0, 2)) :]
    elif damage == "two records on a line":
        text = text.replace(b"\n", b" ", 1)
    fmt = Format(kind)  # type: ignore[arg-type]

    typed = validation._all_valid(text, fmt)
    try:
        one_by_one = validate_file(parse_records(text, fmt))
    except InvalidFile:
        assert typed is None
        return

    if typed is not None:
        assert one_by_one.rejects == []
        assert list(typed.valid) == list(one_by_one.valid)
        assert typed.counts == one_by_one.counts


@FAST
@given(st.sampled_from(["json", "jsonl"]), st.lists(good_readings, min_size=1, max_size=15))
def test_given_a_clean_file_when_ingested_then_the_typed_rows_take_it(kind: str, records: list[Any]) -> None:
    text = encode(f"f.{kind}", records)
    one_by_one = validate_file(parse_records(text, Format(kind)))  # type: ignore[arg-type]

    typed = validation._all_valid(text, Format(kind))  # type: ignore[arg-type]

    if not one_by_one.rejects:  # no conflicting repeat of an instant
        assert typed is not None
        assert list(typed.valid) == list(one_by_one.valid)
        assert typed.counts == one_by_one.counts


# blocks of at least 17 readings: fewer site changes than one per 16 readings is what the typed rows
# takes for blocks (more it sorts, as interleaved)
long_site_blocks = blocks_of_sites(17, 40, 10**4)


@FAST
@given(
    long_site_blocks,
    st.randoms(use_true_random=False),
    st.sampled_from(["Z", "+00:00", "", "mixed"]),
    st.sampled_from(["json", "jsonl"]),
)
def test_given_sites_in_blocks_on_a_shared_grid_or_not_when_read_as_typed_rows_then_record_by_record_agrees(
    blocks: dict[str, list[int]], shuffle: Any, suffix: str, kind: str
) -> None:
    """The typed rows keep a block that is a slice of the file's distinct timestamps as where it starts
    among them, a block with gaps as positions, and leave repeats, disorder and one instant written two
    ways to dedupe: whichever way, the readings are what record by record reads."""
    order = list(blocks)
    shuffle.shuffle(order)
    start = datetime(2025, 1, 1)
    records = []
    for number, site in enumerate(order):
        minutes = blocks[site] if number % 2 else sorted(set(blocks[site]) | set(blocks[order[0]]))
        minutes = minutes if number != 1 else blocks[order[0]]  # the same grid as the first site
        if number == 2:
            minutes = minutes[::-1]  # one site out of order
        for minute in minutes:
            ending = ("Z", "+00:00")[(number + minute) % 2] if suffix == "mixed" else suffix
            stamp = (start + timedelta(minutes=minute)).isoformat() + ending
            records.append(
                {"site_id": site, "timestamp": stamp, "energy_generated_kwh": minute % 7, "energy_consumed_kwh": 1.5}
            )
    text = encode(f"f.{kind}", records)

    typed = validation._all_valid(text, Format(kind))  # type: ignore[arg-type]
    one_by_one = validate_file(parse_records(text, Format(kind)))  # type: ignore[arg-type]

    assert typed is not None  # every record is valid: the typed path takes the file
    assert list(typed.valid) == list(one_by_one.valid)
    assert typed.counts == one_by_one.counts
    assert_grouped_in_time_order([(r.site_id, r.timestamp) for r in typed.valid])
    assert list(Readings.from_bytes(dump_chunk(typed.valid))[0]) == list(one_by_one.valid)  # through a chunk, too


# --- each fast kernel agrees with the plain version beside it --------------------------------------------

number_cells = st.one_of(
    st.sampled_from(["", "0", "-0", "1.5", "+.5", "1e-200", "1e-130", "1e400", "1e9", "1000000000.0000001",
                     "nan", "-inf", "1,5", " 1", "1_000", "٣"]),
    st.from_regex(NUMBER_TEXT, fullmatch=True),
    st.text(max_size=4),
)
csv_rows = st.fixed_dictionaries(
    {
        "site_id": st.sampled_from(["s1", "s-2", "", "a b", "x" * 129]),
        "timestamp": st.sampled_from(["2025-02-19T21:46:30Z", "2025-02-19 21:46", "2025-02-30T00:00:00", "x"]),
        "energy_generated_kwh": number_cells,
        "energy_consumed_kwh": number_cells,
    },
    optional={"cumulative_kwh": number_cells},
)
json_records = st.one_of(
    messy_readings,
    st.builds(lambda record, value: {**record, "energy_generated_kwh": value}, good_readings,
              st.sampled_from([-0.0, 1e-200, -1e-131, SMALLEST, MAXIMUM, MINIMUM, 1e9 + 1, 10**400, True])),
)


@FAST
@given(st.lists(json_records, max_size=10))
def test_given_any_json_records_when_read_one_by_one_then_the_reader_gives_what_the_plain_reading_gives(
    records: list[Any],
) -> None:
    read = make_reader(cells_are_text=False)  # one reader for the file: its memo carries over

    assert [read(record) for record in records] == [plain_reading(record, False) for record in records]


@FAST
@given(st.lists(csv_rows, max_size=10))
def test_given_any_csv_rows_when_read_one_by_one_then_the_reader_gives_what_the_plain_reading_gives(
    rows: list[dict[str, str]],
) -> None:
    read = make_reader(cells_are_text=True)

    assert [read(row) for row in rows] == [plain_reading(row, True) for row in rows]


stored_numbers = st.one_of(
    st.floats(MINIMUM, MAXIMUM),
    st.sampled_from([0.0, -0.0, SMALLEST, -SMALLEST, 1e-131, -1e-200, 5e-324, MINIMUM, MAXIMUM]),
)


@FAST
@given(st.lists(stored_numbers, min_size=1, max_size=12))
def test_given_any_column_in_range_when_checked_a_column_at_a_time_then_it_is_what_each_number_gives(
    column: list[float],
) -> None:
    fast, plain = typed_rows._typed_numbers(list(column)), typed_rows.plain_numbers(column)

    assert (fast is None) == (plain is None)
    if fast is not None and plain is not None:
        assert list(map(repr, fast)) == list(map(repr, plain))  # -0.0 is stored as 0.0


@FAST
@given(st.lists(st.booleans(), max_size=40))
def test_given_any_flags_when_their_indices_are_found_then_they_are_the_plain_ones(flags: list[bool]) -> None:
    assert where(flags) == where(bytes(flags)) == plain_where(flags)


@FAST
@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=60))
def test_given_any_site_column_when_split_into_blocks_then_they_are_the_plain_ones(sites: list[str]) -> None:
    plain = plain_blocks_of(sites)
    one_block_per_site = len({block.site_id for block in plain}) == len(plain)

    assert blocks_of(sites) == plain
    expected = plain if one_block_per_site and len(plain) - 1 <= len(sites) // 16 else None
    assert typed_rows._blocks_of(sites) == expected  # the typed rows take blocks only for few changes


@FAST
@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(1, 40)), max_size=12),
    st.integers(0, 14),
)
def test_given_any_runs_of_site_ids_when_their_long_blocks_are_found_then_they_are_the_plain_ones(
    runs: list[tuple[str, int]], most: int
) -> None:
    sites = [site for site, length in runs for _ in range(length)]  # runs of any length, ids coming back
    plain = plain_blocks_of(sites)

    assert long_blocks_of(sites, most) == (plain if len(plain) <= most else None)


# Texts near the usual shape: to the second in UTC (with T or a space), a day or hour that does not
# exist, other offsets and fractions, a line break inside or at the end, and anything else.
timestamp_texts = st.one_of(
    st.builds(
        "{:04d}-{:02d}-{:02d}{}{:02d}:{:02d}:{:02d}{}".format,
        st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.sampled_from("T t"),
        st.integers(0, 25), st.integers(0, 60), st.integers(0, 60),
        st.sampled_from(["Z", "z", "+00:00", ".5Z", "Z\n", "\nZ", "", "-01:30"]),
    ),
    st.text(alphabet="0123456789-:TZ .\n+", max_size=22),
)


# Texts to the second in UTC, as most files write them (a few days do not exist: Feb 30, Apr 31).
utc_seconds_texts = st.builds(
    "{:04d}-{:02d}-{:02d}{}{:02d}:{:02d}:{:02d}Z".format,
    st.integers(1, 9999), st.integers(1, 12), st.integers(1, 31), st.sampled_from("T "),
    st.integers(0, 23), st.integers(0, 59), st.integers(0, 59),
)


@FAST
@given(st.one_of(st.sets(timestamp_texts, max_size=8), st.sets(utc_seconds_texts, min_size=1, max_size=8)),
       st.sets(timestamp_texts, max_size=1))
def test_given_any_timestamp_texts_when_made_canonical_together_then_each_is_what_it_gives_alone(
    texts: set[str], odd_one: set[str]
) -> None:
    texts |= odd_one
    alone = {text: canonical_timestamp(text) for text in texts}
    expected = None if None in alone.values() else alone

    assert canonical_timestamps(texts) == expected


def test_given_texts_of_other_lengths_that_add_up_when_made_canonical_together_then_each_is_its_own() -> None:
    # 17 + 23 characters: as long together as two texts to the second, each ending with Z
    texts = {"2025-02-19T21:46Z", "2025-02-19T21:46:30.25Z"}

    assert canonical_timestamps(texts) == {text: canonical_timestamp(text) for text in texts}


grid = [f"2025-02-19T{hour:02d}:00:00.000000Z" for hour in range(6)]


@FAST
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(grid)), min_size=1, max_size=30),
       st.booleans())
def test_given_any_timestamps_by_block_when_written_once_each_then_they_expand_back_and_rise_as_plainly(
    rows: list[tuple[str, str]], written_otherwise: bool
) -> None:
    sites, stamps = [site for site, _ in rows], [stamp for _, stamp in rows]
    blocks = plain_blocks_of(sites)
    # the texts as a file may write them (one text per instant), with their canonical forms
    texts = [stamp.replace(".000000Z", "+00:00") for stamp in stamps] if written_otherwise else stamps
    canonical = dict(zip(texts, stamps, strict=True)) if written_otherwise else None

    table = TimestampTable.of(texts, blocks, canonical)

    assert table.expand(blocks) == stamps
    assert table.rising() == plain_rising(stamps, blocks)


@FAST
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(grid), st.floats(-1, 1)), max_size=20),
       st.booleans())
def test_given_any_columns_when_read_as_readings_then_each_is_the_plain_canonical_reading(
    rows: list[tuple[str, str, float]], with_register: bool
) -> None:
    columns = [list(column) for column in zip(*rows, strict=True)] or [[], [], []]
    register = [value * 2 for value in columns[2]] if with_register else None
    readings = Readings(columns[0], columns[1], columns[2], columns[2], register)

    plain = readings.plain_rows()

    assert list(readings) == plain
    assert [readings[index] for index in range(len(readings))] == plain
    assert all(type(reading) is CanonicalReading for reading in readings)


@FAST
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(grid[:3]), st.sampled_from([1.0, 2.0])),
                max_size=25))
def test_given_any_readings_with_repeats_when_deduplicated_then_the_result_is_the_plain_one(
    rows: list[tuple[str, str, float]],
) -> None:
    readings = [CanonicalReading(site, stamp, value, 0.5) for site, stamp, value in rows]
    positions = list(range(len(readings)))

    fast, plain = dedupe(readings, positions), plain_dedupe(readings, positions)

    assert fast.readings == plain.readings
    assert fast.duplicates == plain.duplicates
    assert sorted(fast.conflicts) == sorted(plain.conflicts)
