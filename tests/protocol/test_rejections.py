"""The shared rejection helpers: ``integer_in_range`` (SIP status, client secret lifetime) and
``json_request_body`` (the fake's REST routes), refused with the live service's codes and
wording."""

from __future__ import annotations

import pytest

from openai_realtime.protocol.rejections import InvalidRequest, integer_in_range, json_request_body


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


@pytest.mark.parametrize(("body", "data"), [("", {}), ("  \n", {}), ('{"a": [1]}', {"a": [1]})])
def test_a_request_body_is_its_json_object_and_empty_is_empty(
    body: str, data: dict[str, object]
) -> None:
    assert json_request_body(body) == data


@pytest.mark.parametrize(
    ("body", "code"),
    [("{not json", "invalid_json"), ("[1, 2]", "invalid_type"), ("3", "invalid_type")],
)
def test_a_body_that_is_no_json_object_is_refused(body: str, code: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        json_request_body(body)

    assert refused.value.code == code
    if code == "invalid_json":
        assert refused.value.message.startswith("We could not parse the JSON body")
