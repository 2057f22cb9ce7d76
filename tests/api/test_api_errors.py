"""Every caller mistake is a 4xx with {"error": {"code", "message"}} naming the parameter; never a 5xx."""

from __future__ import annotations

import json

import pytest
from api_data import error_of, hours


@pytest.fixture
def site(store):
    store.series("s1", "2025-01-01T00:00:00Z", 5, hours(1))
    return "s1"


def test_given_an_unknown_site_when_asking_any_site_route_then_the_answer_is_404(api, site):
    for route in ("readings", "anomalies", "summary"):
        error = error_of(api, f"/sites/nowhere/{route}", 404)
        assert error["code"] == "site_not_found" and "nowhere" in error["message"]


def test_given_an_unknown_route_when_called_then_the_answer_is_404_listing_the_routes(api):
    assert "GET /sites" in error_of(api, "/nothing/here", 404)["message"]


@pytest.mark.parametrize(("query", "parameter"), [
    ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=abc", "limit"), ("limit=99999999999999999999999", "limit"),
    ("order=sideways", "order"), ("from=yesterday", "from"), ("to=2025-13-01T00:00:00Z", "to"),
    ("from=2025-01-01T00:00:00", "from"), ("from=", "from"), ("to=2025-02-30", "to"),
    ("from=%E2%91%A0%E2%91%A0%E2%91%A0", "from"),
    ("from=" + "9" * 500, "from"), ("next_token=abc", "next_token"), ("next_token=%00%01", "next_token"),
])  # fmt: skip
def test_given_a_bad_readings_parameter_when_asked_then_a_400_names_it(api, site, query, parameter):
    error = error_of(api, f"/sites/s1/readings?{query}")
    assert error["message"].startswith(f"{parameter}:"), error


@pytest.mark.parametrize(("query", "code"), [
    ("from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z", "invalid_range"),
    ("from=2025-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", "invalid_range"),
])  # fmt: skip
def test_given_an_empty_or_reversed_range_when_asked_then_it_is_a_400(api, site, query, code):
    assert error_of(api, f"/sites/s1/readings?{query}")["code"] == code


def test_given_an_unknown_anomaly_type_when_filtering_then_a_400_lists_the_types(api, site):
    error = error_of(api, "/sites/s1/anomalies?type=earthquake")
    assert error["message"].startswith("type:") and "counter_reset" in error["message"]


@pytest.mark.parametrize(("query", "limit"), [
    ("resolution=hour&from=2025-01-01T00:00:00Z&to=2025-02-02T00:00:00Z", "31 days"),
    ("resolution=day&from=2024-01-01T00:00:00Z&to=2025-01-02T00:00:00Z", "366 days"),
    ("resolution=month&from=2015-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", "5 years"),
])  # fmt: skip
def test_given_a_range_too_large_for_the_resolution_when_summarising_then_the_400_says_the_limit(
    api, site, query, limit
):
    error = error_of(api, f"/sites/s1/summary?{query}")
    assert error["code"] == "range_too_large" and limit in error["message"]


def test_given_more_readings_than_a_summary_reads_then_the_400_says_where_to_split(api, store, monkeypatch):
    import query_api.service as service

    store.series("big", "2025-01-01T00:00:00Z", 12, hours(1))
    monkeypatch.setattr(service, "MAX_SUMMARY_READINGS", 5)
    error = error_of(api, "/sites/big/summary?resolution=hour")
    assert error["code"] == "range_too_large"
    split = "2025-01-01T04:00:00.000000Z"  # the 5th reading: [from, split) holds the first 4
    assert f"to={split}, then from={split} onwards" in error["message"], error["message"]
    first = api.json(f"/sites/big/summary?resolution=hour&to={split.replace('.000000', '')}")
    assert first["totals"]["reading_count"] == 4
    monkeypatch.setattr(service, "MAX_SUMMARY_READINGS", 12)
    assert api.json("/sites/big/summary?resolution=hour")["totals"]["reading_count"] == 12


def test_given_a_summary_past_its_time_budget_then_it_stops_with_a_400_not_a_gateway_timeout(
    api, store, monkeypatch
):
    import query_api.service as service

    store.series("slow", "2025-01-01T00:00:00Z", 3, hours(1))
    monkeypatch.setattr(service, "SUMMARY_BUDGET_S", 0.0)  # every look at the clock finds it spent
    error = error_of(api, "/sites/slow/summary")
    assert error["code"] == "range_too_large" and "narrow from/to" in error["message"]
    assert "29 s" in error["message"]


def test_given_a_bad_resolution_when_summarising_then_a_400_names_it(api, site):
    assert error_of(api, "/sites/s1/summary?resolution=week")["message"].startswith("resolution:")


