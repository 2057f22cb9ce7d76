"""The query API's JSON (query_api.decimal_json): json.dumps' text, with each Decimal as the number it holds."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from query_api import decimal_json

scalars = st.one_of(
    st.text(alphabet=st.characters(exclude_characters="\0")), st.integers(), st.booleans(), st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
)  # fmt: skip
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=12,
)
decimals = st.decimals(allow_nan=False, allow_infinity=False)
with_decimals = st.recursive(
    st.one_of(scalars, decimals),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=12,
)


@given(documents)
def test_without_decimals_the_text_is_json_dumps_compact(document: Any) -> None:
    assert decimal_json.dumps(document) == json.dumps(document, separators=(",", ":"), allow_nan=False)


@given(with_decimals)
def test_every_decimal_is_written_as_its_exact_number(document: Any) -> None:
    """json.dumps' text with each Decimal where json.dumps would have written a marker string."""
    numbers: list[str] = []

    def marked(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: marked(item) for key, item in value.items()}
        if isinstance(value, list):
            return [marked(item) for item in value]
        if isinstance(value, Decimal):
            numbers.append(decimal_json.decimal_text(value))
            return f"\0{len(numbers) - 1}\0"
        return value

    expected = json.dumps(marked(document), separators=(",", ":"))
    for index, number in enumerate(numbers):
        expected = expected.replace(f'"\\u0000{index}\\u0000"', number, 1)
    assert decimal_json.dumps(document) == expected
    assert "E" not in decimal_json.decimal_text(Decimal("1E+2"))  # short numbers in plain form


def test_tuples_are_lists_and_non_finite_numbers_are_refused() -> None:
    assert decimal_json.dumps({"a": (Decimal("1.50"), "é", None, True)}) == '{"a":[1.50,"\\u00e9",null,true]}'
    with pytest.raises(ValueError):
        decimal_json.dumps([Decimal("NaN")])
    with pytest.raises(ValueError):
        decimal_json.dumps([float("inf")])
