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

A value keeps the unit it was written with: ``95 %`` is read as
``Quantity(Decimal("0.95"), "%")``, ``1.200 €`` as ``Quantity(Decimal("1200"), "€")``,
a number without a unit as a plain ``Decimal``.  Where the unit a code is
measured in is known (a plan's input indicators and the drivers it declares:
``units=``, and :func:`~kpi_formula.plan.evaluate_plan` whatever the data), each
value of that code is read by the one rule for units,
:func:`kpi_formula.units.in_unit`: ``95 %`` for a code in € is refused, and so is
a bare ``95`` for a code in % (95 % or 9.500 %?).  For a code of unknown unit the
amount is taken, a percentage as a fraction.

An ``.xlsx`` workbook gives its numbers as numbers (a cell formatted as % holds
the fraction, and is read as written in %), its dates as dates; the data is read
from the sheet named by ``sheet=``, else from a sheet called ``dati`` (or
``data``), else from the first one, so that one workbook can hold a plan (sheet
``piano``) and its data.
Files are read within the limits of :mod:`kpi_formula.inputs`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from .decimals import exact, to_decimal
from .errors import DataError, KpiFormulaError, UnitMismatchError, ValueSyntaxError, clip, msg
from .missing import NotAvailable
from .patterns import lazy
from .units import data_in_unit
from .values import FRACTION_SHIFT, YES_NO, Quantity, Unit, Value, parse_date, parse_value

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "DATA_SHEETS",
    "DataTable",
    "DataValue",
    "in_units",
    "load_data",
    "parse_data_value",
    "parse_typed_value",
    "read_cells",
    "read_data",
]

DataValue = Decimal | Quantity | NotAvailable | dt.date
"""A value of the data: a number without a unit, a :class:`~kpi_formula.Quantity`
with the unit it was written with, N/D, or a date."""
DataTable = dict[tuple[str, int], DataValue]

