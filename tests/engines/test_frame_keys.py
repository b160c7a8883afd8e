"""The bulk engines keep codes, keys and their own names apart.

Codes are whatever a plan writes: ``"A@-1"``, ``value``, ``year``, ``"#indicator:B"``.
The columnar and SQL engines must never read one of them in place of another, nor a
frame's key columns in place of a driver: they refuse what is ambiguous, with a hint.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib.util import find_spec
from typing import Literal

import pytest

import kpi_formula as kf
from kpi_formula.plan import Group, Indicator, Plan, evaluate_plan
from kpi_formula.result import MissingPolicy

pl = pytest.importorskip("polars")
from kpi_formula.engines.columnar import evaluate_frame, to_polars  # noqa: E402
from kpi_formula.plan.frame import evaluate_plan_frame  # noqa: E402

ENGINES: tuple[Literal["python", "duckdb"], ...] = ("python", "duckdb")
FRAME = {"entity": ["MO", "MO"], "year": [2024, 2025], "A": [1.0, 2.0], "A@-1": [10.0, 20.0]}


def values(frame: object, column: str = "value") -> list[object]:
    return frame.get_column(column).to_list()  # type: ignore[attr-defined,no-any-return]


def one_group_plan(*indicators: Indicator) -> Plan:
    return Plan("p", groups=(Group("G", "g", Decimal(1), indicators),))


def test_a_quoted_code_that_looks_like_an_engine_column_is_its_own_driver() -> None:
    frame = pl.DataFrame(FRAME)
    # "A@-1" is the driver of that name; A-1 is A a year back: 20 + 1 in 2025
    assert values(evaluate_frame('"A@-1" + A-1', frame)) == [None, 21.0]
    assert values(evaluate_frame('"A@-1"', frame)) == [10.0, 20.0]


def test_to_polars_refuses_two_references_reading_one_column() -> None:
    with pytest.raises(kf.KpiFormulaError, match="would both read the column 'A@-1'"):
        to_polars('"A@-1" + A-1')
    assert to_polars("A + A-1") is not None


@pytest.mark.parametrize(("code", "column"), [("year", "year"), ("entity", "entity")])
def test_a_driver_named_like_a_key_column_is_refused_naming_it(code: str, column: str) -> None:
    frame = pl.DataFrame(FRAME)
    with pytest.raises(kf.KpiFormulaError, match=f"frame's {column} column") as raised:
        evaluate_frame(f"A * {code}", frame)
    assert raised.value.hint is not None and "year='...'" in raised.value.hint
    plan = one_group_plan(Indicator("X", "x", Decimal(1), f"A + {code}"))
    with pytest.raises(kf.KpiFormulaError, match=f"frame's {column} column"):
        evaluate_plan_frame(plan, frame)
    # named otherwise, the key columns leave the driver its own column
    renamed = frame.rename({"year": "anno", "entity": "ente"}).with_columns(pl.lit(3.0).alias(code))
    assert values(evaluate_frame(f"A * {code}", renamed, year="anno", by=("ente",))) == [3.0, 6.0]


def test_the_output_column_never_overwrites_a_column_of_the_frame() -> None:
    frame = pl.DataFrame(FRAME).with_columns(pl.lit(5.0).alias("value"))
    with pytest.raises(kf.KpiFormulaError, match="already has a column 'value'"):
        evaluate_frame("value * 2", frame)
    assert values(evaluate_frame("value * 2", frame, output="double"), "double") == [10.0, 10.0]


def test_an_indicator_whose_code_is_a_driver_column_gets_its_own_value() -> None:
    # the seed's D6.1 = D6.1 + D6.1.0_0 + ...: inside its formula D6.1 is the driver
    plan = one_group_plan(
        Indicator("D6.1", "d", Decimal("0.5"), "D6.1 + D6.1.0_0"),
        Indicator("TWICE", "t", Decimal("0.5"), "D6.1 * 2"),
    )
    frame = pl.DataFrame({"year": [2025], "D6.1": [124.0], "D6.1.0_0": [374.0]})
    row = evaluate_plan_frame(plan, frame).to_dicts()[0]
    assert row == {"year": 2025, "D6.1": 498.0, "TWICE": 996.0}
    data = {("D6.1", 2025): 124, ("D6.1.0_0", 2025): 374}
    assert [r.value for r in evaluate_plan(plan, data, year=2025).indicators] == [498, 996]


def test_entity_columns_named_must_be_there() -> None:
    frame = pl.DataFrame(FRAME)
    with pytest.raises(kf.KpiFormulaError, match="no entity column 'chamber'"):
        evaluate_frame("A", frame, by=("chamber",))
    alone = frame.drop("entity")  # no entity column, none asked for: one entity
    assert values(evaluate_frame("A - A-1", alone)) == [None, 1.0]
    with pytest.raises(kf.KpiFormulaError, match="holds String, not years"):
        evaluate_frame("A", frame.with_columns(pl.col("year").cast(pl.String)))


def test_two_rows_of_one_entity_and_year_are_refused_where_other_years_are_read() -> None:
    frame = pl.DataFrame({"year": [2025, 2024, 2025], "A": [1.0, 2.0, 3.0]})
    with pytest.raises(kf.KpiFormulaError, match="1 rows more than entities and years"):
        evaluate_frame("A - A-1", frame)
    assert values(evaluate_frame("A * 2", frame)) == [2.0, 4.0, 6.0]  # each row on its own


def test_columns_of_text_are_refused_and_dates_read_as_nd() -> None:
    frame = pl.DataFrame({"year": [2025], "A": ["1.100 N."], "D": [dt.date(2025, 6, 30)]})
    with pytest.raises(kf.KpiFormulaError, match="'A' holds String, not numbers"):
        evaluate_frame("A + 1", frame)
    assert values(evaluate_frame("D + 1", frame)) == [None]


def test_rows_keep_their_order_when_sorted_to_read_other_years() -> None:
    frame = pl.DataFrame(
        {
            "entity": ["BO", "MO", "BO", "MO"],
            "year": [2025, 2024, 2024, 2025],
            "A": [4.0, 1.0, 3.0, 2.0],
        }
    )
    result = evaluate_frame("A - A-1", frame)
    assert result.select("entity", "year").rows() == frame.select("entity", "year").rows()
    assert values(result) == [1.0, None, None, 1.0]


needs_duckdb = pytest.mark.skipif(find_spec("duckdb") is None, reason="duckdb not installed")


@needs_duckdb
def test_a_quoted_code_is_never_an_indicator_the_sql_engine_stored() -> None:
    plan = one_group_plan(
        Indicator("B", "b", Decimal("0.5"), "X * 2"),
        Indicator("C", "c", Decimal("0.5"), '"#indicator:B" + B'),
    )
    data = {("X", 2025): 5, ("#indicator:B", 2025): 1}
    for engine in ENGINES:
        found = evaluate_plan(plan, data, year=2025, engine=engine)
        assert [r.value for r in found.indicators] == [10, 11], engine


@needs_duckdb
def test_bare_codes_are_the_evaluation_year_for_the_sql_engine_too() -> None:
    plan = one_group_plan(Indicator("B", "b", Decimal(1), "X + Y"))
    policies: tuple[MissingPolicy, ...] = ("propagate", "zero")
    for policy in policies:
        for engine in ENGINES:
            data = {"X": 5, ("Y", 2025): 1}
            found = evaluate_plan(plan, data, year=2025, on_missing=policy, engine=engine)
            assert found.indicators[0].value == 6, (policy, engine)


@needs_duckdb
@pytest.mark.parametrize("formula", ["1.0", "999999 * 999999 * 999999 * 999999", "0.5 * 3"])
def test_numbers_alone_run_as_sql(formula: str) -> None:
    plan = one_group_plan(Indicator("K", "k", Decimal(1), formula), Indicator("X", "x", Decimal(0)))
    expected = kf.evaluate(formula, {}, year=2025).value
    found = evaluate_plan(plan, {("X", 2025): 1}, year=2025, engine="duckdb").indicators[0].value
    assert float(found) == pytest.approx(float(expected))  # type: ignore[arg-type]
