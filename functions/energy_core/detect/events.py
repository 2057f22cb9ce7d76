"""Anomalies are events: consecutive anomalous readings of one site, field and type are one anomaly.

An operator acts on "the inverter drew standby power from 18:00 to 06:00", not on 48 separate
readings. The single-reading detectors (negative, out of range, spike, future) report a reading each;
`merge_consecutive` joins those that sit on neighbouring readings of the site's series into one event
with its first and last reading, how many readings it covers, the worst value and the highest severity.
Run detectors (gap, flatline) already report one event per run.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left
from collections.abc import Sequence
from itertools import groupby

from .model import SEVERITIES, Anomaly, when

# Types whose detector reports one anomaly per reading: these are joined into events.
PER_READING = frozenset({"negative_value", "out_of_range", "spike", "future_timestamp"})


def merge_consecutive(anomalies: Sequence[Anomaly], timestamps: Sequence[str]) -> list[Anomaly]:
    """One event per run of anomalies of the same site, type and field on neighbouring readings.

    `timestamps`: every reading of the site in time order (the positions decide what "neighbouring"
    means: a missing reading between two anomalous ones does not split them, a normal one does).
    """
    events: list[Anomaly] = [a for a in anomalies if a.type not in PER_READING]
    singles = sorted(
        (a for a in anomalies if a.type in PER_READING),
        key=lambda a: (a.site_id, a.type, a.field or "", a.timestamp),
    )
    for _, group in groupby(singles, key=lambda a: (a.site_id, a.type, a.field or "")):
        run: list[Anomaly] = []
        previous = -2
        for anomaly in group:
            position = bisect_left(timestamps, anomaly.timestamp)
            if run and position != previous + 1:
                events.append(_event(run))
                run = []
            run.append(anomaly)
            previous = position
        if run:
            events.append(_event(run))
    return events


def _event(run: list[Anomaly]) -> Anomaly:
    """The run as one anomaly: first reading's time, last reading's time, worst value and severity."""
    if len(run) == 1:
        return run[0]
    worst = max(run, key=_badness)
    severity = max((a.severity for a in run), key=SEVERITIES.index)
    first, last = run[0], run[-1]
    span = f"{len(run)} readings from {when(first.timestamp)} to {when(last.timestamp)}"
    reason = f"{span}; worst: {worst.reason}"
    return dataclasses.replace(
        worst,
        timestamp=first.timestamp,
        end=last.timestamp,
        readings=len(run),
        severity=severity,
        reason=reason,
    )


def _badness(anomaly: Anomaly) -> float:
    """How far the value lies outside its expected range (the worst reading of an event names it)."""
    value = anomaly.value or 0.0
    if anomaly.expected_high is not None and value > anomaly.expected_high:
        return value - anomaly.expected_high
    if anomaly.expected_low is not None and value < anomaly.expected_low:
        return anomaly.expected_low - value
    return abs(value)
