"""JSON for API responses with Decimal written as the exact number it holds.

`json.dumps` cannot emit a Decimal as a number (Powertools' encoder makes it a string, pydantic's
JSON mode too, and float() would turn 0.1 + 0.2 into 0.30000000000000004), so numbers are written here.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


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
    if isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            out.append("," if index else "")
            out.append(json.dumps(str(key)) + ":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            out.append("," if index else "")
            _write(item, out)
        out.append("]")
    elif isinstance(value, Decimal):
        out.append(decimal_text(value))
    else:
        # json.dumps escapes lone surrogates and non-ASCII, so any stored string is safe to send.
        out.append(json.dumps(value, allow_nan=False))
