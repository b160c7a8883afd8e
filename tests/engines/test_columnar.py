"""Columnar bulk evaluation with polars, against the exact evaluator."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst

pl = pytest.importorskip("polars")
pytest.importorskip("polars")
from kpi_formula.engines import columnar  # noqa: E402

CODES = ["A", "B", "N ImprAtt", "82.A3.1_INSTAGRAM"]
YEARS = [2022, 2023, 2024, 2025]


def close(ours: object, theirs: float | None) -> bool:
    if ours is kf.ND:
        return theirs is None
    assert isinstance(ours, Decimal)
    return theirs is not None and math.isclose(float(ours), theirs, rel_tol=1e-9, abs_tol=1e-9)


@st.composite
def cases(draw: st.DrawFn) -> tuple[kf.Formula, list[dict[str, object]]]:
    formula = draw(
        kst.formulas(max_leaves=7, driver_codes=st.sampled_from(CODES), max_years_back=3)
    )
    values = st.one_of(st.none(), st.just(0), st.integers(-100, 100), st.just(float("nan")))
    rows: list[dict[str, object]] = [
        {"entity": entity, "year": year, **{code: draw(values) for code in CODES}}
        for entity in ("MO", "BO")
        for year in YEARS
        if draw(st.integers(0, 4))  # some years missing: gaps
    ]
    if draw(st.booleans()):
        rows = draw(st.permutations(rows))  # unordered frames take the self-join
    return formula, rows


@given(cases())
def test_bulk_agrees_with_the_evaluator(case: tuple[kf.Formula, list[dict[str, object]]]) -> None:
    formula, rows = case
    schema = {"entity": pl.String, "year": pl.Int64, **{code: pl.Float64 for code in CODES}}
    frame = pl.DataFrame(rows, schema=schema)
    result = columnar.evaluate_frame(formula, frame)
    assert result.columns == [*frame.columns, "value"]
    for row, theirs in zip(rows, result.get_column("value").to_list(), strict=True):
        data = {
            (code, other["year"]): other[code]
            for other in rows
            if other["entity"] == row["entity"]
            for code in CODES
            if other[code] is not None
        }
        ours = kf.evaluate(formula, data, year=int(str(row["year"]))).value
        assert close(ours, theirs), (str(formula), row, ours, theirs)


def test_to_polars_and_division_by_zero() -> None:
    frame = pl.DataFrame({"year": [2025, 2025], "A": [1.0, 1.0], "B": [0.0, 4.0]})
    values = columnar.evaluate_frame("A / B", frame, by=()).get_column("value").to_list()
    assert values == [None, 0.25]
    with pytest.raises(kf.KpiFormulaError):
        columnar.evaluate_frame("A", frame.drop("year"))


def test_shifting_and_joining_agree_on_gaps() -> None:
    rows = {
        "entity": ["MO", "MO", "MO", "BO"],
        "year": [2020, 2022, 2023, 2021],
        "A": [1.0, 2.0, 4.0, 8.0],
    }
    ordered = pl.DataFrame(rows)
    shuffled = ordered.reverse()
    for frame in (ordered, shuffled):
        result = columnar.evaluate_frame("A + A-2", frame).sort("entity", "year")
        assert result.get_column("value").to_list() == [None, None, 3.0, None]
