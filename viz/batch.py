"""`generate_charts`: every site's charts, the fleet chart and the gallery, in one resilient batch.

Data is fetched in this process (the local engine's in-process handler and its moto state live
here), in a background thread that always has the next site queued, so the source is read without
pause while this process waits for a drawing slot or draws; each site is drawn in a worker process
(or in this one with 1 worker). Sites are read one at a time unless the source says it answers
concurrent requests correctly (`parallel_fetches`) or `fetchers` asks for more threads. A site that
fails is recorded with its reason and the batch goes on.
"""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from viz.gallery import write_gallery
from viz.names import folder_names
from viz.records import SiteData, SiteSummary
from viz.source import DataSource, Item
from viz.workers import InlineExecutor, draw_fleet, draw_site, warm_up

FLEET_CHART = "fleet-totals.png"


@dataclass
class BatchReport:
    out_dir: Path
    files: dict[str, list[Path]] = field(default_factory=dict)  # site id -> charts written
    failures: dict[str, str] = field(default_factory=dict)  # site id -> why it has no charts
    summaries: list[SiteSummary] = field(default_factory=list)
    gallery: Path | None = None
    fleet_chart: Path | None = None
    seconds: float = 0.0
    workers: int = 1
    fetchers: int = 1

    @property
    def ok(self) -> bool:
        return not self.failures

    def text(self) -> str:
        lines = [
            f"charts for {len(self.files)} sites in {self.seconds:.1f} s "
            f"({self.workers} workers, {self.fetchers} sites fetched at a time)"
        ]
        lines += [f"FAILED {site}: {reason}" for site, reason in sorted(self.failures.items())]
        lines.append(f"gallery: {self.gallery}")
        return "\n".join(lines)


def generate_charts(  # noqa: PLR0917 - positional order is the contract with the CLI
    source: DataSource,
    out_dir: Path,
    sites: list[str] | None,
    start: datetime | None,
    end: datetime | None,
    workers: int | None = None,
    progress: bool = True,
    fetchers: int | None = None,
) -> BatchReport:
    """`fetchers`: sites read from the source at a time (default: the source's `parallel_fetches`, 1
    when it has none; a source that is not safe to call from several threads must not claim more)."""
    began = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    catalog = {item["site_id"]: item for item in source.sites()}
    wanted = list(dict.fromkeys(sites)) if sites else sorted(catalog)
    report = BatchReport(
        out_dir,
        workers=_worker_count(workers, len(wanted)),
        fetchers=max(1, min(fetchers or getattr(source, "parallel_fetches", 1), len(wanted))),
    )
    for site in wanted:
        if site not in catalog:
            report.failures[site] = "not in the API's list of sites (GET /sites)"
    todo = [site for site in wanted if site in catalog]
    bar = tqdm(total=len(wanted), unit="site", desc="charts", disable=not (progress and sys.stderr.isatty()))
    with bar, _executor(report.workers) as pool, _fetch_executor(report.fetchers) as fetcher:
        bar.update(len(wanted) - len(todo))
        batch = _Batch(pool, fetcher, source, catalog, (start, end), report, bar)
        batch.run(todo)
        report.fleet_chart = _fleet(pool, report.summaries, out_dir / FLEET_CHART)
    report.gallery = write_gallery(out_dir, report.summaries, report.failures, report.fleet_chart)
    report.seconds = time.perf_counter() - began
    return report


