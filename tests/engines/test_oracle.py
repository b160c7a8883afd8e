"""The evaluator against an exact-fraction oracle on random formulas and data.

The oracle is written independently of the library: Fraction arithmetic, its
own rounding of quotients to 28 significant digits (half-even), and its own
reading of the N/D and division-by-zero rules of the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import BinOp, Neg, Number, Ref
from kpi_formula import strategies as kst

YEAR = 2025
DIGITS = 28


@dataclass(frozen=True)
class Missing:
    tags: frozenset[str]  # "code@year" of missing drivers, and "÷0"


def round_significant(value: Fraction, digits: int = DIGITS) -> Fraction:
    """Round half-even to ``digits`` significant digits."""
    if value == 0:
        return value
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    exponent = len(str(magnitude.numerator)) - len(str(magnitude.denominator))
    while Fraction(10) ** exponent > magnitude:
        exponent -= 1
    while Fraction(10) ** (exponent + 1) <= magnitude:
        exponent += 1
    unit = Fraction(10) ** (exponent - digits + 1)
    return sign * round(magnitude / unit) * unit


def oracle(node: kf.Node, data: dict[tuple[str, int], object], zero: bool) -> Fraction | Missing:
    if isinstance(node, Number):
        return Fraction(node.text)
    if isinstance(node, Ref):
        key = (node.code, YEAR + node.offset)
        value = data.get(key)
        if isinstance(value, Decimal):
            return Fraction(value)
        return Fraction(0) if zero else Missing(frozenset({f"{key[0]}@{key[1]}"}))
    if isinstance(node, Neg):
        inner = oracle(node.operand, data, zero)
        return inner if isinstance(inner, Missing) else -inner
    assert isinstance(node, BinOp)
    left = oracle(node.left, data, zero)
    right = oracle(node.right, data, zero)
    tags: frozenset[str] = frozenset()
    for side in (left, right):
        if isinstance(side, Missing):
            tags |= side.tags
    if node.op == "/" and isinstance(right, Fraction) and right == 0:
        return Missing(tags | {"÷0"})
    if tags:
        return Missing(tags)
    assert isinstance(left, Fraction) and isinstance(right, Fraction)
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    return round_significant(left / right)


def missing_refs(node: kf.Node, data: dict[tuple[str, int], object]) -> set[str]:
    refs = set()
    for item in kf.ast.walk(node):
        if isinstance(item, Ref):
            key = (item.code, YEAR + item.offset)
            if not isinstance(data.get(key), Decimal):
                refs.add(f"{key[0]}@{key[1]}")
    return refs


@st.composite
def formula_and_data(
    draw: st.DrawFn,
) -> tuple[kf.Formula, dict[tuple[str, int], Decimal | kf.NotAvailable]]:
    codes = st.sampled_from(["A", "B", "C", "82.A3.1_INSTAGRAM", "N ImprAtt", "D1.1.2_PROMOS.ATT."])
    formula = draw(kst.formulas(max_leaves=10, driver_codes=codes))
    data = draw(kst.datasets(formula, year=YEAR, nd_rate=0.15, zero_rate=0.2, absent_rate=0.1))
    return formula, data


def check(result: kf.Result, expected: Fraction | Missing) -> None:
    if isinstance(expected, Missing):
        assert result.value is kf.ND
        reasons = result.reasons
        for tag in expected.tags - {"÷0"}:
            assert any(reason.startswith(f"{tag} is ") for reason in reasons), (tag, reasons)
        assert ("÷0" in expected.tags) == any("division by zero" in r for r in reasons)
    else:
        assert isinstance(result.value, Decimal)
        assert Fraction(result.value) == expected


@given(formula_and_data())
def test_evaluator_agrees_with_the_fraction_oracle(
    case: tuple[kf.Formula, dict[tuple[str, int], Decimal | kf.NotAvailable]],
) -> None:
    formula, data = case
    result = kf.evaluate(formula, data, year=YEAR)
    expected = oracle(formula.root, dict(data), zero=False)
    check(result, expected)
    if isinstance(expected, Missing):
        named = {tag for tag in expected.tags if tag != "÷0"}
        assert len([r for r in result.reasons if "division by zero" not in r]) == len(named)


@given(formula_and_data())
def test_zero_policy_agrees_with_the_oracle(
    case: tuple[kf.Formula, dict[tuple[str, int], Decimal | kf.NotAvailable]],
) -> None:
    formula, data = case
    result = kf.evaluate(formula, data, year=YEAR, on_missing="zero")
    check(result, oracle(formula.root, dict(data), zero=True))
    counted = {r.split(" is ")[0] for r in result.reasons if r.endswith("counted as 0")}
    assert counted == missing_refs(formula.root, dict(data))


@given(formula_and_data())
def test_explain_agrees_with_the_value(
    case: tuple[kf.Formula, dict[tuple[str, int], Decimal | kf.NotAvailable]],
) -> None:
    formula, data = case
    result = kf.evaluate(formula, data, year=YEAR)
    header = result.explain().splitlines()[0]
    shown = "N/D" if result.value is kf.ND else kf.decimals.decimal_text(result.value)  # type: ignore[arg-type]
    assert header.startswith(f"{formula} = {shown}  [year {YEAR}]")


def test_the_oracle_rounds_like_the_documented_rule() -> None:
    assert round_significant(Fraction(2, 3)) == Fraction("0.6666666666666666666666666667")
    assert round_significant(Fraction(-1, 3)) == Fraction("-0.3333333333333333333333333333")
    assert round_significant(Fraction(5, 1)) == 5
