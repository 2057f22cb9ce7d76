"""The detectors' input: each site's Series from readings chunks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from energy_core.detect.inputs import series_by_site
from energy_core.readings import Readings

START = datetime(2024, 3, 30, tzinfo=UTC)  # a month with a DST change in Europe: nothing to do with UTC


def canonical(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_given_sites_on_one_grid_and_one_off_it_when_grouped_then_each_series_has_its_own_epochs() -> None:
    grid = [canonical(START + timedelta(minutes=15 * i)) for i in range(8)]
    rows = [(site, stamp, 1.0, 2.0, None) for site in ("a", "b") for stamp in grid]
    rows += [("c", stamp, 1.0, 2.0, None) for stamp in grid[1::3]]

    by_site = series_by_site([Readings.from_rows(rows[:10]), Readings.from_rows(rows[10:])])

    assert list(by_site) == ["a", "b", "c"]
    for site, series in by_site.items():
        assert list(series.timestamps) == [stamp for other, stamp, *_ in rows if other == site]
        assert list(series.epochs) == [datetime.fromisoformat(text).timestamp() for text in series.timestamps]
    assert by_site["a"].timeline is by_site["b"].timeline  # one grid: derived once for both
    assert by_site["c"].timeline is not by_site["a"].timeline
