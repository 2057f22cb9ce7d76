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
    return _Clock(timestamps).of(list(timestamps))


def series_by_site(chunks: Iterable[Readings]) -> dict[str, Series]:
    """Each site's readings over all chunks (by site, then time; a site may span chunks)."""
    parts: dict[str, list[tuple[Readings, int, int]]] = {}
    chunks = list(chunks)
    for readings in chunks:
        for site_id, start, end in readings.site_blocks():
            parts.setdefault(site_id, []).append((readings, start, end))
    clock = _Clock(chain.from_iterable(readings.timestamps for readings in chunks))
    return {site_id: _series(site_id, blocks, clock) for site_id, blocks in parts.items()}


class _Clock:
    """Epoch seconds of a file's timestamps, each distinct one converted once.

    The sites of a fleet usually share one grid: a site's (sorted) timestamps are then a run of the
    file's sorted distinct timestamps, and its epochs one slice of theirs - no lookup per reading.
    """

    def __init__(self, timestamps: Iterable[str]) -> None:
        self.stamps = sorted(set(timestamps))
        self.epochs = [_fromisoformat(text).timestamp() for text in self.stamps]
        self.memo: dict[str, float] | None = None

    def of(self, timestamps: list[str]) -> list[float]:
        if not timestamps:
            return []
        start = bisect_left(self.stamps, timestamps[0])
        end = start + len(timestamps)
        if self.stamps[start:end] == timestamps:
            return self.epochs[start:end]
        if self.memo is None:
            self.memo = dict(zip(self.stamps, self.epochs, strict=True))
        return list(map(self.memo.__getitem__, timestamps))


def _series(site_id: str, blocks: list[tuple[Readings, int, int]], clock: _Clock) -> Series:
    def column(name: str) -> list[Any]:
        return list(chain.from_iterable(getattr(r, name)[start:end] for r, start, end in blocks))

    timestamps = column("timestamps")
    cumulative = None
    if any(r.cumulative is not None for r, _, _ in blocks):
        cumulative = list(
            chain.from_iterable(
                repeat(None, end - start) if r.cumulative is None else r.cumulative[start:end]
                for r, start, end in blocks
            )
        )
    generated, consumed = column("generated"), column("consumed")
    # validated readings hold each site's readings in time order: so is each site's series
    return Series(site_id, timestamps, clock.of(timestamps), generated, consumed, cumulative, in_order=True)


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
