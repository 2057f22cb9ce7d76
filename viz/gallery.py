"""index.html: every chart and a summary table, one self-contained file that opens offline.

No JavaScript, no CDN, inline CSS; links are relative and percent-encoded, text is HTML-escaped
(site ids come from uploaded files and must never become markup).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path
from urllib.parse import quote

from viz.records import SiteSummary

CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;margin:12px 0 28px}th,td{border:1px solid #ccc;padding:4px 8px}
th{background:#f2f2f2;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b00020}.site{margin:28px 0;border-top:2px solid #ddd;padding-top:8px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:12px}
.grid img,.fleet img{width:100%;height:auto;border:1px solid #e5e5e5}
.fleet img{max-width:1100px}
"""
HEAD = [
    "Site",
    "Range (UTC)",
    "Readings",
    "Coverage",
    "Gaps",
    "Longest gap",
    "Generated kWh",
    "Consumed kWh",
    "Net kWh",
]


def write_gallery(out_dir: Path, summaries: list[SiteSummary], failures: dict[str, str], fleet: Path) -> Path:
    ordered = sorted(summaries, key=lambda s: s.site_id)
    types = sorted({kind for s in ordered for kind in s.anomalies_by_type})
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Energy charts</title><style>",
        CSS,
        "</style></head><body>",
        f"<h1>Energy charts</h1><p>{len(ordered)} sites charted, generated "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Click a chart for full size.</p>",
        _failures(failures),
        _table(ordered, types),
        f"<h2>Fleet</h2><p class='fleet'>{_image(out_dir, fleet, 'Energy totals per site')}</p>",
        *(_site(out_dir, summary) for summary in ordered),
        "</body></html>",
    ]
    path = out_dir / "index.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def _failures(failures: dict[str, str]) -> str:
    if not failures:
        return ""
    items = "".join(
        f"<li><b>{escape(site)}</b>: {escape(reason)}</li>" for site, reason in sorted(failures.items())
    )
    return f"<h2 class='bad'>{len(failures)} sites failed</h2><ul class='bad'>{items}</ul>"


def _table(summaries: list[SiteSummary], types: list[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in HEAD + [t.replace("_", " ") for t in types])
    rows = "".join(_row(s, types) for s in summaries)
    return f"<h2>Summary</h2><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _row(s: SiteSummary, types: list[str]) -> str:
    numbers = [
        f"{s.readings:,}",
        f"{s.coverage:.1%}",
        f"{s.gaps:,}",
        s.longest_gap or "—",
        *(f"{s.totals[k]:,.1f}" for k in ("generated", "consumed", "net")),
        *(f"{s.anomalies_by_type.get(t, 0):,}" for t in types),
    ]
    cells = "".join(f"<td class='n'>{escape(n)}</td>" for n in numbers)
    link = f"<a href='#{quote(s.folder)}'>{escape(s.site_id)}</a>"
    return f"<tr><td>{link}</td><td>{escape(s.start)} to {escape(s.end)}</td>{cells}</tr>"


def _site(out_dir: Path, s: SiteSummary) -> str:
    images = "".join(_image(out_dir, path, f"{s.site_id}: {path.stem.replace('-', ' ')}") for path in s.files)
    return (
        f"<section class='site' id='{escape(s.folder)}'><h2>{escape(s.site_id)}</h2>"
        f"<div class='grid'>{images}</div></section>"
    )


def _image(out_dir: Path, path: Path, alt: str) -> str:
    href = quote(path.relative_to(out_dir).as_posix())
    return f"<a href='{href}'><img src='{href}' alt='{escape(alt, quote=True)}' loading='lazy'></a>"
