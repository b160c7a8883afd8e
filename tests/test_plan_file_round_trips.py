"""For any plan: written as .toml, .csv or .xlsx and read back, it is the same plan,
and it evaluates to the same results."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_formula import strategies as kst
from kpi_formula.plan import Plan, evaluate_plan, evaluation_payload, save_plan, write_sheet
from kpi_formula.plan.planfile import load_plan

pytest.importorskip("openpyxl")


def _written(plan: Plan, folder: Path, suffix: str) -> Path:
    path = folder / f"piano.{suffix}"
    if suffix == "toml":
        save_plan(plan, path)
    else:
        write_sheet(plan, path)
    return path


@settings(max_examples=40)  # each example writes and reads three files
@given(st.data())
def test_any_plan_read_back_from_any_format_is_the_same_plan_with_the_same_results(
    data: st.DataObject,
) -> None:
    odd = data.draw(st.booleans(), label="odd texts")
    plan = data.draw(kst.plans(odd_texts=odd, group_details=True, max_indicators=6))
    values = data.draw(kst.plan_datasets(plan))
    expected = evaluation_payload(evaluate_plan(plan, values, year=2025))
    with tempfile.TemporaryDirectory() as folder:
        for suffix in ("toml", "csv", "xlsx"):
            again = load_plan(_written(plan, Path(folder), suffix))
            assert again == plan, suffix
            assert evaluation_payload(evaluate_plan(again, values, year=2025)) == expected
