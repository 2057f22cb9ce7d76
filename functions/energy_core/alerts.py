"""One alert per file: the digest's subject, plain-text body and SNS message attributes.

The attributes are in the shape the Step Functions `sns:publish` integration passes through
(`MessageAttributes`), so subscribers can filter (e.g. only `severity` = high).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from .detect import SEVERITIES, Anomaly

MAX_SUBJECT = 100
MAX_MESSAGE_BYTES = 200_000  # SNS email is capped at 256 KiB; leave room for SNS's own footer
MAX_ATTRIBUTE_ITEMS = 50  # keeps each String.Array far below the 256 KiB message budget
LINE = 300  # an example line longer than this is cut: reasons are one line, values are short


@dataclass(frozen=True, slots=True)
class Digest:
    subject: str
    message: str
    attributes: dict[str, dict[str, str]]


def console_url(region: str, execution_arn: str) -> str:
    return (
        f"https://{region}.console.aws.amazon.com/states/home?region={region}"
        f"#/v2/executions/details/{quote(execution_arn, safe=':')}"
    )


def build_digest(
    file_key: str, anomalies: Sequence[Anomaly], execution_arn: str, console_url: str, max_examples: int = 10
) -> Digest:
    """The file's alert: every anomaly is an event (a run of anomalous readings), listed worst first and
    capped, with the totals of events and of the readings they cover."""
    by_type = Counter(a.type for a in anomalies)
    readings_by_type = Counter[str]()
    for a in anomalies:
        readings_by_type[a.type] += a.readings
    by_site = Counter(a.site_id for a in anomalies)
    top = highest_severity(anomalies)
    readings = sum(readings_by_type.values())
    noun = "anomaly" if len(anomalies) == 1 else "anomalies"
    covered = f" ({readings} readings)" if readings != len(anomalies) else ""
    head = f"[{top.upper()}] {len(anomalies)} {noun}{covered} in "
    subject = _subject(head, file_key, _subject_counts(by_type, MAX_SUBJECT - len(head) - 24))
    counts = ", ".join(f"{n} {kind} ({readings_by_type[kind]} readings)" for kind, n in by_type.most_common())
    shown = min(max_examples, len(anomalies))
    lines = [
        f"{len(anomalies)} {noun} ({readings} anomalous readings) found in s3 object {file_key}"
        f" (highest severity: {top}).",
        "",
        f"What:  {counts}",
        f"Where: {len(by_site)} site(s): {_listed(by_site)}",
        _when(anomalies),
        f"File:  {file_key}",
        f"Execution: {execution_arn}",
        f"Console:   {console_url}",
        "",
        f"The {shown} most severe of {len(anomalies)}, worst first:",
        *_examples(anomalies, max_examples),
        *([f"... and {len(anomalies) - shown} more."] if len(anomalies) > shown else []),
        "",
        "Every anomaly is stored with the readings and listed by the API's anomalies route"
        " (GET /sites/{site_id}/anomalies).",
    ]
    return Digest(subject, _capped("\n".join(lines)), _attributes(top, by_type, by_site))


def _when(anomalies: Sequence[Anomaly]) -> str:
    if not anomalies:
        return "When:  -"
    start = min(a.timestamp for a in anomalies)
    end = max(a.end for a in anomalies)
    return f"When:  {_human(start)} to {_human(end)}"


def build_failure_digest(
    file_key: str, error: str, reason: str, execution_arn: str, console_url: str
) -> Digest:
    subject = _subject("[HIGH] File rejected: ", file_key, f" ({error})")
    lines = [
        f"The file {file_key} could not be processed and was moved to quarantine/{file_key}.",
        "",
        f"Error:  {error}",
        f"Reason: {reason[:2000]}",
        f"Execution: {execution_arn}",
        f"Console:   {console_url}",
        "",
        _failure_advice(error, file_key),
    ]
    attributes = {
        "severity": _string("high"),
        "anomaly_types": _array(["file_rejected"]),
        "site_ids": _array([]),
    }
    return Digest(subject, _capped("\n".join(lines)), attributes)


def _failure_advice(error: str, file_key: str) -> str:
    if error == "InvalidFile":
        return "Fix the file and upload it again; nothing from it was stored."
    # Not the file's fault (a step failed after its retries): the same file can simply run again.
    return (
        f"Once the cause is fixed, run `energy-pipeline reprocess {file_key}` or upload the file again; "
        "readings already written are overwritten, never duplicated."
    )


def _subject_counts(by_type: Counter[str], room: int) -> str:
    """The counts by type, as many as fit: the subject must stay short and keep the file's name."""
    ranked = by_type.most_common()
    for shown in range(len(ranked), 0, -1):
        more = len(ranked) - shown
        text = ", ".join(f"{n} {kind}" for kind, n in ranked[:shown]) + (f", +{more} more" if more else "")
        if len(text) + 3 <= room or shown == 1:
            return f" ({text})"
    return ""


