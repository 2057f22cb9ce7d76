"""Format detection and parsing of uploaded files into raw records.

File-level failures raise InvalidFile; a bad record inside a readable file (a malformed JSON line,
a CSV row with missing cells) becomes a BadRecord at its position, so the rest of the file survives.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from energy_core.csvfile import parse_csv
from energy_core.errors import InvalidFile
from energy_core.file_encoding import GZIP_MAGIC, bom_length, decode_utf8, gunzip, gunzip_head, refuse_binary
from energy_core.parsed import BadRecord, Format, Kind, ParsedFile, RawRecord
from energy_core.timestamps import quoted

__all__ = ["DEFAULT_MAX_DECOMPRESSED", "Format", "ParsedFile", "RawRecord", "detect_format", "parse_records"]

DEFAULT_MAX_DECOMPRESSED = 1 << 30  # 1 GiB: ~8M readings, far beyond one Lambda's budget anyway
_EXTENSIONS: dict[str, Kind] = {"json": "json", "jsonl": "jsonl", "ndjson": "jsonl", "csv": "csv"}


def detect_format(key: str, head: bytes) -> Format:
    """Format by extension (.json/.jsonl/.ndjson/.csv, optional .gz), else by sniffing `head`."""
    name = key.rsplit("/", 1)[-1].lower()
    compressed = head.startswith(GZIP_MAGIC)  # the content decides: a mislabelled .gz still parses
    name = name.removesuffix(".gz")
    kind = _EXTENSIONS.get(name.rsplit(".", 1)[-1]) if "." in name else None
    if kind is None:
        kind = _sniff(gunzip_head(head) if compressed else head)
    return Format(kind, compressed)


def _sniff(head: bytes) -> Kind:
    text = head[bom_length(head) :].lstrip()
    refuse_binary(head)
    if text.startswith(b"["):
        return "json"
    return "jsonl" if text.startswith(b"{") else "csv"


def parse_records(data: bytes, fmt: Format, max_decompressed: int = DEFAULT_MAX_DECOMPRESSED) -> ParsedFile:
    """Every record of the file with its position, or InvalidFile if the file cannot be read at all."""
    if fmt.gzip:
        data = gunzip(data, max_decompressed)
    body = memoryview(data)[bom_length(data) :]  # first: UTF-16 has NULs but deserves its own reason
    refuse_binary(data)
    if not bytes(body[:4096]).strip() and not bytes(body).strip():
        raise InvalidFile("empty_file", "the file is empty (or only whitespace); upload a file with readings")
    if fmt.kind == "csv":
        values, lines = parse_csv(decode_utf8(data).removeprefix("\ufeff"))
        parsed = ParsedFile(fmt, values, lines)
    elif fmt.kind == "jsonl":
        parsed = _parse_jsonl(data, body, fmt)
    else:
        parsed = ParsedFile(fmt, _parse_json_array(data, body))
    if not parsed.values:
        raise InvalidFile("empty_file", "the file holds no readings; upload a file with at least one reading")
    return parsed


def _parse_json_array(data: bytes, body: memoryview) -> list[object]:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        value = _retry_or_explain(data, exc)
    if isinstance(value, dict):
        raise InvalidFile("not_an_array", _object_reason(value))
    if not isinstance(value, list):
        raise InvalidFile(
            "not_an_array", f"the file holds a JSON {type(value).__name__}, not an array of readings"
        )
    return value


def _object_reason(value: dict[Any, Any]) -> str:
    """Why a JSON object is not a file of readings, and the fix: an export that wraps the array in an
    object ({"readings": [...]}) is unwrapped; a single reading is put in [ ]."""
    arrays = [(key, inner) for key, inner in value.items() if isinstance(inner, list)]
    if len(arrays) == 1:
        key, inner = arrays[0]
        return (
            f"the file is a JSON object whose {quoted(str(key))} holds {len(inner):,} values; upload that"
            " array itself: the file must be [ {reading}, ... ] at its top level"
        )
    return (
        "the file holds a single JSON object, not an array of readings; wrap it in [ ] "
        "(or name the file .jsonl for one reading per line)"
    )


def _retry_or_explain(data: bytes, exc: orjson.JSONDecodeError) -> object:
    text = decode_utf8(data).removeprefix("\ufeff")  # a decoding failure is the better reason
    if _is_non_finite(text, exc):
        # orjson refuses NaN, Infinity and 1e309 (they are not JSON); the standard library reads
        # them as floats, so the validator rejects just those records as not_finite.
        try:
            return json.loads(text)
        except RecursionError as deep:
            raise InvalidFile("too_deep", "the JSON nests too deeply; a reading is a flat object") from deep
        except json.JSONDecodeError as other:  # a second, real syntax error further on
            raise _malformed(other.msg, other.lineno, other.colno) from other
        except ValueError:
            pass  # e.g. an integer of more than 4300 digits: orjson's own message below
    if "depth limit" in exc.msg:
        raise InvalidFile(
            "too_deep",
            f"the JSON nests more than 1024 levels deep at line {exc.lineno} column {exc.colno}; "
            "a reading is a flat object",
        ) from exc
    hint = ""
    if "after document" in exc.msg and text.lstrip().startswith("{"):
        hint = "it looks like JSON Lines: name the file .jsonl, or wrap the objects in [ ] with commas"
    raise _malformed(exc.msg, exc.lineno, exc.colno, hint) from exc


def _malformed(problem: str, line: int, column: int, hint: str = "") -> InvalidFile:
    hint = hint or "check the file is complete and valid JSON"
    return InvalidFile(
        "malformed_json", f"the file is not valid JSON: {problem} at line {line} column {column}; {hint}"
    )


def _is_non_finite(text: str, exc: orjson.JSONDecodeError) -> bool:
    if exc.msg.startswith("number is infinity"):
        return True
    return text[exc.pos : exc.pos + 9].lstrip("-").startswith(("NaN", "Infinity"))


def _parse_jsonl(data: bytes, body: memoryview, fmt: Format) -> ParsedFile:
    values: list[object] = []
    lines: list[int] = []
    loads = orjson.loads
    for number, line in enumerate(bytes(body).split(b"\n"), start=1):
        try:
            value = loads(line)
        except orjson.JSONDecodeError as exc:
            if not line.strip():
                continue  # blank lines (and a final newline) separate nothing
            value = _bad_line(data, line, number, exc)
        values.append(value)
        lines.append(number)
    return ParsedFile(fmt, values, lines)


def _bad_line(data: bytes, line: bytes, number: int, exc: orjson.JSONDecodeError) -> object:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        decode_utf8(data)  # raises not_utf8 with the offset in the whole file
        raise
    if _is_non_finite(text, exc):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            pass
    if "depth limit" in exc.msg:
        return BadRecord(
            "too_deep", f"line {number} nests more than 1024 levels deep; a reading is a flat object", text
        )
    return BadRecord(
        "malformed_json",
        f"line {number} is not valid JSON ({exc.msg} at column {exc.colno}); write one JSON object per line",
        text,
    )
