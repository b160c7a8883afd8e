"""Data files whose values are written in the wrong unit, or in none where one is needed.

A data file keeps the unit each value was written with, and a plan reads the
values of the codes whose unit it knows by the one rule for units: no ``95 %``
read as 0,95 for an indicator in €, no ``1.200 €`` as 120.000 % for one in %,
no bare ``95`` as 9.500 %.  Each is the unit error, naming ``code@year`` (and
from the command line the file and line), never a silent wrong answer.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

import kpi_formula as kf
from kpi_formula.cli import main
from kpi_formula.data import load_data, read_data
from kpi_formula.plan import evaluate_plan, read_plan
from kpi_formula.plan.dataunits import data_units
from kpi_formula.units import AmbiguousUnitError

PLAN = """title = "t"
[[driver]]
code = "SPESA"
unit = "€"

[[driver]]
code = "FREE"

[[area]]
code = "1"
name = "a"
weight = "100 %"

[[area.objective]]
code = "11"
name = "o"
weight = "100 %"
indicators_weight = "100 %"
operational_weight = "0 %"

[[area.objective.indicator]]
code = "QUOTA"
name = "Quota"
weight = "25 %"
unit = "%"
targets = { 2025 = ">= 90 %" }

[[area.objective.indicator]]
code = "IMPORTO"
name = "Importo"
weight = "25 %"
unit = "€"
targets = { 2025 = ">= 1.000 €" }

[[area.objective.indicator]]
code = "COSTO"
name = "Costo"
weight = "25 %"
unit = "€"
formula = "SPESA * 2"

