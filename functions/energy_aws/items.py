"""Low-level DynamoDB attribute values for readings (each carrying its anomalies).

Numbers arrive as JSON floats or as decimal strings and are written as DynamoDB N without going
through Decimal: a string as it is, a float as `repr` (its shortest round-trip decimal, which is what
validation treats as canonical). Derived values (`net_energy_kwh`) are never stored: the API computes
them from the stored ones.
"""

from __future__ import annotations

from typing import Any

import orjson

READING_NUMBERS = frozenset({"energy_generated_kwh", "energy_consumed_kwh", "cumulative_kwh"})
# ReadingsTable's sparse index (template.yaml) is keyed on ANOMALY_SITE (= site_id) and the timestamp:
# only readings with anomalies carry the attribute, so the index holds those readings alone.
ANOMALY_INDEX = "AnomaliesBySite"
ANOMALY_SITE = "anomaly_site"


def number(value: Any) -> str:
    """DynamoDB N text: a string as it is, a float's shortest round-trip form, else str (int, Decimal)."""
    if type(value) is str:
        return value
    if type(value) is float:
        return repr(value)
    return str(value)


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


def reading_attribute_values(item: dict[str, Any]) -> dict[str, Any]:
    """The ReadingsTable item; a reading with anomalies also gets `anomaly_site` (its place in the index)."""
    values: dict[str, Any] = {}
    for key, value in item.items():
        if value is None:
            continue
        if key in READING_NUMBERS:
            values[key] = {"N": number(value)}
        elif key == "anomalies":
            if value:
                values[key] = _value(value)
                values[ANOMALY_SITE] = {"S": item["site_id"]}
        else:
            values[key] = _value(value)
    return values


def dump_json_lines(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(row, default=str) + b"\n" for row in rows)