@dataclass
class _Batch:
    pool: Executor  # draws
    fetcher: Executor  # reads the source
    source: DataSource
    catalog: dict[str, Item]
    span: tuple[datetime | None, datetime | None]
    report: BatchReport
    bar: tqdm
    pending: dict[Future[SiteSummary], str] = field(default_factory=dict)

    def run(self, todo: list[str]) -> None:
        folders = folder_names(todo)
        # Bounded queues: fetched-but-undrawn sites wait in memory, and a year per site is not small.
        # At most `fetchers` sites are being read with one more queued, one waits for a drawing slot
        # and 2 x workers are in (or queued for) one.
        limit = 2 * self.report.workers
        queue = iter(todo)
        fetching: deque[tuple[str, Future[SiteData]]] = deque()

        def top_up() -> None:
            while len(fetching) <= self.report.fetchers and (site := next(queue, None)) is not None:
                job = self.fetcher.submit(_fetch_site, self.source, site, self.catalog[site], self.span)
                fetching.append((site, job))

        top_up()
        while fetching:
            site, fetched = fetching.popleft()
            top_up()  # the next site queued before this one is waited for, drawn or failed
            try:
                data = fetched.result()
            except Exception as error:  # any one site's failure is reported, not fatal
                self._fail(site, error)
                continue
            while len(self.pending) >= limit:
                self._collect(wait(self.pending, return_when=FIRST_COMPLETED).done)
            try:
                self.pending[self.pool.submit(draw_site, data, self.report.out_dir, folders[site])] = site
            except Exception as error:  # a pool that cannot take the job (e.g. broken) fails the site
                self._fail(site, error)
        self._collect(set(self.pending))

    def _collect(self, done: set[Future[SiteSummary]]) -> None:
        for future in wait(done).done:
            site = self.pending.pop(future)
            try:
                summary = future.result()
            except Exception as error:  # a drawing bug in one site must not cost the others
                self._fail(site, error)
                continue
            self.report.summaries.append(summary)
            self.report.files[site] = summary.files
            self.bar.update(1)

    def _fail(self, site: str, error: BaseException) -> None:
        self.report.failures[site] = f"{type(error).__name__}: {error}"
        self.bar.update(1)
        self.bar.set_postfix(failed=len(self.report.failures))


def _fleet(pool: Executor, summaries: list[SiteSummary], path: Path) -> Path:
    """Drawn by a worker too: this process has not imported matplotlib (viz.records), and need not;
    here only when the pool can take no more work (a worker process died)."""
    try:
        return pool.submit(draw_fleet, summaries, path).result()
    except BrokenProcessPool:
        return draw_fleet(summaries, path)


def site_range(entry: Item, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """The asked range, or the site's own data range: its first reading to just after its last."""
    first, last = _parse(entry.get("first_timestamp")), _parse(entry.get("last_timestamp"))
    end = end or (last + timedelta(microseconds=1) if last else None) or datetime.now().astimezone()
    start = start or first or end - timedelta(days=1)
    return start, end


def fetch(source: DataSource, site: str, start: datetime, end: datetime) -> SiteData:
    if end <= start:  # an empty range: the charts say so rather than the API answering 400
        return SiteData(site, start, end, [], [])
    return SiteData(site, start, end, source.readings(site, start, end), source.anomalies(site, start, end))


def _fetch_site(
    source: DataSource, site: str, entry: Item, span: tuple[datetime | None, datetime | None]
) -> SiteData:
    return fetch(source, site, *site_range(entry, *span))


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _worker_count(workers: int | None, jobs: int) -> int:
    # CPUs this process may use (a container's share), not the host's count.
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    wanted = workers if workers is not None else usable
    return max(1, min(wanted, jobs))


@contextmanager
def _executor(workers: int) -> Iterator[Executor]:
    if workers <= 1:
        yield InlineExecutor()
        return
    # spawn, not fork: the parent may hold threads (moto's server, HTTP pools) that fork would copy.
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=warm_up) as pool:
        # Each worker imports pandas and matplotlib as it starts (warm_up, ~1 s): a job for every worker
        # now starts them all at once, and that overlaps the first fetches.
        for _ in range(workers):
            pool.submit(os.getpid)
        yield pool


@contextmanager
def _fetch_executor(fetchers: int) -> Iterator[Executor]:
    # Threads even for one fetcher: its requests stay one at a time, in the background.
    with ThreadPoolExecutor(fetchers, thread_name_prefix="charts-fetch") as pool:
        yield pool
