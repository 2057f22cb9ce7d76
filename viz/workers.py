"""What a drawing worker runs, and an Executor that runs each job at once in this process (one code
path for 1 worker and for N).

The jobs are submitted by name from the batch's process, which never imports pandas or matplotlib
(viz.records): each imports the drawing modules where it runs.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from viz.records import SiteData, SiteSummary

P = ParamSpec("P")
T = TypeVar("T")


class InlineExecutor(Executor):
    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # delivered through the future, like a pool would
            future.set_exception(error)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        del wait, cancel_futures  # nothing runs in the background

    def __reduce__(self) -> Any:
        raise TypeError("InlineExecutor runs in-process; it cannot be sent to another process")


def warm_up() -> None:
    """Each worker process's initializer: pandas, matplotlib and the charts imported (~1 s) while the
    first sites are fetched. What the imports made lives as long as the process, so it is frozen out
    of the cyclic collector's reach: each full collection, triggered every few sites by the figures'
    garbage, then walks only what drawing made (~25 ms a site less, measured)."""
    try:
        import viz.render  # noqa: F401 - imported for its side effect: the import is the warm-up
    except Exception:  # a failing initializer would break the pool: the sites drawn here say why instead
        return
    gc.collect()
    gc.freeze()


def draw_site(data: SiteData, out_dir: Path, folder: str) -> SiteSummary:
    from viz.render import render_site

    return render_site(data, out_dir, folder)


def draw_fleet(summaries: list[SiteSummary], path: Path) -> Path:
    from viz.fleet import fleet_totals

    return fleet_totals(summaries, path)
