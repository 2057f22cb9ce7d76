"""Property-based: schemathesis sends requests generated from openapi.json through the real handler.

Each request becomes an API Gateway proxy event (energy_pipeline.api.http_bridge.wsgi_app) against moto tables
holding data. Every schemathesis check runs (ALL_CHECKS, named explicitly), on positive and negative data:
no 5xx, every answer matches the documented status, headers and schema, data outside the schema is
rejected, data inside it is accepted, other methods get a 405 with Allow. openapi.json gives the exact
forms of from/to and next_token, so a syntactic rejection of positive data fails. What no parameter schema
can say - a range that is empty or too wide (invalid_range, range_too_large: they relate two parameters),
a token this API did not sign (invalid_next_token) - is written in the operation's 400 description in
openapi.json, and only a 400 whose code that description names passes on positive data.
"""

from __future__ import annotations

import json
import os
import re

import pytest
import schemathesis
from api_data import hours
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from energy_pipeline.api.http_bridge import wsgi_app


@pytest.fixture
def api_schema(api, store):
    store.series("site-1", "2025-01-01T00:00:00Z", 60, hours(1), anomalies_every=7)
    store.series("A", "2024-12-30T00:00:00Z", 10, hours(5))
    schema = schemathesis.openapi.from_path(ROOT / "openapi.json")
    schema.app = wsgi_app(api.handler)
    return schema


load_all_checks()
ALL_CHECKS = CHECKS.get_all()
PATHS = ["/ingestions", "/sites", "/sites/{site_id}/readings", "/sites/{site_id}/anomalies", "/sites/{site_id}/summary"]


# schemathesis' pytest integration (from_fixture) does not run on pytest 9, so its Hypothesis
# strategies are driven directly; the checks are the same ones `call_and_validate` runs.
# Random site ids are almost always unknown (404); pinning a stored one reaches the data paths too.
CASES = [(path, mode, None) for path in PATHS for mode in GenerationMode] + [
    (path, GenerationMode.POSITIVE, {"site_id": "site-1"}) for path in PATHS if "{site_id}" in path
]


@pytest.mark.parametrize(("path", "mode", "pinned"), CASES)
def test_given_generated_requests_when_the_api_answers_then_no_5xx_and_the_answer_conforms(
    api_schema, path, mode, pinned
):
    operation = api_schema[path]["GET"]
    documented = documented_semantic_400s(path)

    @given(case=operation.as_strategy(mode, path_parameters=pinned))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def answers_conform(case):
        response = case.call(app=api_schema.app)
        if mode is GenerationMode.POSITIVE and _semantic_rejection(response, documented):
            return
        case.validate_response(response, checks=ALL_CHECKS)

    answers_conform()


# `make bench-contract` runs the same test longer (SCHEMATHESIS_EXAMPLES=1000).
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "80"))


def documented_semantic_400s(path: str) -> set[str]:
    """The codes openapi.json's 400 description of GET `path` names as possible on well-formed input."""
    spec = json.loads((ROOT / "openapi.json").read_text())
    description = spec["paths"][path]["get"]["responses"]["400"]["description"]
    _, _, semantic = description.partition("with every parameter of its documented form:")
    return set(re.findall(r"`([a-z_]+)`:", semantic))


def _semantic_rejection(response, documented: set[str]) -> bool:
    if response.status_code != 400:
        return False
    return json.loads(response.content)["error"]["code"] in documented


def test_the_semantic_400s_are_in_the_spec_route_by_route():
    assert documented_semantic_400s("/ingestions") == {"invalid_range", "invalid_next_token"}
    assert documented_semantic_400s("/sites") == {"invalid_next_token"}
    assert documented_semantic_400s("/sites/{site_id}/readings") == {"invalid_range", "invalid_next_token"}
    assert documented_semantic_400s("/sites/{site_id}/summary") == {"invalid_range", "range_too_large"}


def test_positive_data_rejected_for_its_syntax_still_fails_the_check(api_schema):
    """The exemption above is narrow: a syntactic 400 on positive data is still a failure."""
    operation = api_schema["/sites/{site_id}/readings"]["GET"]
    case = operation.Case(path_parameters={"site_id": "site-1"}, query={"from": "2025-02-19T21:46:30Z"})
    response = case.call(app=api_schema.app)
    assert response.status_code == 200
    # No offset: outside the documented form, so its 400 is not exempt (negative data, rejected)...
    rejected = operation.Case(path_parameters={"site_id": "site-1"}, query={"from": "2025-02-19T21:46:30"})
    response = rejected.call(app=api_schema.app)
    assert response.status_code == 400
    assert not _semantic_rejection(response, documented_semantic_400s("/sites/{site_id}/readings"))
    # ...while from > to, which the schema cannot express, is the documented invalid_range.
    empty = operation.Case(path_parameters={"site_id": "site-1"}, query={"from": "2025-02-02", "to": "2025-02-01"})
    assert _semantic_rejection(empty.call(app=api_schema.app), documented_semantic_400s("/sites/{site_id}/readings"))
