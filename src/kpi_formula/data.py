"""Driver data: values of codes by year, from the command line or CSV files.

Two CSV layouts are read, with ``,``, ``;`` or tab as the separator (Italian
spreadsheets export ``;`` because ``,`` is their decimal mark):

* long — one value per row: ``code,year,value``;
* wide — one row per code, one column per year: ``code,2022,2023,2024``.

A file separated by ``;`` or tabs is an Italian export, whose ``1.100`` is
1100; in a ``,``-separated file ``1.100`` is ambiguous and refused.

Column names may be Italian too (``codice``, ``anno``, ``valore``).  Values are
read by :func:`parse_data_value`: the document's Italian format (``1.100``,
``72,10 %``, ``N/D``) or plain machine decimals (``0.5``, ``-3.25``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from .decimals import to_decimal
from .errors import DataError, KpiFormulaError, ValueSyntaxError
from .inputs import csv_delimiter, read_csv_file, read_xlsx_cells
from .missing import NotAvailable
from .values import Quantity, Value, parse_date, parse_value

__all__ = ["DataTable", "load_data", "parse_data_value", "parse_typed_value", "read_data"]

DataTable = dict[tuple[str, int], Decimal | NotAvailable | dt.date]

_MACHINE = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_AMBIGUOUS = re.compile(r"[+-]?[1-9][0-9]{0,2}\.[0-9]{3}")
_YEAR = re.compile(r"[0-9]{4}")
_DATE = re.compile(r"[0-9]{1,2}([-/.])[0-9]{1,2}\1[0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CODE_COLUMNS = ("code", "codice", "driver", "codice driver")
_YEAR_COLUMNS = ("year", "anno")
_VALUE_COLUMNS = ("value", "valore")


def parse_data_value(text: str, *, italian: bool = False) -> Decimal | NotAvailable:
    """Read a value typed by a person or stored in a file.

    ``0.5`` and ``-3.25`` are plain decimals; everything else is read the
    document's way (``1.100.000``, ``72,10 %``, ``N/D``; a percentage becomes a
    fraction).  ``1.100`` could be either: it is refused with a hint, unless
    ``italian`` says the source writes numbers the Italian way (``1.100`` is
    then 1100).

    >>> parse_data_value("0.5"), parse_data_value("1.100.000"), parse_data_value("72,10 %")
    (Decimal('0.5'), Decimal('1100000'), Decimal('0.7210'))
    """
    stripped = _check_ambiguity(text, italian)
    if _MACHINE.fullmatch(stripped) and not _AMBIGUOUS.fullmatch(stripped):
        return Decimal(stripped)
    return to_decimal(stripped, "the value")


def _check_ambiguity(text: str, italian: bool) -> str:
    stripped = text.strip()
    if _AMBIGUOUS.fullmatch(stripped) and not italian:
        raise ValueSyntaxError(
            f"{stripped!r} is ambiguous: a thousands separator or a decimal point?",
            text=text,
            position=max(text.find("."), 0),
            hint=(
                f"write {stripped.replace('.', '')} (or {stripped} N.) for thousands, "
                f"or {stripped.replace('.', ',')} for a decimal (see README, 'Numbers typed "
                "by people')"
            ),
        )
    return stripped


def parse_typed_value(text: str, *, italian: bool = False) -> Value:
    """Read a value a person typed, keeping its unit: by the rule of
    :func:`parse_data_value`, as a :class:`~kpi_formula.Quantity`, a date or N/D.

    >>> parse_typed_value("0.95"), parse_typed_value("95 %")
    (Quantity(amount=Decimal('0.95'), unit=None), Quantity(amount=Decimal('0.95'), unit='%'))
    """
    stripped = _check_ambiguity(text, italian)
    if _MACHINE.fullmatch(stripped):
        return Quantity(Decimal(stripped))
    return parse_value(stripped)


def _column(header: list[str], names: Iterable[str]) -> int | None:
    folded = [cell.strip().casefold() for cell in header]
    for name in names:
        if name in folded:
            return folded.index(name)
    return None


def _is_number(cell: object) -> bool:
    return isinstance(cell, int | float | Decimal | dt.date) and not isinstance(cell, bool)


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 10**15:
        return str(int(cell))  # a year or a code typed as a number in a spreadsheet
    return str(cell)


def _read_value(
    text: Any, source: str, line: int, italian: bool
) -> Decimal | NotAvailable | dt.date:
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    if isinstance(text, float):
        return to_decimal(text, "the value")
    if isinstance(text, int | Decimal):
        return Decimal(text)
    text = text.strip()
    if _DATE.fullmatch(text):
        # Milestones (the date a report was published) are data too.
        try:
            return parse_date(text)
        except KpiFormulaError as error:
            raise DataError(error.reason, hint=error.hint, line=line, source=source) from None
    try:
        return parse_data_value(text, italian=italian)
    except KpiFormulaError as error:
        raise DataError(
            f"cannot read the value {text!r}: {error.reason}",
            hint=error.hint,
            line=line,
            source=source,
        ) from None


def read_data(text: str, *, source: str = "<data>") -> DataTable:
    """Read driver data from CSV text (long or wide layout)."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].strip():
        raise DataError(
            "the data has no header row",
            hint="start with 'code,year,value' or 'code,2022,2023,2024'",
            line=1,
            source=source,
        )
    delimiter = csv_delimiter(lines[0])
    # A ";" or tab separator is the mark of an Italian export: "1.100" is 1100.
    italian = delimiter != ","
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    return read_cells(rows, source=source, italian=italian)


