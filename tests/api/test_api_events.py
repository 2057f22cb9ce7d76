"""The sample events in events/api (for `sam local invoke QueryApiFunction -e ...`) run through the handler."""

from __future__ import annotations

import json

import pytest
from api_data import hours
from conftest import ROOT

from energy_pipeline.api.http_bridge import LocalContext, event_response

EVENTS = sorted((ROOT / "events" / "api").glob("*.json"))
EXPECTED = {"bad-limit": 400, "unknown-site": 404, "encoded-dotdot": 404}


@pytest.mark.parametrize("path", EVENTS, ids=lambda path: path.stem)
def test_given_a_sample_event_when_invoked_then_the_documented_status_is_answered(api, store, path):
    store.series("site-001", "2025-02-19T00:00:00Z", 48, hours(1), anomalies_every=5)

    answer = event_response(api.handler(json.loads(path.read_text()), LocalContext()))

    assert answer.status == EXPECTED.get(path.stem, 200), answer.body
    assert json.loads(answer.body)
