"""Excel as offices use it: plan, drivers and data in one workbook, sheets chosen by
name, numbers shown as Excel shows them."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import kpi_formula as kf
from kpi_formula.cli import main
from kpi_formula.data import load_data
from kpi_formula.plan.planfile import load_plan

openpyxl = pytest.importorskip("openpyxl")

PLAN_ROWS: list[list[Any]] = [
    ["titolo", "Comune di Esempio 2025"],
    ["codice", "padre", "nome", "peso", "algoritmo", "unità", "baseline 2024", "target 2025"],
    ["M", None, "Missione", 1, None, None, None, None],
    ["QUOTA", "M", "Quota", 0.5, "EVASE / RICEVUTE", "%", 0.875, 0.9],
    ["IMPRESE", "M", "Imprese servite", 0.5, "SERVITE * 1000 / 50", "N.", 3.5, 3],
]
DATA_ROWS: list[list[Any]] = [
    ["code", 2024, 2025],
    ["EVASE", 875, 930],
    ["RICEVUTE", 1000, 1000],
    ["SERVITE", 190, 200],
    ["50", 50_000, 50_000],
]


def _book(
    path: Path, sheets: dict[str, list[list[Any]]], formats: dict[str, str] | None = None
) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    for cell, number_format in (formats or {}).items():
        name, _, where = cell.partition("!")
        book[name][where].number_format = number_format
    book.save(path)
    return path


def _office(path: Path, **names: str) -> Path:
    return _book(
        path,
        {
            names.get("data", "Dati"): DATA_ROWS,
            names.get("plan", "Piano"): PLAN_ROWS,
            "driver": [["codice", "descrizione"], [50, "Imprese iscritte"]],
        },
        {f"{names.get('plan', 'Piano')}!{c}": "0.00%" for c in ("D4", "D5", "G4", "H4")},
    )


def test_plan_drivers_and_data_read_from_one_workbook(tmp_path: Path) -> None:
    book = _office(tmp_path / "piano.xlsx")
    plan = load_plan(book)
    assert plan.title == "Comune di Esempio 2025"
    assert plan.drivers == (kf.Driver("50", "Imprese iscritte"),)
    data = load_data(book)  # the sheet Dati, not the first one
    assert data[("EVASE", 2025)] == Decimal(930)
    out = io.StringIO()
    argv = ["plan", "evaluate", str(book), "--data", str(book), "--year", "2025", "--json"]
    assert main(argv, out=out) == 0
    assert '"score": "1"' in out.getvalue()


def test_sheets_named_otherwise_are_chosen_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _office(tmp_path / "libro.xlsx", plan="Obiettivi 2025", data="Valori")
    assert load_plan(book, sheet="Obiettivi 2025").title == "Comune di Esempio 2025"
    assert load_data(book, sheet="valori")[("50", 2024)] == Decimal(50_000)  # case aside
    argv = [
        "plan",
        "scorecard",
        str(book),
        "--sheet",
        "Obiettivi 2025",
        "--data",
        str(book),
        "--data-sheet",
        "Valori",
        "--year",
        "2025",
    ]
    out = io.StringIO()
    assert main(argv, out=out) == 0
    assert "Comune di Esempio 2025" in out.getvalue()
    with pytest.raises(kf.DataError, match="no sheet 'Dati'") as caught:
        load_data(book, sheet="Dati")
    assert "'Valori', 'Obiettivi 2025', 'driver'" in str(caught.value.hint)
    assert main(["eval", "EVASE / RICEVUTE", "--data", str(book), "--sheet", "Valori"]) == 0
    assert capsys.readouterr().out.startswith("0.93")


def test_a_csv_file_has_no_sheet_to_name(tmp_path: Path) -> None:
    data = tmp_path / "dati.csv"
    data.write_text("code,year,value\nA,2024,1\n", encoding="utf-8")
    with pytest.raises(kf.DataError, match="it has no sheets"):
        load_data(data, sheet="dati")
    with pytest.raises(kf.PlanError, match="it has no sheets"):
        load_plan(tmp_path / "piano.toml", sheet="piano")


@pytest.mark.parametrize(
    ("value", "number_format", "unit", "shown"),
    [
        (0.875, "0.00%", "%", "87,50 %"),
        (0.875, "0%", "%", "88 %"),
        (0.8749, "0.0%", "%", "87,5 %"),
        (0.875, "General", "%", "87,5 %"),
        (0.1 + 0.2, "General", "%", "30 %"),  # what Excel shows, not 30,000000000000004 %
        (1234.5, "#,##0.00", "€", "1.234,50 €"),
        (1234.5, '#,##0" €"', "€", "1.235 €"),
        (-19, "0", "gg", "-19 gg"),
        (25.25, '0.0 "gg";-0.0 "gg"', "gg", "25,3 gg"),
        (0.3, "0.00%", None, "30,00 %"),  # shown in % in a row without a unit: kept, for validate
        (1136, "General", "N.", "1.136 N."),
    ],
)
def test_numbers_come_back_as_excel_shows_them(
    tmp_path: Path, value: float, number_format: str, unit: str | None, shown: str
) -> None:
    rows: list[list[Any]] = [
        ["codice", "padre", "peso", "unità", "baseline 2024"],
        ["M", None, 1, None, None],
        ["A", "M", 1, unit, value],
    ]
    book = _book(tmp_path / "p.xlsx", {"piano": rows}, {"piano!E3": number_format})
    (indicator,) = load_plan(book).indicators().values()
    assert indicator.baselines[2024] == shown


def test_a_number_without_its_percent_sign_in_a_percent_row_is_refused(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["codice", "padre", "peso", "unità", "baseline 2024", "target 2025"],
        ["M", None, 1, None, None, None],
        ["A", "M", 1, "%", 0.5, 95],
    ]
    book = _book(tmp_path / "p.xlsx", {"piano": rows})
    with pytest.raises(
        kf.PlanError,
        match=r"the cell F3 is 95 without a unit, against a unit of %: is it 95 % or 9\.500 %",
    ) as caught:
        load_plan(book)
    assert (caught.value.line, caught.value.column) == (3, 6)
    assert "(95 %) or as a fraction (0,95)" in str(caught.value.hint)
    sheet = tmp_path / "p.csv"
    sheet.write_text("codice;padre;peso;unità;target 2025\nM;;1;;\nA;M;1;%;95\n", encoding="utf-8")
    with pytest.raises(kf.PlanError, match="the cell E3 is 95 without a unit") as caught_csv:
        load_plan(sheet)
    assert (caught_csv.value.line, caught_csv.value.column) == (3, 5)


def test_weights_and_dates_of_a_workbook(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["codice", "padre", "peso", "unità", "target 2025"],
        ["M", None, 1, None, None],
        ["A", "M", 0.6, None, dt.datetime(2025, 12, 31)],
        ["B", "M", "40 %", None, ">= 1"],
    ]
    book = _book(tmp_path / "p.xlsx", {"piano": rows}, {"piano!C3": "0%"})
    indicators = load_plan(book).indicators()
    assert indicators["A"].weight == Decimal("0.6") and indicators["B"].weight == Decimal("0.4")
    assert indicators["A"].targets[2025] == "Entro 31-12-2025"
    bad = _book(tmp_path / "q.xlsx", {"piano": [rows[0], rows[1], ["A", "M", 60, None, None]]})
    with pytest.raises(kf.PlanError, match="is it 60 %") as caught:
        load_plan(bad)
    assert (caught.value.line, caught.value.column) == (3, 3)


def test_data_numbers_are_read_as_excel_holds_them(tmp_path: Path) -> None:
    book = _book(
        tmp_path / "d.xlsx",
        {
            "dati": [
                ["code", "year", "value"],
                ["A", 2024, 0.1 + 0.2],
                ["B", 2024, 0.875],
                ["C", 2024, dt.datetime(2024, 6, 30)],
                ["D", 2024, "N/D"],
            ]
        },
        {"dati!C3": "0.00%"},
    )
    assert load_data(book) == {
        ("A", 2024): Decimal("0.3"),
        ("B", 2024): kf.Quantity(Decimal("0.875"), "%"),  # shown as 87,50 %: written in %
        ("C", 2024): dt.date(2024, 6, 30),
        ("D", 2024): kf.ND,
    }


@pytest.mark.parametrize(
    ("unit_cell", "value", "shown"),
    [
        ("‰", 0.05424, "54,24 ‰"),
        ("per mille", 0.05424, "54,24 ‰"),
        ("SI/NO", 1, "SI"),
        ("giorni", 25.5, "25,5 gg"),
        ("euro", 1500, "1.500 €"),
    ],
)
def test_every_unit_of_the_one_rule_reads_workbook_numbers(
    tmp_path: Path, unit_cell: str, value: float, shown: str
) -> None:
    rows: list[list[Any]] = [
        ["codice", "padre", "peso", "unità", "baseline 2024"],
        ["M", None, 1, None, None],
        ["A", "M", 1, unit_cell, value],
    ]
    (indicator,) = load_plan(_book(tmp_path / "p.xlsx", {"piano": rows})).indicators().values()
    assert indicator.baselines[2024] == shown


@pytest.mark.parametrize(("unit_cell", "value"), [("‰", 54), ("sì/no", 2)])
def test_a_number_its_unit_cannot_tell_is_refused_in_every_unit(
    tmp_path: Path, unit_cell: str, value: int
) -> None:
    rows: list[list[Any]] = [
        ["codice", "padre", "peso", "unità", "target 2025"],
        ["M", None, 1, None, None],
        ["A", "M", 1, unit_cell, value],
    ]
    with pytest.raises(kf.PlanError, match="the cell E3 is") as caught:
        load_plan(_book(tmp_path / "p.xlsx", {"piano": rows}))
    assert (caught.value.line, caught.value.column) == (3, 5)
