"""clock_shift: a PV logger whose clock moved (daylight saving applied to a UTC logger, a reset).

The sun does not move: the middle of a PV array's daylight (halfway between its first and last
reading of real output) drifts by seconds from one day to the next. When the centre of several
consecutive days sits `min_shift_minutes` or more away from the days before, and stays there, the
logger's clock moved.
Days much darker than the site's usual day are left out (a morning of cloud moves the centre of one
day, never of several in a row), and at least three quarters of the days after the change must
have moved the same way by at least half the threshold.
Stored history counts: a shift at a file boundary is judged with the days before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import arrays
from .config import DetectionConfig
from .model import GENERATED, Anomaly, Series, duration, when

DAY = 86400.0
# How far (as a share of min_shift_minutes) the days before a move may sit from their median and still be
# one reference: real summer days of a healthy array (serf-east, August 2016) alternate by 15-20 minutes,
# and at half the threshold a 70-minute move after them was never reported.
STEADY_SHARE = 0.75


def clock_shifts(series: Series, fresh: list[bool], config: DetectionConfig) -> list[Anomaly]:
    """A clock_shift event on the first day of each lasting move, reported by the file that confirms it."""
    cfg = config.clock
    if not cfg.enabled or len(series) < 2:
        return []
    epochs = arrays.epochs(series)
    generated = np.clip(arrays.values(series, GENERATED), 0.0, None)
    if not generated.any():
        return []
    # A site's day runs from its darkest hour, not from UTC midnight (in the Americas a sunny
    # afternoon straddles 00:00 UTC).
    night = darkest_hour(epochs, generated) * 3600.0
    day_of = np.floor((epochs - night) / DAY).astype(np.int64)
    moves = lasting_moves(epochs, generated, day_of, night, config)
    if not moves:
        return []
    # the file whose readings end a confirming day reports the shift ...
    last_of_day = np.flatnonzero(np.diff(np.append(day_of, day_of[-1] + 1)))
    fresh_days = {int(day_of[i]) for i in last_of_day if fresh[i]}
    confirmed = {day: move for day, move in moves.items() if move.confirmed_on in fresh_days}
    stored = ~np.asarray(fresh, dtype=bool)
    if confirmed and stored.any():
        # ... once: which days count as bright depends on the window of days a file brings, so a
        # later file may see the same move confirmed again, from the same day or one a little
        # later. A move the stored history alone already confirms, starting within `days_before`
        # days before this one, was reported by an earlier file.
        earlier = lasting_moves(epochs[stored], generated[stored], day_of[stored], night, config)
        confirmed = {
            day: move
            for day, move in confirmed.items()
            if not any(0 <= day - seen <= cfg.days_before for seen in earlier)
        }
    return [_shift(series, day_of, day, move.before, move.moved) for day, move in sorted(confirmed.items())]


@dataclass(frozen=True, slots=True)
class Move:
    """A lasting move of the centre of daylight, from its first day on."""

    before: float  # seconds into the day, the centre of the days before
    moved: float  # seconds, + later
    confirmed_on: int  # the last of the days after that confirm it


def lasting_moves(
    epochs: np.ndarray, generated: np.ndarray, day_of: np.ndarray, night: float, config: DetectionConfig
) -> dict[int, Move]:
    """Each lasting move by its first day."""
    cfg = config.clock
    if not len(epochs):
        return {}
    # a move is judged against `days_before` days and confirmed by `days_after` more
    needed = cfg.days_before + cfg.days_after
    days, centres = daily_centres(epochs - night, generated, day_of, cfg.min_day_fraction, at_least=needed)
    centres = centres + night
    if len(days) < needed:
        return {}
    threshold = cfg.min_shift_minutes * 60.0
    windows = np.lib.stride_tricks.sliding_window_view
    first, stop = cfg.days_before, len(days) - cfg.days_after + 1  # the days k that can be judged
    # for each day k: the median of the days_before days before it, and each of the days_after
    # days from k on measured against it
    history = windows(centres, cfg.days_before)[: stop - first]
    before = np.median(history, axis=1)
    # the days before agree among themselves (a window that still holds the previous move is not a
    # reference: the move is reported once, from its first day)
    steady = np.median(np.abs(history - before[:, None]), axis=1) < STEADY_SHARE * threshold
    after = windows(centres, cfg.days_after)[first:stop] - before[:, None]
    moved = np.median(after, axis=1)
    # a clock moves every day alike; clouds move single days: most days after must have moved
    alike = (np.sign(after) == np.sign(moved)[:, None]) & (np.abs(after) >= threshold / 2)
    held = alike.sum(axis=1) >= 0.75 * cfg.days_after
    # the move starts on day k, not before: day k has moved, the day before k sits nearer the old
    # centre than the new, and the day after k is not back at the old centre (a cloudy day followed
    # by an ordinary one, then dim days left out, then the real move, is weather; the move starts later)
    previous = centres[first - 1 : stop - 1]
    settled = alike[:, 0] & (np.abs(after[:, 1]) >= threshold / 2) & (
        np.abs(previous - before) < np.abs(previous - (before + moved))
    )
    starts = (np.abs(moved) >= threshold) & held & settled & steady
    # a move whose day before also qualifies started there: reported once, from its first day
    first_day = starts & ~np.concatenate(([False], starts[:-1]))
    last = first + cfg.days_after - 1  # the day that confirms a move starting at `first`
    return {
        int(days[first + n]): Move(float(before[n]), float(moved[n]), int(days[last + n]))
        for n in np.flatnonzero(first_day)
    }


def darkest_hour(epochs: np.ndarray, generated: np.ndarray) -> int:
    """The hour of day (UTC) in which the site generates least on average."""
    hours = ((epochs % DAY) // 3600).astype(np.int64)
    totals = np.bincount(hours, weights=generated, minlength=24)
    return int(np.argmin(totals))


def daily_centres(
    epochs: np.ndarray, generated: np.ndarray, day_of: np.ndarray, min_day_fraction: float, at_least: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Each generating day and the middle of its daylight (seconds into the day): halfway between the
    moments its output rose above and fell below a twentieth of the site's usual daily peak. Sunrise
    and sunset move together only when the clock moves; a cloudy morning moves one edge, a spike neither.

    Days below `min_day_fraction` of the median day's energy are skipped: their edges are noise. An
    edge counts only when it was seen: the reading just before the first lit one (or just after the
    last) is there and dark; a logger that held its last value through the night, or rows missing at
    the edge, hide it. A day with one edge seen is placed by that edge and the length of daylight of
    the nearest days that saw both (the length of a day does not move with the clock, and changes by
    minutes a day at most).

    None at all when fewer than `at_least` days are bright: a caller that needs that many days is
    spared the edges (most of the work; a file of a few days with no history is common).
    """
    starts = np.flatnonzero(np.diff(day_of, prepend=day_of[0] - 1))  # each day's first reading
    days = day_of[starts]
    energy = np.add.reduceat(generated, starts)
    lit = energy > 0
    if not lit.any():
        return np.empty(0, np.int64), np.empty(0)
    bright = lit & (energy >= min_day_fraction * arrays.median(energy[lit]))
    if np.count_nonzero(bright) < at_least:
        return np.empty(0, np.int64), np.empty(0)
    level = arrays.median(np.maximum.reduceat(generated, starts)[bright]) / 20
    positions = np.arange(len(generated))
    above = generated > level
    dawn = np.minimum.reduceat(np.where(above, positions, len(generated)), starts)
    dusk = np.maximum.reduceat(np.where(above, positions, -1), starts)
    bright &= dusk >= 0
    dawn, dusk = np.where(bright, dawn, 0), np.where(bright, dusk, 0)
    pace = _step(epochs)
    rise_seen = bright & _dark_before(epochs, above, dawn, pace)
    fall_seen = bright & _dark_after(epochs, above, dusk, pace)
    both = rise_seen & fall_seen
    if not both.any():
        return np.empty(0, np.int64), np.empty(0)
    # where between the dark reading and the lit one the output crossed the level (linear): the
    # edges to a fraction of an interval, not rounded to the logger's 15 minutes
    rise = _crossing(epochs, generated, np.maximum(dawn - 1, 0), dawn, level)
    fall = _crossing(epochs, generated, dusk, np.minimum(dusk + 1, len(epochs) - 1), level)
    daylight = np.interp(days, days[both], (fall - rise)[both])
    middle = np.where(both, (rise + fall) / 2, np.where(rise_seen, rise + daylight / 2, fall - daylight / 2))
    keep = rise_seen | fall_seen
    return days[keep], middle[keep] - days[keep] * DAY


