"""Whole plans, three ways: the Python engine, DuckDB and polars give the same values.

Plans drawn by :func:`kpi_formula.strategies.plans` (nested groups, indicators reading
indicators, their prior years and their own code, numeric codes, shares in % and
percentage points) and the Modena plan are evaluated by ``evaluate_plan`` (Python and
DuckDB) and by ``evaluate_plan_frame`` (polars, many entities at once): the same value
for every indicator, within floating point for the engines that compute in it, and N/D
exactly where the Python engine says N/D.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.data import load_data
from kpi_formula.plan import Plan, evaluate_plan
from kpi_formula.plan.planfile import load_plan
from kpi_formula.result import MissingPolicy
from kpi_formula.values import Unit

from ..conftest import EXAMPLES

pl = pytest.importorskip("polars")
pytest.importorskip("duckdb")
from kpi_formula.plan.frame import evaluate_plan_frame  # noqa: E402

YEARS = range(2020, 2026)
# names no code of a drawn plan takes, so that the key columns stand apart from drivers
YEAR, ENTITY = "anno di riferimento", "ente"


def agree(exact: object, other: object) -> bool:
    """An exact value and a floating-point one (or N/D as None) agree."""
    if exact is kf.ND:
        return other is None or other is kf.ND
    assert isinstance(exact, Decimal)
    if other is None or other is kf.ND:
        return False
    return math.isclose(float(exact), float(other), rel_tol=1e-9, abs_tol=1e-12)  # type: ignore[arg-type]


def frame_of(datasets: Mapping[str, Mapping[Any, Any]], years: range) -> Any:
    """A wide frame: a row per entity and year, a column per code, None for N/D."""
    codes = sorted({code for values in datasets.values() for code, _ in values})

    def number(value: object) -> float | None:
        return float(value) if isinstance(value, Decimal) else None

    rows = [
        {
            ENTITY: entity,
            YEAR: year,
            **{code: number(values.get((code, year))) for code in codes},
        }
        for entity, values in datasets.items()
        for year in years
    ]
    schema = {ENTITY: pl.String, YEAR: pl.Int64, **{code: pl.Float64 for code in codes}}
    return pl.DataFrame(rows, schema=schema)


def refusal(run: Any) -> str | None:
    """The kind of unit error ``run()`` raises, or None when it raises none."""
    try:
        run()
    except kf.UnitMismatchError as error:
        return error.code
    return None


def check_plan(
    plan: Plan,
    datasets: Mapping[str, Mapping[Any, Any]],
    years: Any,
    *,
    reach: int,
    shuffled: bool,
    on_missing: MissingPolicy = "propagate",
) -> None:
    """Every engine, for every entity and year of ``years``, against the Python engine.

    Data the plan refuses for its units (95 typed for a share in %) is refused by
    every engine with the same kind of error."""
    # the frame holds every year a formula may reach back to, as the data would
    frame = frame_of(datasets, range(min(years) - reach, max(years) + 1))
    if shuffled:  # rows out of order: the engine sorts them to read other years, and back
        frame = frame.sample(fraction=1, shuffle=True, seed=len(frame))
    refused = {
        (entity, engine): refusal(
            lambda values=values, engine=engine: evaluate_plan(
                plan, values, year=min(years), on_missing=on_missing, engine=engine
            )
        )
        for entity, values in datasets.items()
        for engine in ("python", "duckdb")
    }
    if any(refused.values()):
        for entity, values in datasets.items():
            alike = refusal(lambda values=values: evaluate_plan(plan, values, year=min(years)))
            for year in years:  # the data is refused whichever year is evaluated
                for engine in ("python", "duckdb"):
                    again = refusal(
                        lambda values=values, year=year, engine=engine: evaluate_plan(
                            plan, values, year=year, on_missing=on_missing, engine=engine
                        )
                    )
                    assert again == alike, (entity, year, engine)
        codes = {code for code in refused.values() if code}
        said = refusal(lambda: evaluate_plan_frame(plan, frame, year=YEAR, by=(ENTITY,)))
        assert said in codes, (said, codes)
        return
    columns = evaluate_plan_frame(plan, frame, year=YEAR, by=(ENTITY,))
    by_row = {(row[ENTITY], row[YEAR]): row for row in columns.to_dicts()}
    first = next(iter(datasets))
    for entity, values in datasets.items():
        for year in years:
            python = evaluate_plan(plan, values, year=year, on_missing=on_missing)
            duck = python
            if entity == first:
                duck = evaluate_plan(
                    plan, values, year=year, on_missing=on_missing, engine="duckdb"
                )
            row = by_row[(entity, year)]
            for expected, other in zip(python.indicators, duck.indicators, strict=True):
                where = (entity, year, expected.id, expected.value)
                if isinstance(expected.value, dt.date):  # a milestone: no number to compute
                    assert (other.value, row[expected.id]) == (expected.value, None), where
                    continue
                assert agree(expected.value, other.value), (*where, "duckdb", other.value)
                assert other.reasons == expected.reasons, where
                if on_missing == "propagate":  # the only policy of the columnar engine
                    assert agree(expected.value, row[expected.id]), (*where, row[expected.id])


@settings(max_examples=100)
@given(st.data())
def test_the_engines_agree_on_drawn_plans(data: st.DataObject) -> None:
    plan = data.draw(kst.plans(max_indicators=6), label="plan")
    datasets = {
        entity: data.draw(
            kst.plan_datasets(plan, years=YEARS, typed_percent_rate=0.05), label=entity
        )
        for entity in ("MO", "BO")
    }
    check_plan(
        plan,
        datasets,
        (2024, 2025),
        reach=2 * 6,
        shuffled=data.draw(st.booleans(), label="shuffled"),
        on_missing=data.draw(st.sampled_from(["propagate", "zero"]), label="on_missing"),
    )


@pytest.mark.parametrize("shuffled", [False, True], ids=["ordered", "shuffled"])
def test_the_engines_agree_on_the_modena_plan(shuffled: bool) -> None:
    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    data = load_data(EXAMPLES / "modena_2025" / "data.csv")
    halved = {  # halved, not doubled: shares in % stay fractions
        key: value / 2 if isinstance(value, Decimal) else value for key, value in data.items()
    }
    check_plan(plan, {"MO": data, "BO": halved}, (2022, 2023, 2024), reach=2, shuffled=shuffled)


DRIVER_UNITS: list[Unit | None] = ["gg", "€", None]


@settings(max_examples=60)
@given(st.data())
def test_values_written_with_units_give_the_same_verdicts_in_python_and_duckdb(
    data: st.DataObject,
) -> None:
    """Data as people write it (``5 %``, ``3 gg``, ``1.000 €``): where a formula joins
    different units with + or -, both engines say N/D for the same reason, never a sum."""
    plan = data.draw(kst.plans(max_indicators=5), label="plan")
    values: dict[Any, Any] = dict(data.draw(kst.plan_datasets(plan, years=YEARS)))
    # a unit for each driver (indicators read from the data keep the plan's)
    indicators = {indicator.code for indicator in plan.indicators().values()}
    drivers = sorted({code for code, _ in values} - indicators)
    units = data.draw(
        st.fixed_dictionaries(
            {code: st.sampled_from(DRIVER_UNITS) for code in drivers}
        ),
        label="units",
    )
    for (code, year), value in list(values.items()):
        unit = units.get(code)
        if isinstance(value, Decimal) and unit is not None:
            values[(code, year)] = kf.format_value(kf.Quantity(value, unit))
    for year in (2024, 2025):
        python = refusal(lambda year=year: evaluate_plan(plan, values, year=year))
        duck = refusal(lambda year=year: evaluate_plan(plan, values, year=year, engine="duckdb"))
        assert python == duck
        if python:
            continue
        exact = evaluate_plan(plan, values, year=year)
        other = evaluate_plan(plan, values, year=year, engine="duckdb")
        for expected, got in zip(exact.indicators, other.indicators, strict=True):
            if isinstance(expected.value, dt.date):
                continue
            assert agree(expected.value, got.value), (year, expected.id, expected.value, got.value)
            assert got.reasons == expected.reasons, (year, expected.id)


def _reading_twice(formula: str) -> Plan:
    """A plan of one indicator computing ``formula`` and one reading it (``X * 2``)."""
    return Plan(
        "p",
        groups=(
            kf.plan.Group(
                "G",
                "g",
                Decimal(1),
                (
                    kf.plan.Indicator("X", "x", Decimal("0.5"), formula=formula),
                    kf.plan.Indicator("Y", "y", Decimal("0.5"), formula="X * 2"),
                ),
            ),
        ),
    )


@pytest.mark.parametrize(
    ("a", "b", "mixed"),
    [("5 €", "3 gg", True), ("5 %", "3 gg", True), ("5 €", "3 €", False), ("5 €", "3", False)],
)
def test_a_sum_of_different_units_is_refused_alike_by_both_engines(
    a: str, b: str, mixed: bool
) -> None:
    plan = _reading_twice("A + B")
    values = {("A", 2025): a, ("B", 2025): b}
    if mixed:  # wrong data, as a value in the wrong unit is: refused, never a sum or an N/D
        for engine in ("python", "duckdb"):
            with pytest.raises(kf.UnitMismatchError) as caught:
                evaluate_plan(plan, values, year=2025, engine=engine)
            assert str(caught.value).startswith("X@2025: A is in ")
        return
    python, duck = (evaluate_plan(plan, values, year=2025, engine=e) for e in ("python", "duckdb"))
    for expected, got in zip(python.indicators, duck.indicators, strict=True):
        assert (got.value, got.reasons) == (expected.value, expected.reasons)
    assert python.indicators[0].value == 8


@pytest.mark.parametrize(
    ("formula", "values", "exact"),
    [
        ("A * A", {("A", 2025): Decimal("1E200")}, Decimal("1E+400")),  # past a double
        # 1E-400 is 0 in a double
        ("A + 1", {("A", 2025): Decimal("1E-400")}, Decimal("1." + "0" * 399 + "1")),
        ("A * 1" + "0" * 309, {("A", 2025): Decimal(2)}, Decimal("2E+309")),  # the literal
        ("A / B", {("A", 2025): Decimal("1E300"), ("B", 2025): Decimal("1E-300")}, None),
    ],
)
def test_values_no_double_holds_are_left_to_the_exact_engine(
    formula: str, values: dict[Any, Any], exact: Decimal | None
) -> None:
    """DuckDB computes in doubles: where a value in the data, the formula or a result is
    beyond what a double holds, the indicator (and every one reading it) is computed by
    the evaluator, exactly, never an infinity or a zero in its place."""
    plan = _reading_twice(formula)
    python = evaluate_plan(plan, values, year=2025)
    duck = evaluate_plan(plan, values, year=2025, engine="duckdb")
    for expected, got in zip(python.indicators, duck.indicators, strict=True):
        assert got.value == expected.value, (expected.id, got.value)
        assert isinstance(got.value, Decimal) and got.value.is_finite()
    if exact is not None:
        assert python.indicators[0].value == exact
