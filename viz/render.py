"""One site's work in a worker process: frames, the four charts, and the numbers for the gallery."""

from __future__ import annotations

from pathlib import Path

from viz import anomaly_chart, charts
from viz.frames import SiteFrames, build, describe
from viz.records import SiteData, SiteSummary
from viz.style import stamp

CHARTS = {
    "energy-trends.png": charts.energy_trends,
    "net-energy.png": charts.net_energy,
    "anomalies.png": anomaly_chart.anomalies_chart,
    "load-profile.png": charts.load_profile,
}


def render_site(data: SiteData, out_dir: Path, folder: str) -> SiteSummary:
    frames = build(data)
    files = [draw(frames, out_dir / folder / name) for name, draw in CHARTS.items()]
    return summarise(frames, folder, files)


def summarise(frames: SiteFrames, folder: str, files: list[Path]) -> SiteSummary:
    longest = max((gap.length for gap in frames.gaps), default=None)
    counts = frames.anomalies["type"].value_counts()
    return SiteSummary(
        site_id=frames.site_id,
        folder=folder,
        files=files,
        start=stamp(frames.start),
        end=stamp(frames.end),
        readings=len(frames.readings),
        coverage=frames.coverage,
        gaps=len(frames.gaps),
        longest_gap=describe(longest) if longest is not None else "",
        totals=frames.totals(),
        anomalies_by_type={str(kind): int(count) for kind, count in counts.items()},
    )
