"""`show`: one execution as a timeline on the terminal and as graph.svg, graph.png and index.html."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from energy_pipeline.viewer import graph, layout, page, png, run, scene, svg, timeline
from energy_pipeline.viewer.source import Execution, duration_s


@dataclass(frozen=True)
class Written:
    svg: Path
    png: Path
    html: Path


@dataclass
class Picture:
    view: run.RunView
    scene: scene.Scene
    timeline: list[timeline.Row]


def _subtitle(execution: Execution) -> str:
    start = execution.info["start"]
    took = duration_s(start, execution.info["stop"])
    when = start.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if start else "-"
    return f"execution {execution.name}   started {when}" + (
        f"   took {took:.2f} s" if took is not None else ""
    )


def picture(execution: Execution) -> Picture:
    workflow = graph.from_definition(execution.definition)
    view = run.build(workflow, execution.history.states, execution.info["status"])
    run.annotate(workflow, view)  # before layout: a failed box grows a line for its error
    title = f"{execution.info['status']}  {execution.file_key}"
    drawn = scene.compose(layout.layout(workflow), view, title, _subtitle(execution))
    return Picture(view, drawn, timeline.rows(execution.history.states, view))


def facts(execution: Execution, drawn: Picture, console_url: str | None) -> dict[str, Any]:
    info, output = execution.info, execution.info["output"] or {}
    counts = {key: output.get(key) for key in ("received", "stored", "rejected", "duplicates", "anomalies")}
    return {
        "file": execution.file_key,
        "status": info["status"],
        "execution": execution.arn,
        "started": str(info["start"]) if info["start"] else None,
        "duration_s": duration_s(info["start"], info["stop"]),
        **counts,
        "error": info["error"],
        "cause": info["cause"],
        "failed_state": drawn.view.failed_state(),
        "console_url": console_url,
    }


def write(execution: Execution, drawn: Picture, out: Path, console_url: str | None = None) -> Written:
    out.mkdir(parents=True, exist_ok=True)
    written = Written(out / "graph.svg", out / "graph.png", out / "index.html")
    text = svg.render(drawn.scene)
    written.svg.write_text(text, encoding="utf-8")
    png.write(drawn.scene, written.png)
    documents = {"input": execution.info["input"], "output": execution.info["output"]}
    html = page.render(
        execution.file_key,
        execution.info["status"],
        facts(execution, drawn, console_url),
        text,
        drawn.timeline,
        documents=documents,
    )
    written.html.write_text(html, encoding="utf-8")
    return written


def report(execution: Execution, drawn: Picture, console_url: str | None = None) -> str:
    info = execution.info
    lines = [f"{info['status']}  {execution.file_key}", f"  {_subtitle(execution)}", f"  {execution.arn}"]
    if console_url:
        lines.append(f"  console: {console_url}")
    if info["error"]:
        failed = drawn.view.failed_state()
        lines.append(f"  error {info['error']}" + (f" (first failed state: {failed})" if failed else ""))
        lines.append(f"    {info['cause']}")
    return "\n".join([*lines, "", timeline.table(drawn.timeline)])


def as_dict(
    execution: Execution, drawn: Picture, written: Written | None, console_url: str | None
) -> dict[str, Any]:
    row = facts(execution, drawn, console_url)
    row["states"] = [entry.as_dict() for entry in drawn.timeline]
    if written:
        row["files"] = {"svg": str(written.svg), "png": str(written.png), "html": str(written.html)}
    return row
