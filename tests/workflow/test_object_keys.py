"""Keys with a space, "+", "%" and non-ASCII characters, from an event that carries them as they are
(EventBridge "Object Created") and from one that URL-encodes them (classic S3 notifications)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from energy_pipeline.runner import report, wait
from tests.workflow.helpers import run, stored_readings, write

pytestmark = pytest.mark.workflow

NAMES = ["meter export.json", "a+b.json", "100%25 real.json", "zähler-東京.json"]


def rows(site: str) -> list[dict[str, object]]:
    return [{"site_id": site, "timestamp": f"2025-08-01T00:{m:02d}:00Z", "energy_generated_kwh": 0.5,
             "energy_consumed_kwh": 1.0} for m in (0, 15, 30)]


@pytest.mark.parametrize("name", NAMES)
def test_a_tricky_key_works_from_a_raw_and_from_a_url_encoded_event(local, tmp_path: Path, name: str) -> None:
    site = f"key-{NAMES.index(name)}"
    [raw] = run(local, write(tmp_path, name, rows(site)))  # the local engine raises EventBridge's raw form
    assert raw["status"] == "SUCCEEDED" and raw["stored"] == 3, raw

    event = json.loads(local.engine.clients.stepfunctions.describe_execution(executionArn=raw["execution"])["input"])
    key = event["detail"]["object"]["key"]
    assert key == f"incoming/{name}"
    event["id"] = str(uuid.uuid4())
    event["detail"]["object"]["key"] = quote_plus(key, safe="/")  # how S3 notifications write it
    [arn] = local.engine.router.dispatch(event)
    wait(local.target, arn, 60)

    encoded = report(local.target, name, event["detail"]["object"]["key"], arn)
    assert encoded["status"] == "SUCCEEDED" and encoded["received"] == 3, encoded
    items = stored_readings(local, site)
    assert len(items) == 3
    assert {item["source_key"]["S"] for item in items} == {key}  # the object's real key, never the encoded one
