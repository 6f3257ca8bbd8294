"""``number_type``: the one argparse type behind ports, paces, time scales, counts and speeds."""

from __future__ import annotations

import argparse
import math

import pytest

from openai_realtime.cli._common import number_type, port_number

POSITIVE = number_type(float, lambda number: 0 < number < math.inf, "a positive number")


@pytest.mark.parametrize(("text", "number"), [("0.5", 0.5), ("3", 3.0), ("1e3", 1000.0)])
def test_a_number_in_bounds_comes_back_parsed(text: str, number: float) -> None:
    assert POSITIVE(text) == number


@pytest.mark.parametrize("text", ["nan", "inf", "0", "-1", "fast", ""])
def test_no_number_or_one_out_of_bounds_is_an_argparse_error_naming_the_text(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=rf"^{text!r} is not a positive number$"):
        POSITIVE(text)


@pytest.mark.parametrize(("text", "accepted"), [("0", True), ("65535", True), ("65536", False)])
def test_port_numbers_run_from_0_to_65535(text: str, accepted: bool) -> None:
    if accepted:
        assert port_number(text) == int(text)
    else:
        with pytest.raises(argparse.ArgumentTypeError, match=r"is not a port number \(0 to"):
            port_number(text)


def test_an_int_type_refuses_a_fraction() -> None:
    count = number_type(int, lambda value: value >= 0, "a whole number at least 0")
    with pytest.raises(argparse.ArgumentTypeError, match=r"'1\.5' is not a whole number"):
        count("1.5")