def read_cells(
    rows: list[list[Any]], *, source: str = "<data>", italian: bool = True
) -> DataTable:
    """Read driver data from a table's cells (the first row names the columns):
    text cells by the rule for typed numbers, numbers as they are, dates as dates."""
    texts = [[_cell_text(cell) for cell in row] for row in rows]
    if not texts or not any(cell.strip() for cell in texts[0]):
        raise DataError(
            "the data has no header row",
            hint="start with 'code,year,value' or 'code,2022,2023,2024'",
            line=1,
            source=source,
        )
    header = texts[0]
    code_column = _column(header, _CODE_COLUMNS)
    year_column = _column(header, _YEAR_COLUMNS)
    value_column = _column(header, _VALUE_COLUMNS)
    table: DataTable = {}

    def value(row: int, column: int, line: int) -> Decimal | NotAvailable | dt.date:
        cell = rows[row][column]
        return _read_value(cell if _is_number(cell) else texts[row][column], source, line, italian)

    if code_column is not None and year_column is not None and value_column is not None:
        for number, row in enumerate(texts[1:], start=1):
            line = number + 1
            if not any(cell.strip() for cell in row):
                continue
            needed = max(code_column, year_column, value_column)
            if len(row) <= needed:
                raise DataError(
                    f"the row has {len(row)} cells, the header {len(header)}",
                    hint="every row needs a code, a year and a value",
                    line=line,
                    source=source,
                )
            year_text = row[year_column].strip()
            if not _YEAR.fullmatch(year_text):
                raise DataError(
                    f"{year_text!r} is not a year",
                    hint="write years as 2024",
                    line=line,
                    source=source,
                )
            key = (row[code_column].strip(), int(year_text))
            _store(table, key, value(number, value_column, line), source, line)
        return table
    if code_column is None:
        raise DataError(
            "the header names no code column",
            hint="start with 'code,year,value' (long) or 'code,2022,2023,2024' (wide)",
            line=1,
            source=source,
        )
    years = {
        index: int(cell.strip())
        for index, cell in enumerate(header)
        if index != code_column and _YEAR.fullmatch(cell.strip())
    }
    if not years:
        raise DataError(
            "the header has neither year/value columns nor year columns",
            hint="write 'code,year,value' (long) or 'code,2022,2023,2024' (wide)",
            line=1,
            source=source,
        )
    for number, row in enumerate(texts[1:], start=1):
        line = number + 1
        if not any(cell.strip() for cell in row):
            continue
        code = row[code_column].strip() if len(row) > code_column else ""
        if not code:
            raise DataError(
                "a row without a code", hint="fill in the code", line=line, source=source
            )
        for index, year in years.items():
            if index < len(row) and row[index].strip():
                _store(table, (code, year), value(number, index, line), source, line)
    return table


def _store(
    table: DataTable,
    key: tuple[str, int],
    value: Decimal | NotAvailable | dt.date,
    source: str,
    line: int,
) -> None:
    if key in table and table[key] != value:
        raise DataError(
            f"{key[0]}@{key[1]} is given twice, with different values",
            hint="keep one row per code and year",
            line=line,
            source=source,
        )
    table[key] = value


def load_data(path: str | Path) -> DataTable:
    """Read driver data from a ``.csv`` file (UTF-8 or Windows-1252, as Excel saves
    it; see :func:`read_data`) or the first sheet of an ``.xlsx`` workbook (the
    ``excel`` extra), in the long or the wide layout."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        rows = read_xlsx_cells(path, DataError, purpose="reading .xlsx data")
        return read_cells(rows, source=str(path))
    return read_data(read_csv_file(path, DataError), source=str(path))
