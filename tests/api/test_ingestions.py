"""GET /ingestions and `energy-pipeline ingestions`: the ingestion ledger, newest first, paginated, filtered.

Ledger items are written here in the shape statemachine/pipeline.asl.json writes them ("Claim file",
"Record ingestion", "Record failure"), with both time formats Step Functions produces: `...54.123Z` on
AWS and `...54.123456+00:00` on the local engine.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest
import schemathesis
from api_data import error_of, walk
from conftest import ROOT, load_template
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from energy_pipeline.api.http_bridge import wsgi_app
from query_api import ingestions as ledger
from query_api import models

ARN = "arn:aws:states:us-east-1:123456789012:execution:pipeline:"


class Ledger:
    """Writes ledger items straight into the catalog table, as the workflow's updateItem states would."""

    def __init__(self, table_name: str) -> None:
        self.table = boto3.resource("dynamodb").Table(table_name)

    def put(self, key: str, status: str, updated_at: str, **extra: Any) -> None:
        item = {"pk": "INGESTION", "sk": key, "ledger": "INGESTION", "status": status,
                "updated_at": updated_at} | extra  # fmt: skip
        self.table.put_item(Item=item)

    def succeeded(self, key: str, updated_at: str, rejects: str = "None") -> None:
        self.put(key, "SUCCEEDED", updated_at, etag="e1", size=Decimal(120), bucket="raw", execution=ARN + key,
                 started_at=updated_at, finished_at=updated_at, received=Decimal(10), stored=Decimal(8),
                 rejected=Decimal(1), duplicates=Decimal(1), anomalies=Decimal(2), rejects_location=rejects)  # fmt: skip

    def failed(self, key: str, updated_at: str) -> None:
        self.put(key, "FAILED", updated_at, execution=ARN + key, finished_at=updated_at, error="InvalidFile",
                 reason=f"{key}: the file is not valid JSON", quarantine_location=f"s3://raw/quarantine/{key}")  # fmt: skip


@pytest.fixture
def book(aws_env: dict[str, str]) -> Ledger:
    return Ledger(aws_env["CATALOG_TABLE"])






# --- the route's answers ------------------------------------------------------------------------------


def test_given_a_succeeded_and_a_failed_file_when_listing_then_each_has_its_fields_in_canonical_utc(
    api, book
):
    book.succeeded("incoming/a.json", "2026-11-29T20:31:54.123Z", rejects="s3://raw/rejected/a.jsonl")
    book.failed("incoming/b.json", "2026-11-29T20:31:55.5+00:00")

    answer = api.json("/ingestions")

    assert answer["next_token"] is None
    assert answer["items"] == [
        {
            "key": "incoming/b.json", "status": "FAILED", "execution": ARN + "incoming/b.json",
            "finished_at": "2026-11-29T20:31:55.500000Z", "updated_at": "2026-11-29T20:31:55.500000Z",
            "error": "InvalidFile", "reason": "incoming/b.json: the file is not valid JSON",
            "quarantine_location": "s3://raw/quarantine/incoming/b.json",
        },
        {
            "key": "incoming/a.json", "status": "SUCCEEDED", "etag": "e1", "size": 120,
            "execution": ARN + "incoming/a.json", "started_at": "2026-11-29T20:31:54.123000Z",
            "finished_at": "2026-11-29T20:31:54.123000Z", "updated_at": "2026-11-29T20:31:54.123000Z",
            "received": 10, "stored": 8, "rejected": 1, "duplicates": 1, "anomalies": 2,
            "rejects_location": "s3://raw/rejected/a.jsonl",
        },
    ]  # fmt: skip
    models.IngestionPage.model_validate(answer)


def test_given_no_rejects_when_listed_then_the_text_none_written_by_step_functions_is_left_out(api, book):
    book.succeeded("incoming/clean.json", "2026-11-29T20:31:54.123Z")

    [item] = api.json("/ingestions")["items"]

    assert "rejects_location" not in item and item["stored"] == 8


