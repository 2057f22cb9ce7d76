from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from tests.viz import sample
from tests.viz.conftest import assert_not_blank
from viz.batch import BatchReport, generate_charts
from viz.memory import MemorySource
from viz.names import folder_name, folder_names
from viz.render import CHARTS
from viz.source import SourceError


def test_every_site_gets_four_charts_that_are_not_blank_and_a_gallery(charted: BatchReport) -> None:
    report, tmp_path = charted, charted.out_dir
    assert report.ok, report.failures
    assert sorted(report.files) == ["alpha", "night", "single"]
    for site, files in report.files.items():
        assert [f.name for f in files] == list(CHARTS)
        assert all(f.parent == tmp_path / site for f in files)
    for path in [*(f for files in report.files.values() for f in files), report.fleet_chart]:
        assert_not_blank(path)
    assert report.gallery == tmp_path / "index.html"


def test_the_gallery_opens_offline_with_relative_links_and_a_summary_row_per_site(
    charted: BatchReport,
) -> None:
    report, tmp_path = charted, charted.out_dir
    html = report.gallery.read_text()
    assert "<script" not in html and "http://" not in html and "https://" not in html
    for link in re.findall(r"(?:src|href)='([^'#]+)'", html):
        assert (tmp_path / link).is_file(), link
    assert html.count("<tr><td><a href='#") == 3
    assert ">spike</th>" in html and ">negative value</th>" in html and ">gap</th>" in html


def throttle_site(fleet: MemorySource, site: str) -> None:
    """Every read of `site` fails as a throttled table would; the other sites answer as before."""
    real = fleet.get

    def broken(path: str, query: dict[str, str]) -> dict:
        if path.startswith(f"/sites/{site}/"):
            raise SourceError(503, "table throttled")
        return real(path, query)

    fleet.get = broken  # type: ignore[method-assign]


def test_a_failing_site_is_reported_and_the_others_are_still_charted(
    fleet: MemorySource, tmp_path: Path
) -> None:
    throttle_site(fleet, "night")
    report = generate_charts(
        fleet, tmp_path, ["alpha", "night", "ghost", "single"], None, None, workers=1, progress=False
    )
    assert not report.ok
    assert set(report.failures) == {"night", "ghost"}
    assert "table throttled" in report.failures["night"] and "sites" in report.failures["ghost"]
    assert sorted(report.files) == ["alpha", "single"]
    assert "2 sites failed" in report.gallery.read_text()
    assert "FAILED night" in report.text()


def test_a_drawing_error_in_a_worker_process_only_fails_that_site(tmp_path: Path) -> None:
    # A NaN timestamp cannot be parsed by the worker: rendering fails there, not in the batch.
    good = sample.readings(20)
    bad = [dict(good[0], timestamp="not a time")]
    source = MemorySource({"good": good, "bad": bad})
    report = generate_charts(source, tmp_path, None, None, None, workers=2, progress=False)
    assert list(report.failures) == ["bad"] and list(report.files) == ["good"]
    assert report.workers == 2


def test_an_explicit_range_is_charted_even_where_there_is_no_data(
    fleet: MemorySource, tmp_path: Path
) -> None:
    start = sample.START + timedelta(days=30)
    report = generate_charts(
        fleet, tmp_path, ["alpha"], start, start + timedelta(days=1), workers=1, progress=False
    )
    [summary] = report.summaries
    assert summary.readings == 0 and summary.coverage == 0
    for path in report.files["alpha"]:
        assert_not_blank(path)  # "No readings in this range", not an empty frame


def test_negative_net_everywhere_is_drawn_as_deficit(fleet: MemorySource, tmp_path: Path) -> None:
    report = generate_charts(fleet, tmp_path, ["night"], None, None, workers=1, progress=False)
    [summary] = report.summaries
    assert summary.totals["net"] < 0 and summary.totals["generated"] == 0


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        ("alpha", "alpha"),
        ("a:b", "a_b-"),
        ("..", "site-"),
        (".hidden", "hidden-"),
        ("x" * 128, "x" * 55 + "-"),
    ],
)
def test_folder_names_are_safe_and_stable(site: str, expected: str) -> None:
    name = folder_name(site)
    assert name.startswith(expected) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", name)
    assert folder_name(site) == name


def test_folder_names_differ_on_case_insensitive_disks() -> None:
    names = folder_names(["Site-A", "site-a", "b"])
    assert names["b"] == "b" and names["Site-A"].lower() != names["site-a"].lower()


