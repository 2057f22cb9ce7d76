"""The query API's reading of low-level DynamoDB items (energy_aws.queries.plain) gives boto3's values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer
from hypothesis import given
from hypothesis import strategies as st

from energy_aws.queries import plain, plain_value

# DynamoDB's number forms: exponents, trailing zeros, signed zero, 38 significant digits.
numbers = st.one_of(
    st.sampled_from(["0", "-0", "1.50", "1e-05", "-3.25E+10", "12345678901234567890123456789012345678"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**9), max_value=10**9).map(str),
)
scalars = st.one_of(
    st.text(max_size=8).map(lambda text: {"S": text}),
    numbers.map(lambda text: {"N": text}),
    st.booleans().map(lambda flag: {"BOOL": flag}),
    st.just({"NULL": True}),
    st.binary(min_size=1, max_size=4).map(lambda data: {"B": data}),
    st.lists(numbers, min_size=1, max_size=3).map(lambda values: {"NS": values}),
    st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=3).map(lambda values: {"SS": values}),
    st.lists(st.binary(min_size=1, max_size=3), min_size=1, max_size=3).map(lambda values: {"BS": values}),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: {"L": items}),
        st.dictionaries(st.text(max_size=4), inner, max_size=3).map(lambda members: {"M": members}),
    ),
    max_leaves=8,
)


def _binary_as_bytes(value: Any) -> Any:
    """boto3's answer with its Binary wrappers unwrapped: the one documented difference."""
    if isinstance(value, Binary):
        return value.value
    if isinstance(value, dict):
        return {name: _binary_as_bytes(member) for name, member in value.items()}
    if isinstance(value, list):
        return [_binary_as_bytes(member) for member in value]
    if isinstance(value, set):
        return {_binary_as_bytes(member) for member in value}
    return value


def _same(left: Any, right: Any) -> bool:
    """Equal, and every Decimal in the same form (1.50 stays 1.50: the API answers the stored text)."""
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        return type(left) is type(right) and str(left) == str(right)
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[name], right[name]) for name in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, set) and isinstance(right, set):
        return {str(each) for each in left} == {str(each) for each in right}
    return type(left) is type(right) and left == right


@given(st.dictionaries(st.text(min_size=1, max_size=6), values, max_size=5))
def test_an_item_reads_as_boto3_reads_it(item: dict[str, Any]) -> None:
    boto3_values = {name: _binary_as_bytes(TypeDeserializer().deserialize(value)) for name, value in item.items()}

    assert _same(plain(item), boto3_values)


def test_numbers_keep_their_stored_form_and_an_unknown_type_is_refused() -> None:
    assert str(plain_value({"N": "1.50"})) == "1.50"
    assert plain_value({"M": {"a": {"L": [{"N": "1e-05"}, {"NULL": True}]}}}) == {"a": [Decimal("0.00001"), None]}
    with pytest.raises(TypeError):
        plain_value({"X": "1"})
