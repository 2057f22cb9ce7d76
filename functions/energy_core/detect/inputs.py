"""Detector input: each site's Series, built column-wise from readings chunks or stored items."""

from __future__ import annotations

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
    return list(map(_epoch_memo(timestamps).__getitem__, timestamps))


def series_by_site(chunks: Iterable[Readings]) -> dict[str, Series]:
    """Each site's readings over all chunks (sorted by site, then time; a site may span chunks)."""
    parts: dict[str, list[tuple[Readings, int, int]]] = {}
    chunks = list(chunks)
    for readings in chunks:
        for site_id, start, end in readings.site_blocks():
            parts.setdefault(site_id, []).append((readings, start, end))
    # one conversion per distinct timestamp of the file, shared by its sites
    epochs = _epoch_memo(chain.from_iterable(readings.timestamps for readings in chunks))
    return {site_id: _series(site_id, blocks, epochs) for site_id, blocks in parts.items()}


def _epoch_memo(timestamps: Iterable[str]) -> dict[str, float]:
    return {text: _fromisoformat(text).timestamp() for text in set(timestamps)}


def _series(site_id: str, blocks: list[tuple[Readings, int, int]], epochs: dict[str, float]) -> Series:
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
    return Series(
        site_id, timestamps, list(map(epochs.__getitem__, timestamps)), generated, consumed, cumulative
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
