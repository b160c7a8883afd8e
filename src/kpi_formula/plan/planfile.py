"""The plan file: TOML that analysts read and edit by hand.

TOML because it is plain text with comments, diffs well, and Python reads it
with the standard library.  Weights, baselines and targets are written as the
planning document writes them, so that a reader recognises them::

    title = "Modena 2025"
    baseline_years = [2022, 2023, 2024]
    target_years = [2025, 2026, 2027]

    [[driver]]
    code = "50"
    description = "Imprese iscritte nel Registro Imprese di Modena"

    [[area]]
    code = "1"
    name = "Competitività delle imprese"
    weight = "33,33 %"

    [[area.objective]]
    code = "301"
    name = "Internazionalizzazione"
    weight = "25,00 %"
    indicators_weight = "50,00 %"
    operational_weight = "50,00 %"

    [[area.objective.indicator]]
    code = "D1"
    name = "Livello di supporto alle imprese ..."
    weight = "95,00 %"
    formula = "D1.1.0 + D1.1.1 + D1.1.2 + D1.1.3_PROMOS.SAS"
    unit = "N."
    baselines = { 2022 = "981 N.", 2023 = "1.167 N.", 2024 = "1.136 N." }
    targets = { 2025 = ">= 1.100 N.", 2026 = ">= 1.100 N.", 2027 = ">= 1.100 N." }

    [[area.objective.operational]]            # an operational objective
    [[area.objective.operational.indicator]]  # and its indicators

The plan may name the language of its scorecards (``language = "it"``), an
indicator whether a higher value is better or a lower one (``direction =
"higher"`` or ``"lower"``; ``crescente``, ``decrescente``, ``↑`` and ``↓`` are read
too).

Any other tree is written as flat ``[[node]]`` tables, each naming its parent
(the layout of a sheet, see :mod:`kpi_formula.plan.sheet`)::

    title = "Comune di Esempio — Piano della performance 2025"

    [[node]]
    code = "M1"
    name = "Servizi al cittadino"
    weight = "60 %"

    [[node]]
    code = "M1.1"
    parent = "M1"
    name = "Sportello"
    weight = "100 %"

    [[node]]
    code = "EVASE_PCT"
    parent = "M1.1"
    name = "Pratiche evase"
    weight = "100 %"
    formula = "PRATICHE_EVASE / PRATICHE_RICEVUTE"
    unit = "%"
    targets = { 2025 = ">= 90,00 %" }

:func:`dump_plan` writes these layouts and :func:`load_plan` reads them back
without loss; it also reads ``.csv`` and ``.xlsx`` sheets.  A key the format
does not know is an error naming the file, the line and the closest known key
(a typo such as ``formla`` must not turn an indicator into an input); so is
a value the plan cannot hold: a weight that is not a finite percentage or
fraction (``nan``, ``inf``, ``60`` without ``%``), a year that is not one, an
unknown unit or direction.  Files are read within the limits of
:mod:`kpi_formula.inputs`.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..catalog import Driver
from ..direction import Direction
from ..errors import KpiFormulaError, Message, PlanError, clip, msg
from ..inputs import read_text_file, write_file
from ..units import parse_unit
from ..values import Quantity, Unit, format_value
from .cells import direction_text, read_direction, read_language, read_weight
from .model import Area, Indicator, OperationalObjective, Plan, StrategicObjective
from .nodes import NodeRow, indicator_row, rows_from_plan, tree_from_rows
from .sheet import load_sheet

__all__ = ["SHEET_SUFFIXES", "dump_plan", "load_plan", "read_plan", "save_plan"]

SHEET_SUFFIXES = (".csv", ".xlsx")
"""The plan files read as sheets (see :mod:`kpi_formula.plan.sheet`)."""

_HEADER = """\
# kpi_formula plan file (TOML). Weights, baselines and targets are written as in the
# planning document: "33,33 %", "1.136 N.", ">= 1.100 N.", "Entro 31-12-2025".
# An indicator without a formula, or whose formula is its own code, is an input:
# its value is read from the data under its code.
"""


_NOT_IN_TOML = re.compile("[\x7f\ud800-\udfff]")


def _string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but for DEL, which JSON
    leaves bare and TOML wants escaped."""
    text = json.dumps(value, ensure_ascii=False)
    found = _NOT_IN_TOML.search(text)
    if found is None:
        return text
    if found[0] != "\x7f":
        raise PlanError(
            msg(
                "the text {text!r} holds a lone surrogate, which no file can hold", text=clip(value)
            ),
            hint=msg("correct the text: it did not come from a file"),
        )
    return text.replace("\x7f", "\\u007f")


