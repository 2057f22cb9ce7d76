"""Detect anomalies: each site's readings against the rules and its stored history; one digest per file."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import boto3

from detect.annotate import annotate, anomaly_row, digest_fields, group_by_site, now_epoch, to_points
from energy_aws import locations, objects
from energy_aws.history import load_history, range_counts
from energy_aws.items import dump_json_lines, json_lines
from energy_aws.observability import metrics
from energy_aws.settings import require_env
from energy_aws.step import pipeline_step
from energy_core.alerts import build_digest, console_url
from energy_core.detect import Anomaly, detect_site, load_config

BUCKET = require_env("BUCKET_NAME")
READINGS_TABLE = require_env("READINGS_TABLE")
CONFIG = load_config(json.loads((Path(__file__).parents[1] / "config" / "detection.json").read_text()))
HISTORY_DAYS = 28  # enough for a robust time-of-day baseline; bounded so a Query stays small
s3 = boto3.client("s3")
dynamodb = boto3.client("dynamodb")


def detect_all(chunks: list[list[dict[str, Any]]]) -> tuple[list[Anomaly], list[dict[str, Any]]]:
    """Anomalies of every site, and per site the range the file covers with what was stored there before."""
    anomalies: list[Anomaly] = []
    sites = []
    now = now_epoch()
    for site_id, items in group_by_site(item for chunk in chunks for item in chunk).items():
        first, last = items[0]["timestamp"], items[-1]["timestamp"]
        history = to_points(load_history(dynamodb, READINGS_TABLE, site_id, first, HISTORY_DAYS))
        found = detect_site(to_points(items), history, CONFIG, now)
        anomalies.extend(found)
        before = range_counts(dynamodb, READINGS_TABLE, site_id, (first, last))
        # An anomaly is stored once per (timestamp, type): that is what the catalog will count.
        stored_anomalies = len({(anomaly.timestamp, anomaly.type) for anomaly in found})
        sites.append({"site_id": site_id, "first": first, "last": last, **before,
                      "readings_in_file": len(items), "anomalies_in_file": stored_anomalies})
    return anomalies, sites


def write_outputs(execution: str, chunks: list[list[dict[str, Any]]], anomalies: list[Anomaly],
                  sites: list[dict[str, Any]]) -> tuple[list[dict[str, str]], str | None]:
    """Annotated chunks (each reading carrying its anomalies) for Store, sites.json for the catalog."""
    attached = annotate(chunks, anomalies)
    outputs = []
    for index, items in enumerate(chunks):
        items_key = locations.staging_key(execution, "annotated", index)
        objects.write_bytes(s3, BUCKET, items_key, dump_json_lines(items))
        outputs.append({"items": items_key})
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
    file, execution = event["file"], event["execution"]
    chunks = [json_lines(objects.read_bytes(s3, BUCKET, key)) for key in event["chunks"]]
    anomalies, sites = detect_all(chunks)
    outputs, location = write_outputs(execution, chunks, anomalies, sites)
    by_type = dict(sorted(Counter(anomaly.type for anomaly in anomalies).items()))
    for kind, count in by_type.items():
        metrics.add_metric(name=f"Anomalies_{kind}", unit="Count", value=count)
    digest = None
    if anomalies:
        region = execution.split(":")[3] if execution.count(":") >= 3 else "us-east-1"
        digest = digest_fields(
            build_digest(file["key"], anomalies, execution, console_url(region, execution))
        )
    return {"total": len(anomalies), "by_type": by_type, "chunks": outputs,
            "anomalies_location": location, "digest": digest}
