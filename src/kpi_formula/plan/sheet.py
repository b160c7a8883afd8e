"""Plans as spreadsheets: one row per node, in ``.csv`` or ``.xlsx``.

The columns (headers in Italian or English, any order, any case):

==============================  ================================================
``codice`` / ``code``            the node's code
``padre`` / ``parent``           the parent's code; empty at the top
``nome`` / ``name``              its name
``peso`` / ``weight``            ``60 %``, ``0,6``, or an Excel number formatted as %
``algoritmo`` / ``formula``      empty for groups; empty or its own code for an input
``unità`` / ``unit``             ``€``, ``%``, ``N.``, ``gg`` or empty
``direzione`` / ``direction``    ``crescente`` (higher is better), ``decrescente``
                                 (lower is better), or empty (not said)
``baseline YYYY``                any number of them: the baseline of that year
``target YYYY``                  any number of them: the target of that year
``descrizione``, ``id``,         optional: a description; an id telling apart two
``tipo`` / ``kind``              indicators that share a code; the level's name
``alias`` / ``aliases``          a driver's other spellings, one a line
==============================  ================================================

A node that another names as its parent is a group; the others are indicators
(see :mod:`kpi_formula.plan.nodes`).  A group holds a code, a parent, a name, a
weight, a description and a kind, nothing else; every filled cell is kept, and
one the row cannot hold, or one beyond the header's columns, is an error naming
its row and column.

**Drivers** — the codes the formulas read, such as the ``50`` of ``D2.1_MIMIT.1
* 1000 / 50`` (the number of registered firms, a driver, not a number) — are
rows whose ``tipo`` is ``driver``: their code, description, unit and aliases.
In a workbook they may also stand on a sheet of their own named ``driver``
(columns ``codice``, ``descrizione``, ``unità``, ``alias``), which is where
:func:`write_sheet` puts them.

**The plan's title and language** stand above the header, one a row: the word
``titolo`` (or ``title``) and the title in the next cell, ``lingua`` (or
``language``) and ``it`` or ``en``.  Without a title row the title is the
file's name.

**Which sheet.** A workbook's plan is read from the sheet named ``sheet=``, else
from a sheet called ``piano`` (or ``plan``), else from its first sheet that is
neither ``driver`` nor ``dati``; its data (see :mod:`kpi_formula.data`) from
``dati``.  So one workbook can hold plan, drivers and data.

Text cells are read as the documents' text; in ``.xlsx`` a numeric cell is an
amount in the row's unit (a number without a unit in a ``%`` row must be a
fraction: ``0,875``, not ``87,5``), a cell formatted as % a percentage, shown
with the decimals Excel shows (``87,50 %`` stays ``87,50 %``), and a date cell a
date (``Entro`` it, as a target).  ``.csv`` files may be UTF-8 or Windows-1252
(Excel's Italian default), separated by ``;``, ``,`` or tabs.  ``.xlsx`` needs
the ``excel`` extra (openpyxl).  Files are read within the limits of
:mod:`kpi_formula.inputs`.

**Safe to open, exact to read back.** A cell whose first character that is not
a space is ``=``, ``+``, ``-`` or ``@`` (or their full-width forms ``＝ ＋ －
＠``), or a control character, is written with a leading apostrophe, as OWASP
advises against CSV injection, and read back without it; so is a text that
itself starts with an apostrophe or has spaces around it.  Other cells are read
with the spaces around them trimmed.  In ``.xlsx`` every text cell is text,
never a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, Inexact
from pathlib import Path

from ..catalog import Driver
from ..decimals import EXACT
from ..errors import KpiFormulaError, PlanError, clip, msg
from ..inputs import Number, Workbook, csv_rows, read_csv_file, require_module, write_file
from ..units import in_unit, parse_unit
from ..values import FRACTION_SHIFT, Quantity, Unit, format_value
from .cells import direction_text, plain_quantity, read_direction, read_language, read_weight
from .model import Plan
from .nodes import NodeRow, integra_areas, rows_from_plan, tree_from_rows

__all__ = [
    "DRIVER_SHEETS",
    "PLAN_SHEETS",
    "load_sheet",
    "neutralise",
    "write_sheet",
]

PLAN_SHEETS = ("piano", "plan")
"""The names of the sheet a workbook's plan is read from, when none is named."""
DRIVER_SHEETS = ("driver", "drivers")
"""The names of the sheet of a workbook's drivers."""
_DATA_SHEETS = ("dati", "data")