def test_given_a_file_still_processing_when_listed_then_counts_and_finish_are_absent(api, book):
    book.put("incoming/busy.json", "PROCESSING", "2026-11-29T20:31:54.123456+00:00", etag="e", size=Decimal(5),
             execution=ARN + "busy", started_at="2026-11-29T20:31:54.123456+00:00")  # fmt: skip

    [item] = api.json("/ingestions")["items"]

    assert set(item) == {"key", "status", "etag", "size", "execution", "started_at", "updated_at"}


def test_given_an_empty_ledger_and_known_sites_when_listing_then_no_site_item_appears(api, store):
    store.site("s1", None, None)
    assert api.json("/ingestions") == {"items": [], "next_token": None}


def test_given_both_time_formats_in_one_second_when_listing_then_the_order_is_by_instant(api, book):
    # As text, "54Z" sorts after "54.5Z" and "54.25Z" after "54.5Z"; as instants they are the oldest.
    for key, stamp in [("a", "2026-11-29T20:31:54Z"), ("b", "2026-11-29T20:31:54.25Z"),
                       ("c", "2026-11-29T20:31:54.5Z"), ("d", "2026-11-29T20:31:54.300000+00:00"),
                       ("e", "2026-11-29T20:31:53.999Z"), ("f", "2026-11-29T20:31:55+00:00")]:  # fmt: skip
        book.succeeded(key, stamp)

    for limit in (1, 2, 100):
        items, _ = walk(api, f"/ingestions?limit={limit}")
        assert [item["key"] for item in items] == ["f", "c", "d", "b", "a", "e"], limit


def test_given_a_status_when_filtering_then_only_that_status_is_listed(api, book):
    book.succeeded("ok-1", "2026-01-01T00:00:01.000Z")
    book.failed("bad-1", "2026-01-01T00:00:02.000Z")
    book.put("busy-1", "PROCESSING", "2026-01-01T00:00:03.000Z")
    book.failed("bad-2", "2026-01-01T00:00:04.000Z")

    def keys(status: str) -> list[str]:
        return [item["key"] for item in api.json(f"/ingestions?status={status}")["items"]]

    assert keys("FAILED") == ["bad-2", "bad-1"]
    assert keys("SUCCEEDED") == ["ok-1"]
    assert keys("PROCESSING") == ["busy-1"]


@pytest.mark.parametrize("stamp_format", ["{}.000Z", "{}.000000+00:00", "{}+00:00", "{}Z"])
def test_given_from_and_to_when_listing_then_the_range_is_half_open_on_updated_at(api, book, stamp_format):
    for hour in range(6):
        book.succeeded(f"h{hour}", stamp_format.format(f"2026-01-01T0{hour}:00:00"))

    answer = api.json("/ingestions?from=2026-01-01T01:00:00Z&to=2026-01-01T04:00:00Z")

    assert [item["key"] for item in answer["items"]] == ["h3", "h2", "h1"]


def test_given_ranges_finer_than_a_second_when_listing_then_bounds_are_exact(api, book):
    book.succeeded("early", "2026-01-01T00:00:00.100Z")
    book.succeeded("middle", "2026-01-01T00:00:00.200000+00:00")
    book.succeeded("late", "2026-01-01T00:00:00.300Z")

    def keys(query: str) -> list[str]:
        return [item["key"] for item in api.json(f"/ingestions?{query}")["items"]]

    assert keys("from=2026-01-01T00:00:00.2Z") == ["late", "middle"]
    assert keys("to=2026-01-01T00:00:00.2Z") == ["early"]
    assert keys("from=2026-01-01T00:00:00.15Z&to=2026-01-01T00:00:00.3Z") == ["middle"]
    assert keys("from=2026-01-01T01:00:00%2B01:00&to=2026-01-01T00:00:00.100001Z") == ["early"]