def test_a_source_that_answers_in_parallel_is_read_for_several_sites_at_once(
    fleet: MemorySource, tmp_path: Path
) -> None:
    # Both sites' first readings page must be asked for before either is answered: read one site
    # after the other, the barrier would break and both sites would fail.
    barrier = threading.Barrier(2, timeout=30)
    real = fleet.get

    def together(path: str, query: dict[str, str]) -> dict:
        if path.endswith("/readings") and "next_token" not in query:
            barrier.wait()
        return real(path, query)

    fleet.get = together  # type: ignore[method-assign]
    fleet.parallel_fetches = 2  # type: ignore[misc]
    report = generate_charts(fleet, tmp_path, ["alpha", "night"], None, None, workers=1, progress=False)
    assert report.ok, report.failures
    assert report.fetchers == 2 and sorted(report.files) == ["alpha", "night"]
    assert "2 sites fetched at a time" in report.text()


def test_a_site_that_fails_in_a_fetch_thread_is_reported_and_the_others_are_charted(
    fleet: MemorySource, tmp_path: Path
) -> None:
    throttle_site(fleet, "night")
    report = generate_charts(fleet, tmp_path, None, None, None, workers=1, progress=False, fetchers=3)
    assert set(report.failures) == {"night"} and "table throttled" in report.failures["night"]
    assert sorted(report.files) == ["alpha", "single"]


def test_sources_are_read_one_site_at_a_time_unless_asked_otherwise() -> None:
    from viz.http_source import HttpApiSource
    from viz.source import HandlerSource

    # the in-process handler and `serve` answer concurrent requests on one shared Powertools app
    assert HandlerSource(lambda method, path, query: (200, {})).parallel_fetches == 1
    assert HttpApiSource("http://127.0.0.1:1").parallel_fetches == 1


def test_by_default_a_source_gets_one_request_at_a_time(fleet: MemorySource, tmp_path: Path) -> None:
    # serve answers concurrent requests on one shared Powertools app: the default must not send any
    real, lock, busy, most = fleet.get, threading.Lock(), [0], [0]

    def counted(path: str, query: dict[str, str]) -> dict:
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        try:
            time.sleep(0.002)
            return real(path, query)
        finally:
            with lock:
                busy[0] -= 1

    fleet.get = counted  # type: ignore[method-assign]
    report = generate_charts(fleet, tmp_path, None, None, None, workers=2, progress=False)
    assert report.ok and report.fetchers == 1 and most[0] == 1


def test_the_process_that_fetches_imports_neither_pandas_nor_matplotlib(tmp_path: Path) -> None:
    # The CLI parses `charts` (and `query`) options with viz.cli, and the batch's process only fetches:
    # drawing, the fleet chart included, is the workers' (~0.9 s of imports saved at every start).
    script = f"""
import sys
from pathlib import Path

import viz.cli
from tests.viz import sample
from viz.batch import generate_charts
from viz.memory import MemorySource

if __name__ == "__main__":
    source = MemorySource({{"a": sample.readings(96 * 3), "b": sample.readings(5)}})
    report = generate_charts(source, Path({str(tmp_path)!r}), None, None, None, workers=2, progress=False)
    assert report.ok and report.fleet_chart.is_file() and report.gallery.is_file(), report.failures
    print(sorted({{name.split(".")[0] for name in sys.modules}} & {{"pandas", "matplotlib", "PIL"}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


class _EndsTheProcessThatUnpicklesIt:
    def __reduce__(self) -> tuple[object, tuple[int]]:
        return os._exit, (3,)


def test_a_worker_process_that_dies_fails_its_sites_and_the_batch_still_ends_with_its_gallery(
    tmp_path: Path,
) -> None:
    good = sample.readings(20)
    deadly = [dict(good[0], poison=_EndsTheProcessThatUnpicklesIt())]
    source = MemorySource({"good": good, "deadly": deadly})
    report = generate_charts(source, tmp_path, None, None, None, workers=2, progress=False)
    assert report.workers == 2 and "deadly" in report.failures and "deadly" not in report.files
    # The pool is broken by then: the fleet chart is drawn in this process instead.
    assert report.fleet_chart is not None and report.fleet_chart.is_file()
    assert report.gallery is not None and report.gallery.is_file()


def test_every_drawing_worker_has_imported_the_charts_and_frozen_them_before_its_first_site() -> None:
    import gc

    from viz.batch import _executor

    with _executor(2) as pool:
        frozen = [pool.submit(gc.get_freeze_count).result() for _ in range(4)]
    assert all(count > 10_000 for count in frozen), frozen  # pandas and matplotlib's objects