[[area.objective.indicator]]
code = "LIBERO"
name = "Libero"
weight = "25 %"
formula = "FREE * 1"
"""

GOOD = {"QUOTA": "95 %", "IMPORTO": "1.200 €", "SPESA": "10 €", "FREE": "1"}


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def _data(tmp_path: Path, **values: str) -> Path:
    path = tmp_path / "dati.csv"
    rows = "".join(f"{code};2025;{value}\n" for code, value in {**GOOD, **values}.items())
    path.write_text("code;year;value\n" + rows, encoding="utf-8")
    return path


def _evaluate(plan: Path, data: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    status = main(
        ["plan", "evaluate", str(plan), "--data", str(data), "--year", "2025", "--json"], out=out
    )
    error = capsys.readouterr().err
    assert "Traceback" not in error
    return status, out.getvalue(), error


def test_values_written_in_their_units_are_read(
    plan_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _evaluate(plan_file, _data(tmp_path), capsys)
    assert status == 0
    values = {row["code"]: row["value"] for row in json.loads(out)["indicators"]}
    assert values == {"QUOTA": "0.95", "IMPORTO": "1200", "COSTO": "20", "LIBERO": "1"}


@pytest.mark.parametrize(
    "case",
    [
        ("IMPORTO", "95 %", "IMPORTO@2025 is written in %, but IMPORTO is measured in €"),
        ("QUOTA", "1.200 €", "QUOTA@2025 is written in €, but QUOTA is measured in %"),
        ("QUOTA", "95", "QUOTA@2025 is 95 without a unit, against a unit of %: is it 95 % or"),
        ("QUOTA", "1,5", "QUOTA@2025 is 1,5 without a unit, against a unit of %"),
        ("SPESA", "5 gg", "SPESA@2025 is written in gg, but SPESA is measured in €"),
        ("SPESA", "95 %", "SPESA@2025 is written in %, but SPESA is measured in €"),
    ],
)
def test_a_value_in_the_wrong_unit_or_none_is_refused_naming_file_line_and_code(
    plan_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: tuple[str, str, str]
) -> None:
    code, written, said = case
    data = _data(tmp_path, **{code: written})
    status, out, error = _evaluate(plan_file, data, capsys)
    assert status == 2 and out == ""
    line = 2 + list(GOOD).index(code)
    assert f"{data}:{line}: {said}" in error, error
    # the library says the same, whichever engine, from the file or from a mapping of text
    plan = read_plan(PLAN)
    expected = AmbiguousUnitError if "without a unit" in said else kf.UnitMismatchError
    for engine in ("python", "duckdb"):
        with pytest.raises(expected, match=said.replace("?", r"\?")) as caught:
            evaluate_plan(plan, load_data(data), year=2025, engine=engine)
        assert caught.value.code == expected.error_code
    with pytest.raises(expected, match=said.replace("?", r"\?")):
        evaluate_plan(plan, {**GOOD, code: written}, year=2025)
    with pytest.raises(expected) as located:
        load_data(data, units=data_units(plan))
    assert located.value.details()["line"] == line


def test_a_code_of_unknown_unit_reads_its_amount_as_before(tmp_path: Path) -> None:
    # FREE is declared without a unit: 95 % is the fraction 0,95, 1.200 € is 1200
    plan = read_plan(PLAN)
    for written, amount in (("95 %", "0.95"), ("1.200 €", "1200"), ("95", "95")):
        data = read_data(f"code;year;value\nFREE;2025;{written}\n")
        values = {r.code: r.value for r in evaluate_plan(plan, data, year=2025).indicators}
        assert values["LIBERO"] == Decimal(amount), written


def test_a_percentage_beyond_a_hundred_written_as_such_is_read() -> None:
    plan = read_plan(PLAN)
    for engine in ("python", "duckdb"):
        values = {
            r.code: r.value
            for r in evaluate_plan(
                plan, read_data("code;year;value\nQUOTA;2025;150 %\n"), year=2025, engine=engine
            ).indicators
        }
        assert values["QUOTA"] == Decimal("1.5"), engine


def test_wide_files_and_workbooks_hold_to_the_rule(tmp_path: Path) -> None:
    plan = read_plan(PLAN)
    wide = read_data("code;2024;2025\nQUOTA;0,9;95\n")
    with pytest.raises(AmbiguousUnitError, match="QUOTA@2025 is 95 without a unit"):
        evaluate_plan(plan, wide, year=2024)  # a bad value of any year is refused
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["code", "year", "value"], ["IMPORTO", 2025, 0.95], ["QUOTA", 2025, 1.5]):
        sheet.append(row)
    sheet["C2"].number_format = sheet["C3"].number_format = "0.00%"
    path = tmp_path / "dati.xlsx"
    book.save(path)
    # shown as 95,00 % in an indicator in €: refused, with its line
    with pytest.raises(kf.UnitMismatchError, match="IMPORTO@2025 is written in %") as caught:
        load_data(path, units=data_units(plan))
    assert caught.value.details()["line"] == 2
    sheet["C2"].number_format = "General"
    sheet["C2"] = 1200
    book.save(path)
    values = {r.code: r.value for r in evaluate_plan(plan, load_data(path), year=2025).indicators}
    assert values["IMPORTO"] == 1200 and values["QUOTA"] == Decimal("1.5")  # 150,00 % shown


def test_one_value_written_twice_in_two_spellings_is_one_value() -> None:
    table = read_data("code;year;value\nQUOTA;2025;95 %\nQUOTA;2025;0,95\n")
    assert table == {("QUOTA", 2025): kf.Quantity(Decimal("0.95"), "%")}
    with pytest.raises(kf.DataError, match="given twice, with different values"):
        read_data("code;year;value\nQUOTA;2025;95 %\nQUOTA;2025;0,95 €\n")


def test_a_frame_holding_a_share_typed_in_percent_is_refused_naming_the_row() -> None:
    pl = pytest.importorskip("polars")
    from kpi_formula.plan.frame import evaluate_plan_frame

    plan = read_plan(PLAN)
    frame = pl.DataFrame(
        {"entity": ["MO", "BO"], "year": [2025, 2025], "QUOTA": [0.95, 95.0], "IMPORTO": [1, 2]}
    )
    with pytest.raises(AmbiguousUnitError, match=r"QUOTA@2025 \(BO\) is 95 without a unit"):
        evaluate_plan_frame(plan, frame)


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_a_date_for_a_code_measured_in_a_unit_is_refused(engine: str) -> None:
    plan = read_plan(PLAN)
    data = {**GOOD, "QUOTA": "31-12-2025"}
    with pytest.raises(kf.UnitMismatchError, match=r"QUOTA@2025 is a date, but QUOTA is measured"):
        evaluate_plan(plan, data, year=2025, engine=engine)  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_a_formula_joining_two_units_refuses_the_plan_naming_the_indicator(engine: str) -> None:
    plan = read_plan(PLAN.replace('formula = "FREE * 1"', 'formula = "FREE + ALTRO"'))
    data = {**GOOD, "FREE": "3 gg", "ALTRO": "10 €"}
    with pytest.raises(kf.UnitMismatchError, match=r"^LIBERO@2025: FREE is in gg and ALTRO in €"):
        evaluate_plan(plan, data, year=2025, engine=engine)  # type: ignore[arg-type]
