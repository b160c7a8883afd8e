"""Driver data files: long and wide CSV, Italian or machine numbers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula.data import load_data, parse_data_value, read_data


def test_long_layout_with_italian_values() -> None:
    table = read_data("codice;anno;valore\nA;2024;1.100\nA;2025;72,10 %\nB;2025;N/D\n")
    assert table == {
        ("A", 2024): Decimal(1100),
        ("A", 2025): kf.Quantity(Decimal("0.7210"), "%"),  # kept with the unit written
        ("B", 2025): kf.ND,
    }


def test_wide_layout_with_machine_values() -> None:
    table = read_data("code,2022,2023,2024\nA,1,2.5,\nN ImprAtt,64000,N/D,65000\n")
    assert table == {
        ("A", 2022): Decimal(1),
        ("A", 2023): Decimal("2.5"),
        ("N ImprAtt", 2022): Decimal(64000),
        ("N ImprAtt", 2023): kf.ND,
        ("N ImprAtt", 2024): Decimal(65000),
    }


def test_ambiguous_values_in_comma_files_are_refused_with_a_hint() -> None:
    with pytest.raises(kf.DataError, match="ambiguous") as caught:
        read_data("code,year,value\nA,2024,1.100\n", source="d.csv")
    assert caught.value.line == 2
    assert str(caught.value).startswith("d.csv:2:")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "nothing,here\nA,1\n",
        "code,year,value\nA,20x4,1\n",
        "code,year,value\nA,2024\n",
        "code,year,value\nA,2024,1\nA,2024,2\n",
        "code,2024\n,5\n",
        "code,year,value\nA,2024,abc\n",
    ],
)
def test_bad_files_are_data_errors(text: str) -> None:
    with pytest.raises(kf.DataError):
        read_data(text)


def test_load_data_reads_files_and_reports_missing_ones(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("\ufeffcode,year,value\nA,2024,3\n", encoding="utf-8")
    assert load_data(path) == {("A", 2024): Decimal(3)}
    with pytest.raises(kf.DataError, match="cannot read"):
        load_data(tmp_path / "missing.csv")


def test_parse_data_value_forms() -> None:
    assert parse_data_value("-3.25") == Decimal("-3.25")
    assert parse_data_value("1.100", italian=True) == Decimal(1100)
    assert parse_data_value("1.100.000") == Decimal(1100000)
    assert parse_data_value("N/D") is kf.ND


def test_excel_csv_in_windows_1252_and_xlsx_data(tmp_path: Path) -> None:
    from decimal import Decimal

    from kpi_formula.data import load_data

    latin = tmp_path / "dati.csv"
    latin.write_bytes(
        "codice;anno;valore\nCittà;2025;1.100\nSpesa €;2025;72,10 %\n".encode("cp1252")
    )
    assert load_data(latin) == {
        ("Città", 2025): Decimal(1100),
        ("Spesa €", 2025): kf.Quantity(Decimal("0.7210"), "%"),
    }
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["code", 2024, 2025], ["A", 1100, 0.5], ["B", "1.100", "N/D"]):
        sheet.append(row)
    path = tmp_path / "dati.xlsx"
    workbook.save(path)
    assert load_data(path) == {
        ("A", 2024): Decimal(1100),
        ("A", 2025): Decimal("0.5"),
        ("B", 2024): Decimal(1100),
        ("B", 2025): kf.ND,
    }


def test_milestones_in_every_date_spelling() -> None:
    import datetime as dt

    table = read_data("code;year;value\nA;2025;31-12-2025\nB;2025;31.12.2025\nC;2025;2025-12-31\n")
    assert set(table.values()) == {dt.date(2025, 12, 31)}


def test_thousands_grouped_by_spaces_read_as_thousands() -> None:
    # as PDFs print them: plain spaces, non-breaking and narrow no-break spaces
    table = read_data(
        "code;year;value\nA;2024;1 000 000\nB;2024;1\u00a0234,5\nC;2024;12\u202f345 €\n"
    )
    assert table == {
        ("A", 2024): Decimal(1_000_000),
        ("B", 2024): Decimal("1234.5"),
        ("C", 2024): kf.Quantity(Decimal(12_345), "€"),
    }
    assert read_data("code,year,value\nA,2024,2 500\n") == {("A", 2024): Decimal(2500)}


_READ_COLUMNS = {"code", "codice", "driver", "codice driver", "year", "anno", "value", "valore"}


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(
        st.characters(codec="utf-8", exclude_characters=",;\t\n\r\"'"), min_size=1, max_size=12
    ).filter(lambda n: n.strip() and n.strip().casefold() not in _READ_COLUMNS),
    cell=st.sampled_from(["", "Modena", "€", "x"]),
    wide=st.booleans(),
    where=st.integers(min_value=0, max_value=3),
)
def test_a_column_the_reader_does_not_know_is_refused_naming_it(
    name: str, cell: str, wide: bool, where: int
) -> None:
    # its cells would be dropped in silence: a unit, an entity, a note...
    if wide and name.strip().isdigit():
        return  # a year column of a wide file
    header = ["code", "2025"] if wide else ["code", "year", "value"]
    row = ["A", "1"] if wide else ["A", "2025", "1"]
    where = min(where, len(header))
    header.insert(where, name)
    row.insert(where, cell)
    text = ";".join(header) + "\n" + ";".join(row) + "\n"
    with pytest.raises(kf.DataError) as caught:
        read_data(text, source="d.csv")
    assert caught.value.reason == f"the column {name.strip()!r} is not one the data reader knows"
    assert (caught.value.line, caught.value.column) == (1, where + 1)


def test_unit_and_entity_columns_say_what_to_do() -> None:
    with pytest.raises(kf.DataError, match="'entity'") as caught:
        read_data("code,year,value,entity\nI,2025,1050,Modena\nI,2024,1000,Bologna\n")
    assert "one entity (Bologna, Modena)" in str(caught.value.hint)
    with pytest.raises(kf.DataError, match="'unit'") as caught:
        read_data("code,year,value,unit\nI,2025,1050,€\n")
    assert "with its unit" in str(caught.value.hint)
    with pytest.raises(kf.DataError, match="under no column") as caught:
        read_data("code,year,value,\nI,2025,1050,€\n")
    assert (caught.value.line, caught.value.column) == (2, 4)
    # an empty trailing column, as spreadsheets export, is no column at all
    assert read_data("code,year,value,\nI,2025,1050,\n") == {("I", 2025): Decimal(1050)}


_SPREADSHEET_ERRORS = ["#DIV/0!", "#N/D", "#N/A", "#VALUE!", "#VALORE!", "#RIF!", "#NOME?", "#NUM!"]


@pytest.mark.parametrize("error", _SPREADSHEET_ERRORS)
def test_spreadsheet_errors_are_named_and_refused(error: str, tmp_path: Path) -> None:
    # A failed formula is no value: N/D would hide it (a lookup that found nothing,
    # a division by zero), so it is refused, saying what it is and how to say N/D.
    with pytest.raises(kf.DataError) as caught:
        read_data(f"code;year;value\nA;2025;{error}\n", source="d.csv")
    assert (
        caught.value.reason == f"the cell holds the spreadsheet error {error}: its formula failed"
    )
    assert "N/D" in str(caught.value.hint)
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["code", "year", "value"])
    book.active.append(["A", 2025, error])  # openpyxl stores Excel's errors as errors
    book.save(tmp_path / "d.xlsx")
    with pytest.raises(kf.DataError, match="spreadsheet error") as caught:
        load_data(tmp_path / "d.xlsx")
    assert caught.value.line == 2


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_characters=";\n\r\"'"), max_size=8))
def test_a_value_refused_is_said_in_one_clause(text: str) -> None:
    try:
        read_data(f"code;year;value\nA;2025;{text}\n", source="d.csv")
    except kf.DataError as error:
        assert error.reason.count("the value") <= 1, error.reason
        assert "the value: " not in error.reason


def test_empty_values_and_formulas_without_their_value(tmp_path: Path) -> None:
    for text in (
        "code,year,value\nA,2025,\n",
        "code,year,value\nA,2025, \n",
        "code,year,value\nA,2025\n",
    ):
        with pytest.raises(kf.DataError) as caught:
            read_data(text)
        assert caught.value.reason == "the value is empty"
        assert caught.value.hint == "write the value, or N/D for a value not available"
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in (["code", "year", "value"], ["A", 2025, "=1/0"], ["B", 2025, 7], ["C", 2025, None]):
        book.active.append(row)
    path = tmp_path / "d.xlsx"
    book.save(path)  # openpyxl saves formulas without the value they compute
    with pytest.raises(kf.DataError) as caught:
        load_data(path)
    assert caught.value.reason == "the cell holds the formula =1/0 without its computed value"
    assert caught.value.line == 2
    assert "save it" in str(caught.value.hint)
    # as Excel saves it, with the value it computed: read as that value
    _store_computed(path, "C2", "0.25")
    with pytest.raises(kf.DataError, match="the value is empty") as caught:
        load_data(path)  # C, whose cell is empty, not a formula
    assert caught.value.line == 4


def _store_computed(path: Path, cell: str, value: str) -> None:
    """Write into the workbook the value a formula cell computed, as Excel does."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(
        rb'(<c r="' + cell.encode() + rb'"[^>]*>\s*<f>[^<]*</f>)(<v\s*/>|<v></v>)?',
        lambda m: m.group(1) + b"<v>" + value.encode() + b"</v>",
        parts[sheet],
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_a_formula_saved_with_its_value_is_that_value(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in (["code", "year", "value"], ["A", 2025, "=1/4"]):
        book.active.append(row)
    path = tmp_path / "d.xlsx"
    book.save(path)
    _store_computed(path, "C2", "0.25")
    assert load_data(path) == {("A", 2025): Decimal("0.25")}
