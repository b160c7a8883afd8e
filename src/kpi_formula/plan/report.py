"""Importing an Integra *Alberatura della pianificazione* report.

The report is the tab-separated text of a PDF: several pages, each repeating
the title and the column headers, with columns that shift from page to page.
Rows are therefore read by their content, not by their column:

* a weight (``33,33%``) and ``CODE - Name`` with baseline and target cells
  after it is an **indicator**; the cell after the name is its *Algoritmo*,
  split into description and formula by
  :func:`~kpi_formula.plan.algorithm.split_algorithm`;
* ``Indicatori`` and ``Obiettivi operativi`` open the two groups of a
  strategic objective, with their weights;
* otherwise the code tells the level: one digit is an **area** (``1 -
  Competitività delle imprese``), three digits a **strategic objective**
  (``301 - Internazionalizzazione``), a dotted code an **operational
  objective** (``301.D1.1 - ...``).

Every line that is none of these, nor a page header, is reported with its
number: nothing is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from ..catalog import Driver
from ..decimals import EXACT
from ..errors import KpiFormulaError, PlanError, msg
from ..formula import parse
from ..inputs import read_text_file
from ..targets import parse_targets
from ..values import Quantity, parse_value
from .algorithm import split_algorithm
from .model import Area, Indicator, OperationalObjective, Plan, StrategicObjective

__all__ = ["ImportReport", "import_report", "read_report"]

_WEIGHT = re.compile(r"(?P<number>[0-9]{1,3},[0-9]{1,4}) ?%")
_TAG = re.compile(r"</?b>")
_TITLED = re.compile(r"(?P<code>.+?) - (?P<name>.+)", re.DOTALL)
_YEAR = re.compile(r"[0-9]{4}")


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import read, and what it could not."""

    plan: Plan
    unread: tuple[tuple[int, str], ...] = ()
    """(line, why) for each line that could not be read."""
    notices: tuple[tuple[int, str], ...] = ()
    """(line, what) for each decision a reader should check."""

    @property
    def complete(self) -> bool:
        """True when every line was read."""
        return not self.unread


def _weight(cell: str) -> Decimal | None:
    match = _WEIGHT.fullmatch(cell.strip())
    if match is None:
        return None
    return Decimal(match["number"].replace(",", ".")).scaleb(-2, EXACT)


def _unit_of(texts: list[str]) -> str | None:
    for text in texts:
        for candidate in text.split("|"):
            try:
                value = parse_value(candidate)
            except KpiFormulaError:
                try:
                    targets = parse_targets(candidate)
                except KpiFormulaError:
                    continue
                if targets and isinstance(targets[0].threshold, Quantity):
                    return targets[0].threshold.unit
                continue
            if isinstance(value, Quantity):
                return value.unit
    return None


@dataclass
class _Builder:
    """Mutable state of one import; the result is frozen at the end."""

    baseline_years: list[int] = field(default_factory=list)
    target_years: list[int] = field(default_factory=list)
    title: str = ""
    areas: list[Area] = field(default_factory=list)
    objectives: list[StrategicObjective] = field(default_factory=list)
    group: str = "indicators"
    indicators: list[Indicator] = field(default_factory=list)
    operational: list[OperationalObjective] = field(default_factory=list)
    operational_indicators: list[Indicator] = field(default_factory=list)
    unread: list[tuple[int, str]] = field(default_factory=list)
    notices: list[tuple[int, str]] = field(default_factory=list)
    seen: dict[str, Indicator] = field(default_factory=dict)

    def close_operational(self) -> None:
        if self.operational:
            last = self.operational[-1]
            self.operational[-1] = replace(last, indicators=tuple(self.operational_indicators))
        self.operational_indicators = []

    def close_objective(self) -> None:
        self.close_operational()
        if self.objectives:
            last = self.objectives[-1]
            self.objectives[-1] = replace(
                last, indicators=tuple(self.indicators), operational=tuple(self.operational)
            )
        self.indicators, self.operational = [], []
        self.group = "indicators"

    def close_area(self) -> None:
        self.close_objective()
        if self.areas:
            self.areas[-1] = replace(self.areas[-1], objectives=tuple(self.objectives))
        self.objectives = []


