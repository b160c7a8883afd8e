"""Units inside formulas: ``+`` and ``-`` join values of one unit, on every face.

Values written with a unit (text such as ``"72,10 %"``, or a Quantity) keep it
for one check when they reach :func:`kpi_formula.evaluate`: adding or
subtracting two different units is a UnitMismatchError naming both operands,
their units and where the operator stands; ``*`` and ``/`` are free, and plain
numbers never meet the check.  The same holds for ``kpi-formula eval`` and the
example service's ``/evaluate``.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula.cli import main
from kpi_formula.values import UNITS, YES_NO, Quantity, Unit, format_value

AMOUNTS = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(
    lambda amount: amount.normalize() if amount else Decimal(0)
)


def _quantity(amount: Decimal, unit: Unit) -> Quantity:
    if unit == YES_NO:
        return Quantity(Decimal(int(amount) % 2), unit)
    return Quantity(amount, unit)


def _as_data(value: Quantity, as_text: bool) -> object:
    return format_value(value) if as_text else value


@given(
    left=st.sampled_from(UNITS),
    right=st.sampled_from(UNITS),
    op=st.sampled_from("+-"),
    a=AMOUNTS,
    b=AMOUNTS,
    as_text=st.booleans(),
    shape=st.sampled_from(["A {op} B", "(A + 0) {op} B", "-A {op} B", "1 * 2 + (A {op} B)"]),
)
def test_adding_different_units_is_refused_naming_both(
    *, left: Unit, right: Unit, op: str, a: Decimal, b: Decimal, as_text: bool, shape: str
) -> None:
    data = {
        "A": _as_data(_quantity(a, left), as_text),
        "B": _as_data(_quantity(b, right), as_text),
    }
    formula = shape.format(op=op)
    if left == right:
        plain = {"A": _quantity(a, left).amount, "B": _quantity(b, right).amount}
        result = kf.evaluate(formula, data, year=2025)
        assert result.value == kf.evaluate(formula, plain, year=2025).value
        return
    with pytest.raises(kf.UnitMismatchError) as caught:
        kf.evaluate(formula, data, year=2025)
    error = caught.value
    assert error.code == "unit-mismatch"
    assert f"A is in {left}" in error.reason and f"B in {right}" in error.reason
    assert error.position == formula.rindex(op)
    assert error.column == error.position + 1 and error.line == 1
    assert error.details()["column"] == error.column
    assert error.hint


@given(
    left=st.sampled_from((None, *UNITS)),
    right=st.sampled_from((None, *UNITS)),
    op=st.sampled_from("*/"),
    a=AMOUNTS,
    b=AMOUNTS.map(lambda amount: amount + 1),
)
def test_multiplying_and_dividing_are_free(
    left: Unit | None, right: Unit | None, op: str, a: Decimal, b: Decimal
) -> None:
    data = {
        "A": a if left is None else _quantity(a, left),
        "B": b if right is None else _quantity(b, right),
    }
    plain = {
        key: value if isinstance(value, Decimal) else value.amount for key, value in data.items()
    }
    formula = f"A {op} B"
    assert (
        kf.evaluate(formula, data, year=2025).value == kf.evaluate(formula, plain, year=2025).value
    )


@given(unit=st.sampled_from(UNITS), a=AMOUNTS, b=AMOUNTS)
def test_a_unit_added_to_a_plain_number_or_a_literal_is_left_alone(
    unit: Unit, a: Decimal, b: Decimal
) -> None:
    value = _quantity(a, unit)
    for formula, data in (("A + B", {"A": value, "B": b}), ("A - 1", {"A": value})):
        assert kf.evaluate(formula, data, year=2025).value is not kf.ND


def test_units_of_prior_years_are_seen_and_the_check_repeats_from_its_cache() -> None:
    data = {("A", 2025): "5 €", ("A", 2024): "3 N."}
    for _ in range(kf.evaluator.HOT_CALLS + 2):  # on both tiers
        with pytest.raises(kf.UnitMismatchError, match=r"A-1 in N\."):
            kf.evaluate("A - A-1", data, year=2025)
    same = {("A", 2025): "5 €", ("A", 2024): "3 €"}
    assert kf.evaluate("A - A-1", same, year=2025).value == 2


def test_the_review_examples() -> None:
    with pytest.raises(kf.UnitMismatchError):
        kf.evaluate("A+B", {"A": "72,10 %", "B": "3 gg"}, year=2025)
    with pytest.raises(kf.UnitMismatchError):
        kf.evaluate("A+B", {"A": "1.000 €", "B": "5 N."}, year=2025)
    with pytest.raises(kf.UnitMismatchError):
        kf.evaluate("A+B", {"A": "SI", "B": "10 %"}, year=2025)
    assert kf.evaluate("A/B", {"A": "5 %", "B": "50 ‰"}, year=2025).value == 1


def test_cli_eval_refuses_mixed_units(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    status = main(["eval", "A + B", "A=72,10 %", "B=3 gg", "--year", "2025"], out=out)
    assert status == 2
    err = capsys.readouterr().err
    assert "%" in err and "gg" in err and "A + B" in err
    out = io.StringIO()
    assert main(["eval", "A * B", "A=72,10 %", "B=3 gg", "--year", "2025", "--json"], out=out) == 0
    assert json.loads(out.getvalue())["value"] == "2.1630"


def test_the_caret_follows_the_text_evaluated_not_an_equal_formula_seen_before() -> None:
    from kpi_formula.ast import BinOp, Neg, Ref

    data = {"A": "1 €", "B": "2 %"}
    with pytest.raises(kf.UnitMismatchError) as by_hand:
        kf.evaluate(kf.Formula(BinOp("-", Neg(Ref("A", 0)), Ref("B", 0))), data, year=2025)
    assert by_hand.value.position is None  # no text to point into
    for text in ("-A - B", "- A-B", "-A  -  B"):
        with pytest.raises(kf.UnitMismatchError) as caught:
            kf.evaluate(text, data, year=2025)
        assert caught.value.position == text.rindex("-"), text
