"""Low-level DynamoDB attribute values for readings and anomalies, built directly from chunk lines.

Numbers stay the exact decimal strings the Transform step produced; nothing goes through float.
"""

from __future__ import annotations

from typing import Any

import orjson

READING_NUMBERS = frozenset(
    {"energy_generated_kwh", "energy_consumed_kwh", "net_energy_kwh", "cumulative_kwh"}
)
ANOMALY_NUMBERS = frozenset({"value", "expected_low", "expected_high", "baseline"})


def _value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float):
        return {"N": repr(value)}
    if isinstance(value, dict):
        return {"M": {key: _value(item) for key, item in value.items() if item is not None}}
    if isinstance(value, list):
        return {"L": [_value(item) for item in value]}
    return {"S": str(value)}


def _attribute_values(item: dict[str, Any], numbers: frozenset[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in item.items():
        if value is None:
            continue
        values[key] = {"N": str(value)} if key in numbers else _value(value)
    return values


def reading_attribute_values(item: dict[str, Any]) -> dict[str, Any]:
    return _attribute_values(item, READING_NUMBERS)


def anomaly_attribute_values(anomaly: dict[str, Any]) -> dict[str, Any]:
    """The anomaly's sort key `<timestamp>#<type>` lets one reading carry several anomaly types."""
    item = {"anomaly_id": f"{anomaly['timestamp']}#{anomaly['type']}", **anomaly}
    return _attribute_values(item, ANOMALY_NUMBERS)


def json_lines(body: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in body.splitlines() if line.strip()]


def dump_json_lines(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(row, default=str) + b"\n" for row in rows)
