"""The detectors' input and output records and the text helpers every detector shares."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from operator import sub
from typing import Any, NamedTuple, TypeVar, overload

T = TypeVar("T")

# Contract field names, so an anomaly names the column the user sees in their own file.
GENERATED = "energy_generated_kwh"
CONSUMED = "energy_consumed_kwh"
CUMULATIVE = "cumulative_kwh"
TIMESTAMP = "timestamp"
FIELDS = (GENERATED, CONSUMED)  # the energy fields the detectors judge, in the order they report them

SEVERITIES = ("low", "medium", "high")
TYPES = (
    "negative_value",
    "out_of_range",
    "spike",
    "flatline",
    "gap",
    "future_timestamp",
    "counter_reset",
    "clock_shift",
)


class SeriesPoint(NamedTuple):
    """One validated reading of one site; detection needs nothing else (no Decimal, no dicts).

    A NamedTuple rather than a frozen dataclass: a million are built per large file, and a frozen
    dataclass's __init__ costs several times a tuple's.
    """

    site_id: str
    timestamp: str  # canonical YYYY-MM-DDTHH:MM:SS.ffffffZ
    epoch: float  # seconds since 1970 (UTC), the value every time computation uses
    generated: float
    consumed: float
    cumulative: float | None = None


class Series(Sequence[SeriesPoint]):
    """One site's readings as columns in time order; a SeriesPoint is built only for what is reported.

    Detectors read the columns with C-level builtins (min/max, map, bytes.find); indexing gives the
    SeriesPoint an anomaly names. `Series.of` accepts any sequence of SeriesPoint as well.
    """

    __slots__ = (
        "computed",
        "consumed",
        "cumulative",
        "epochs",
        "generated",
        "in_order",
        "site_id",
        "timeline",
        "timestamps",
    )

    def __init__(  # noqa: PLR0917 - one argument per column
        self,
        site_id: str,
        timestamps: Sequence[str],
        epochs: Sequence[float],
        generated: Sequence[float],
        consumed: Sequence[float],
        cumulative: Sequence[float | None] | None = None,
        *,
        in_order: bool = False,
        timeline: dict[Any, Any] | None = None,
    ) -> None:
        self.in_order = in_order  # known to be in time order (skips the check)
        self.site_id, self.timestamps, self.epochs = site_id, timestamps, epochs
        self.generated, self.consumed, self.cumulative = generated, consumed, cumulative
        # What detectors derive from the epochs alone (steps, time-of-day slots), kept once for every
        # series on the same timestamps: the sites of a fleet usually share one grid.
        self.timeline: dict[Any, Any] = {} if timeline is None else timeline
        self.computed: dict[Any, Any] = {}  # this series' own (detect/arrays.py): never shared

    def once(self, key: Any, work: Callable[[], T]) -> T:
        """`work()`, done once for this series (its columns are never changed in place)."""
        return _kept(self.computed, key, work)

    @property
    def steps(self) -> list[float]:
        """Seconds from each reading to the next (one fewer than readings), computed once: the interval,
        the gaps and the time-of-day slots all read them."""
        steps: list[float] | None = self.timeline.get("steps")
        if steps is None:
            epochs = self.epochs
            steps = self.timeline["steps"] = list(map(sub, islice(epochs, 1, None), epochs))
        return steps

    def derived(self, key: Any, work: Callable[[], T]) -> T:
        """`work()`, done once for every series on the same timestamps (it must depend on them alone)."""
        return _kept(self.timeline, key, work)

    @classmethod
    def of(cls, points: Sequence[SeriesPoint]) -> Series:
        if isinstance(points, Series):
            return points
        if not points:
            return cls("", [], [], [], [])
        sites, stamps, epochs, generated, consumed, cumulative = zip(*points, strict=True)
        return cls(sites[0], stamps, epochs, generated, consumed, cumulative)

    def __len__(self) -> int:
        return len(self.epochs)

    @overload
    def __getitem__(self, index: int) -> SeriesPoint: ...
    @overload
    def __getitem__(self, index: slice) -> Series: ...
    def __getitem__(self, index: int | slice) -> SeriesPoint | Series:
        if isinstance(index, slice):
            return self.take(range(len(self))[index])
        cumulative = None if self.cumulative is None else self.cumulative[index]
        return SeriesPoint(
            self.site_id,
            self.timestamps[index],
            self.epochs[index],
            self.generated[index],
            self.consumed[index],
            cumulative,
        )

    def take(self, indices: Sequence[int] | range) -> Series:
        """The readings at `indices` (a range is sliced, anything else gathered; all of them: this
        series itself, whose columns are never changed in place)."""
        if indices == range(len(self)):
            return self
        if isinstance(indices, range) and indices.step == 1:
            part = slice(indices.start, indices.stop)
            sliced: list[Any] = [None if c is None else c[part] for c in self._columns()]
            return Series(self.site_id, *sliced)
        gathered: list[Any] = [
            None if c is None else list(map(c.__getitem__, indices)) for c in self._columns()
        ]
        return Series(self.site_id, *gathered)

    def __add__(self, other: Series) -> Series:
        columns = [
            None
            if mine is None and theirs is None
            else [*(mine or [None] * len(self)), *(theirs or [None] * len(other))]
            for mine, theirs in zip(self._columns(), other._columns(), strict=True)
        ]
        return Series(self.site_id or other.site_id, *columns)  # type: ignore[arg-type]

    def _columns(self) -> tuple[Sequence[Any] | None, ...]:
        return self.timestamps, self.epochs, self.generated, self.consumed, self.cumulative


def _kept(store: dict[Any, Any], key: Any, work: Callable[[], T]) -> T:
    if key not in store:
        store[key] = work()
    result: T = store[key]
    return result


BOUND_DIGITS = 6  # a millionth of a kWh


@dataclass(frozen=True, slots=True)
class Anomaly:
    """One event: consecutive anomalous readings of one site, field and type (detect/events.py)."""

    site_id: str
    timestamp: str  # canonical start: the first affected reading; for gaps the first missing interval
    type: str  # one of TYPES
    severity: str  # low | medium | high
    value: float | None  # offending value (gap: number of missing intervals)
    expected: str  # human text: "0 to 12.5 kWh", "about 3.1 kWh (median at 12:00)"
    reason: str  # one line a person can act on
    field: str | None = None
    expected_low: float | None = None
    expected_high: float | None = None
    end: str = ""  # the last affected reading (a gap: its last missing interval); "" means the start
    readings: int = 1  # readings affected (a gap: intervals missing)

    def __post_init__(self) -> None:
        if not self.end:
            object.__setattr__(self, "end", self.timestamp)
        # Bounds are learnt from the data (a fraction of the site's scale, a quantile): shown to a person and
        # stored, they keep a millionth of a kWh, not -0.07589279999999998's float noise.
        for bound in ("expected_low", "expected_high"):
            value = getattr(self, bound)
            if value is not None:
                object.__setattr__(self, bound, round(value, BOUND_DIGITS))


def canonical(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def when(timestamp: str) -> str:
    """'2025-03-04 12:15 UTC': what an operator reads in an email; seconds only when they matter."""
    seconds = timestamp[16:19] if timestamp[17:19] != "00" else ""
    return f"{timestamp[:10]} {timestamp[11:16]}{seconds} UTC"


def kwh(value: float) -> str:
    """Enough digits to find the value in the file, never scientific notation, no trailing zeros."""
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    text = f"{value:.1f}" if size >= 100 else f"{value:.3f}" if size >= 0.01 else f"{value:.6f}"
    return text.rstrip("0").rstrip(".") or "0"


def duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60 or minutes % (24 * 60):
        hours = minutes / 60
        return f"{hours:.0f} h" if hours == int(hours) or hours >= 10 else f"{hours:.1f} h"
    return f"{minutes // (24 * 60)} days"


def field_word(field: str) -> str:
    return {GENERATED: "generated", CONSUMED: "consumed", CUMULATIVE: "cumulative"}.get(field, field)