def _weight_text(weight: Decimal) -> str:
    return format_value(Quantity(weight, "%"))


def _table(years: Mapping[int, str]) -> str:
    return (
        "{ " + ", ".join(f"{year} = {_string(text)}" for year, text in sorted(years.items())) + " }"
    )


def _indicator_lines(header: str, indicator: Indicator) -> list[str]:
    return _node_lines(indicator_row(indicator), header)


def _heading(table: str, code: str, name: str, weight: Decimal, **weights: Decimal) -> list[str]:
    """The lines that open an area or objective table."""
    lines = [
        f"[[{table}]]",
        f"code = {_string(code)}",
        f"name = {_string(name)}",
        f"weight = {_string(_weight_text(weight))}",
    ]
    lines += [f"{key} = {_string(_weight_text(value))}" for key, value in weights.items()]
    return [*lines, ""]


def dump_plan(plan: Plan) -> str:
    """The plan file text of ``plan``."""
    lines = [_HEADER, f"title = {_string(plan.title)}"]
    if plan.language is not None:
        lines.append(f"language = {_string(plan.language)}")
    lines.append(f"baseline_years = [{', '.join(map(str, plan.baseline_years))}]")
    lines.append(f"target_years = [{', '.join(map(str, plan.target_years))}]")
    lines.append("")
    for driver in plan.drivers:
        lines += ["[[driver]]", f"code = {_string(driver.code)}"]
        if driver.description:
            lines.append(f"description = {_string(driver.description)}")
        if driver.unit is not None:
            lines.append(f"unit = {_string(driver.unit)}")
        if driver.aliases:
            lines.append(f"aliases = [{', '.join(_string(alias) for alias in driver.aliases)}]")
        lines.append("")
    if plan.groups:
        for row in rows_from_plan(plan):
            lines += _node_lines(row)
        return "\n".join(lines)
    for area in plan.areas:
        lines += _heading("area", area.code, area.name, area.weight)
        for objective in area.objectives:
            lines += _heading(
                "area.objective",
                objective.code,
                objective.name,
                objective.weight,
                indicators_weight=objective.indicators_weight,
                operational_weight=objective.operational_weight,
            )
            for indicator in objective.indicators:
                lines += _indicator_lines("area.objective.indicator", indicator)
            for operational in objective.operational:
                lines += _heading(
                    "area.objective.operational",
                    operational.code,
                    operational.name,
                    operational.weight,
                )
                for indicator in operational.indicators:
                    lines += _indicator_lines("area.objective.operational.indicator", indicator)
    return "\n".join(lines)


def _node_lines(row: NodeRow, header: str = "node") -> list[str]:
    lines = [f"[[{header}]]", f"code = {_string(row.code)}"]
    if row.id:
        lines.append(f"id = {_string(row.id)}")
    if row.parent:
        lines.append(f"parent = {_string(row.parent)}")
    lines += [f"name = {_string(row.name)}", f"weight = {_string(_weight_text(row.weight))}"]
    if row.kind != "group" and not (row.formula or row.baselines or row.targets):
        lines.append(f"kind = {_string(row.kind)}")
    if row.description:
        lines.append(f"description = {_string(row.description)}")
    if row.formula is not None:
        lines.append(f"formula = {_string(row.formula)}")
    if row.unit is not None:
        lines.append(f"unit = {_string(row.unit)}")
    if row.direction is not None:
        lines.append(f"direction = {_string(direction_text(row.direction, italian=False))}")
    if row.baselines:
        lines.append(f"baselines = {_table(row.baselines)}")
    if row.targets:
        lines.append(f"targets = {_table(row.targets)}")
    return [*lines, ""]


