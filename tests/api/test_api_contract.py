"""openapi.json is generated from the code and answers conform to it."""

from __future__ import annotations

from decimal import Decimal

from api_data import hours, ts
from conftest import ROOT

from energy_pipeline.api.openapi import render
from query_api import models


def test_given_the_routes_when_the_spec_is_generated_then_it_equals_the_committed_openapi_json():
    committed = (ROOT / "openapi.json").read_text()
    assert render() == committed, (
        "openapi.json is stale: run `make openapi`"
    )


def test_given_seeded_data_when_each_route_answers_then_the_body_validates_against_its_model(api, store):
    store.series("s1", "2025-01-01T00:00:00Z", 30, hours(1), anomalies_every=4)
    store.reading(
        "s1",
        ts("2025-01-03T00:00:00Z"),
        "1.5",
        "0.5",
        cumulative_kwh=Decimal("7"),
        anomalies=[{"type": "spike", "severity": "low", "reason": "r"}],
    )

    models.SiteList.model_validate(api.json("/sites"))
    models.ReadingPage.model_validate(api.json("/sites/s1/readings?limit=40"))
    models.AnomalyPage.model_validate(api.json("/sites/s1/anomalies"))
    models.Summary.model_validate(api.json("/sites/s1/summary?resolution=hour&to=2025-01-03T01:00:00Z"))
    models.ErrorBody.model_validate(api.json("/sites/s1/readings?limit=0", status=400))