def highest_severity(anomalies: Sequence[Anomaly]) -> str:
    ranks = {a.severity for a in anomalies}
    return next((s for s in reversed(SEVERITIES) if s in ranks), "low")


def _examples(anomalies: Sequence[Anomaly], limit: int) -> list[str]:
    """The worst events first: by severity, then by how many readings they cover, then by time."""
    rank = {s: n for n, s in enumerate(reversed(SEVERITIES))}
    chosen = sorted(anomalies, key=lambda a: (rank.get(a.severity, 9), -a.readings, a.timestamp))[:limit]
    return [_cut(f"- [{a.severity}] {a.type} at {a.site_id}, {_span(a)}: {a.reason} (expected {a.expected})")
            for a in chosen]


def _span(anomaly: Anomaly) -> str:
    if anomaly.end == anomaly.timestamp:
        return _human(anomaly.timestamp)
    return f"{_human(anomaly.timestamp)} to {_human(anomaly.end)} ({anomaly.readings} readings)"


def _subject(head: str, file_key: str, tail: str) -> str:
    # SNS subjects: ASCII-printable, one line, <= 100 chars; the file name is what gets shortened.
    room = MAX_SUBJECT - len(head) - len(tail)
    if len(file_key) > room:
        file_key = file_key.rsplit("/", 1)[-1]  # the file's own name says more than its prefix
    name = file_key if len(file_key) <= room else "..." + file_key[-max(room - 3, 8) :]
    text = f"{head}{name}{tail}"
    text = "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in text)
    return text[:MAX_SUBJECT]


def _listed(counts: Counter[str], shown: int = 10) -> str:
    items = [f"{site} ({n})" for site, n in counts.most_common(shown)]
    more = len(counts) - shown
    return ", ".join(items) + (f" and {more} more" if more > 0 else "")


def _human(timestamp: str) -> str:
    return f"{timestamp[:10]} {timestamp[11:16]} UTC"


def _attributes(top: str, by_type: Counter[str], by_site: Counter[str]) -> dict[str, dict[str, str]]:
    return {
        "severity": _string(top),
        "anomaly_types": _array(sorted(by_type)),
        "site_ids": _array(sorted(by_site)),
    }


def _string(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


def _array(values: list[str]) -> dict[str, str]:
    # Filter policies match any element of a String.Array; past the cap a subscriber filters on type.
    return {"DataType": "String.Array", "StringValue": json.dumps(values[:MAX_ATTRIBUTE_ITEMS])}


def _cut(line: str) -> str:
    return line if len(line) <= LINE else line[: LINE - 3] + "..."


def _capped(message: str) -> str:
    data = message.encode("utf-8")
    if len(data) <= MAX_MESSAGE_BYTES:
        return message
    note = "\n[message truncated]"
    return data[: MAX_MESSAGE_BYTES - len(note)].decode("utf-8", "ignore") + note
