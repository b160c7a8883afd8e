"""A whole plan as one SQL query, run in DuckDB: the Python engine's values.

``plan_to_sql`` on the Modena plan and on plans drawn by
:func:`kpi_formula.strategies.plans` (indicators reading indicators, their prior
years and their own code, numeric codes, shares in % and percentage points),
over a long table of several entities: every indicator's value in every year
agrees with ``evaluate_plan`` within floating point, and is NULL exactly where
the Python engine says N/D.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.data import load_data
from kpi_formula.plan import Plan, evaluate_plan, plan_to_sql
from kpi_formula.plan.planfile import load_plan

from ..conftest import EXAMPLES
from .test_plan_engines import agree

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

# a code no plan reads: a row of it for each entity and year, so that every year is there
PRESENT = "#row"


def run(plan: Plan, datasets: Mapping[str, Mapping[Any, Any]], years: range) -> dict[Any, Any]:
    """The query's rows, by entity and year, over a long table of ``datasets``."""
    connection = duckdb.connect()
    connection.execute(
        'CREATE TABLE "valori kpi" (ente VARCHAR, codice VARCHAR, anno INTEGER, valore DOUBLE)'
    )
    rows: list[tuple[str, str, int, float | None]] = [
        (entity, PRESENT, year, None) for entity in datasets for year in years
    ]
    for entity, values in datasets.items():
        for (code, year), value in values.items():
            number = float(value) if isinstance(value, Decimal) else None
            rows.append((entity, code, year, number))
    connection.executemany('INSERT INTO "valori kpi" VALUES (?, ?, ?, ?)', rows)
    query = plan_to_sql(
        plan,
        table='"valori kpi"',
        entity_column="ente",
        code_column="codice",
        year_column="anno",
        value_column="valore",
    )
    cursor = connection.execute(query)
    names = [column[0] for column in cursor.description]
    found = {(row[0], row[1]): dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    connection.close()
    assert len(found) == len(datasets) * len(years)  # a row per entity and year
    return found


def check(
    plan: Plan, datasets: Mapping[str, Mapping[Any, Any]], years: tuple[int, ...], reach: int
) -> None:
    found = run(plan, datasets, range(min(years) - reach, max(years) + 1))
    for entity, values in datasets.items():
        for year in years:
            row = found[(entity, year)]
            assert list(row)[2:] == [
                result.id for result in evaluate_plan(plan, {}, year=year).indicators
            ]  # every indicator, in the plan's order
            for expected in evaluate_plan(plan, values, year=year).indicators:
                where = (entity, year, expected.id, expected.value, row[expected.id])
                if isinstance(expected.value, dt.date):  # a milestone: no number in SQL
                    assert row[expected.id] is None, where
                    continue
                assert agree(expected.value, row[expected.id]), where


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_query_agrees_with_the_python_engine_on_drawn_plans(data: st.DataObject) -> None:
    plan = data.draw(kst.plans(max_indicators=6), label="plan")
    datasets = {
        entity: data.draw(kst.plan_datasets(plan, years=range(2012, 2026)), label=entity)
        for entity in ("MO", "BO")
    }
    check(plan, datasets, (2024, 2025), reach=2 * 6)


def test_the_query_agrees_with_the_python_engine_on_the_modena_plan() -> None:
    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    data = load_data(EXAMPLES / "modena_2025" / "data.csv")
    halved = {  # halved, not doubled: shares in % stay fractions
        key: value / 2 if isinstance(value, Decimal) else value for key, value in data.items()
    }
    check(plan, {"MO": data, "BO": halved}, (2022, 2023, 2024), reach=2)


def test_the_query_is_one_statement_written_once_per_plan() -> None:
    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    query = plan_to_sql(plan, entity_column="entity")
    assert plan_to_sql(plan, entity_column="entity") is query
    assert query.count(";") == 0 and query.startswith("WITH ")
    # other dialects: the same query, as sqlglot writes it for them
    assert "kpi_values" in plan_to_sql(plan, dialect="postgres", entity_column="entity")


def test_an_indicator_named_like_a_key_column_is_refused() -> None:
    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    first = next(iter(plan.indicators()))
    with pytest.raises(kf.KpiFormulaError, match="key column"):
        plan_to_sql(plan, year_column=first)