def _is_header(cells: list[str], text: str) -> bool:
    stripped = [cell.strip() for cell in cells if cell.strip()]
    if not stripped:
        return True
    if text.startswith("Integra"):
        return True
    if stripped[0] == "Ambito":
        return True
    return all(_YEAR.fullmatch(cell) for cell in stripped)


def _indicator(
    builder: _Builder, number: int, *, weight: Decimal, code: str, name: str, rest: list[str]
) -> Indicator:
    algorithm = ""
    values = rest
    if rest:
        try:
            parse_value(rest[0])
        except KpiFormulaError:
            algorithm, values = rest[0], rest[1:]
    baselines = dict(
        zip(builder.baseline_years, values[: len(builder.baseline_years)], strict=False)
    )
    target_cells = values[len(builder.baseline_years) :]
    targets: dict[int, str] = {}
    years = iter(builder.target_years)
    for cell in target_cells:
        try:
            parts = [str(target.text or target) for target in parse_targets(cell)]
        except KpiFormulaError as error:
            builder.unread.append(
                (
                    number,
                    msg(
                        "target {cell!r} of {code}: {reason}",
                        cell=cell,
                        code=code,
                        reason=error.reason,
                    ),
                )
            )
            continue
        split = [part.strip() for part in re.split(r"\s{2,}", " ".join(cell.split("\u00a0")))]
        for text in split if len(split) == len(parts) else parts:
            year = next(years, None)
            if year is None:
                builder.unread.append(
                    (number, msg("{code} has more targets than target years", code=code))
                )
                break
            targets[year] = text
    for year, text in baselines.items():
        try:
            parse_value(text)
        except KpiFormulaError as error:
            builder.unread.append(
                (
                    number,
                    msg(
                        "baseline {year} {text!r} of {code}: {reason}",
                        year=year,
                        text=text,
                        code=code,
                        reason=error.reason,
                    ),
                )
            )
    algorithm_parts = split_algorithm(algorithm, code)
    formula = algorithm_parts.formula
    if formula is not None:
        for literal in sorted(parse(formula).numbers):
            if literal != code:
                builder.notices.append(
                    (
                        number,
                        msg(
                            "{code}: {literal!r} in {formula!r} is read as a number; declare "
                            "a driver {literal!r} in the plan if it is one",
                            code=code,
                            literal=literal,
                            formula=formula,
                        ),
                    )
                )
    unit = _unit_of([*values[: len(builder.baseline_years)], *target_cells])
    indicator = Indicator(
        code=code,
        name=name,
        weight=weight,
        formula=formula,
        description=algorithm_parts.description,
        unit=unit,
        baselines=baselines,
        targets=targets,
        line=number,
    )
    known = builder.seen.get(code)
    if known is not None:
        if known.name == name:
            if indicator.formula is None and known.formula is not None:
                indicator = replace(indicator, formula=known.formula)
                builder.notices.append(
                    (
                        number,
                        msg(
                            "{code} is listed again; its formula is taken from line {line}",
                            code=code,
                            line=known.line,
                        ),
                    )
                )
            else:
                builder.notices.append(
                    (
                        number,
                        msg(
                            "{code} is listed again (first at line {line})",
                            code=code,
                            line=known.line,
                        ),
                    )
                )
        else:
            count = sum(1 for other in builder.seen.values() if other.code == code) + 1
            indicator = replace(indicator, id=f"{code}#{count}")
            builder.notices.append(
                (
                    number,
                    msg(
                        "{code} also names a different indicator at line {line}; this one "
                        "is told apart as {id!r}",
                        code=code,
                        line=known.line,
                        id=indicator.id,
                    ),
                )
            )
            builder.seen[indicator.id] = indicator
            return indicator
    else:
        builder.seen[code] = indicator
    return indicator