def save_plan(plan: Plan, path: str | Path) -> None:
    """Write ``plan`` to ``path`` as a plan file."""
    text = dump_plan(plan)
    write_file(path, PlanError, lambda target: target.write_text(text, encoding="utf-8"))


_INDICATOR_KEYS = (
    "code",
    "id",
    "name",
    "weight",
    "description",
    "formula",
    "unit",
    "direction",
    "baselines",
    "targets",
)
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "plan": ("title", "language", "baseline_years", "target_years", "driver", "area", "node"),
    "driver": ("code", "description", "unit", "aliases"),
    "area": ("code", "name", "weight", "objective"),
    "objective": (
        "code",
        "name",
        "weight",
        "indicators_weight",
        "operational_weight",
        "indicator",
        "operational",
    ),
    "operational": ("code", "name", "weight", "indicator"),
    "indicator": _INDICATOR_KEYS,
    "node": (*_INDICATOR_KEYS, "parent", "kind"),
}
"""Every key of the plan file, by table: anything else is an error."""

_TABLE_HEADER = re.compile(r"[ \t]*+\[\[[ \t]*+([A-Za-z_.]++)[ \t]*+\]\]")
_YEAR_KEY = re.compile(r"[0-9]{4}")

Where = tuple[tuple[str, int], ...]
"""A table's place in the document: ``(("area", 2), ("objective", 1))`` is the first
objective of the second area."""


_TABLE_NAMES: dict[str, Callable[[int], Message]] = {
    "driver": lambda number: msg("driver {number}", number=number),
    "node": lambda number: msg("node {number}", number=number),
    "area": lambda number: msg("area {number}", number=number),
    "objective": lambda number: msg("objective {number}", number=number),
    "operational": lambda number: msg("operational objective {number}", number=number),
    "indicator": lambda number: msg("indicator {number}", number=number),
}


def _where_text(where: Where) -> Message:
    """Where a table stands, as people say it: ``area 1, objective 2, indicator 3``."""
    said = msg("plan")
    for depth, (name, number) in enumerate(where):
        table = _TABLE_NAMES[name](number)
        said = table if depth == 0 else msg("{outer}, {inner}", outer=said, inner=table)
    return said


class _Lines:
    """Where the tables and keys of a plan file stand, found from its text once
    (TOML's reader gives values, not places)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.tables: dict[str, list[int]] = {}
        for number, line in enumerate(self.lines, start=1):
            found = _TABLE_HEADER.match(line)
            if found:
                self.tables.setdefault(found[1], []).append(number)

    def _scope(self, where: Where) -> tuple[int, int] | None:
        """The first line of the table at ``where`` (0 for the document) and the
        line where its scope ends; None when the text does not show it."""
        start, end, name = 0, len(self.lines) + 1, ""
        for key, number in where:
            name = f"{name}.{key}" if name else key
            lines = self.tables.get(name, [])
            first = bisect.bisect_left(lines, start)
            if number > bisect.bisect_left(lines, end) - first:
                return None
            start = lines[first + number - 1]
            if first + number < len(lines):
                end = min(end, lines[first + number])
        return start, end

    def table(self, where: Where) -> int | None:
        """The line of the table at ``where`` (None for the document, or when not found)."""
        scope = self._scope(where)
        return scope[0] or None if scope else None

    def key(self, where: Where, key: str) -> int | None:
        """The line where ``key`` is set in the table at ``where`` (or opens a table
        of its own in it), else the table's line."""
        scope = self._scope(where)
        if scope is None:
            return None
        start, end = scope
        pattern = re.compile(rf"[ \t]*+{re.escape(key)}[ \t]*+=")
        in_table = True
        for number in range(start + 1, min(end, len(self.lines) + 1)):
            line = self.lines[number - 1]
            header = _TABLE_HEADER.match(line)
            if header:
                in_table = False
                if header[1].rpartition(".")[2] == key:
                    return number
            elif in_table and pattern.match(line):
                return number
        return start or None


