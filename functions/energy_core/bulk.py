"""Column helpers shared by validation, chunking and detection: work done at C speed over a whole column."""

from __future__ import annotations

from collections.abc import Iterable


def where(flags: Iterable[bool] | bytes | bytearray) -> list[int]:
    """Indices of the true flags (a flag per reading, few of them true), found with bytes.find."""
    marks = flags if isinstance(flags, bytes | bytearray) else bytes(flags)
    found, index = [], marks.find(1)
    while index >= 0:
        found.append(index)
        index = marks.find(1, index + 1)
    return found
