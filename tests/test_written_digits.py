"""How many digits a number has written out, and the quick test of the limit.

``within_written_limit`` decides, at every Quantity, display and outcome, whether
a number can be written out at all; it must say exactly what counting the digits
says, for numbers near the limit and numbers far from it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_formula.decimals import MAX_DIGITS, within_written_limit, written_digits
from kpi_formula.display import display_value

_coefficients = st.one_of(
    st.integers(-(10**40), 10**40),
    st.integers(0, 3).map(lambda zeros: 10 ** (zeros * 200)),  # long powers of ten
    st.integers(1, 1200).map(lambda length: int("7" * length)),  # long coefficients
)
_numbers = st.builds(
    lambda coefficient, exponent: Decimal(f"{coefficient}E{exponent}"),  # exactly
    _coefficients,
    st.integers(-1300, 1300),
) | st.sampled_from([Decimal("-0"), Decimal("0E-999"), Decimal("1E+999"), Decimal("1E-999")])


@given(_numbers, st.sampled_from([0, 2, 3]))
def test_the_quick_test_agrees_with_counting(value: Decimal, shift: int) -> None:
    assert within_written_limit(value, shift) == (written_digits(value, shift) <= MAX_DIGITS)


def test_long_coefficients_reach_the_limit() -> None:
    assert len(Decimal("7" * 1200).as_tuple().digits) == 1200  # built exactly
    assert not within_written_limit(Decimal("7" * 1001))
    assert within_written_limit(Decimal("7" * 1000))
    assert within_written_limit(Decimal("0." + "7" * 998), 2)  # 77,77…: 998 digits
    assert not within_written_limit(Decimal("0." + "7" * 1001), 2)  # 1001 digits


@given(st.integers(-(10**30), 10**30), st.integers(-60, 60))
def test_counting_agrees_with_the_written_text(coefficient: int, exponent: int) -> None:
    value = Decimal(f"{coefficient}E{exponent}")
    written = format(value, "f").lstrip("-").replace(".", "")
    assert written_digits(value) == len(written)


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (Decimal("1E-2000"), "%", "1E-1998 %"),
        (Decimal("5E+2000"), "‰", "5E+2003 ‰"),
        (Decimal("5E+2000"), None, "5E+2000"),
        (Decimal("-7E+999999"), "%", "-7E+1000001 %"),  # past the exponent's limit when shown
    ],
)
def test_a_number_too_long_to_write_out_is_shown_in_its_unit(
    value: Decimal, unit: str | None, shown: str
) -> None:
    assert display_value(value, unit) == shown
