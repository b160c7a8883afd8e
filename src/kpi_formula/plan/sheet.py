"""Plans as spreadsheets: one row per node, in ``.csv`` or ``.xlsx``.

The columns (headers in Italian or English, any order, any case):

============================  ==================================================
``codice`` / ``code``          the node's code
``padre`` / ``parent``         the parent's code; empty at the top
``nome`` / ``name``            its name
``peso`` / ``weight``          ``60 %``, ``0,6``, or an Excel number formatted as %
``algoritmo`` / ``formula``    empty for groups; empty or its own code for an input
``unità`` / ``unit``           ``€``, ``%``, ``N.``, ``gg`` or empty
``baseline YYYY``              any number of them: the baseline of that year
``target YYYY``                any number of them: the target of that year
``descrizione``, ``id``,       optional: a description, an id telling apart two
``tipo`` / ``kind``            indicators that share a code, the level's name
============================  ==================================================

A node that another names as its parent is a group; the others are indicators
(see :mod:`kpi_formula.plan.nodes`).  Text cells are read as the documents'
text; in ``.xlsx`` a numeric cell is an amount in the row's unit, a percentage
as a fraction (Excel's own convention), and a date cell a date.  ``.csv`` files
may be UTF-8 or Windows-1252 (Excel's Italian default), separated by ``;``,
``,`` or tabs.  ``.xlsx`` needs the ``excel`` extra (openpyxl).

Sheets written by :func:`write_sheet` are safe to open in Excel: a text cell
that starts with ``=``, ``+``, ``-`` or ``@`` is written with a leading
apostrophe (as OWASP advises against CSV injection), and read back without it.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..data import parse_data_value
from ..errors import KpiFormulaError, PlanError
from ..inputs import csv_delimiter, read_csv_file, read_xlsx_cells, require_module
from ..values import UNITS, Quantity, format_value, parse_value
from .model import Plan
from .nodes import NodeRow, rows_from_plan, tree_from_rows

__all__ = ["load_sheet", "neutralise", "read_rows", "write_sheet"]

_COLUMNS = {
    "code": ("codice", "code"),
    "parent": ("padre", "parent"),
    "name": ("nome", "name"),
    "weight": ("peso", "weight"),
    "formula": ("algoritmo", "formula"),
    "unit": ("unità", "unita", "unit"),
    "description": ("descrizione", "description"),
    "id": ("id",),
    "kind": ("tipo", "kind"),
}
_YEARLY = re.compile(r"(baseline|target)[ _]?([0-9]{4})")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_WEIGHT_HINT = "write the weight as 60 %, as 0,6, or as an Excel number formatted as %"


def neutralise(text: str) -> str:
    """``text`` made safe for a spreadsheet cell: a leading apostrophe before
    ``= + - @`` (and tab or carriage return) keeps Excel from reading a formula."""
    return "'" + text if text.startswith(_DANGEROUS) else text


def _restore(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_DANGEROUS) else text


def _columns(
    header: Sequence[object], source: str
) -> tuple[dict[str, int], dict[int, tuple[str, int]]]:
    named: dict[str, int] = {}
    yearly: dict[int, tuple[str, int]] = {}
    spellings = {spelling: key for key, names in _COLUMNS.items() for spelling in names}
    for index, cell in enumerate(header):
        title = " ".join(str(cell or "").split()).casefold()
        if not title:
            continue
        if title in spellings:
            named[spellings[title]] = index
            continue
        match = _YEARLY.fullmatch(title)
        if match:
            yearly[index] = (match[1], int(match[2]))
            continue
        close = difflib.get_close_matches(title, [*spellings, "baseline 2024", "target 2025"], n=1)
        raise PlanError(
            f"unknown column {str(cell)!r}",
            hint=f"did you mean {close[0]!r}?"
            if close
            else "the columns are codice|code, padre|parent, nome|name, peso|weight, "
            "algoritmo|formula, unità|unit, baseline YYYY and target YYYY",
            line=1,
            source=source,
        )
    for required in ("code", "weight"):
        if required not in named:
            raise PlanError(
                f"the sheet has no {'/'.join(_COLUMNS[required])} column",
                hint="the first row names the columns: codice, padre, nome, peso, algoritmo, ...",
                line=1,
                source=source,
            )
    return named, yearly


def _weight(cell: object, line: int, source: str, italian: bool) -> Decimal:
    try:
        if isinstance(cell, bool):
            raise KpiFormulaError("a weight is a number", hint=_WEIGHT_HINT)
        if isinstance(cell, int | float):
            weight = Decimal(repr(float(cell))) if isinstance(cell, float) else Decimal(cell)
        else:
            text = _restore(str(cell or "")).strip()
            if not text:
                raise KpiFormulaError("the weight is empty", hint=_WEIGHT_HINT)
            if "%" in text:
                value = parse_value(text)
                if not isinstance(value, Quantity):
                    raise KpiFormulaError(f"{text!r} is not a weight", hint=_WEIGHT_HINT)
                return value.amount
            number = parse_data_value(text, italian=italian)
            if not isinstance(number, Decimal):
                raise KpiFormulaError(f"{text!r} is not a weight", hint=_WEIGHT_HINT)
            weight = number
    except KpiFormulaError as error:
        raise PlanError(
            f"weight: {error.reason}", hint=error.hint, line=line, source=source
        ) from None
    if not Decimal(0) <= weight <= Decimal(1):
        raise PlanError(
            f"the weight {cell} is not a fraction of its group (is it {cell} %?)",
            hint=_WEIGHT_HINT,
            line=line,
            source=source,
        )
    return weight


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return _restore(str(cell)).strip()


def _yearly_text(cell: object, kind: str, unit: str | None) -> str:
    """A baseline or target cell as document text (numbers and dates from .xlsx)."""
    if isinstance(cell, dt.datetime | dt.date):
        day = cell.date() if isinstance(cell, dt.datetime) else cell
        shown = format_value(day)
        return f"Entro {shown}" if kind == "target" else shown
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        amount = Decimal(repr(cell)) if isinstance(cell, float) else Decimal(cell)
        return format_value(Quantity(amount, unit if unit in UNITS else None))
    return _text(cell)


def read_rows(cells: Sequence[Sequence[object]], *, source: str, italian: bool) -> list[NodeRow]:
    """The nodes of a sheet's cells (the first row names the columns)."""
    if not cells:
        raise PlanError("the sheet is empty", hint="the first row names the columns", source=source)
    named, yearly = _columns(cells[0], source)
    rows = []
    for line, row in enumerate(cells[1:], start=2):
        if not any(_text(cell) for cell in row):
            continue

        def cell(key: str, row: Sequence[object] = row) -> object:
            index = named.get(key)
            return row[index] if index is not None and index < len(row) else None

        code = _text(cell("code"))
        if not code:
            raise PlanError(
                "a row without a code", hint="fill in the code", line=line, source=source
            )
        unit = _text(cell("unit")) or None
        if unit is not None and unit not in UNITS:
            raise PlanError(
                f"unknown unit {unit!r}",
                hint=f"use one of {', '.join(UNITS)}",
                line=line,
                source=source,
            )
        baselines: dict[int, str] = {}
        targets: dict[int, str] = {}
        for index, (kind, year) in yearly.items():
            value = row[index] if index < len(row) else None
            text = _yearly_text(value, kind, unit)
            if text:
                (baselines if kind == "baseline" else targets)[year] = text
        formula = _text(cell("formula")) or None
        rows.append(
            NodeRow(
                code=code,
                parent=_text(cell("parent")),
                name=_text(cell("name")),
                weight=_weight(cell("weight"), line, source, italian),
                formula=formula,
                unit=unit,
                description=_text(cell("description")),
                id=_text(cell("id")),
                kind=_text(cell("kind")) or "group",
                baselines=baselines,
                targets=targets,
                line=line,
            )
        )
    return rows