class _Reader:
    """Reads the parsed TOML document, naming the place of every fault."""

    def __init__(self, source: str, text: str = "") -> None:
        self.source = source
        self.places = _Lines(text)

    def fail(self, where: Where, message: str, hint: str, key: str | None = None) -> PlanError:
        line = self.places.table(where) if key is None else self.places.key(where, key)
        return PlanError(
            msg("{where}: {message}", where=_where_text(where), message=message),
            hint=hint,
            source=self.source,
            line=line,
        )

    def check_keys(self, table: Mapping[str, Any], kind: str, where: Where) -> None:
        known = KNOWN_KEYS[kind]
        for key in table:
            if key in known:
                continue
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
            if close:
                hint = msg("did you mean {close!r}?", close=close[0])
            elif kind == "plan":
                hint = msg(
                    "the keys of the plan are {keys} (a tree of any depth is written as "
                    "[[node]] tables with a parent)",
                    keys=", ".join(known),
                )
            else:
                hint = msg(
                    "the keys of {kind!r} tables are {keys}", kind=kind, keys=", ".join(known)
                )
            raise self.fail(where, msg("unknown key {key!r}", key=clip(key)), hint, key)

    def text(
        self, table: Mapping[str, Any], key: str, where: Where, *, required: bool = True
    ) -> str:
        value = table.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(
                where,
                msg("{key!r} must be a non-empty string", key=key),
                msg('write {key} = "..."', key=key),
                key,
            )
        return value

    def weight(
        self, table: Mapping[str, Any], key: str, where: Where, default: str | None = None
    ) -> Decimal:
        value = table.get(key, default)
        if value is None:
            raise self.fail(
                where,
                msg("{key!r} is missing", key=key),
                msg('write {key} = "25,00 %"', key=key),
            )
        try:
            return read_weight(value)
        except KpiFormulaError as error:
            raise self.fail(
                where, msg("{key}: {reason}", key=key, reason=error.reason), error.hint or "", key
            ) from None

    def years(self, table: Mapping[str, Any], key: str, where: Where) -> dict[int, str]:
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(
                where,
                msg("{key!r} must be a table of years", key=key),
                msg('write {key} = {{ 2025 = "..." }}', key=key),
                key,
            )
        years: dict[int, str] = {}
        for year, text in value.items():
            if not _YEAR_KEY.fullmatch(str(year)) or not isinstance(text, str):
                raise self.fail(
                    where,
                    msg("{key}.{year} is not a year with a text", key=key, year=clip(str(year))),
                    msg('write 2025 = ">= 10 N."'),
                    key,
                )
            years[int(year)] = text
        return years

    def tables(self, table: Mapping[str, Any], key: str, where: Where) -> list[Mapping[str, Any]]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.fail(
                where,
                msg("{key!r} must be an array of tables", key=key),
                msg("write [[{key}]] sections", key=key),
                key,
            )
        return value

    def unit(self, table: Mapping[str, Any], where: Where) -> Unit | None:
        unit = table.get("unit")
        if unit is None:
            return None
        try:
            return parse_unit(unit if isinstance(unit, str) else repr(unit))
        except KpiFormulaError as error:
            raise self.fail(where, error.reason, error.hint or "", "unit") from None

    def formula(self, table: Mapping[str, Any], where: Where) -> str | None:
        formula = table.get("formula")
        if formula is not None and not isinstance(formula, str):
            raise self.fail(
                where, msg("'formula' must be a string"), msg('write formula = "A / B"'), "formula"
            )
        return formula

    def direction(self, table: Mapping[str, Any], where: Where) -> Direction | None:
        value = table.get("direction")
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(
                where,
                msg("'direction' must be a string"),
                msg('write direction = "higher" or "lower"'),
                "direction",
            )
        try:
            return read_direction(value)
        except KpiFormulaError as error:
            raise self.fail(where, error.reason, error.hint or "", "direction") from None

    def indicator(self, table: Mapping[str, Any], where: Where) -> Indicator:
        self.check_keys(table, "indicator", where)
        return Indicator(
            code=self.text(table, "code", where),
            name=self.text(table, "name", where, required=False),
            weight=self.weight(table, "weight", where),
            formula=self.formula(table, where),
            description=self.text(table, "description", where, required=False),
            unit=self.unit(table, where),
            baselines=self.years(table, "baselines", where),
            targets=self.years(table, "targets", where),
            id=self.text(table, "id", where, required=False),
            line=self.places.table(where),
            direction=self.direction(table, where),
        )

    def node(self, table: Mapping[str, Any], where: Where) -> NodeRow:
        self.check_keys(table, "node", where)
        return NodeRow(
            code=self.text(table, "code", where),
            parent=self.text(table, "parent", where, required=False),
            name=self.text(table, "name", where, required=False),
            weight=self.weight(table, "weight", where),
            formula=self.formula(table, where),
            unit=self.unit(table, where),
            description=self.text(table, "description", where, required=False),
            id=self.text(table, "id", where, required=False),
            kind=self.text(table, "kind", where, required=False) or "group",
            baselines=self.years(table, "baselines", where),
            targets=self.years(table, "targets", where),
            line=self.places.table(where),
            direction=self.direction(table, where),
        )

    def driver(self, table: Mapping[str, Any], where: Where) -> Driver:
        self.check_keys(table, "driver", where)
        aliases = table.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise self.fail(
                where,
                msg("'aliases' must be a list of strings"),
                msg('write aliases = ["X"]'),
                "aliases",
            )
        code = self.text(table, "code", where)
        description = self.text(table, "description", where, required=False)
        unit = self.unit(table, where)
        try:
            return Driver(code, description, unit, tuple(aliases))
        except KpiFormulaError as error:
            raise self.fail(where, error.reason, error.hint or "") from None

    def operational(self, table: Mapping[str, Any], where: Where) -> OperationalObjective:
        self.check_keys(table, "operational", where)
        return OperationalObjective(
            self.text(table, "code", where),
            self.text(table, "name", where, required=False),
            self.weight(table, "weight", where),
            tuple(
                self.indicator(item, (*where, ("indicator", i)))
                for i, item in enumerate(self.tables(table, "indicator", where), start=1)
            ),
            self.places.table(where),
        )

    def objective(self, table: Mapping[str, Any], where: Where) -> StrategicObjective:
        self.check_keys(table, "objective", where)
        return StrategicObjective(
            self.text(table, "code", where),
            self.text(table, "name", where, required=False),
            self.weight(table, "weight", where),
            self.weight(table, "indicators_weight", where, "50,00 %"),
            tuple(
                self.indicator(item, (*where, ("indicator", i)))
                for i, item in enumerate(self.tables(table, "indicator", where), start=1)
            ),
            self.weight(table, "operational_weight", where, "50,00 %"),
            tuple(
                self.operational(item, (*where, ("operational", p)))
                for p, item in enumerate(self.tables(table, "operational", where), start=1)
            ),
            self.places.table(where),
        )

    def area(self, table: Mapping[str, Any], where: Where) -> Area:
        self.check_keys(table, "area", where)
        return Area(
            self.text(table, "code", where),
            self.text(table, "name", where, required=False),
            self.weight(table, "weight", where),
            tuple(
                self.objective(item, (*where, ("objective", o)))
                for o, item in enumerate(self.tables(table, "objective", where), start=1)
            ),
            self.places.table(where),
        )

    def year_list(self, document: Mapping[str, Any], key: str) -> tuple[int, ...]:
        value = document.get(key, [])
        if not isinstance(value, list) or not all(
            isinstance(year, int) and not isinstance(year, bool) and 1000 <= year <= 9999
            for year in value
        ):
            raise self.fail(
                (),
                msg("{key!r} must be a list of years", key=key),
                msg("write {key} = [2025]", key=key),
                key,
            )
        return tuple(value)

    def plan(self, document: Mapping[str, Any]) -> Plan:
        self.check_keys(document, "plan", ())
        drivers = tuple(
            self.driver(table, (("driver", d),))
            for d, table in enumerate(self.tables(document, "driver", ()), start=1)
        )
        areas = tuple(
            self.area(table, (("area", a),))
            for a, table in enumerate(self.tables(document, "area", ()), start=1)
        )
        baseline_years = self.year_list(document, "baseline_years")
        target_years = self.year_list(document, "target_years")
        title = document.get("title", "")
        if not isinstance(title, str):
            raise self.fail(
                (), msg("'title' must be a string"), msg('write title = "..."'), "title"
            )
        language = document.get("language")
        if language is not None:
            try:
                language = read_language(language if isinstance(language, str) else repr(language))
            except KpiFormulaError as error:
                raise self.fail((), error.reason, error.hint or "", "language") from None
        nodes = [
            self.node(table, (("node", n),))
            for n, table in enumerate(self.tables(document, "node", ()), start=1)
        ]
        if nodes and areas:
            raise self.fail(
                (),
                msg("the plan has both [[area]] and [[node]] tables"),
                msg("write the tree one way: [[area]] (the Integra shape) or [[node]] (any tree)"),
            )
        if not nodes and not areas:
            raise self.fail(
                (),
                msg("the plan has no [[area]] or [[node]] tables: nothing to evaluate"),
                msg("write the tree as [[node]] tables (code, parent, name, weight, formula, ...)"),
            )
        return Plan(
            title,
            areas,
            drivers,
            baseline_years,
            target_years,
            tree_from_rows(nodes, source=self.source) if nodes else (),
            language,
        )


