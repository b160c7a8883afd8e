"""PlanEvaluation.to_frame(): one row an indicator, each column of one type."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi_formula.data import load_data
from kpi_formula.plan import PlanEvaluation, evaluate_plan, load_plan
from kpi_formula.plan.table import COLUMNS

from .conftest import EXAMPLES
from .test_plan_evaluation import indicator, plan_of

pl = pytest.importorskip("polars")


@pytest.fixture(scope="module")
def modena() -> PlanEvaluation:
    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    data = load_data(EXAMPLES / "modena_2025" / "data.csv")
    return evaluate_plan(plan, data, year=2024, target_year=2025)


def test_the_modena_evaluation_as_a_polars_frame(modena: PlanEvaluation) -> None:
    frame = modena.to_frame()
    assert frame.columns == list(COLUMNS)
    assert frame.height == len(modena.indicators) == 101
    assert frame.schema["value"] == pl.Float64 and frame.schema["date"] == pl.Date
    assert frame.schema["met"] == pl.Boolean and frame.schema["reasons"] == pl.List(pl.String)
    rows = {row["id"]: row for row in frame.iter_rows(named=True)}
    # a milestone: its date apart, no number
    milestone = rows["71.B1.1.1"]
    assert milestone["value"] is None and milestone["date"] == dt.date(2024, 12, 25)
    assert milestone["deadline"] == dt.date(2025, 12, 31) and milestone["threshold"] is None
    assert milestone["met"] is True
    # N/D: null value, its reasons listed
    nd = rows["82.A3.1_INSTAGRAM"]
    assert nd["value"] is None and nd["missing"] is True and nd["met"] is None
    assert nd["reasons"] == ["82.A3.1_INSTAGRAM@2024 is N/D", "82.A3.1_INSTAGRAM@2023 is N/D"]
    # a percentage is a fraction, as in the results
    share = rows["401.50"]
    assert share["unit"] == "%" and share["value"] == pytest.approx(0.727, abs=1e-3)
    counted = rows["D1"]
    assert (counted["value"], counted["threshold"], counted["met"]) == (1136.0, 1100.0, True)
    # aggregates work as they come: the share of indicators met among those judged
    judged = frame.filter(pl.col("met").is_not_null())
    assert judged.height == sum(r.met is not None for r in modena.indicators)
    assert judged["met"].sum() == sum(r.met is True for r in modena.indicators)


def test_a_relative_target_shows_its_reference_and_threshold() -> None:
    plan = plan_of(
        indicator(
            "SHARE",
            "EVASE / RICEVUTE",
            unit="%",
            targets={2025: "Aumento del 10% rispetto al 2023"},
        )
    )
    data = {
        ("EVASE", 2025): 80,
        ("RICEVUTE", 2025): 100,
        ("EVASE", 2023): 70,
        ("RICEVUTE", 2023): 100,
    }
    row = evaluate_plan(plan, data, year=2025).to_frame().row(0, named=True)
    assert row["baseline"] == pytest.approx(0.7) and row["threshold"] == pytest.approx(0.77)
    assert row["achievement"] == 1.0 and row["notes"] == [
        "target 'Aumento del 10% rispetto al 2023' judged against its value of 2023 (70,00 %)"
    ]


def test_the_same_table_in_pandas(modena: PlanEvaluation) -> None:
    pytest.importorskip("pandas")
    frame = modena.to_frame(library="pandas")
    polars_frame = modena.to_frame()
    assert list(frame.columns) == list(COLUMNS) and len(frame) == 101
    assert str(frame["value"].dtype) == "Float64" and str(frame["met"].dtype) == "boolean"
    assert str(frame["date"].dtype).startswith("datetime64")
    by_id = frame.set_index("id")
    assert by_id.loc["71.B1.1.1", "date"].date() == dt.date(2024, 12, 25)
    assert by_id["value"].isna()["71.B1.1.1"] and by_id["value"].isna()["82.A3.1_INSTAGRAM"]
    assert by_id.loc["D1", "value"] == 1136.0
    assert frame["value"].sum() == pytest.approx(polars_frame["value"].sum())
    assert list(by_id.loc["82.A3.1_INSTAGRAM", "reasons"]) == [
        "82.A3.1_INSTAGRAM@2024 is N/D",
        "82.A3.1_INSTAGRAM@2023 is N/D",
    ]


def test_an_unknown_library_is_refused(modena: PlanEvaluation) -> None:
    import kpi_formula as kf

    with pytest.raises(kf.KpiFormulaError, match="no data frames of 'arrow'"):
        modena.to_frame(library="arrow")  # type: ignore[arg-type]
