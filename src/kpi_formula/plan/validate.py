"""Checking a plan before it is evaluated.

:func:`validate_plan` lists what a reviewer should fix, each a
:class:`Problem` with a severity:

* errors — weights that do not add up to 100 % within a group (the document's
  rounding, 33,33 + 33,33 + 33,34, is allowed: within 0,02 %), formulas that do
  not parse, indicators that refer to each other in a cycle, targets or
  baselines that cannot be read, targets whose unit differs from the
  indicator's;
* warnings — formulas naming codes that are neither declared drivers nor
  indicators, two different indicators sharing a code, and (given data and a
  year) drivers the data lacks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from ..catalog import Catalog, close_matches
from ..errors import KpiFormulaError
from ..lint import lint
from ..resolver import resolve
from ..targets import parse_targets
from ..values import Quantity, parse_value
from .evaluate import dependency_order, plan_catalog
from .model import Group, Indicator, Plan

__all__ = ["Problem", "validate_plan"]

WEIGHT_TOLERANCE = Decimal("0.0002")


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of :func:`validate_plan`."""

    severity: Literal["error", "warning"]
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


def _weights(where: str, weights: Sequence[Decimal], problems: list[Problem]) -> None:
    if not weights:
        return
    total = sum(weights, Decimal(0))
    if abs(total - 1) > WEIGHT_TOLERANCE:
        shown = f"{total.scaleb(2).normalize():f}".replace(".", ",")
        problems.append(Problem("error", where, f"weights add up to {shown} %, not 100 %"))


def _indicator(
    indicator: Indicator, where: str, known: set[str], catalog: Catalog, problems: list[Problem]
) -> None:
    label = f"{where} › {indicator.id}"
    if indicator.formula is not None and not indicator.is_input:
        try:
            formula = indicator.parsed_formula()
        except KpiFormulaError as error:
            problems.append(Problem("error", label, f"the formula does not parse: {error.reason}"))
        else:
            assert formula is not None
            for code in sorted(formula.drivers - known - {indicator.code}):
                problems.append(
                    Problem(
                        "warning", label, f"{code!r} is neither a declared driver nor an indicator"
                    )
                )
            # linted as the plan reads it: a number the plan declares is its driver
            for warning in lint(resolve(formula, catalog).formula):
                if warning.kind != "percent-scale" or indicator.unit != "%":
                    problems.append(
                        Problem(
                            "warning",
                            label,
                            f"{warning.kind} (column {warning.column}): {warning.message}",
                        )
                    )
    for year, text in sorted(indicator.baselines.items()):
        try:
            value = parse_value(text)
        except KpiFormulaError as error:
            problems.append(Problem("error", label, f"baseline {year} {text!r}: {error.reason}"))
            continue
        if (
            isinstance(value, Quantity)
            and indicator.unit
            and value.unit not in (None, indicator.unit)
        ):
            problems.append(
                Problem(
                    "error",
                    label,
                    f"baseline {year} is in {value.unit}, the indicator in {indicator.unit}",
                )
            )
    for year, text in sorted(indicator.targets.items()):
        try:
            targets = parse_targets(text)
        except KpiFormulaError as error:
            problems.append(Problem("error", label, f"target {year} {text!r}: {error.reason}"))
            continue
        for target in targets:
            if (
                target.unit is not None
                and indicator.unit is not None
                and target.unit != indicator.unit
            ):
                problems.append(
                    Problem(
                        "error",
                        label,
                        f"target {year} {text!r} is in {target.unit}, "
                        f"the indicator in {indicator.unit}",
                    )
                )


def validate_plan(
    plan: Plan, data: Mapping[Any, Any] | None = None, *, year: int | None = None
) -> list[Problem]:
    """Everything a reviewer should fix in ``plan``; see the module documentation."""
    problems: list[Problem] = []
    indicators = plan.indicators()
    catalog = plan_catalog(plan, indicators)
    known = {driver.code for driver in plan.drivers}
    known |= {alias for driver in plan.drivers for alias in driver.aliases}
    known |= {indicator.code for indicator in indicators.values()}
    top = plan.tree()
    _weights("plan", [group.weight for group in top], problems)

    def visit(group: Group, where: str) -> None:
        label = f"{where} › {group.code}" if where else group.code
        if not group.children:
            problems.append(
                Problem("warning", label, "the group holds no indicator: it scores N/D")
            )
            return
        _weights(label, [child.weight for child in group.children], problems)
        for child in group.children:
            if isinstance(child, Indicator):
                _indicator(child, label, known, catalog, problems)
            else:
                visit(child, label)

    for group in top:
        visit(group, "")
    by_code: dict[str, set[str]] = {}
    for indicator in indicators.values():
        by_code.setdefault(indicator.code, set()).add(indicator.name)
    for code, names in sorted(by_code.items()):
        if len(names) > 1:
            problems.append(
                Problem("warning", code, f"{len(names)} different indicators share this code")
            )
    try:
        dependency_order(plan)
    except KpiFormulaError as error:
        problems.append(Problem("error", "plan", error.reason))
    if data is not None and year is not None:
        problems += _missing_data(plan, indicators, data, year)
    return problems


def _missing_data(
    plan: Plan, indicators: Mapping[str, Indicator], data: Mapping[Any, Any], year: int
) -> list[Problem]:
    absent: dict[tuple[str, int], list[str]] = {}
    catalog = Catalog(plan.drivers, strict=False)
    for indicator in indicators.values():
        try:
            formula = indicator.parsed_formula()
        except KpiFormulaError:
            continue
        if formula is not None:
            formula = resolve(formula, catalog).formula
        needed = (
            {(indicator.code, year)}
            if formula is None
            else {
                (ref.code, year + ref.offset)
                for ref in formula.references
                if ref.code not in indicators or ref.code == indicator.code
            }
        )
        for code, when in sorted(needed):
            if (code, when) not in data and not (when == year and code in data):
                absent.setdefault((code, when), []).append(indicator.id)
    held = {key[0] for key in data if isinstance(key, tuple)}
    held |= {key for key in data if isinstance(key, str)}
    problems = []
    # a code the data never holds is likely a typo: say so once, with close matches
    for code in sorted({code for code, _ in absent if code not in held}):
        users = sorted({user for (each, _), ids in absent.items() if each == code for user in ids})
        close = close_matches(code, held)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        problems.append(
            Problem(
                "warning",
                ", ".join(users),
                f"{code!r} is not in the data for any year{hint}",
            )
        )
    # codes the data holds for other years only: one line per year
    by_year: dict[int, set[str]] = {}
    for code, when in absent:
        if code in held:
            by_year.setdefault(when, set()).add(code)
    for when, codes in sorted(by_year.items()):
        listed = ", ".join(sorted(codes)[:5]) + (", …" if len(codes) > 5 else "")
        problems.append(
            Problem(
                "warning",
                "data",
                f"no values for {when} of {len(codes)} codes it holds for other years "
                f"({listed})",
            )
        )
    return problems
