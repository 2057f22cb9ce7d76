"""CSV with a header row: a column per field of the contract, in any order; other columns are ignored."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

from energy_core.contract import OPTIONAL, REQUIRED
from energy_core.errors import InvalidFile
from energy_core.parsed import BadRecord

if TYPE_CHECKING:
    from _csv import Reader as CsvReader  # the type of csv.reader(...), stubs only

_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def parse_csv(text: str) -> tuple[list[object], list[int]]:
    """Rows as dicts of stripped cell text keyed by contract column, with their 1-based start line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _header(reader)
    columns = _columns(header)
    width = len(header)
    values: list[object] = []
    lines: list[int] = []
    for line, row in _rows(reader):
        if isinstance(row, BadRecord):
            values.append(row)
        elif any(cell.strip() for cell in row):  # else a blank line
            values.append(_record(row, width, columns, line))
        else:
            continue
        lines.append(line)
    return values, lines


def _record(row: list[str], width: int, columns: dict[str, int], line: int) -> object:
    # Excel pads rows with empty trailing cells; only cells with content count as extra.
    if len(row) < width or any(cell.strip() for cell in row[width:]):
        return BadRecord(
            "csv_wrong_cell_count",
            f"line {line} has {len(row)} cells but the header has {width} columns; "
            "give every row one cell per column (an empty cell still needs its comma)",
            row,
        )
    return {name: row[index].strip() for name, index in columns.items()}


def _header(reader: CsvReader) -> list[str]:
    for row in reader:
        if any(cell.strip() for cell in row):
            return row
    raise InvalidFile(
        "empty_file", "the CSV file has no header row and no readings; upload a file with readings"
    )


def _columns(header: list[str]) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in REQUIRED + OPTIONAL:
            columns.setdefault(name, index)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise _header_error(header, missing)
    return columns


def _header_error(header: list[str], missing: list[str]) -> InvalidFile:
    joined = ",".join(header)
    for delimiter, plural in _OTHER_DELIMITERS.items():
        if len(header) == 1 and all(name in joined for name in REQUIRED) and delimiter in joined:
            return InvalidFile(
                "csv_wrong_delimiter",
                f"the CSV header separates columns with {plural}; save the file with commas "
                "(in Excel: 'CSV UTF-8 (Comma delimited)') and use '.' as the decimal point",
            )
    shown = ", ".join(repr(cell.strip()[:40]) for cell in header[:12])
    return InvalidFile(
        "csv_header_missing_columns",
        f"the CSV header lacks {', '.join(missing)} (found {shown}); the first row must name the columns "
        f"{', '.join(REQUIRED)} (any order; {', '.join(OPTIONAL)} optional)",
    )


def _rows(reader: CsvReader) -> Iterator[tuple[int, list[str] | BadRecord]]:
    """Rows with their start line; a row the csv module cannot read becomes a BadRecord."""
    line_num = reader.line_num
    while True:
        start = line_num + 1
        try:
            row: list[str] | BadRecord = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row = BadRecord(
                "csv_bad_row",
                f"line {start} cannot be read as CSV ({exc}); check its quotes and cell lengths",
                None,
            )
        if reader.line_num == line_num:
            return  # defensive: the reader made no progress, so stop rather than loop
        line_num = reader.line_num
        yield start, row