def test_given_an_unreadable_updated_at_when_listing_then_the_item_is_skipped_and_the_rest_answered(
    api, book
):
    book.succeeded("good", "2026-01-01T00:00:00.100Z")
    book.put("odd", "SUCCEEDED", "not a time", started_at="also not a time")

    assert [item["key"] for item in api.json("/ingestions")["items"]] == ["good"]


# --- pagination ---------------------------------------------------------------------------------------


def test_given_a_large_ledger_when_walking_pages_then_each_entry_is_seen_once_newest_first(api, book):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    expected = []
    for index in range(230):
        # Three entries share each second, in both formats, so pages end inside seconds too.
        moment = start + timedelta(seconds=index // 3, milliseconds=(index * 7) % 1000)
        stamp = moment.isoformat() if index % 2 else moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        book.succeeded(f"incoming/file-{index:03d}.json", stamp)
        expected.append((moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), f"incoming/file-{index:03d}.json"))
    expected.sort(reverse=True)

    items, pages = walk(api, "/ingestions?limit=17")

    assert [(item["updated_at"], item["key"]) for item in items] == expected
    assert pages == -(-230 // 17)


def test_given_a_page_exactly_full_when_it_is_the_last_then_no_token_is_given(api, book):
    for index in range(10):
        book.succeeded(f"f{index}", f"2026-01-01T00:00:0{index}.000Z")
    assert api.json("/ingestions?limit=10")["next_token"] is None
    assert api.json("/ingestions?limit=9")["next_token"] is not None


def test_given_a_sparse_status_when_calls_run_out_then_pages_continue_and_see_each_once(
    api, book, monkeypatch
):
    monkeypatch.setattr(ledger, "MAX_CALLS_PER_PAGE", 2)
    failed = []
    for index in range(120):
        stamp = f"2026-01-01T00:{index // 60:02d}:{index % 60:02d}.500Z"
        if index % 25 == 0:
            book.failed(f"bad-{index:03d}", stamp)
            failed.append(f"bad-{index:03d}")
        else:
            book.succeeded(f"ok-{index:03d}", stamp)

    items, pages = walk(api, "/ingestions?status=FAILED&limit=3")

    assert [item["key"] for item in items] == failed[::-1]
    assert pages > 2  # short pages with a token: the call budget ended them, nothing was lost


def test_given_a_range_and_status_when_walking_then_every_page_keeps_both(api, book):
    for index in range(40):
        stamp = f"2026-01-01T00:00:{index:02d}.000000+00:00"
        (book.failed if index % 2 else book.succeeded)(f"k{index:02d}", stamp)

    items, _ = walk(
        api, "/ingestions?status=FAILED&from=2026-01-01T00:00:10Z&to=2026-01-01T00:00:30Z&limit=4"
    )

    assert [item["key"] for item in items] == [f"k{index:02d}" for index in range(29, 10, -2)]


def test_given_any_listing_when_answered_then_only_the_index_is_queried(api, book, monkeypatch):
    import query_api.app as app_module

    book.succeeded("a", "2026-01-01T00:00:00.000Z")
    client = app_module.service().client
    calls: list[dict[str, Any]] = []
    real_query = client.query

    def recording_query(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return real_query(**kwargs)

    def no_scan(**_: Any) -> Any:
        raise AssertionError("GET /ingestions must never Scan")

    monkeypatch.setattr(client, "query", recording_query)
    monkeypatch.setattr(client, "scan", no_scan)
    assert len(api.json("/ingestions?status=SUCCEEDED")["items"]) == 1
    assert calls and all(call["IndexName"] == "IngestionsByTime" for call in calls)


# --- errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "parameter"), [
    ("status=failed", "status"), ("status=DONE", "status"), ("status=", "status"),
    ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=abc", "limit"), ("limit=" + "9" * 500, "limit"),
    ("from=yesterday", "from"), ("from=2026-01-01T00:00:00", "from"), ("to=2026-02-30", "to"),
    ("from=" + "9" * 500, "from"), ("to=%E2%91%A0", "to"),
    ("next_token=abc", "next_token"), ("next_token=%00%01", "next_token"),
])  # fmt: skip
def test_given_a_bad_parameter_when_listing_then_a_400_names_it(api, book, query, parameter):
    error = error_of(api, f"/ingestions?{query}")
    assert error["message"].startswith(f"{parameter}:"), error


