"""Detect anomalies: each site's readings against the rules and its stored history; one digest per file."""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

import boto3

from detect.annotate import annotate, anomaly_row, digest_fields, now_epoch, to_points
from energy_aws import locations, objects
from energy_aws.contracts import AnnotatedChunk, DetectInput, DetectResult, Digest
from energy_aws.history import load_history
from energy_aws.items import dump_json_lines
from energy_aws.observability import metrics
from energy_aws.settings import require_env
from energy_aws.step import pipeline_step
from energy_core.alerts import build_digest, console_url
from energy_core.detect import Anomaly, detect_site, load_config
from energy_core.detect.inputs import series_by_site
from energy_core.readings import Readings, to_items

BUCKET = require_env("BUCKET_NAME")
READINGS_TABLE = require_env("READINGS_TABLE")
CONFIG = load_config(json.loads((Path(__file__).parents[1] / "config" / "detection.json").read_text()))
HISTORY_DAYS = 28  # enough for a robust time-of-day baseline; bounded so a Query stays small
# Sites' histories are read this many at a time (one client: boto3 clients are thread-safe; each site is
# its own partition key), a batch of SITES_PER_BATCH ahead, so a file of 50,000 sites is not 50,000
# round trips in a row and never holds more than a batch of histories in memory.
HISTORY_READERS = 16
SITES_PER_BATCH = 256
s3 = boto3.client("s3")
dynamodb = boto3.client("dynamodb")


def detect_all(chunks: list[Readings]) -> tuple[list[Anomaly], list[dict[str, Any]]]:
    """Anomalies of every site, and per site the range the file covers (the Catalog step counts)."""
    anomalies: list[Anomaly] = []
    sites = []
    now = now_epoch()
    by_site = iter(series_by_site(chunks).items())
    with ThreadPoolExecutor(HISTORY_READERS) as readers:
        while batch := list(islice(by_site, SITES_PER_BATCH)):
            histories = readers.map(lambda site: _history(*site), batch)
            for (site_id, series), history in zip(batch, histories, strict=True):
                anomalies.extend(detect_site(series, history, CONFIG, now))
                # anomalies_in_file: what the readings carry once annotated (write_outputs counts them)
                first, last = series.timestamps[0], series.timestamps[-1]
                sites.append({"site_id": site_id, "first": first, "last": last,
                              "readings_in_file": len(series), "anomalies_in_file": 0})
    return anomalies, sites


def _history(site_id: str, series: Any) -> Any:
    """The site's stored readings of the HISTORY_DAYS before the file's first one."""
    return to_points(load_history(dynamodb, READINGS_TABLE, site_id, series.timestamps[0], HISTORY_DAYS))


def load_chunks(keys: list[str]) -> tuple[list[Readings], list[list[dict[str, Any]]]]:
    """Each chunk's readings (for the detectors) and its items (annotated for Store)."""
    readings, items = [], []
    for key in keys:
        chunk, extra = Readings.from_bytes(objects.read_bytes(s3, BUCKET, key))
        readings.append(chunk)
        items.append(to_items(chunk, extra["provenance"]))
    return readings, items


def write_outputs(execution: str, chunks: list[list[dict[str, Any]]], anomalies: list[Anomaly],
                  sites: list[dict[str, Any]]) -> tuple[list[AnnotatedChunk], str | None]:
    """Annotated chunks (each reading carrying its anomalies) for Store, sites.json for the catalog."""
    attached = annotate(chunks, anomalies)
    outputs = []
    for index, items in enumerate(chunks):
        items_key = locations.staging_key(execution, "annotated", index)
        objects.write_bytes(s3, BUCKET, items_key, dump_json_lines(items))
        outputs.append(AnnotatedChunk(items=items_key))
    for site in sites:
        # What the readings of this file now carry: the count the catalog adds for the file.
        site["anomalies_in_file"] = attached.get(site["site_id"], 0)
    objects.write_json(s3, BUCKET, locations.staging_object(execution, "sites.json"), sites)
    if not anomalies:
        return outputs, None
    key = locations.staging_object(execution, "anomalies.jsonl")
    objects.write_bytes(s3, BUCKET, key, dump_json_lines([anomaly_row(a) for a in anomalies]))
    return outputs, locations.s3_uri(BUCKET, key)


@pipeline_step("Detect")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = DetectInput.from_payload(event)
    execution = step.execution
    readings, chunks = load_chunks(step.chunks)
    anomalies, sites = detect_all(readings)
    outputs, location = write_outputs(execution, chunks, anomalies, sites)
    # Anomalies are events (a run of anomalous readings is one): counted as events and as readings.
    by_type = dict(sorted(Counter(anomaly.type for anomaly in anomalies).items()))
    for kind, count in by_type.items():
        metrics.add_metric(name=f"Anomalies_{kind}", unit="Count", value=count)
    digest = None
    if anomalies:
        region = execution.split(":")[3] if execution.count(":") >= 3 else "us-east-1"
        digest = Digest(**digest_fields(
            build_digest(step.file.key, anomalies, execution, console_url(region, execution))
        ))
    return DetectResult(
        total=len(anomalies), by_type=by_type, readings=sum(anomaly.readings for anomaly in anomalies),
        chunks=outputs, anomalies_location=location, digest=digest,
    ).to_payload()