_COLUMNS = {
    "code": ("codice", "code"),
    "parent": ("padre", "parent"),
    "name": ("nome", "name"),
    "weight": ("peso", "weight"),
    "formula": ("algoritmo", "formula"),
    "unit": ("unità", "unita", "unit"),
    "direction": ("direzione", "direction"),
    "description": ("descrizione", "description"),
    "id": ("id",),
    "kind": ("tipo", "kind"),
    "aliases": ("alias", "aliases"),
}
_WRITTEN = {key: names[0] for key, names in _COLUMNS.items()}
_PROPERTIES = {"titolo": "title", "title": "title", "lingua": "language", "language": "language"}
_DRIVER_KIND = "driver"
_INDICATOR_KINDS = ("indicatore", "indicator")
_DRIVER_KEYS = ("code", "description", "unit", "aliases")
_GROUP_KEYS = ("code", "parent", "name", "weight", "description", "kind")
_YEARLY = re.compile(r"(baseline|target)[ _]?([0-9]{4})")
_SHOWN = EXACT.copy()  # the library's exact context, rounding as Excel shows numbers
_SHOWN.rounding = ROUND_HALF_UP
_SHOWN.traps[Inexact] = False
_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_COLUMNS_HINT = msg(
    "the columns are codice|code, padre|parent, nome|name, peso|weight, algoritmo|formula, "
    "unità|unit, direzione|direction, descrizione|description, id, tipo|kind, alias, "
    "baseline YYYY and target YYYY"
)

Row = tuple[int, list[object]]


# --- texts --------------------------------------------------------------------------


