"""What the parsers produce: raw records with their place in the file, before validation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

Kind = Literal["json", "jsonl", "csv"]


@dataclass(frozen=True, slots=True)
class Format:
    """How a file is encoded: JSON array, JSON Lines or CSV, optionally gzip-compressed."""

    kind: Kind
    gzip: bool = False


class BadRecord(NamedTuple):
    """A record the parser could not read (a malformed JSON line, a CSV row with missing cells).

    It keeps its position so that it is rejected with a reason instead of sinking the file.
    """

    code: str
    reason: str
    record: object


class RawRecord(NamedTuple):
    """One record as parsed: `line` is the 1-based line for JSON Lines and CSV, else None."""

    position: int
    line: int | None
    value: object


@dataclass(slots=True)
class ParsedFile:
    """The records of one file in file order (position = list index).

    `values` holds the parsed JSON values (dicts of cell text for CSV) or BadRecord; the parallel
    `lines` list is None for a JSON array. Plain lists keep a million-record file cheap.
    """

    format: Format
    values: list[object]
    lines: list[int] | None = None

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[RawRecord]:
        for position, value in enumerate(self.values):
            yield RawRecord(position, self.line(position), value)

    def line(self, position: int) -> int | None:
        return None if self.lines is None else self.lines[position]

    @property
    def cells_are_text(self) -> bool:
        """CSV cells arrive as text and are parsed as numbers; JSON numbers must already be numbers."""
        return self.format.kind == "csv"
