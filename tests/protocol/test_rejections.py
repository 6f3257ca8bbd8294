"""``integer_in_range``: the integer parameters the fake's HTTP routes bound (SIP status,
client secret lifetime), refused with the live service's codes and wording."""

from __future__ import annotations

import pytest

from openai_realtime.protocol.rejections import InvalidRequest, integer_in_range


@pytest.mark.parametrize("value", [400, 500, 699])
def test_an_integer_within_the_bounds_comes_back(value: int) -> None:
    assert integer_in_range("status_code", value, 400, 699) == value


@pytest.mark.parametrize("value", [True, "486", 486.0, None])
def test_anything_but_an_integer_is_invalid_type(value: object) -> None:
    with pytest.raises(InvalidRequest) as refused:
        integer_in_range("status_code", value, 400, 699)

    assert (refused.value.code, refused.value.param) == ("invalid_type", "status_code")
    assert refused.value.message == "Invalid type for 'status_code': expected an integer."


@pytest.mark.parametrize(
    ("value", "code", "expected"),
    [
        (399, "integer_below_min_value", "Expected a value >= 400, but got 399 instead."),
        (700, "integer_above_max_value", "Expected a value <= 699, but got 700 instead."),
    ],
)
def test_an_integer_outside_the_bounds_names_the_bound_it_broke(
    value: int, code: str, expected: str
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        integer_in_range("status_code", value, 400, 699)

    assert (refused.value.code, refused.value.param) == (code, "status_code")
    assert refused.value.message.endswith(expected)