def _crossing(
    epochs: np.ndarray, generated: np.ndarray, a: np.ndarray, b: np.ndarray, level: float
) -> np.ndarray:
    """The time between readings a and b at which the output passed `level` (one is above, one not)."""
    span = generated[b] - generated[a]
    share = np.divide(level - generated[a], span, out=np.full(len(a), 0.5), where=span != 0)
    return epochs[a] + np.clip(share, 0.0, 1.0) * (epochs[b] - epochs[a])


def _step(epochs: np.ndarray) -> float:
    """The logger's pace: the median time from one reading to the next."""
    return arrays.median(np.diff(epochs)) if len(epochs) > 1 else 0.0


DARK_READINGS = 2  # dark readings in a row, at the logger's pace, that make an edge seen


def _dark_before(epochs: np.ndarray, above: np.ndarray, lit: np.ndarray, pace: float) -> np.ndarray:
    """Whether the DARK_READINGS readings before each `lit` index are there, one interval apart, and
    dark (one zero after hours of missing rows is a logger waking up, not a dawn)."""
    return _dark_run(epochs, above, lit, -1, pace)


def _dark_after(epochs: np.ndarray, above: np.ndarray, lit: np.ndarray, pace: float) -> np.ndarray:
    """Whether the DARK_READINGS readings after each `lit` index are there, one interval apart, and dark."""
    return _dark_run(epochs, above, lit, +1, pace)


