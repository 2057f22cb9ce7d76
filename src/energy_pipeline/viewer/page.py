"""The HTML page: summary, the graph (inline SVG) and the timeline; one file that opens offline."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from energy_pipeline.viewer.timeline import Row, clock

_CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px;color:#263238}
h1{font-size:20px;margin:0 0 4px} .muted{color:#607d8b} .mono{font-family:ui-monospace,Menlo,monospace}
.status{display:inline-block;padding:2px 8px;border-radius:10px;font-weight:600;font-size:13px}
.SUCCEEDED{background:#e3f4e4;color:#2e7d32}
.FAILED,.TIMED_OUT,.ABORTED{background:#fde3e1;color:#c62828}
.CAUGHT{background:#fff0d9;color:#e67700} .RUNNING{background:#e1efff;color:#1565c0}
.grid{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start} .graph{overflow:auto;max-width:100%}
table{border-collapse:collapse;font-size:13px}
th,td{padding:4px 10px;border-bottom:1px solid #eceff1;text-align:left}
td.num{text-align:right} .cause{color:#c62828;font-size:12px;max-width:640px}
pre{background:#f5f7f8;padding:12px;overflow:auto;max-height:400px;font-size:12px}
"""


def _status(status: str) -> str:
    return f'<span class="status {escape(status)}">{escape(status)}</span>'


def _timeline(timeline: list[Row]) -> str:
    columns = ("state", "status", "entered (UTC)", "exited", "duration", "retries")
    head = "<tr>" + "".join(f"<th>{column}</th>" for column in columns) + "</tr>"
    body = []
    for row in timeline:
        duration = "" if row.duration_ms is None else f"{row.duration_ms} ms"
        body.append(
            f"<tr><td>{escape(row.name)}</td><td>{_status(row.status)}</td>"
            f"<td class=mono>{clock(row.entered)}</td><td class=mono>{clock(row.exited)}</td>"
            f"<td class=num>{duration}</td><td class=num>{row.retries or ''}</td></tr>"
        )
        if row.error:
            body.append(
                f"<tr><td></td><td colspan=5 class=cause><b>{escape(row.error)}</b>: "
                f"{escape(row.cause or '')}</td></tr>"
            )
    return f"<table>{head}{''.join(body)}</table>"


def _facts(facts: dict[str, Any]) -> str:
    cells = "".join(
        f"<tr><th>{escape(key)}</th><td>{escape(str(value))}</td></tr>"
        for key, value in facts.items()
        if value not in (None, "")
    )
    return f"<table>{cells}</table>"


def _json_block(title: str, value: Any) -> str:
    if value is None:
        return ""
    text = escape(json.dumps(value, indent=2, default=str))
    return f"<details><summary>{escape(title)}</summary><pre>{text}</pre></details>"


def render(
    title: str,
    status: str,
    facts: dict[str, Any],
    svg: str,
    timeline: list[Row],
    *,
    documents: dict[str, Any],
) -> str:
    blocks = "".join(_json_block(name, value) for name, value in documents.items())
    svg_body = svg[svg.index("<svg") :]  # inline, so the page needs no second file
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{escape(title)} {_status(status)}</h1>"
        f"<div class=muted>the local stand-in for the Step Functions console's graph and event views</div>"
        f"<div class=grid><div class=graph>{svg_body}</div><div><h2>Execution</h2>{_facts(facts)}"
        f"<h2>Timeline</h2>{_timeline(timeline)}{blocks}</div></div></body></html>\n"
    )
