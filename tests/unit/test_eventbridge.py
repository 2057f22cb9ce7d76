"""The local S3 -> EventBridge hop: the template's own rule pattern decides which uploads start executions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from energy_pipeline.local.events import matches, object_created_event
from energy_pipeline.local.stack import stack_outputs
from energy_pipeline.local.template import Resolver, load_template

EVENT = json.loads((Path(__file__).resolve().parents[2] / "events" / "s3-object-created.json").read_text())


def template_pattern() -> dict:
    template = load_template()
    resolver = Resolver(template, "energy-pipeline-local")
    bucket = stack_outputs()["RawDataBucketName"]
    resolver.refs["RawDataBucket"] = bucket
    rule = template["Resources"]["PipelineStateMachine"]["Properties"]["Events"]["FileUploaded"]
    return resolver.resolve(rule["Properties"]["Pattern"])


def event_for(key: str, bucket: str | None = None) -> dict:
    bucket = bucket or stack_outputs()["RawDataBucketName"]
    return object_created_event(bucket, key, 10, '"abc"', version_id=None, account="123456789012",
                                region="us-east-1")


@pytest.mark.parametrize("key", ["incoming/a.json", "incoming/sub/dir/b.csv.gz", "incoming/with space+plus%25:colon é (copy).json"])
def test_uploads_under_the_input_prefix_match_the_rule(key: str) -> None:
    assert matches(template_pattern(), event_for(key))


@pytest.mark.parametrize("key", ["rejected/incoming/a.json.jsonl", "quarantine/incoming/a.json", "staging/x/valid/00000.jsonl", "a.json"])
def test_the_pipelines_own_objects_never_start_it_again(key: str) -> None:
    assert not matches(template_pattern(), event_for(key))


def test_an_upload_to_another_bucket_does_not_match() -> None:
    assert not matches(template_pattern(), event_for("incoming/a.json", bucket="someone-else"))


def test_the_sample_event_in_events_has_the_shape_the_rule_matches() -> None:
    assert matches(template_pattern(), EVENT)


def test_pattern_operators() -> None:
    event = {"detail": {"size": 10, "key": "a/b.json"}}
    assert matches({"detail": {"size": [{"numeric": [">", 5, "<=", 10]}]}}, event)
    assert not matches({"detail": {"size": [{"numeric": [">", 10]}]}}, event)
    assert matches({"detail": {"key": [{"suffix": ".json"}]}}, event)
    assert matches({"detail": {"key": [{"anything-but": ["x"]}]}}, event)
    assert matches({"detail": {"missing": [{"exists": False}]}}, event)
    assert not matches({"detail": {"missing": [{"exists": True}]}}, event)
    assert matches({"detail": {"key": [{"wildcard": "a/*.json"}]}}, event)
    assert event["detail"]["key"] == "a/b.json"