def test_given_a_site_without_readings_when_summarising_without_a_range_then_a_400_asks_for_one(api, store):
    store.site("empty", None, None)
    assert "from, to" in error_of(api, "/sites/empty/summary")["message"]


def test_given_a_5000_character_site_id_when_asked_then_a_400_names_site_id(api):
    error = error_of(api, "/sites/" + "a" * 5000 + "/readings")
    assert error["message"].startswith("site_id:") and "a" * 200 not in error["message"]


@pytest.mark.parametrize("path", [
    "/sites/%2E%2E/readings", "/sites/%2e%2e%2fsites/readings", "/sites/../readings", "/sites/..%2F..%2Fetc/summary",
    "/sites/%ED%A0%80/readings", "/sites/%FF%FE/anomalies", "/sites/%00/readings", "/sites/a%20b/readings",
    "/sites/%3Cscript%3E/readings", "/sites/' OR '1'='1/readings", "/sites/☃/summary", "/sites/%25/readings",
])  # fmt: skip
def test_given_odd_characters_in_the_site_id_when_asked_then_the_answer_is_a_4xx(api, site, path):
    answer = api.get(path)
    assert answer.status in (400, 404), (answer.status, answer.body)
    assert set(json.loads(answer.body)["error"]) == {"code", "message"}


def test_given_invalid_unicode_in_a_query_value_when_asked_then_the_answer_is_a_400(api, site):
    from energy_pipeline.api.http_bridge import LocalContext, event_response, request_to_event
    from query_api.app import lambda_handler

    event = request_to_event("GET", "/sites/s1/readings")
    event["queryStringParameters"] = {"from": "\udc80\ud800", "next_token": "\udfff"}
    answer = event_response(lambda_handler(event, LocalContext()))
    assert answer.status == 400


def test_given_a_time_just_before_the_calendar_starts_in_utc_when_asked_then_it_means_the_start(api, store):
    # 0001-01-01T00:00:00+01:00 is an hour before year 1 in UTC: the OpenAPI pattern admits it, and the
    # API reads it as the earliest instant rather than refusing a well-formed time.
    store.series("s1", "2025-01-01T00:00:00Z", 3, hours(1))
    assert len(api.json("/sites/s1/readings?from=0001-01-01T00:00:00%2B01:00")["items"]) == 3


def test_given_a_huge_limit_when_asked_then_the_answer_is_a_400(api, site):
    assert error_of(api, "/sites/s1/readings?limit=" + "9" * 5000)["message"].startswith("limit:")


def test_given_a_token_when_it_is_tampered_with_then_the_answer_is_a_400(api, store):
    store.series("s1", "2025-01-01T00:00:00Z", 5, hours(1))
    token = api.json("/sites/s1/readings?limit=2")["next_token"]
    body, signature = token.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]

    for bad in (f"{flipped}.{signature}", f"{body}.{signature[::-1]}", token + "x", token.replace(".", "")):
        assert error_of(api, f"/sites/s1/readings?limit=2&next_token={bad}")["code"] == "invalid_next_token"


def test_given_a_token_from_another_site_route_or_range_when_used_then_the_answer_is_a_400(api, store):
    store.series("s1", "2025-01-01T00:00:00Z", 5, hours(1))
    store.series("s2", "2025-01-01T00:00:00Z", 5, hours(1))
    token = api.json("/sites/s1/readings?limit=2")["next_token"]

    for target in (
        "/sites/s2/readings?limit=2",
        "/sites/s1/anomalies?limit=2",
        "/sites?limit=2",
        "/sites/s1/readings?limit=2&order=desc",
        "/sites/s1/readings?limit=2&from=2025-01-01",
    ):
        error = error_of(api, f"{target}&next_token={token}")
        assert error["code"] == "invalid_next_token" and "another query" in error["message"]


def test_given_a_token_signed_by_another_deployment_when_used_then_the_answer_is_a_400(
    api, store, monkeypatch
):
    store.series("s1", "2025-01-01T00:00:00Z", 5, hours(1))
    token = api.json("/sites/s1/readings?limit=2")["next_token"]
    import query_api.app as app_module

    monkeypatch.setenv("NEXT_TOKEN_KEY", "another-stack")
    monkeypatch.setattr(app_module, "_service", None)
    assert error_of(api, f"/sites/s1/readings?limit=2&next_token={token}")["code"] == "invalid_next_token"


def test_given_dynamodb_throttles_when_asked_then_the_answer_is_a_503_with_retry_after(
    api, site, monkeypatch
):
    from botocore.exceptions import ClientError

    import query_api.app as app_module

    def throttled(**_):
        raise ClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}}, "Query"
        )

    monkeypatch.setattr(app_module.service().client, "get_item", throttled)
    answer = api.get("/sites/s1/readings")
    assert answer.status == 503 and ("Retry-After", "2") in answer.headers