_MACHINE = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_AMBIGUOUS = re.compile(r"[+-]?[1-9][0-9]{0,2}\.[0-9]{3}")
_YEAR = lazy(r"[0-9]{4}")
_DATE = lazy(r"[0-9]{1,2}([-/.])[0-9]{1,2}\1[0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CODE_COLUMNS = ("code", "codice", "driver", "codice driver")
_YEAR_COLUMNS = ("year", "anno")
_VALUE_COLUMNS = ("value", "valore")
DATA_SHEETS = ("dati", "data")
"""The names of the sheet a workbook's data is read from, when none is named."""
_LAYOUT_HINT = msg("start with 'code,year,value' (long) or 'code,2022,2023,2024' (wide)")
_SPREADSHEET_ERROR = lazy(
    r"#(?:NULL!|NULLO!|DIV/0!|VALUE!|VALORE!|REF!|RIF!|NAME\?|NOME\?|NUM!|N/A|N/D|"
    r"SPILL!|ESPANSIONE!|CALC!|CALC\.!|GETTING_DATA|FIELD!|CAMPO!|BLOCKED!|BLOCCATO!)",
    re.IGNORECASE,
)
_UNIT_COLUMNS = ("unit", "unità", "unita", "units", "um", "u.m.", "unità di misura")
_ENTITY_COLUMNS = ("entity", "ente", "entità", "body", "organisation", "organization")


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
        return exact(Decimal(stripped), "the value")
    return to_decimal(stripped, "the value")


def _check_ambiguity(text: str, italian: bool) -> str:
    stripped = text.strip()
    if _AMBIGUOUS.fullmatch(stripped) and not italian:
        raise ValueSyntaxError(
            msg("{text!r} is ambiguous: a thousands separator or a decimal point?", text=stripped),
            text=text,
            position=max(text.find("."), 0),
            hint=msg(
                "write {whole} (or {text} N.) for thousands, or {decimal} for a decimal "
                "(see README, 'Numbers typed by people')",
                whole=stripped.replace(".", ""),
                text=stripped,
                decimal=stripped.replace(".", ","),
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
    if _MACHINE.fullmatch(stripped) and not _AMBIGUOUS.fullmatch(stripped):
        return Quantity(exact(Decimal(stripped), "the value"))
    return parse_value(stripped)


Row = tuple[int, list[object]]
"""A row of a table: its line (or row number), and its cells."""


def _column(header: list[str], names: Iterable[str]) -> int | None:
    folded = [cell.strip().casefold() for cell in header]
    for name in names:
        if name in folded:
            return folded.index(name)
    return None


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    # cells of other types come from a workbook, so the readers of files are loaded;
    # a value typed on the command line does not load them
    from .inputs import Number

    if isinstance(cell, Number):
        return format(cell.value, "f")  # a year or a code typed as a number in a spreadsheet
    return str(cell)


def _read_value(cell: object, source: str, line: int, italian: bool) -> DataValue:
    """A cell's value, with the unit it was written with (a number without one as
    a plain Decimal)."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if not isinstance(cell, str):
        from .inputs import Number, Uncomputed  # a workbook's cells (see _cell_text)

        if isinstance(cell, Number):
            return Quantity(cell.value, "%") if cell.in_percent else cell.value
        if isinstance(cell, Uncomputed):
            raise DataError(
                msg(
                    "the cell holds the formula {formula} without its computed value",
                    formula=clip(cell.formula),
                ),
                hint=msg(
                    "open the workbook in Excel or LibreOffice and save it (the value is stored "
                    "then), or type the value"
                ),
                line=line,
                source=source,
            )
    text = _cell_text(cell).strip()
    if not text:
        raise DataError(
            msg("the value is empty"),
            hint=msg("write the value, or N/D for a value not available"),
            line=line,
            source=source,
        )
    if _SPREADSHEET_ERROR().fullmatch(text):
        # A formula that failed: its value is not known, and N/D would hide a broken
        # formula (an #N/D of a lookup that found nothing as much as a #DIV/0!).
        raise DataError(
            msg("the cell holds the spreadsheet error {text}: its formula failed", text=text),
            hint=msg("correct the formula, or write N/D for a value not available"),
            line=line,
            source=source,
        )
    try:
        if _DATE().fullmatch(text):
            # Milestones (the date a report was published) are data too.
            return parse_date(text)
        stripped = _check_ambiguity(text, italian)
        if _MACHINE.fullmatch(stripped) and not _AMBIGUOUS.fullmatch(stripped):
            return exact(Decimal(stripped), "the value")
        value = parse_value(stripped)  # the document's way, keeping the unit written
        if isinstance(value, Quantity) and value.unit is None:
            return value.amount
        return value
    except KpiFormulaError as error:
        # one clause: the reason alone where it already quotes the value
        reason = error.reason
        if text not in reason:
            reason = msg("cannot read the value {text!r}: {reason}", text=clip(text), reason=reason)
        raise DataError(
            reason,
            hint=error.hint,
            line=line,
            source=source,
        ) from None


def read_data(
    text: str, *, source: str = "<data>", units: Mapping[str, Unit] | None = None
) -> DataTable:
    """Read driver data from CSV text (long or wide layout); ``units`` as for
    :func:`read_cells`."""
    from .inputs import csv_delimiter, csv_rows  # tables alone need the readers of files

    text = text.lstrip("\ufeff")
    delimiter = csv_delimiter(text.split("\n", 1)[0])
    # A ";" or tab separator is the mark of an Italian export: "1.100" is 1100.
    italian = delimiter != ","
    rows: list[Row] = [
        (line, list(cells)) for line, cells in csv_rows(text, delimiter, DataError, source=source)
    ]
    return read_cells(rows, source=source, italian=italian, units=units)


def read_cells(
    rows: list[Row],
    *,
    source: str = "<data>",
    italian: bool = True,
    units: Mapping[str, Unit] | None = None,
) -> DataTable:
    """Read driver data from a table's rows (the first one names the columns),
    each with its line: text cells by the rule for typed numbers, numbers as
    they are, dates as dates.

    ``units`` maps codes to the unit they are measured in: each value of such a
    code is read in it by :func:`kpi_formula.units.in_unit` (a refusal is the
    unit error, naming the file and line) and kept as a Quantity in that unit."""
    units = units or {}

    filled = [(line, cells) for line, cells in rows if any(_cell_text(c).strip() for c in cells)]
    if not filled:
        raise DataError(msg("the data has no header row"), hint=_LAYOUT_HINT, line=1, source=source)
    header_line, header_cells = filled[0]
    header = [_cell_text(cell) for cell in header_cells]
    code_column = _column(header, _CODE_COLUMNS)
    year_column = _column(header, _YEAR_COLUMNS)
    value_column = _column(header, _VALUE_COLUMNS)
    table: DataTable = {}

    def cell(cells: list[object], column: int) -> object:
        return cells[column] if column < len(cells) else None

    if code_column is not None and year_column is not None and value_column is not None:
        _no_other_columns(header, {code_column, year_column, value_column}, filled, source)
        for line, cells in filled[1:]:
            needed = max(code_column, year_column)  # a value cell left out is an empty one
            if len(cells) <= needed:
                raise DataError(
                    msg(
                        "the row has {count} cells, the header {columns}",
                        count=len(cells),
                        columns=len(header),
                    ),
                    hint=msg("every row needs a code, a year and a value"),
                    line=line,
                    source=source,
                )
            year_text = _cell_text(cells[year_column]).strip()
            if not _YEAR().fullmatch(year_text):
                raise DataError(
                    msg("{text!r} is not a year", text=clip(year_text)),
                    hint=msg("write years as 2024"),
                    line=line,
                    source=source,
                )
            key = (_cell_text(cells[code_column]).strip(), int(year_text))
            value = _read_value(cell(cells, value_column), source, line, italian)
            _store(table, key, _in_unit(value, key, units, source, line), source, line)
        return table
    if code_column is None:
        raise DataError(
            msg("the header names no code column"),
            hint=_LAYOUT_HINT,
            line=header_line,
            source=source,
        )
    years = {
        index: int(title.strip())
        for index, title in enumerate(header)
        if index != code_column and _YEAR().fullmatch(title.strip())
    }
    if not years:
        raise DataError(
            msg("the header has neither year/value columns nor year columns"),
            hint=_LAYOUT_HINT,
            line=header_line,
            source=source,
        )
    _no_other_columns(header, {code_column, *years}, filled, source)
    for line, cells in filled[1:]:
        code = _cell_text(cell(cells, code_column)).strip()
        if not code:
            raise DataError(
                msg("a row without a code"), hint=msg("fill in the code"), line=line, source=source
            )
        for index, year in years.items():
            found = cell(cells, index)
            if _cell_text(found).strip():
                value = _read_value(found, source, line, italian)
                value = _in_unit(value, (code, year), units, source, line)
                _store(table, (code, year), value, source, line)
    return table


def _no_other_columns(header: list[str], known: set[int], rows: list[Row], source: str) -> None:
    """Refuse a column the reader would not read: its cells are never dropped in
    silence (a ``unit`` column would leave each value in another unit than the one
    written, an ``entity`` column would mix several bodies' data into one plan)."""
    header_line = rows[0][0]
    for index, title in enumerate(header):
        name = title.strip()
        if index in known or not name:
            continue
        folded = name.casefold()
        if folded in _ENTITY_COLUMNS:
            entities = sorted(
                {_cell_text(cells[index]).strip() for _, cells in rows[1:] if index < len(cells)}
                - {""}
            )
            hint = msg(
                "a data file holds one body's data, the plan's: keep in the file the rows "
                "of one entity ({entities}) and remove the column",
                entities=", ".join(clip(e) for e in entities[:5]) or "-",
            )
        elif folded in _UNIT_COLUMNS:
            hint = msg("write each value with its unit (1.050 €, 60 %) and remove the column")
        else:
            hint = msg(
                "data files have the columns code, year and value (long) or a code and "
                "one column per year (wide): remove the column"
            )
        raise DataError(
            msg("the column {name!r} is not one the data reader knows", name=clip(name)),
            hint=hint,
            line=header_line,
            column=index + 1,
            source=source,
        )
    # the cells to look at: under an empty header cell, or beyond the header
    unnamed = [index for index, title in enumerate(header) if not title.strip()]
    width = len(header)
    for line, cells in rows[1:]:
        if len(cells) <= width and not unnamed:
            continue  # the common row: every cell under a column read
        for index in (*unnamed, *range(width, len(cells))):
            if index < len(cells) and index not in known and _cell_text(cells[index]).strip():
                raise DataError(
                    msg(
                        "the cell {text!r} is under no column of the header",
                        text=clip(_cell_text(cells[index]).strip()),
                    ),
                    hint=msg("name its column in the header, or remove it"),
                    line=line,
                    column=index + 1,
                    source=source,
                )


def _in_unit(
    value: DataValue, key: tuple[str, int], units: Mapping[str, Unit], source: str, line: int
) -> DataValue:
    """``value`` of ``key``, in the unit its code is measured in, if that is known."""
    unit = units.get(key[0])
    if unit is None:
        return value
    try:
        read = data_in_unit(value, unit, code=key[0], year=key[1])
    except UnitMismatchError as error:
        raise _located(error, source, line) from None
    return Quantity(read, unit) if isinstance(read, Decimal) else read


def _located(error: UnitMismatchError, source: str, line: int) -> UnitMismatchError:
    """The unit error, its kind kept, placed in the file as a DataError is."""
    located = DataError(error.reason, hint=error.hint, line=line, source=source)
    error.args = located.args
    error.line, error.source = line, source  # type: ignore[attr-defined]
    return error


def _same(first: DataValue, second: DataValue) -> bool:
    """Whether two values of one code and year agree: one amount, and no two units."""
    units = {v.unit for v in (first, second) if isinstance(v, Quantity) and v.unit is not None}
    amounts = [v.amount if isinstance(v, Quantity) else v for v in (first, second)]
    return len(units) <= 1 and amounts[0] == amounts[1]


def _store(
    table: DataTable,
    key: tuple[str, int],
    value: DataValue,
    source: str,
    line: int,
) -> None:
    found = table.get(key)
    if found is not None and _same(found, value):
        if isinstance(value, Quantity) and value.unit is not None:
            table[key] = value  # the same amount: keep the unit it was written with
        return
    if found is not None:
        raise DataError(
            msg("{code}@{year} is given twice, with different values", code=key[0], year=key[1]),
            hint=msg("keep one row per code and year"),
            line=line,
            source=source,
        )
    table[key] = value


def load_data(
    path: str | Path, *, sheet: str | None = None, units: Mapping[str, Unit] | None = None
) -> DataTable:
    """Read driver data from a ``.csv`` file (UTF-8 or Windows-1252, as Excel saves
    it; see :func:`read_data`) or a sheet of an ``.xlsx`` workbook (the ``excel``
    extra): the sheet named ``sheet``, else the one called ``dati`` or ``data``,
    else the first.  Either layout, long or wide.  ``units``: the unit each code
    is measured in, where known (see :func:`read_cells`)."""
    from pathlib import Path  # a file's reader alone needs pathlib

    from .inputs import Workbook, read_csv_file

    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        with Workbook(path, DataError, purpose=msg("reading .xlsx data")) as workbook:
            name = (
                workbook.require(sheet)
                if sheet is not None
                else workbook.find(DATA_SHEETS) or workbook.names[0]
            )
            rows = workbook.rows(name, uncomputed=True)
            return read_cells(rows, source=f"{path}[{name}]", units=units)
    if sheet is not None:
        raise DataError(
            msg("{path} is a CSV file: it has no sheets", path=str(path)),
            hint=msg("name a sheet only for an .xlsx workbook"),
        )
    return read_data(read_csv_file(path, DataError), source=str(path), units=units)


def in_units(
    data: Mapping[object, object], units: Mapping[str, Unit], *, year: int
) -> Mapping[object, object]:
    """``data`` (keyed by ``(code, year)``, or by ``code`` for ``year``) with each
    value of a code in ``units`` read in its unit by the one rule for units
    (:func:`kpi_formula.units.data_in_unit`); ``data`` itself when that changes
    nothing.  A value refused for its unit is the unit error, naming ``code@year``;
    a value that cannot be read at all is left for the evaluator to report."""
    changed: dict[object, object] = {}
    get = units.get
    for key, value in data.items():
        if type(key) is tuple and len(key) == 2:
            code, when = key
        elif isinstance(key, str):
            code, when = key, year
        else:
            continue
        unit = get(code) if isinstance(code, str) else None
        if unit is None:
            continue
        # what in_unit reads as itself, told without it (the common case, and a large one)
        if type(value) is Decimal:
            if unit in FRACTION_SHIFT:
                if value.is_finite() and -1 <= value <= 1:
                    continue
            elif unit != YES_NO or value in (0, 1):
                continue  # in €, N., gg a number is itself (the engines read NaN as N/D)
        elif type(value) is Quantity and value.unit == unit:
            changed[key] = value.amount
            continue
        try:
            read = data_in_unit(value, unit, code=code, year=when)
        except UnitMismatchError:
            raise
        except KpiFormulaError:
            continue  # not a value at all: the evaluator says why, as for any code
        if read is not value:
            changed[key] = read
    if not changed:
        return data
    return {**data, **changed}
