"""`show`: the timeline and the graph of real executions (succeeded, with anomalies, failed)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from energy_pipeline.viewer import show, source
from tests.viewer.conftest import Runs

SVG = "{http://www.w3.org/2000/svg}"


def _render(runs: Runs, kind: str, out: Path) -> tuple[source.Execution, show.Picture, show.Written]:
    execution = source.load(runs.source, runs.arn(kind))
    drawn = show.picture(execution)
    return execution, drawn, show.write(execution, drawn, out)


def _box_strokes(svg_path: Path) -> dict[str, str]:
    """State name -> stroke colour of the box drawn just before its name."""
    root = ET.parse(svg_path).getroot()
    strokes, last_stroke = {}, ""
    for element in root:
        if element.tag in (f"{SVG}rect", f"{SVG}polygon") and element.get("stroke"):
            last_stroke = element.get("stroke", "")
        elif element.tag == f"{SVG}text" and element.get("font-weight") == "600":
            strokes.setdefault(element.text or "", last_stroke)
    return strokes


def test_a_succeeded_run_draws_every_state_and_colours_the_path_green(runs: Runs, tmp_path: Path) -> None:
    execution, drawn, written = _render(runs, "clean", tmp_path)
    strokes = _box_strokes(written.svg)
    assert set(execution.definition["States"]) <= set(strokes)
    assert strokes["Validate and stage readings"] == "#2e7d32" and strokes["Report without alert"] == "#2e7d32"
    assert strokes["Publish alert"] == "#b0bec5"  # not run: no anomaly, no alert
    assert drawn.view.failed_state() is None
    assert written.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_run_with_anomalies_takes_the_alert_branch(runs: Runs, tmp_path: Path) -> None:
    _, drawn, written = _render(runs, "anomalies", tmp_path)
    assert ("Any anomalies?", "Publish alert") in drawn.view.taken
    assert ("Any anomalies?", "Report without alert") not in drawn.view.taken
    assert _box_strokes(written.svg)["Publish alert"] == "#2e7d32"
    assert "Write chunk" in {row.name for row in drawn.timeline}  # the Map's inner state is in the timeline


def test_a_failed_run_highlights_the_failed_state_and_its_error(runs: Runs, tmp_path: Path) -> None:
    _, drawn, written = _render(runs, "failed", tmp_path)
    assert drawn.view.failed_state() == "Validate and stage readings"
    strokes = _box_strokes(written.svg)
    assert strokes["Validate and stage readings"] == "#e67700"  # caught: the error went to the failure path
    assert strokes["File rejected"] == "#c62828"
    assert strokes["Detect anomalies"] == "#b0bec5"
    assert ">InvalidFile<" in written.svg.read_text(encoding="utf-8")
    caught = next(row for row in drawn.timeline if row.name == "Validate and stage readings")
    assert caught.status == "CAUGHT" and caught.error == "InvalidFile"
    assert caught.cause and "not valid JSON" in caught.cause and "stackTrace" not in caught.cause


def test_the_html_page_embeds_the_graph_and_the_timeline_and_opens_offline(
    runs: Runs, tmp_path: Path
) -> None:
    _, drawn, written = _render(runs, "failed", tmp_path)
    html = written.html.read_text(encoding="utf-8")
    assert "<svg" in html and "File rejected" in html and "Timeline" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing to fetch
    assert html.count("<tr><td>") >= len(drawn.timeline)


def test_the_text_report_lists_every_state_with_its_duration_and_the_cause(runs: Runs) -> None:
    execution = source.load(runs.source, runs.arn("failed"))
    text = show.report(execution, show.picture(execution))
    assert "first failed state: Validate and stage readings" in text
    for state in ("Read upload event", "Quarantine file", "File rejected"):
        assert state in text
    assert " ms" in text


def test_as_json_names_the_files_and_the_states(runs: Runs, tmp_path: Path) -> None:
    execution, drawn, written = _render(runs, "anomalies", tmp_path)
    row = json.loads(json.dumps(show.as_dict(execution, drawn, written, None), default=str))
    assert row["status"] == "SUCCEEDED" and row["anomalies"] == 1
    assert Path(row["files"]["svg"]).is_file()
    assert [state["name"] for state in row["states"]][:2] == [
        "Read upload event",
        execution.history.states[1].name,
    ]