def test_given_a_bad_status_when_listing_then_the_message_lists_the_statuses(api):
    message = error_of(api, "/ingestions?status=done")["message"]
    assert all(status in message for status in ("PROCESSING", "SUCCEEDED", "FAILED"))


@pytest.mark.parametrize("query", ["from=2026-01-02&to=2026-01-01", "from=2026-01-01&to=2026-01-01"])
def test_given_an_empty_or_reversed_range_when_listing_then_it_is_a_400(api, query):
    assert error_of(api, f"/ingestions?{query}")["code"] == "invalid_range"


def test_given_a_tampered_token_when_listing_then_it_is_a_400(api, book):
    for index in range(5):
        book.succeeded(f"f{index}", f"2026-01-01T00:00:0{index}.000Z")
    token = api.json("/ingestions?limit=2")["next_token"]
    body, signature = token.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]

    for bad in (f"{flipped}.{signature}", f"{body}.{signature[::-1]}", token + "x", token.replace(".", "")):
        assert error_of(api, f"/ingestions?limit=2&next_token={bad}")["code"] == "invalid_next_token"


def test_given_a_token_from_another_query_when_listing_then_it_is_a_400(api, book, store):
    for index in range(5):
        book.failed(f"f{index}", f"2026-01-01T00:00:0{index}.000Z")
        store.site(f"s{index}", None, None)
    token = api.json("/ingestions?limit=2")["next_token"]
    site_token = api.json("/sites?limit=2")["next_token"]

    for target in ("/ingestions?limit=2&status=FAILED", "/ingestions?limit=2&from=2026-01-01",
                   "/ingestions?limit=2&to=2026-02-01", "/sites?limit=2"):  # fmt: skip
        assert error_of(api, f"{target}&next_token={token}")["code"] == "invalid_next_token"
    assert error_of(api, f"/ingestions?next_token={site_token}")["code"] == "invalid_next_token"


def test_given_a_signed_cursor_of_an_unknown_shape_when_listing_then_it_is_a_400(api):
    import query_api.app as app_module
    from query_api.page_tokens import fingerprint
    from query_api.timeparams import MAX_INSTANT, MIN_INSTANT, canonical

    query = fingerprint("ingestions", "", canonical(MIN_INSTANT), canonical(MAX_INSTANT))
    forged = app_module.service().tokens.encode(query, "not a cursor")
    assert error_of(api, f"/ingestions?next_token={forged}")["code"] == "invalid_next_token"


def test_given_dynamodb_throttles_when_listing_then_the_answer_is_a_503(api, monkeypatch):
    from botocore.exceptions import ClientError

    import query_api.app as app_module

    def throttled(**_: Any) -> Any:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "Query")

    monkeypatch.setattr(app_module.service().client, "query", throttled)
    answer = api.get("/ingestions")
    assert answer.status == 503 and ("Retry-After", "2") in answer.headers


# --- contract: openapi.json, sample events, template --------------------------------------------------


@pytest.fixture
def ledger_schema(api, book):
    for index in range(30):
        stamp = f"2026-01-01T00:00:{index:02d}" + (".250Z" if index % 2 else ".250000+00:00")
        (book.failed if index % 5 == 0 else book.succeeded)(f"incoming/f-{index}.json", stamp)
    book.put("incoming/busy.json", "PROCESSING", "2026-01-01T00:01:00.000Z")
    schema = schemathesis.openapi.from_path(ROOT / "openapi.json")
    schema.app = wsgi_app(api.handler)
    return schema


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_given_generated_requests_when_listing_ingestions_then_no_5xx_and_answers_conform(
    ledger_schema, mode
):
    operation = ledger_schema["/ingestions"]["GET"]

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def answers_conform(case):
        # from/to are strings in the schema, but "yesterday" is rightly a 400: that check does not apply.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    answers_conform()


