"""What passes between the batch's process and its drawing workers: plain values, cheap to pickle.

Kept apart from the frames and the charts so the process that fetches (and the CLI that only parses
its options) never imports pandas or matplotlib: ~0.9 s of CPU at the start of every `charts` run,
spent while the drawing workers import them too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from viz.source import Item


@dataclass(frozen=True)
class SiteData:
    """Everything fetched for one site: plain lists, so it pickles cheaply to a worker process."""

    site_id: str
    start: datetime
    end: datetime
    readings: list[Item]
    anomalies: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class SiteSummary:
    """What the gallery and the batch report say about a site; plain values, cheap to pickle."""

    site_id: str
    folder: str
    files: list[Path]
    start: str
    end: str
    readings: int
    coverage: float
    gaps: int
    longest_gap: str
    totals: dict[str, float]
    anomalies_by_type: dict[str, int] = field(default_factory=dict)