def read_plan(text: str, *, source: str = "<plan>") -> Plan:
    """Read plan file text."""
    try:
        document = tomllib.loads(text)
    except RecursionError:
        raise PlanError(
            msg("the plan file nests arrays or tables too deeply"),
            hint=msg("a plan file nests areas, objectives and indicators, nothing deeper"),
            source=source,
        ) from None
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+), column (\d+)", str(error))
        raise PlanError(
            msg(
                "not a valid TOML plan file: {reason}",
                reason=re.sub(r" \(at .*\)$", "", str(error)),
            ),
            hint=msg("check the quoting and the [[section]] headers"),
            line=int(match[1]) if match else None,
            column=int(match[2]) if match else None,
            source=source,
        ) from None
    except ValueError as error:  # a number tomllib cannot hold, such as 5,000 digits
        raise PlanError(
            msg(
                "the plan file holds a number too long to read: {reason}",
                reason=clip(str(error), 80),
            ),
            hint=msg("no figure of a plan is that long: check the file"),
            source=source,
        ) from None
    return _Reader(source, text).plan(document)


def load_plan(path: str | Path, *, sheet: str | None = None, title: str | None = None) -> Plan:
    """Read a plan: a ``.toml`` plan file, or a ``.csv`` / ``.xlsx`` sheet (see
    :mod:`kpi_formula.plan.sheet`).  ``sheet`` names the sheet of an ``.xlsx``
    workbook that holds the plan (by default ``piano``, else the first);
    ``title`` replaces the title the file gives."""
    if Path(path).suffix.lower() in SHEET_SUFFIXES:
        return load_sheet(path, title=title, sheet=sheet)
    if sheet is not None:
        raise PlanError(
            msg("{path} is a plan file: it has no sheets", path=str(path)),
            hint=msg("name a sheet only for an .xlsx workbook"),
        )
    plan = read_plan(read_text_file(path, PlanError), source=str(path))
    return plan if title is None else dataclasses.replace(plan, title=title)
