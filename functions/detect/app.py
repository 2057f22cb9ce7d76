"""Detect anomalies: each site's readings against the rules and its stored history; one digest per file."""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

import boto3

from detect.annotate import annotate, anomaly_row, now_epoch, to_points
from energy_aws import locations, objects
from energy_aws.chunks import annotated_chunk
from energy_aws.contracts import AnnotatedChunk, DetectInput, DetectResult, Digest
from energy_aws.history import load_history
from energy_aws.items import dump_json_lines
from energy_aws.observability import metrics
from energy_aws.settings import require_env
from energy_aws.step import pipeline_step
from energy_core.alerts import build_digest, console_url
from energy_core.detect import Anomaly, detect_site, load_config
from energy_core.detect.inputs import series_by_site
from energy_core.readings import Readings

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


def detect_all(chunks: list[Readings]) -> list[Anomaly]:
    """Anomalies of every site, each site judged with its stored history."""
    anomalies: list[Anomaly] = []
    now = now_epoch()
    by_site = iter(series_by_site(chunks).items())
    with ThreadPoolExecutor(HISTORY_READERS) as readers:
        while batch := list(islice(by_site, SITES_PER_BATCH)):
            histories = readers.map(lambda site: _history(*site), batch)
            for (_, series), history in zip(batch, histories, strict=True):
                anomalies.extend(detect_site(series, history, CONFIG, now))
    return anomalies


def _history(site_id: str, series: Any) -> Any:
    """The site's stored readings of the HISTORY_DAYS before the file's first one."""
    return to_points(load_history(dynamodb, READINGS_TABLE, site_id, series.timestamps[0], HISTORY_DAYS))


def load_chunks(keys: list[str]) -> tuple[list[bytes], list[Readings]]:
    """Each Validate chunk as it is (annotated for Store) and its readings (for the detectors)."""
    bodies = [objects.read_bytes(s3, BUCKET, key) for key in keys]
    return bodies, [Readings.from_bytes(body)[0] for body in bodies]


def write_outputs(execution: str, bodies: list[bytes], chunks: list[Readings],
                  anomalies: list[Anomaly]) -> tuple[list[AnnotatedChunk], str | None]:
    """Each chunk with the anomalies its readings carry, for Store; the anomalies as JSON Lines."""
    carried = annotate(chunks, anomalies)
    outputs = []
    for index, (body, placement) in enumerate(zip(bodies, carried, strict=True)):
        key = locations.staging_key(execution, "annotated", index)
        objects.write_bytes(s3, BUCKET, key, annotated_chunk(body, placement))
        outputs.append(AnnotatedChunk(items=key))
    if not anomalies:
        return outputs, None
    key = locations.staging_object(execution, "anomalies.jsonl")
    objects.write_bytes(s3, BUCKET, key, dump_json_lines([anomaly_row(a) for a in anomalies]))
    return outputs, locations.s3_uri(BUCKET, key)


@pipeline_step("Detect")
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = DetectInput.from_payload(event)
    execution = step.execution
    bodies, chunks = load_chunks(step.chunks)
    anomalies = detect_all(chunks)
    outputs, location = write_outputs(execution, bodies, chunks, anomalies)
    # Anomalies are events (a run of anomalous readings is one): counted as events and as readings.
    by_type = dict(sorted(Counter(anomaly.type for anomaly in anomalies).items()))
    for kind, count in by_type.items():
        metrics.add_metric(name=f"Anomalies_{kind}", unit="Count", value=count)
    digest = None
    if anomalies:
        region = execution.split(":")[3] if execution.count(":") >= 3 else "us-east-1"
        built = build_digest(step.file.key, anomalies, execution, console_url(region, execution))
        digest = Digest(built.subject, built.message, built.attributes)
    return DetectResult(
        total=len(anomalies), by_type=by_type, readings=sum(anomaly.readings for anomaly in anomalies),
        chunks=outputs, anomalies_location=location, digest=digest,
    ).to_payload()