@pytest.mark.parametrize("name", ["ingestions", "ingestions-failed"])
def test_given_a_sample_event_when_invoked_then_it_lists_the_ledger(api, book, name):
    from energy_pipeline.api.http_bridge import LocalContext, event_response

    book.succeeded("incoming/ok.json", "2026-01-01T00:00:00.000Z")
    book.failed("incoming/bad.json", "2026-01-01T00:00:01.000Z")
    event = json.loads((ROOT / "events" / "api" / f"{name}.json").read_text())

    answer = event_response(api.handler(event, LocalContext()))

    assert answer.status == 200, answer.body
    statuses = {item["status"] for item in json.loads(answer.body)["items"]}
    assert statuses == ({"FAILED"} if name == "ingestions-failed" else {"SUCCEEDED", "FAILED"})


def test_given_the_template_when_read_then_the_route_is_deployed_and_the_index_is_readable_without_scan():
    resources = load_template()["Resources"]
    paths = resources["QueryApi"]["Properties"]["DefinitionBody"]["paths"]
    [statement] = resources["QueryApiFunction"]["Properties"]["Policies"][0]["Statement"]

    assert "get" in paths["/ingestions"]
    assert sorted(statement["Action"]) == ["dynamodb:GetItem", "dynamodb:Query"]
    assert "${CatalogTable.Arn}/index/*" in statement["Resource"]
    [index] = resources["CatalogTable"]["Properties"]["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "IngestionsByTime"
    assert [key["AttributeName"] for key in index["KeySchema"]] == ["ledger", "updated_at"]


# --- energy-pipeline ingestions -----------------------------------------------------------------------


class FakeSource:
    """A viz DataSource stand-in: answers /ingestions from a list and records the queries it got."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.queries: list[dict[str, str]] = []

    def _walk(self, path: str, query: dict[str, str]) -> Any:
        assert path == "/ingestions"
        self.queries.append(query)
        yield from self.items


SAMPLE: list[dict[str, Any]] = [
    {"key": "incoming/bad.json", "status": "FAILED", "updated_at": "2026-11-29T20:31:55.500000Z",
     "error": "InvalidFile", "reason": "incoming/bad.json: the file is not valid JSON: " + "x" * 200},
    {"key": "incoming/ok.json", "status": "SUCCEEDED", "updated_at": "2026-11-29T20:31:54.123000Z",
     "received": 10, "stored": 8, "rejected": 1, "duplicates": 1, "anomalies": 2},
    {"key": "incoming/busy.json", "status": "PROCESSING", "updated_at": "2026-11-29T20:31:50.000000Z"},
]  # fmt: skip


def test_given_ledger_entries_when_printed_then_the_table_shows_counts_times_and_short_reasons():
    from energy_pipeline.commands_ingestions import table

    text = table(SAMPLE)
    lines = text.splitlines()

    assert lines[0].split() == ["key", "status", "stored/rejected", "anomalies", "updated", "(UTC)", "reason"]
    assert "incoming/ok.json" in lines[3] and "8/1" in lines[3] and "2026-11-29 20:31:54" in lines[3]
    assert "InvalidFile: incoming/bad.json: the file is not valid JSON" in lines[2]
    assert max(len(line) for line in lines) < 160 and "…" in lines[2]
    assert lines[4].split()[:2] == ["incoming/busy.json", "PROCESSING"] and " - " in lines[4]
    assert lines[-1] == "3 files: 1 SUCCEEDED, 1 FAILED, 1 PROCESSING"


def test_given_an_empty_ledger_when_printed_then_it_says_so():
    from energy_pipeline.commands_ingestions import table

    assert table([]) == "no ingestions match"


def test_given_options_when_listing_then_they_become_the_query_and_json_prints_the_items(capsys):
    from energy_pipeline.cli import build_parser
    from energy_pipeline.commands_ingestions import run_ingestions

    argv = ["ingestions", "--status", "FAILED", "--from", "2026-11-29", "--to", "2026-11-30", "--json", "--api", "x"]  # fmt: skip
    args = build_parser().parse_args(argv)
    source = FakeSource(SAMPLE)

    assert run_ingestions(args, source) == 0
    assert source.queries == [{"status": "FAILED", "from": "2026-11-29", "to": "2026-11-30", "limit": "1000"}]
    assert json.loads(capsys.readouterr().out) == SAMPLE


def test_given_a_bad_status_when_parsing_then_the_command_refuses_it(capsys):
    from energy_pipeline.cli import main

    assert main(["ingestions", "--status", "failed", "--api", "x"]) == 2


def test_given_an_api_error_when_listing_then_it_is_printed_and_the_exit_code_is_1(capsys):
    from energy_pipeline.cli import build_parser
    from energy_pipeline.commands_ingestions import run_ingestions
    from viz.source import SourceError

    class Failing(FakeSource):
        def _walk(self, path: str, query: dict[str, str]) -> Any:
            raise SourceError(400, "GET /ingestions: invalid_parameter: from: not a time")
            yield  # pragma: no cover - makes this a generator like the real one

    args = build_parser().parse_args(["ingestions", "--from", "soon", "--api", "x"])
    assert run_ingestions(args, Failing([])) == 1
    assert "from: not a time" in capsys.readouterr().err


def test_given_no_source_option_when_listing_then_the_command_says_which_to_give(capsys):
    from energy_pipeline.cli import main

    assert main(["ingestions"]) == 2
    assert "--endpoint-url" in capsys.readouterr().err


def test_given_files_run_on_the_local_stack_when_listing_then_the_real_handler_answers_the_ledger(
    local, tmp_path, monkeypatch, capsys
):
    from energy_pipeline.api.in_process import invoker, query_function_spec, query_handler
    from energy_pipeline.cli import build_parser
    from energy_pipeline.commands_ingestions import run_ingestions
    from tests.workflow.helpers import run, write
    from viz.source import HandlerSource

    good = write(tmp_path, "good.json", [{"site_id": "site-l", "timestamp": "2025-03-01T00:00:00Z",
                                          "energy_generated_kwh": 1.0, "energy_consumed_kwh": 0.5}])  # fmt: skip
    broken = write(tmp_path, "broken.json", '[{"site_id": "site-l", "timest')
    assert [row["status"] for row in run(local, good, broken)] == ["SUCCEEDED", "FAILED"]
    spec = query_function_spec(local.engine.stack.functions)
    for name, value in spec.environment.items():
        monkeypatch.setenv(name, value)  # query_handler sets them for good; this test puts them back
    handler = query_handler(spec, None)
    monkeypatch.setattr(sys.modules[handler.__module__], "_service", None)  # a handler cached by another test
    source = HandlerSource(invoker(handler))

    assert run_ingestions(build_parser().parse_args(["ingestions", "--api", "x"]), source) == 0
    text = capsys.readouterr().out
    failed = run_ingestions(build_parser().parse_args(["ingestions", "--status", "FAILED", "--json", "--api", "x"]),
                            source)  # fmt: skip

    [entry] = json.loads(capsys.readouterr().out)
    assert (
        failed == 0
        and entry["key"].endswith("broken.json")
        and entry["quarantine_location"].startswith("s3://")
    )
    assert "good.json" in text and "1/0" in text and "broken.json" in text and "not valid JSON" in text
    assert text.splitlines()[-1] == "2 files: 1 SUCCEEDED, 1 FAILED"
