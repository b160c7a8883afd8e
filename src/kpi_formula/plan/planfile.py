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
(a typo such as ``formla`` must not turn an indicator into an input).
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..catalog import Driver
from ..errors import KpiFormulaError, PlanError
from ..inputs import read_text_file
from ..values import UNITS, Quantity, format_value, parse_value
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


def _string(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(value, ensure_ascii=False)


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
    if row.baselines:
        lines.append(f"baselines = {_table(row.baselines)}")
    if row.targets:
        lines.append(f"targets = {_table(row.targets)}")
    return [*lines, ""]


def save_plan(plan: Plan, path: str | Path) -> None:
    """Write ``plan`` to ``path`` as a plan file."""
    Path(path).write_text(dump_plan(plan), encoding="utf-8")


_INDICATOR_KEYS = (
    "code",
    "id",
    "name",
    "weight",
    "description",
    "formula",
    "unit",
    "baselines",
    "targets",
)
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "plan": ("title", "baseline_years", "target_years", "driver", "area", "node"),
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


class _Reader:
    """Reads the parsed TOML document, naming the place of every fault."""

    def __init__(self, source: str, text: str = "") -> None:
        self.source = source
        self.text_lines = text.splitlines()

    def fail(self, where: str, message: str, hint: str, line: int | None = None) -> PlanError:
        return PlanError(f"{where}: {message}", hint=hint, source=self.source, line=line)

    def _line_of(self, key: str) -> int | None:
        pattern = re.compile(rf"^\s*(?:\[\[?[\w.]*\b{re.escape(key)}\]\]?|{re.escape(key)}\s*=)")
        for number, line in enumerate(self.text_lines, start=1):
            if pattern.match(line):
                return number
        return None

    def check_keys(self, table: Mapping[str, Any], kind: str, where: str) -> None:
        known = KNOWN_KEYS[kind]
        for key in table:
            if key in known:
                continue
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else f"the keys of {'the plan' if kind == 'plan' else kind!r} tables are "
                + ", ".join(known)
            )
            if kind == "plan" and not close:
                hint += " (a tree of any depth is written as [[node]] tables with a parent)"
            raise self.fail(where, f"unknown key {key!r}", hint, self._line_of(key))

    def text(self, table: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = table.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(where, f"{key!r} must be a non-empty string", f'write {key} = "..."')
        return value

    def weight(
        self, table: Mapping[str, Any], key: str, where: str, default: str | None = None
    ) -> Decimal:
        value = table.get(key, default)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Decimal(str(value))
        if isinstance(value, str):
            try:
                quantity = parse_value(value)
            except KpiFormulaError as error:
                raise self.fail(
                    where, f"{key} {value!r}: {error.reason}", 'write "25,00 %"'
                ) from None
            if isinstance(quantity, Quantity) and quantity.unit == "%":
                return quantity.amount
        raise self.fail(
            where, f'{key!r} must be a percentage such as "25,00 %"', 'write weight = "25,00 %"'
        )

    def years(self, table: Mapping[str, Any], key: str, where: str) -> dict[int, str]:
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(
                where, f"{key!r} must be a table of years", f'write {key} = {{ 2025 = "..." }}'
            )
        years: dict[int, str] = {}
        for year, text in value.items():
            if not re.fullmatch(r"[0-9]{4}", str(year)) or not isinstance(text, str):
                raise self.fail(
                    where, f"{key}.{year} is not a year with a text", 'write 2025 = ">= 10 N."'
                )
            years[int(year)] = text
        return years

    def tables(self, table: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.fail(
                where, f"{key!r} must be an array of tables", f"write [[{key}]] sections"
            )
        return value

    def formula_and_unit(self, table: Mapping[str, Any], where: str) -> tuple[str | None, Any]:
        formula = table.get("formula")
        if formula is not None and not isinstance(formula, str):
            raise self.fail(where, "'formula' must be a string", 'write formula = "A / B"')
        unit = table.get("unit")
        if unit is not None and unit not in UNITS:
            raise self.fail(where, f"unknown unit {unit!r}", f"use one of {', '.join(UNITS)}")
        return formula, unit

    def indicator(self, table: Mapping[str, Any], where: str) -> Indicator:
        self.check_keys(table, "indicator", where)
        formula, unit = self.formula_and_unit(table, where)
        return Indicator(
            code=self.text(table, "code", where),
            name=self.text(table, "name", where, required=False),
            weight=self.weight(table, "weight", where),
            formula=formula,
            description=self.text(table, "description", where, required=False),
            unit=unit,
            baselines=self.years(table, "baselines", where),
            targets=self.years(table, "targets", where),
            id=self.text(table, "id", where, required=False),
        )

    def node(self, table: Mapping[str, Any], where: str) -> NodeRow:
        self.check_keys(table, "node", where)
        formula, unit = self.formula_and_unit(table, where)
        code = self.text(table, "code", where)
        return NodeRow(
            code=code,
            parent=self.text(table, "parent", where, required=False),
            name=self.text(table, "name", where, required=False),
            weight=self.weight(table, "weight", where),
            formula=formula,
            unit=unit,
            description=self.text(table, "description", where, required=False),
            id=self.text(table, "id", where, required=False),
            kind=self.text(table, "kind", where, required=False) or "group",
            baselines=self.years(table, "baselines", where),
            targets=self.years(table, "targets", where),
            line=self._line_of_code(code),
        )

    def _line_of_code(self, code: str) -> int | None:
        wanted = f"code = {_string(code)}"
        for number, line in enumerate(self.text_lines, start=1):
            if line.strip() == wanted:
                return number
        return None

    def plan(self, document: Mapping[str, Any]) -> Plan:
        self.check_keys(document, "plan", "plan")
        drivers = []
        for index, table in enumerate(self.tables(document, "driver", "plan"), start=1):
            where = f"driver {index}"
            self.check_keys(table, "driver", where)
            aliases = table.get("aliases", [])
            unit = table.get("unit")
            if unit is not None and unit not in UNITS:
                raise self.fail(where, f"unknown unit {unit!r}", f"use one of {', '.join(UNITS)}")
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise self.fail(
                    where, "'aliases' must be a list of strings", 'write aliases = ["X"]'
                )
            try:
                drivers.append(
                    Driver(
                        self.text(table, "code", where),
                        self.text(table, "description", where, required=False),
                        unit,
                        tuple(aliases),
                    )
                )
            except PlanError:
                raise
            except KpiFormulaError as error:
                raise self.fail(where, error.reason, error.hint or "") from None
        areas = []
        for a, area in enumerate(self.tables(document, "area", "plan"), start=1):
            where = f"area {a}"
            self.check_keys(area, "area", where)
            objectives = []
            for o, objective in enumerate(self.tables(area, "objective", where), start=1):
                owhere = f"{where}, objective {o}"
                self.check_keys(objective, "objective", owhere)
                indicators = tuple(
                    self.indicator(table, f"{owhere}, indicator {i}")
                    for i, table in enumerate(self.tables(objective, "indicator", owhere), start=1)
                )
                operational = []
                for p, table in enumerate(self.tables(objective, "operational", owhere), start=1):
                    pwhere = f"{owhere}, operational {p}"
                    self.check_keys(table, "operational", pwhere)
                    operational.append(
                        OperationalObjective(
                            self.text(table, "code", pwhere),
                            self.text(table, "name", pwhere, required=False),
                            self.weight(table, "weight", pwhere),
                            tuple(
                                self.indicator(item, f"{pwhere}, indicator {i}")
                                for i, item in enumerate(
                                    self.tables(table, "indicator", pwhere), start=1
                                )
                            ),
                        )
                    )
                objectives.append(
                    StrategicObjective(
                        self.text(objective, "code", owhere),
                        self.text(objective, "name", owhere, required=False),
                        self.weight(objective, "weight", owhere),
                        self.weight(objective, "indicators_weight", owhere, "50,00 %"),
                        indicators,
                        self.weight(objective, "operational_weight", owhere, "50,00 %"),
                        tuple(operational),
                    )
                )
            areas.append(
                Area(
                    self.text(area, "code", where),
                    self.text(area, "name", where, required=False),
                    self.weight(area, "weight", where),
                    tuple(objectives),
                )
            )
        years = {}
        for key in ("baseline_years", "target_years"):
            value = document.get(key, [])
            if not isinstance(value, list) or not all(isinstance(y, int) for y in value):
                raise self.fail("plan", f"{key!r} must be a list of years", f"write {key} = [2025]")
            years[key] = tuple(value)
        title = document.get("title", "")
        if not isinstance(title, str):
            raise self.fail("plan", "'title' must be a string", 'write title = "..."')
        nodes = [
            self.node(table, f"node {n}")
            for n, table in enumerate(self.tables(document, "node", "plan"), start=1)
        ]
        if nodes and areas:
            raise self.fail(
                "plan",
                "the plan has both [[area]] and [[node]] tables",
                "write the tree one way: [[area]] (the Integra shape) or [[node]] (any tree)",
            )
        if not nodes and not areas:
            raise self.fail(
                "plan",
                "the plan has no [[area]] or [[node]] tables: nothing to evaluate",
                "write the tree as [[node]] tables (code, parent, name, weight, formula, ...)",
            )
        groups = tree_from_rows(nodes, source=self.source) if nodes else ()
        return Plan(
            title,
            tuple(areas),
            tuple(drivers),
            years["baseline_years"],
            years["target_years"],
            groups,
        )


def read_plan(text: str, *, source: str = "<plan>") -> Plan:
    """Read plan file text."""
    try:
        document = tomllib.loads(text)
    except RecursionError:
        raise PlanError(
            "the plan file nests arrays or tables too deeply",
            hint="a plan file nests areas, objectives and indicators, nothing deeper",
            source=source,
        ) from None
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise PlanError(
            f"not a valid TOML plan file: {error}",
            hint="check the quoting and the [[section]] headers",
            line=int(match[1]) if match else None,
            source=source,
        ) from None
    return _Reader(source, text).plan(document)


def load_plan(path: str | Path) -> Plan:
    """Read a plan: a ``.toml`` plan file, or a ``.csv`` / ``.xlsx`` sheet (see
    :mod:`kpi_formula.plan.sheet`)."""
    if Path(path).suffix.lower() in SHEET_SUFFIXES:
        return load_sheet(path)
    return read_plan(read_text_file(path, PlanError), source=str(path))
