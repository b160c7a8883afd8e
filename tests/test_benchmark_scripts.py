"""The benchmark scripts run: each table is made, at a tiny size, from the same code.

Speed is never asserted here (it is measured by ``benchmarks/run.py``); what is
held is that the scripts still run against the library as it is, and that the
comparisons they make check their answers (the plan benchmarks compare the
library's values with those of the same work written by hand before timing it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(autouse=True)
def _benchmarks_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCHMARKS))


def _well_formed(rows: list[list[str]]) -> None:
    assert rows
    for row in rows:
        assert len(row) == 5, row
        assert row[3] == "" or row[3] == "—" or row[3].endswith(("×", "slower")), row


def test_a_whole_plan_in_columns_and_in_sql_is_measured() -> None:
    pytest.importorskip("polars")
    pytest.importorskip("duckdb")
    import plan_bulk

    rows: list[list[str]] = []
    plan_bulk.measure(rows, 20, 1)
    _well_formed(rows)
    assert any("plan_to_sql" in row[0] for row in rows)


def test_a_plan_at_scale_is_measured() -> None:
    import plan_scale

    rows: list[list[str]] = []
    plan_scale.measure(rows, 200, 1)
    _well_formed(rows)
    plan, data, formulas = plan_scale.scaled_plan(200)
    assert len(plan.indicators()) == len(formulas) == 200
    assert data  # the Modena values, under each indicator's own codes