def load_sheet(path: str | Path, *, title: str | None = None) -> Plan:
    """Read a plan from a ``.csv`` or ``.xlsx`` sheet (one row per node)."""
    path = Path(path)
    source = str(path)
    if path.suffix.lower() == ".xlsx":
        cells: list[list[Any]] = read_xlsx_cells(path, PlanError, purpose="reading .xlsx sheets")
        italian = True
    else:
        text = read_csv_file(path, PlanError)
        delimiter = csv_delimiter(text.split("\n", 1)[0])
        cells = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        italian = delimiter == ";"
    rows = read_rows(cells, source=source, italian=italian)
    baseline_years = sorted({year for row in rows for year in row.baselines})
    target_years = sorted({year for row in rows for year in row.targets})
    return Plan(
        title if title is not None else path.stem,
        drivers=(),
        baseline_years=tuple(baseline_years),
        target_years=tuple(target_years),
        groups=tree_from_rows(rows, source=source),
    )


def _sheet_cells(plan: Plan) -> list[list[object]]:
    rows = rows_from_plan(plan)
    baseline_years = sorted({year for row in rows for year in row.baselines})
    target_years = sorted({year for row in rows for year in row.targets})
    header: list[object] = [
        "codice",
        "padre",
        "nome",
        "peso",
        "algoritmo",
        "unità",
        "descrizione",
        "id",
        "tipo",
        *(f"baseline {year}" for year in baseline_years),
        *(f"target {year}" for year in target_years),
    ]
    cells: list[list[object]] = [header]
    for row in rows:
        cells.append(
            [
                row.code,
                row.parent,
                row.name,
                row.weight,
                row.formula or "",
                row.unit or "",
                row.description,
                row.id,
                "" if row.kind == "group" else row.kind,
                *(row.baselines.get(year, "") for year in baseline_years),
                *(row.targets.get(year, "") for year in target_years),
            ]
        )
    return cells


def _csv_text(cells: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in cells:
        writer.writerow(
            [
                format_value(Quantity(cell, "%"))
                if isinstance(cell, Decimal)
                else neutralise(str(cell))
                for cell in row
            ]
        )
    return buffer.getvalue()


def write_sheet(plan: Plan, path: str | Path) -> None:
    """Write ``plan`` as a sheet: ``.csv`` (``;``, UTF-8 with a byte-order mark, as
    Italian Excel opens it) or ``.xlsx`` (weights as numbers formatted as %)."""
    path = Path(path)
    cells = _sheet_cells(plan)
    if path.suffix.lower() == ".xlsx":
        openpyxl = require_module("openpyxl", extra="excel", purpose="writing .xlsx sheets")
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "piano"
        for row in cells:
            sheet.append(
                [
                    float(cell) if isinstance(cell, Decimal) else neutralise(str(cell))
                    for cell in row
                ]
            )
        for (cell,) in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
            cell.number_format = "0.00%"
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula, whatever it starts with
        workbook.save(path)
        return
    path.write_text(_csv_text(cells), encoding="utf-8-sig", newline="")
