"""Columnar bulk evaluation with polars, against the exact evaluator."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.data import load_data
from kpi_formula.plan.evaluate import evaluate_plan
from kpi_formula.plan.planfile import load_plan

from ..conftest import EXAMPLES

pl = pytest.importorskip("polars")
pytest.importorskip("polars")
from kpi_formula.engines import columnar  # noqa: E402
from kpi_formula.plan.frame import evaluate_plan_frame  # noqa: E402

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


@pytest.mark.parametrize("shuffled", [False, True], ids=["ordered", "shuffled"])
def test_a_whole_plan_in_columns_matches_the_plan_evaluator(shuffled: bool) -> None:
    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    data = load_data(EXAMPLES / "modena_2025" / "data.csv")
    codes = sorted({code for code, _ in data})
    years = sorted({year for _, year in data})
    halved = {  # halved, not doubled: shares in % stay fractions
        key: value / 2 if isinstance(value, Decimal) else value for key, value in data.items()
    }
    datasets = {"MO": data, "BO": halved}
    rows = [
        {
            "entity": entity,
            "year": year,
            **{
                c: float(v) if isinstance(v := values.get((c, year)), Decimal) else None
                for c in codes
            },
        }
        for entity, values in datasets.items()
        for year in years
    ]
    frame = pl.DataFrame(
        rows, schema={"entity": pl.String, "year": pl.Int64, **{c: pl.Float64 for c in codes}}
    )
    if shuffled:  # unordered frames take the self-join, indicators reading indicators too
        frame = frame.reverse()
    result = evaluate_plan_frame(plan, frame)
    for entity, values in datasets.items():
        for year in (2022, 2023, 2024):
            row = result.filter((pl.col("year") == year) & (pl.col("entity") == entity))
            computed = row.to_dicts()[0]
            for indicator in evaluate_plan(plan, values, year=year).indicators:
                column = (
                    indicator.id
                    if indicator.id in computed and indicator.id not in codes
                    else f"{indicator.id} (indicator)"
                )
                if isinstance(indicator.value, Decimal) or indicator.value is kf.ND:
                    assert close(indicator.value, computed[column]), (entity, year, indicator.id)


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
