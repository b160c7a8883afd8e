"""kpi_formula against an independent engine: DuckDB SQL.

Each random formula is translated by this test (not by the library) into a
SQL expression over a one-row table of its references, where N/D is NULL and
division by zero is NULLIF(divisor, 0).  Both engines must agree on which
results are N/D, and on the values, within the rounding of DuckDB's doubles.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import BinOp, Neg, Number, Ref
from kpi_formula import strategies as kst

duckdb = pytest.importorskip("duckdb")

YEAR = 2025
CONNECTION = duckdb.connect()


def column(ref: Ref) -> str:
    return '"' + f"{ref.code}@{ref.offset}".replace('"', '""') + '"'


def to_sql(node: kf.Node) -> str:
    if isinstance(node, Number):
        return f"CAST({node.text} AS DOUBLE)"
    if isinstance(node, Ref):
        return column(node)
    if isinstance(node, Neg):
        return f"(-{to_sql(node.operand)})"
    if node.op == "/":
        return f"({to_sql(node.left)} / NULLIF({to_sql(node.right)}, 0))"
    return f"({to_sql(node.left)} {node.op} {to_sql(node.right)})"


def magnitude(node: kf.Node, values: dict[Ref, Fraction]) -> Fraction:
    """A bound on the size of every intermediate value, to scale the tolerance."""
    if isinstance(node, Number):
        return abs(Fraction(node.text))
    if isinstance(node, Ref):
        return abs(values.get(Ref(node.code, node.offset), Fraction(0)))
    if isinstance(node, Neg):
        return magnitude(node.operand, values)
    left, right = magnitude(node.left, values), magnitude(node.right, values)
    if node.op in "+-":
        return left + right
    if node.op == "*":
        return left * right
    return left / right if right else left


def has_division(node: kf.Node) -> bool:
    return any(isinstance(item, BinOp) and item.op == "/" for item in kf.ast.walk(node))


def zero_divisor_from_rounding(node: kf.Node, data: dict[tuple[str, int], object]) -> bool:
    """A divisor that is exactly 0 in decimals but may not be in doubles."""
    for item in kf.ast.walk(node):
        if isinstance(item, BinOp) and item.op == "/" and has_division(item.right):
            divisor = kf.evaluate(kf.Formula(item.right), data, year=YEAR)
            if divisor.value == 0:
                return True
    return False


@st.composite
def cases(draw: st.DrawFn) -> tuple[kf.Formula, dict[tuple[str, int], object]]:
    codes = st.sampled_from(["A", "B", "C", "D2.1_MIMIT.1", "N ImprAtt", "odd"])
    integers = st.integers(0, 99).map(str)
    formula = draw(kst.formulas(max_leaves=7, driver_codes=codes, literals=integers))
    data: dict[tuple[str, int], object] = dict(
        draw(
            kst.datasets(
                formula,
                year=YEAR,
                nd_rate=0.1,
                zero_rate=0.2,
                absent_rate=0.05,
                max_magnitude=100,
                places=0,
            )
        )
    )
    return formula, data


@given(cases())
def test_kpi_formula_and_duckdb_agree(
    case: tuple[kf.Formula, dict[tuple[str, int], object]],
) -> None:
    formula, data = case
    refs = sorted(formula.references)
    row: list[float | None] = []
    exact: dict[Ref, Fraction] = {}
    for ref in refs:
        value = data.get((ref.code, YEAR + ref.offset))
        if isinstance(value, Decimal):
            row.append(float(value))
            exact[ref] = Fraction(value)
        else:
            row.append(None)
    columns = ", ".join(f"CAST(? AS DOUBLE) AS {column(ref)}" for ref in refs) or "1 AS unused"
    query = f"SELECT {to_sql(formula.root)} FROM (SELECT {columns})"
    (theirs,) = CONNECTION.execute(query, row).fetchone()
    ours = kf.evaluate(formula, data, year=YEAR)
    if (theirs is None) != ours.missing and zero_divisor_from_rounding(formula.root, data):
        return  # 0.1 + 0.2 - 0.3 is 0 in decimals, 5.6e-17 in doubles: not a disagreement
    assert (theirs is None) == ours.missing, (str(formula), data, theirs, ours)
    if theirs is not None:
        assert isinstance(ours.value, Decimal)
        bound = magnitude(formula.root, exact)
        tolerance = Fraction(1, 10**9) * (bound + 1)
        assert abs(Fraction(theirs) - Fraction(ours.value)) <= tolerance, (str(formula), data)
