"""Detector input: each site's Series, built column-wise from readings chunks or stored items."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

from energy_core.readings import Readings

from .model import Series

_fromisoformat = datetime.fromisoformat


def epochs_of(timestamps: Sequence[str]) -> list[float]:
    """Seconds since the epoch of canonical timestamps, converting each distinct text once
    (the sites of a fleet share one 15-minute grid, and history overlaps the file)."""
    memo = {text: _fromisoformat(text).timestamp() for text in set(timestamps)}
    return list(map(memo.__getitem__, timestamps))


def series_by_site(chunks: Iterable[Readings]) -> dict[str, Series]:
    """Each site's readings over all chunks (by site, then time; a site may span chunks)."""
    parts: dict[str, list[tuple[Readings, int, int]]] = {}
    for readings in chunks:
        for site_id, start, end in readings.site_blocks():
            parts.setdefault(site_id, []).append((readings, start, end))
    stamps = {site_id: _column(blocks, "timestamps") for site_id, blocks in parts.items()}
    clock = _Clock(stamps.values())
    return {site_id: _series(site_id, blocks, stamps[site_id], clock) for site_id, blocks in parts.items()}


class _Clock:
    """Epoch seconds of a file's timestamps, each distinct one converted once.

    The sites of a fleet usually share one grid: a site's (sorted) timestamps are then a run of the
    file's sorted distinct timestamps, and its epochs one slice of theirs - no lookup per reading. The
    sites with the very same run get the same epochs and the same timeline (Series.timeline), so what
    detectors derive from the epochs alone is worked out once for all of them.
    """

    def __init__(self, runs: Iterable[list[str]]) -> None:
        runs = list(runs)
        first = runs[0] if runs else []
        if all(run == first for run in runs):  # one grid for every site: already sorted and distinct
            self.stamps = first
        else:
            self.stamps = sorted(set(chain.from_iterable(runs)))
        self.epochs = [_fromisoformat(text).timestamp() for text in self.stamps]
        self.memo: dict[str, float] | None = None
        self.shared: dict[tuple[int, int], tuple[list[float], dict[Any, Any]]] = {}

    def of(self, timestamps: list[str]) -> tuple[list[float], dict[Any, Any] | None]:
        """The epochs of `timestamps` (sorted, distinct), and the timeline shared by every run like it."""
        if not timestamps:
            return [], None
        start = bisect_left(self.stamps, timestamps[0])
        end = start + len(timestamps)
        if self.stamps[start:end] == timestamps:
            if (start, end) not in self.shared:
                self.shared[start, end] = (self.epochs[start:end], {})
            return self.shared[start, end]
        if self.memo is None:
            self.memo = dict(zip(self.stamps, self.epochs, strict=True))
        return list(map(self.memo.__getitem__, timestamps)), None


def _column(blocks: list[tuple[Readings, int, int]], name: str) -> list[Any]:
    if len(blocks) == 1:  # the usual: the site's readings lie in one chunk
        readings, start, end = blocks[0]
        return list(getattr(readings, name)[start:end])
    return list(chain.from_iterable(getattr(r, name)[start:end] for r, start, end in blocks))


def _series(
    site_id: str, blocks: list[tuple[Readings, int, int]], timestamps: list[str], clock: _Clock
) -> Series:
    cumulative = None
    if any(r.cumulative is not None for r, _, _ in blocks):
        cumulative = list(
            chain.from_iterable(
                repeat(None, end - start) if r.cumulative is None else r.cumulative[start:end]
                for r, start, end in blocks
            )
        )
    generated, consumed = _column(blocks, "generated"), _column(blocks, "consumed")
    epochs, timeline = clock.of(timestamps)
    # validated readings hold each site's readings in time order: so is each site's series
    return Series(
        site_id, timestamps, epochs, generated, consumed, cumulative, in_order=True, timeline=timeline
    )


def series_of_items(items: Sequence[dict[str, Any]]) -> Series:
    """One site's Series from item dicts (stored history: numbers may be strings or Decimals)."""
    if not items:
        return Series("", [], [], [], [])
    timestamps = list(map(itemgetter("timestamp"), items))
    generated = list(map(float, map(itemgetter("energy_generated_kwh"), items)))
    consumed = list(map(float, map(itemgetter("energy_consumed_kwh"), items)))
    registers = list(map(dict.get, items, repeat("cumulative_kwh")))
    cumulative = None
    if registers.count(None) != len(registers):
        cumulative = [None if value is None else float(value) for value in registers]
    return Series(items[0]["site_id"], timestamps, epochs_of(timestamps), generated, consumed, cumulative)