def _dark_run(epochs: np.ndarray, above: np.ndarray, lit: np.ndarray, way: int, pace: float) -> np.ndarray:
    last = len(epochs) - 1
    # per lit reading (a row): itself, then the DARK_READINGS readings beyond it, `way` (-1 or +1)
    at = lit[:, None] + way * np.arange(DARK_READINGS + 1)
    inside = (at[:, 1:] >= 0) & (at[:, 1:] <= last)
    at = np.clip(at, 0, last)
    one_interval_apart = np.abs(np.diff(epochs[at], axis=1)) <= 1.5 * pace
    return np.all(inside & one_interval_apart & ~above[at[:, 1:]], axis=1)


def _shift(series: Series, day_of: np.ndarray, day: int, before: float, moved: float) -> Anomaly:
    on_day = np.flatnonzero(day_of == day)
    first, last = series[int(on_day[0])], series[int(on_day[-1])]
    direction = "later" if moved > 0 else "earlier"
    usual = _clock(before)
    return Anomaly(
        site_id=first.site_id,
        timestamp=first.timestamp,
        type="clock_shift",
        severity="medium",
        value=round(moved / 60.0, 1),
        expected=f"generation centred near {usual} UTC, as on the days before",
        reason=(
            f"from {when(first.timestamp)[:10]} generation is centred {duration(abs(moved))} {direction}"
            f" ({_clock(before + moved)} instead of {usual} UTC) and stays there: the logger's clock moved"
            " (daylight saving applied to a UTC logger, or a reset); fix the logger's time zone and resend"
        ),
        field=GENERATED,
        end=last.timestamp,
        readings=len(on_day),
    )


def _clock(seconds: float) -> str:
    minutes = round(seconds / 60.0) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