def _formula_like(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula: its first character
    that is not a space is ``= + - @`` (or a full-width one), or a control character."""
    for character in text:
        if unicodedata.category(character) == "Zs":
            continue
        return character in _FORMULA_START or unicodedata.category(character) == "Cc"
    return False


def neutralise(text: str) -> str:
    """``text`` made safe for a spreadsheet cell: a leading apostrophe when a
    spreadsheet could take it for a formula (see the module documentation)."""
    return "'" + text if _formula_like(text) else text


def _marked(text: str) -> bool:
    return _formula_like(text) or text.startswith("'") or text != text.strip()


def _written_text(text: str) -> str:
    """A text as a sheet cell holds it, safe to open and exact to read back."""
    return "'" + text if _marked(text) else text


def _read_text(cell: object) -> str:
    """A cell as text: what :func:`_written_text` wrote, exactly; anything else trimmed."""
    if cell is None:
        return ""
    if isinstance(cell, Number):
        return format(cell.value, "f")
    if isinstance(cell, dt.datetime | dt.date):
        return format_value(cell.date() if isinstance(cell, dt.datetime) else cell)
    text = str(cell)
    if text.startswith("'") and _marked(text[1:]) and text[1:]:
        return text[1:]
    return text.strip()


def _column_name(column: int) -> str:
    """A column's letters, as spreadsheets name it (1 → A, 28 → AB)."""
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell_name(column: int, line: int) -> str:
    """A cell's name, as spreadsheets write it (``F2``)."""
    return _column_name(column) + str(line)


# --- reading ------------------------------------------------------------------------


@dataclass
class _Content:
    """What a sheet says: the plan's properties, its nodes and its drivers."""

    title: str | None = None
    language: str | None = None
    years: dict[str, set[int]] = field(default_factory=lambda: {"baseline": set(), "target": set()})
    """The years of the header's baseline and target columns: the plan's years."""
    nodes: list[NodeRow] = field(default_factory=list)
    drivers: list[Driver] = field(default_factory=list)


@dataclass(frozen=True)
class _Header:
    """The columns a header names: by key, by year, and every titled one."""

    named: dict[str, int]
    yearly: dict[int, tuple[str, int]]
    titles: dict[int, str]


class _Reader:
    """Reads a sheet's rows, naming the place of every fault."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(
        self, message: str, hint: str, line: int | None = None, column: int | None = None
    ) -> PlanError:
        return PlanError(message, hint=hint, line=line, column=column, source=self.source)

    def plan_rows(self, rows: Sequence[Row], content: _Content) -> None:
        """The rows of a plan sheet: its properties, its header, its nodes and drivers."""
        position = 0
        while position < len(rows) and self._property(rows[position], content):
            position += 1
        if position == len(rows):
            raise self.fail(
                msg("the sheet has no header row"),
                msg("the first row names the columns: codice, padre, nome, peso, algoritmo, ..."),
            )
        header = self.header(rows[position], required=("code", "weight"))
        for which, year in header.yearly.values():
            content.years[which].add(year)
        for line, cells in rows[position + 1 :]:
            self.row(header, line, cells, content)

    def driver_rows(self, rows: Sequence[Row], content: _Content) -> None:
        """The rows of a workbook's ``driver`` sheet: a header, then one driver a row."""
        if not rows:
            return
        header = self.header(rows[0], required=("code",))
        for line, cells in rows[1:]:
            content.drivers.append(self.driver(header, line, cells))

    def _property(self, row: Row, content: _Content) -> bool:
        line, cells = row
        key = _read_text(cells[0] if cells else None).casefold().rstrip(":").strip()
        if key not in _PROPERTIES:
            return False
        self._one_value(key, line, cells)
        value = _read_text(cells[1]) if len(cells) > 1 else ""
        if _PROPERTIES[key] == "title":
            if content.title is not None:
                raise self.fail(msg("the title is given twice"), msg("keep one title row"), line)
            content.title = value
        else:
            if content.language is not None:
                raise self.fail(
                    msg("the language is given twice"), msg("keep one language row"), line
                )
            content.language = self.language(value, line)
        return True

    def language(self, value: str, line: int | None) -> str:
        try:
            return read_language(value)
        except KpiFormulaError as error:
            raise self.fail(error.reason, error.hint or "", line, 2) from None

    def _one_value(self, key: str, line: int, cells: list[object]) -> None:
        """A title or language row holds its word and one value, nothing beyond."""
        for column, cell in enumerate(cells[2:], start=3):
            if _read_text(cell):
                raise self.fail(
                    msg(
                        "a {key} row holds one value, and the cell {cell} holds {text!r} too",
                        key=key,
                        cell=_cell_name(column, line),
                        text=clip(_read_text(cell)),
                    ),
                    msg("empty the cell, or put the whole {key} in one cell", key=key),
                    line,
                    column,
                )

    def header(self, row: Row, *, required: tuple[str, ...]) -> _Header:
        line, cells = row
        spellings = {spelling: key for key, names in _COLUMNS.items() for spelling in names}
        named: dict[str, int] = {}
        yearly: dict[int, tuple[str, int]] = {}
        titles: dict[int, str] = {}
        seen: dict[str, int] = {}
        for index, cell in enumerate(cells):
            shown = _read_text(cell)
            title = " ".join(shown.split()).casefold()
            if not title:
                continue
            if title in seen:
                raise self.fail(
                    msg(
                        "two columns are called {title!r}: {first} and {second}",
                        title=shown,
                        first=_column_name(seen[title] + 1),
                        second=_column_name(index + 1),
                    ),
                    msg("keep one of them"),
                    line,
                    index + 1,
                )
            seen[title] = index
            titles[index] = shown
            if title in spellings:
                key = spellings[title]
                if key in named:
                    raise self.fail(
                        msg(
                            "the columns {first!r} and {second!r} both hold the {key}",
                            first=titles[named[key]],
                            second=shown,
                            key=_WRITTEN[key],
                        ),
                        msg("keep one of them"),
                        line,
                        index + 1,
                    )
                named[key] = index
                continue
            match = _YEARLY.fullmatch(title)
            if match:
                yearly[index] = (match[1], int(match[2]))
                continue
            close = difflib.get_close_matches(
                title, [*spellings, "baseline 2024", "target 2025"], n=1
            )
            raise self.fail(
                msg("unknown column {title!r}", title=clip(shown)),
                msg("did you mean {close!r}?", close=close[0]) if close else _COLUMNS_HINT,
                line,
                index + 1,
            )
        for key in required:
            if key not in named:
                raise self.fail(
                    msg("the sheet has no {names} column", names="/".join(_COLUMNS[key])),
                    msg("the header names the columns: codice, padre, nome, peso, algoritmo, ..."),
                    line,
                )
        return _Header(named, yearly, titles)

    def _cells(self, header: _Header, line: int, cells: list[object]) -> dict[str, object]:
        """The row's cells by key; a filled cell under no column is an error."""
        for index, cell in enumerate(cells):
            if index not in header.titles and _read_text(cell):
                raise self.fail(
                    msg(
                        "the cell {cell} holds {text!r}, under no column of the header",
                        cell=_cell_name(index + 1, line),
                        text=clip(_read_text(cell)),
                    ),
                    msg("give the column a title in the header, or empty the cell"),
                    line,
                    index + 1,
                )
        return {key: cells[index] for key, index in header.named.items() if index < len(cells)}

    def _only(
        self,
        *,
        header: _Header,
        line: int,
        cells: list[object],
        allowed: Iterable[str],
        why: str,
        hint: str,
    ) -> None:
        """A row of a kind that holds only the ``allowed`` columns: others must be empty."""
        keep = {header.named[key] for key in allowed if key in header.named}
        for index, title in header.titles.items():
            if index in keep or index >= len(cells) or not _read_text(cells[index]):
                continue
            raise self.fail(
                msg("{why}, so its {column} stays empty", why=why, column=title),
                hint,
                line,
                index + 1,
            )

    def row(self, header: _Header, line: int, cells: list[object], content: _Content) -> None:
        found = self._cells(header, line, cells)
        kind = _read_text(found.get("kind"))
        if kind.casefold() == _DRIVER_KIND:
            content.drivers.append(self.driver(header, line, cells))
        else:
            content.nodes.append(self.node(header, line, cells, found, kind))

    def driver(self, header: _Header, line: int, cells: list[object]) -> Driver:
        found = self._cells(header, line, cells)
        self._only(
            header=header,
            line=line,
            cells=cells,
            allowed=(*_DRIVER_KEYS, "kind"),
            why=msg("{code!r} is a driver", code=_read_text(found.get("code"))),
            hint=msg("a driver row holds its code, description, unit and aliases"),
        )
        code = self.code(found, line, header)
        aliases = tuple(
            alias.strip()
            for alias in _read_text(found.get("aliases")).splitlines()
            if alias.strip()
        )
        try:
            return Driver(
                code, _read_text(found.get("description")), self.unit(found, line, header), aliases
            )
        except KpiFormulaError as error:
            raise self.fail(error.reason, error.hint or "", line) from None

    def code(self, found: dict[str, object], line: int, header: _Header) -> str:
        code = _read_text(found.get("code"))
        if not code:
            raise self.fail(
                msg("a row without a code"),
                msg("fill in the code"),
                line,
                header.named["code"] + 1,
            )
        return code

    def unit(self, found: dict[str, object], line: int, header: _Header) -> Unit | None:
        try:
            return parse_unit(_read_text(found.get("unit")))
        except KpiFormulaError as error:
            raise self.fail(
                error.reason, error.hint or "", line, header.named["unit"] + 1
            ) from None

    def node(
        self, header: _Header, line: int, cells: list[object], found: dict[str, object], kind: str
    ) -> NodeRow:
        code = self.code(found, line, header)
        if found.get("aliases") is not None and _read_text(found["aliases"]):
            raise self.fail(
                msg("{code!r} has aliases, and only a driver has them", code=code),
                msg("write driver in its tipo column, or empty the aliases"),
                line,
                header.named["aliases"] + 1,
            )
        unit = self.unit(found, line, header)
        try:
            weight_cell = found.get("weight")
            if isinstance(weight_cell, Number):
                weight = read_weight(weight_cell.value, percent="%" in weight_cell.number_format)
            else:
                weight = read_weight(_read_text(weight_cell))
        except KpiFormulaError as error:
            raise self.fail(
                msg("{code!r}: {reason}", code=code, reason=error.reason),
                error.hint or "",
                line,
                header.named["weight"] + 1,
            ) from None
        try:
            direction = read_direction(_read_text(found.get("direction")))
        except KpiFormulaError as error:
            raise self.fail(
                error.reason, error.hint or "", line, header.named["direction"] + 1
            ) from None
        baselines: dict[int, str] = {}
        targets: dict[int, str] = {}
        for index, (which, year) in header.yearly.items():
            cell = cells[index] if index < len(cells) else None
            text = self.yearly(cell, which, unit, line, index + 1)
            if text:
                (baselines if which == "baseline" else targets)[year] = text
        return NodeRow(
            code=code,
            parent=_read_text(found.get("parent")),
            name=_read_text(found.get("name")),
            weight=weight,
            formula=_read_text(found.get("formula")) or None,
            unit=unit,
            description=_read_text(found.get("description")),
            id=_read_text(found.get("id")),
            kind=kind or "group",
            baselines=baselines,
            targets=targets,
            line=line,
            direction=direction,
        )

    def yearly(self, cell: object, which: str, unit: Unit | None, line: int, column: int) -> str:
        """A baseline or target cell as document text (numbers and dates from .xlsx).

        A number without a unit in a row in % (or ‰, or yes/no) follows the one rule
        for units: ``0,875`` is 87,5 %, ``95`` is refused (95 % or 9.500 %?)."""
        if isinstance(cell, dt.datetime | dt.date):
            shown = format_value(cell.date() if isinstance(cell, dt.datetime) else cell)
            return f"Entro {shown}" if which == "target" else shown
        if isinstance(cell, Number):
            return self.number(cell, unit, line, column)
        text = _read_text(cell)
        plain = plain_quantity(text)
        if plain is not None and plain.unit is None:
            self.in_unit(plain.amount, unit, line, column)  # the text stays as written
        return text

    def number(self, cell: Number, unit: Unit | None, line: int, column: int) -> str:
        places = _shown_places(cell.number_format)
        if "%" in _format_section(cell.number_format):
            shown = cell.value.scaleb(2, EXACT)
            if places is not None:
                shown = _rounded(shown, places)
            return format_value(Quantity(shown.scaleb(-2, EXACT), "%"))
        if unit in FRACTION_SHIFT:  # stored as a fraction: shown with the digits it has
            return format_value(Quantity(self.in_unit(cell.value, unit, line, column), unit))
        amount = self.in_unit(cell.value, unit, line, column)
        if places is not None:
            amount = _rounded(amount, places)
        return format_value(Quantity(amount, unit))

    def in_unit(self, amount: Decimal, unit: Unit | None, line: int, column: int) -> Decimal:
        """A number without a unit, in the row's unit, by the one rule for units."""
        try:
            found = in_unit(
                amount, unit, what=msg("the cell {cell}", cell=_cell_name(column, line))
            )
        except KpiFormulaError as error:
            raise self.fail(error.reason, error.hint or "", line, column) from None
        assert isinstance(found, Decimal)
        return found


def _rounded(amount: Decimal, places: int) -> Decimal:
    """``amount`` as Excel shows it with ``places`` decimals (half away from zero)."""
    return amount.quantize(Decimal(1).scaleb(-places, EXACT), context=_SHOWN)


def _format_section(number_format: str) -> str:
    """The part of an Excel number format that shows positive numbers, its quoted
    texts and bracketed codes taken out (``0.00" gg"`` → ``0.00``)."""
    section = re.split(r";", number_format, maxsplit=1)[0]
    return re.sub(r'"[^"]*+"|\[[^\]]*+\]|\\.', "", section)


def _shown_places(number_format: str) -> int | None:
    """The decimals an Excel number format shows (``0.00%`` → 2, ``#,##0`` → 0);
    None for ``General``, which shows what there is."""
    section = _format_section(number_format)
    if not re.search(r"[0#?]", section):
        return None
    _, dot, fraction = section.partition(".")
    return len(re.findall(r"[0#?]", fraction)) if dot else 0


def _sheet_rows(path: Path, text: str) -> list[Row]:
    """A CSV sheet's rows, its separator told by the header it leads to."""
    best: tuple[int, int, str] | None = None
    for delimiter in (";", "\t", ","):
        score = _header_score(text, delimiter)
        candidate = (score, text.split("\n", 1)[0].count(delimiter), delimiter)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    assert best is not None
    rows = csv_rows(text, best[2], PlanError, source=str(path))
    return [(line, list(cells)) for line, cells in rows if any(c.strip() for c in cells)]


def _header_score(text: str, delimiter: str) -> int:
    """How many known column titles the header holds, read with ``delimiter``."""
    known = {spelling for names in _COLUMNS.values() for spelling in names}
    try:
        for seen, (_, cells) in enumerate(csv_rows(text, delimiter, PlanError, source="")):
            if seen > 20:
                return 0
            first = " ".join(cells[0].split()).casefold().rstrip(":") if cells else ""
            if not any(cell.strip() for cell in cells) or first in _PROPERTIES:
                continue
            titles = [" ".join(cell.split()).casefold() for cell in cells]
            return sum(1 for t in titles if t in known or _YEARLY.fullmatch(t))
    except PlanError:
        return 0
    return 0


def load_sheet(path: str | Path, *, title: str | None = None, sheet: str | None = None) -> Plan:
    """Read a plan from a ``.csv`` or ``.xlsx`` sheet (one row per node; see the
    module documentation).  ``title`` replaces the sheet's own; ``sheet`` names the
    workbook's sheet that holds the plan."""
    path = Path(path)
    content = _Content()
    if path.suffix.lower() == ".xlsx":
        with Workbook(path, PlanError, purpose=msg("reading .xlsx sheets")) as workbook:
            name = sheet and workbook.require(sheet)
            if name is None:
                others = [
                    n
                    for n in workbook.names
                    if n.strip().casefold() not in (*DRIVER_SHEETS, *_DATA_SHEETS)
                ]
                name = workbook.find(PLAN_SHEETS) or (others or workbook.names)[0]
            _Reader(f"{path}[{name}]").plan_rows(workbook.rows(name), content)
            drivers = workbook.find(DRIVER_SHEETS)
            if drivers is not None and drivers != name:
                _Reader(f"{path}[{drivers}]").driver_rows(workbook.rows(drivers), content)
    else:
        if sheet is not None:
            raise PlanError(
                msg("{path} is a CSV file: it has no sheets", path=str(path)),
                hint=msg("name a sheet only for an .xlsx workbook"),
            )
        _Reader(str(path)).plan_rows(_sheet_rows(path, read_csv_file(path, PlanError)), content)
    if title is None:
        title = content.title if content.title is not None else path.stem
    return _plan(content, title, str(path))


def _plan(content: _Content, title: str, source: str) -> Plan:
    seen: dict[str, Driver] = {}
    for driver in content.drivers:
        if driver.code in seen:
            raise PlanError(
                msg("two rows declare the driver {code!r}", code=driver.code),
                hint=msg("keep one row per driver"),
                source=source,
            )
        seen[driver.code] = driver
    rows = content.nodes
    groups = tree_from_rows(rows, source=source)
    areas = integra_areas(groups)  # a plan of the Integra shape comes back as one
    return Plan(
        title,
        areas=areas or (),
        drivers=tuple(content.drivers),
        baseline_years=tuple(sorted(content.years["baseline"])),
        target_years=tuple(sorted(content.years["target"])),
        groups=() if areas else groups,
        language=content.language,
    )


# --- writing ------------------------------------------------------------------------


def _header(plan: Plan, rows: list[NodeRow], *, drivers: bool) -> list[object]:
    baseline_years = sorted(
        {*plan.baseline_years, *(year for row in rows for year in row.baselines)}
    )
    target_years = sorted({*plan.target_years, *(year for row in rows for year in row.targets)})
    keys = [
        "code",
        "parent",
        "name",
        "weight",
        "formula",
        "unit",
        "direction",
        "description",
        "id",
        "kind",
    ]
    if drivers and any(driver.aliases for driver in plan.drivers):
        keys.append("aliases")
    return [
        *(_WRITTEN[key] for key in keys),
        *(f"baseline {year}" for year in baseline_years),
        *(f"target {year}" for year in target_years),
    ]


def _properties(plan: Plan) -> list[list[object]]:
    found: list[list[object]] = [["titolo", plan.title]]
    if plan.language is not None:
        found.append(["lingua", plan.language])
    return found


def _node_cells(row: NodeRow, header: list[object]) -> list[object]:
    by_title: dict[object, object] = {
        "codice": row.code,
        "padre": row.parent,
        "nome": row.name,
        "peso": row.weight,
        "algoritmo": row.formula or "",
        "unità": row.unit or "",
        "direzione": "" if row.direction is None else direction_text(row.direction, italian=True),
        "descrizione": row.description,
        "id": row.id,
        "tipo": "" if row.kind == "group" else row.kind,
    }
    by_title.update({f"baseline {year}": text for year, text in row.baselines.items()})
    by_title.update({f"target {year}": text for year, text in row.targets.items()})
    return [by_title.get(title, "") for title in header]


def _driver_cells(driver: Driver, header: list[object]) -> list[object]:
    by_title: dict[object, object] = {
        "codice": driver.code,
        "descrizione": driver.description,
        "unità": driver.unit or "",
        "tipo": _DRIVER_KIND,
        "alias": "\n".join(driver.aliases),
    }
    return [by_title.get(title, "") for title in header]


def _csv_text(cells: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in cells:
        writer.writerow(
            [
                format_value(Quantity(cell, "%"))
                if isinstance(cell, Decimal)
                else _written_text(str(cell))
                for cell in row
            ]
        )
    return buffer.getvalue()


def _xlsx_number(weight: Decimal) -> tuple[float, str] | None:
    """A weight as an Excel number formatted as %, if a float holds it exactly."""
    number = float(weight)
    if Decimal(repr(number)) != weight:
        return None
    exponent = EXACT.normalize(weight.scaleb(2, EXACT)).as_tuple().exponent
    places = max(2, -exponent)  # type: ignore[operator]
    return number, "0." + "0" * places + "%"


_NOT_IN_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")


def _xlsx_cell(text: str, where: str) -> str:
    found = _NOT_IN_XML.search(text)
    if found:
        raise PlanError(
            msg(
                "{where} holds the character U+{code:04X}, which an .xlsx file cannot hold",
                where=where,
                code=ord(found[0]),
            ),
            hint=msg("remove it from the plan, or export to .csv, which holds any text"),
        )
    return _written_text(text)


def write_sheet(plan: Plan, path: str | Path) -> None:
    """Write ``plan`` as a sheet: ``.csv`` (``;``, UTF-8 with a byte-order mark, as
    Italian Excel opens it; drivers as rows of ``tipo`` ``driver``) or ``.xlsx``
    (sheets ``piano`` and ``driver``; weights as numbers formatted as %).  The
    title and language stand above the header."""
    path = Path(path)
    rows = rows_from_plan(plan)
    if path.suffix.lower() == ".xlsx":
        header = _header(plan, rows, drivers=False)
        cells = [*_properties(plan), header, *(_node_cells(row, header) for row in rows)]
        driver_header: list[object] = ["codice", "descrizione", "unità", "alias"]
        driver_cells = [driver_header, *(_driver_cells(d, driver_header) for d in plan.drivers)]
        write_file(path, PlanError, lambda target: _write_xlsx(cells, driver_cells, target))
        return
    header = _header(plan, rows, drivers=True)
    cells = [
        *_properties(plan),
        header,
        *(_node_cells(row, header) for row in rows),
        *(_driver_cells(driver, header) for driver in plan.drivers),
    ]
    text = _csv_text(cells)
    write_file(path, PlanError, lambda target: target.write_bytes(text.encode("utf-8-sig")))


def _write_xlsx(cells: list[list[object]], driver_cells: list[list[object]], path: Path) -> None:
    openpyxl = require_module("openpyxl", extra="excel", purpose=msg("writing .xlsx sheets"))
    workbook = openpyxl.Workbook()
    for sheet, table in ((workbook.active, cells), (workbook.create_sheet(), driver_cells)):
        sheet.title = "piano" if table is cells else _DRIVER_KIND
        for number, values in enumerate(table, start=1):
            written: list[object] = []
            formats: dict[int, str] = {}
            for column, value in enumerate(values, start=1):
                found = _xlsx_number(value) if isinstance(value, Decimal) else None
                if found is not None:
                    written.append(found[0])
                    formats[column] = found[1]
                    continue
                text = format_value(Quantity(value, "%")) if isinstance(value, Decimal) else value
                written.append(
                    _xlsx_cell(str(text), f"{sheet.title}!{_column_name(column)}{number}")
                )
            sheet.append(written)
            for column, number_format in formats.items():
                sheet.cell(row=number, column=column).number_format = number_format
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula, whatever it starts with
    workbook.save(path)
