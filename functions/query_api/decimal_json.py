"""JSON for API responses with Decimal written as the exact number it holds.

`json.dumps` cannot emit a Decimal as a number (Powertools' encoder makes it a string, pydantic's
JSON mode too, and float() would turn 0.1 + 0.2 into 0.30000000000000004), so numbers are written here.
"""

from __future__ import annotations

import json
from decimal import Decimal
from json.encoder import encode_basestring_ascii
from typing import Any

# What json.dumps writes for a str (ensure_ascii: lone surrogates and non-ASCII escaped, so any stored
# string is safe to send), without building an encoder per value.
_string = encode_basestring_ascii


def decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"{value} has no JSON representation")
    text = str(value)
    # str() may give "1E+2"; JSON allows exponents, but a plain form reads better when it is short.
    if "E" in text:
        plain = format(value, "f")
        return plain if len(plain) <= 40 else text
    return text


def dumps(document: Any) -> str:
    parts: list[str] = []
    _write(document, parts)
    return "".join(parts)


def _write(value: Any, out: list[str]) -> None:
    # Exact types first, in the order a page of readings holds them (a page is ~100k values): str,
    # Decimal, dict, list. Strings go straight to the encoder json.dumps itself ends in for a str.
    kind = type(value)
    if kind is str:
        out.append(_string(value))
    elif kind is Decimal:
        out.append(decimal_text(value))
    elif isinstance(value, dict):
        out.append("{")
        separator = ""
        for key, item in value.items():
            out.append(separator)
            out.append(_string(str(key)))
            out.append(":")
            _write(item, out)
            separator = ","
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        separator = ""
        for item in value:
            out.append(separator)
            _write(item, out)
            separator = ","
        out.append("]")
    elif isinstance(value, Decimal):
        out.append(decimal_text(value))
    else:  # bool, int, float, None (and str subclasses) as json.dumps writes them; NaN is refused
        out.append(json.dumps(value, allow_nan=False))