def _row(builder: _Builder, number: int, text: str) -> None:
    cells = [_TAG.sub("", cell).strip() for cell in text.split("\t")]
    if _is_header(cells, text):
        if text.startswith("Integra") and not builder.title:
            builder.title = " ".join(text.replace("\\_", "_").split())
        years = [int(cell) for cell in cells if _YEAR.fullmatch(cell)]
        if years and not builder.baseline_years:
            half = len(years) // 2
            builder.baseline_years, builder.target_years = years[:half], years[half:]
        return
    filled = [(index, cell) for index, cell in enumerate(cells) if cell]
    weight_at = next((i for i, (_, cell) in enumerate(filled) if _weight(cell) is not None), None)
    if weight_at is None or weight_at + 1 >= len(filled):
        builder.unread.append((number, msg("no weight and title: not a row of the plan tree")))
        return
    weight = _weight(filled[weight_at][1])
    assert weight is not None
    title = filled[weight_at + 1][1]
    rest = [cell for _, cell in filled[weight_at + 2 :]]
    lowered = title.casefold()
    if lowered == "indicatori":
        builder.close_operational()
        builder.group = "indicators"
        if builder.objectives:
            builder.objectives[-1] = replace(builder.objectives[-1], indicators_weight=weight)
        return
    if lowered == "obiettivi operativi":
        builder.group = "operational"
        if builder.objectives:
            builder.objectives[-1] = replace(builder.objectives[-1], operational_weight=weight)
        return
    titled = _TITLED.fullmatch(title)
    if titled is None:
        builder.unread.append((number, msg("{title!r} is not 'CODE - Name'", title=title)))
        return
    code, name = titled["code"].strip(), titled["name"].strip()
    if rest:
        indicator = _indicator(builder, number, weight=weight, code=code, name=name, rest=rest)
        if builder.group == "operational" and builder.operational:
            builder.operational_indicators.append(indicator)
        elif builder.objectives:
            builder.indicators.append(indicator)
        else:
            builder.unread.append(
                (number, msg("indicator {code} outside any objective", code=code))
            )
    else:
        _level(builder, number, weight=weight, code=code, name=name)


def _level(builder: _Builder, number: int, *, weight: Decimal, code: str, name: str) -> None:
    """Open an area, a strategic or an operational objective, told by its code."""
    if re.fullmatch(r"[0-9]", code):
        builder.close_area()
        builder.areas.append(Area(code, name, weight, line=number))
    elif re.fullmatch(r"[0-9]{3}", code):
        if not builder.areas:
            builder.unread.append(
                (number, msg("strategic objective {code} outside any area", code=code))
            )
            return
        builder.close_objective()
        builder.objectives.append(StrategicObjective(code, name, weight, line=number))
    elif "." in code and builder.objectives:
        builder.close_operational()
        builder.group = "operational"
        builder.operational.append(OperationalObjective(code, name, weight, line=number))
    else:
        builder.unread.append(
            (number, msg("{code!r} is neither an area, an objective nor an indicator", code=code))
        )


def read_report(text: str, *, title: str = "") -> ImportReport:
    """Read the text of a planning report; see the module documentation."""
    builder = _Builder(title=title)
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            _row(builder, number, line)
    builder.close_area()
    if not builder.areas:
        raise PlanError(
            msg("no area found: this does not look like an Alberatura della pianificazione report"),
            hint=msg("export the report as tab-separated text"),
        )
    plan = Plan(
        title=builder.title,
        areas=tuple(builder.areas),
        drivers=_drivers(builder.areas),
        baseline_years=tuple(builder.baseline_years),
        target_years=tuple(builder.target_years),
    )
    return ImportReport(plan, tuple(builder.unread), tuple(builder.notices))


def _drivers(areas: list[Area]) -> tuple[Driver, ...]:
    plan = Plan("", tuple(areas))
    indicator_codes = {indicator.code for indicator in plan.indicators().values()}
    codes: dict[str, str] = {}
    for indicator in plan.indicators().values():
        formula = indicator.parsed_formula()
        if formula is None:
            continue
        for code in sorted(formula.drivers - indicator_codes - {indicator.code}):
            codes.setdefault(code, indicator.code)
        if indicator.code in formula.drivers:
            codes.setdefault(indicator.code, indicator.code)
    return tuple(Driver(code, f"read by {first}") for code, first in sorted(codes.items()))


def import_report(path: str | Path, *, title: str = "") -> ImportReport:
    """Read a planning report from a file (UTF-8 text); ``title``, when given,
    replaces the one the report names."""
    return read_report(read_text_file(path, PlanError), title=title)
