"""Checking a plan before it is evaluated.

:func:`validate_plan` lists what a reviewer should fix, each a
:class:`Problem` with a severity, each said once:

* errors — weights that are not within 0–100 %, or that do not add up to
  100 % within a group (the document's rounding, 33,33 + 33,33 + 33,34, is
  allowed: within 0,02 %); two indicators a formula could not tell apart (an id
  shared by two codes, an id that is another indicator's code, one indicator
  listed twice with two formulas); formulas that do not parse; indicators that
  refer to each other in a cycle; targets or baselines that cannot be read;
  targets and baselines whose unit differs from the indicator's;
* warnings — formulas naming codes that are neither declared drivers nor
  indicators, two different indicators sharing a code, lint findings, and
  (given data and a year) codes the data lacks, with the codes it holds that
  the plan does not read as the likely meant ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from ..catalog import close_matches
from ..decimals import EXACT
from ..errors import KpiFormulaError, PlanError, msg
from ..formula import Formula
from ..lint import lint
from ..result import checked_year
from ..targets import Target, parse_targets
from ..units import in_unit
from ..values import Quantity, format_value, parse_value
from .model import Group, Indicator, Plan
from .prepared import (
    Binding,
    bind,
    dependency_order_of,
    identity_conflicts,
    plan_catalog,
    plan_formula,
    weight_problems,
)

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


def _sum_of_weights(where: str, weights: list[Decimal], problems: list[Problem]) -> None:
    if not weights or not all(0 <= weight <= 1 for weight in weights):
        return  # a weight out of range is reported on its own
    total = Decimal(0)
    for weight in weights:
        total = EXACT.add(total, weight)
    if EXACT.abs(EXACT.subtract(total, Decimal(1))) > WEIGHT_TOLERANCE:
        problems.append(
            Problem(
                "error",
                where,
                msg(
                    "weights add up to {total}, not 100 %",
                    total=format_value(Quantity(EXACT.normalize(total), "%")),
                ),
            )
        )


def _groups(plan: Plan) -> list[tuple[str, Group]]:
    """Every group with its path, depth first, without recursion."""
    found: list[tuple[str, Group]] = []
    pending = [(group.code, group) for group in reversed(plan.tree())]
    while pending:
        where, group = pending.pop()
        found.append((where, group))
        pending.extend(
            (f"{where} › {child.code}", child)
            for child in reversed(group.children)
            if isinstance(child, Group)
        )
    return found


def _formula(
    plan: Plan, indicator: Indicator, where: str, problems: list[Problem]
) -> Formula | None:
    try:
        return plan_formula(plan, indicator)  # parsed once, for the evaluation too
    except KpiFormulaError as error:
        problems.append(
            Problem(
                "error", where, msg("the formula does not parse: {reason}", reason=error.reason)
            )
        )
        return None


def _formula_warnings(
    indicator: Indicator,
    where: str,
    resolved: Formula,
    known: set[str],
    problems: list[Problem],
) -> None:
    for code in sorted(resolved.drivers - known - {indicator.code}):
        problems.append(
            Problem(
                "warning",
                where,
                msg("{code!r} is neither a declared driver nor an indicator", code=code),
            )
        )
    # linted as the plan reads it: a number the plan declares is its driver
    for warning in lint(resolved):
        if warning.kind != "percent-scale" or indicator.unit != "%":
            problems.append(
                Problem(
                    "warning",
                    where,
                    msg(
                        "{kind} (column {column}): {message}",
                        kind=warning.kind,
                        column=warning.column,
                        message=warning.message,
                    ),
                )
            )


def _cells(
    indicator: Indicator, where: str, plan_years: tuple[int, ...], problems: list[Problem]
) -> None:
    """The indicator's baselines and targets: readable, in its unit, and a relative
    target with a baseline year to refer to."""
    for year, text in sorted(indicator.baselines.items()):
        try:
            value = parse_value(text)
        except KpiFormulaError as error:
            problems.append(
                Problem(
                    "error",
                    where,
                    msg(
                        "baseline {year} {text!r}: {reason}",
                        year=year,
                        text=text,
                        reason=error.reason,
                    ),
                )
            )
            continue
        try:  # the one rule for units
            in_unit(value, indicator.unit, what=msg("the baseline"))  # type: ignore[arg-type]
        except KpiFormulaError as error:
            problems.append(
                Problem(
                    "error",
                    where,
                    msg(
                        "baseline {year} {text!r}: {reason}",
                        year=year,
                        text=text,
                        reason=error.reason,
                    ),
                )
            )
    for year, text in sorted(indicator.targets.items()):
        try:
            targets = parse_targets(text)
        except KpiFormulaError as error:
            problems.append(
                Problem(
                    "error",
                    where,
                    msg(
                        "target {year} {text!r}: {reason}",
                        year=year,
                        text=text,
                        reason=error.reason,
                    ),
                )
            )
            continue
        for target in targets:
            problems += _contrary(indicator, target, year=year, text=text, where=where)
            change = target.change
            if (
                change is not None
                and change.reference == "baseline"
                and not any(when < year for when in (*indicator.baselines, *plan_years))
            ):
                problems.append(
                    Problem(
                        "warning",
                        where,
                        msg(
                            "target {year} {text!r}: the plan names no baseline year before "
                            "{year}, so the year before is taken",
                            year=year,
                            text=text,
                        ),
                    )
                )
            if (
                target.unit is not None
                and indicator.unit is not None
                and target.unit != indicator.unit
            ):
                problems.append(
                    Problem(
                        "error",
                        where,
                        msg(
                            "target {year} {text!r} is in {unit}, the indicator in {own}",
                            year=year,
                            text=text,
                            unit=target.unit,
                            own=indicator.unit,
                        ),
                    )
                )


_RISING = (">=", ">")
_FALLING = ("<=", "<")


def _contrary(
    indicator: Indicator, target: Target, *, year: int, text: str, where: str
) -> list[Problem]:
    """A written comparison that contradicts the indicator's direction."""
    direction = indicator.direction
    contrary = _FALLING if direction == "higher" else _RISING if direction == "lower" else ()
    if target.implied or target.comparison not in contrary:
        return []
    return [
        Problem(
            "warning",
            where,
            msg(
                "target {year} {text!r} asks for {comparison}, but a {better} value is "
                "better for the indicator",
                year=year,
                text=text,
                comparison=target.comparison,
                better="higher" if direction == "higher" else "lower",
            ),
        )
    ]


def _bare_targets(indicators: Mapping[str, Indicator]) -> list[Problem]:
    """Bare numbers read as *at least* for want of a direction: said once, listed."""
    bare = []
    for key, indicator in indicators.items():
        if indicator.direction is not None:
            continue
        for year, text in sorted(indicator.targets.items()):
            try:
                targets = parse_targets(text)
            except KpiFormulaError:
                continue  # reported with the indicator
            if any(target.implied for target in targets):
                bare.append(f"{key} ({year})")
    if not bare:
        return []
    listed = ", ".join(bare[:5]) + (", …" if len(bare) > 5 else "")
    return [
        Problem(
            "warning",
            "plan",
            msg(
                "{count} targets are bare numbers, read as at least for want of a direction: "
                "{listed}; give those indicators a direction (crescente or decrescente)",
                count=len(bare),
                listed=listed,
            ),
        )
    ]


def validate_plan(
    plan: Plan, data: Mapping[Any, Any] | None = None, *, year: int | None = None
) -> list[Problem]:
    """Everything a reviewer should fix in ``plan``; see the module documentation."""
    if year is not None:
        year = checked_year(year, PlanError)
    problems: list[Problem] = []
    problems += [Problem("error", where, problem) for where, problem in weight_problems(plan)]
    _sum_of_weights("plan", [group.weight for group in plan.tree()], problems)
    # each indicator is checked once, where it is first listed
    places: dict[str, str] = {}
    for where, group in _groups(plan):
        if not group.children:
            problems.append(
                Problem("warning", where, msg("the group holds no indicator: it scores N/D"))
            )
        _sum_of_weights(where, [child.weight for child in group.children], problems)
        for child in group.children:
            if isinstance(child, Indicator):
                places.setdefault(child.id, f"{where} › {child.id}")
    problems += [Problem("error", "plan", conflict) for conflict in identity_conflicts(plan)]
    indicators = plan.indicators()
    catalog = plan_catalog(plan, indicators)
    known = {driver.code for driver in plan.drivers}
    known |= {alias for driver in plan.drivers for alias in driver.aliases}
    known |= {indicator.code for indicator in indicators.values()}
    formulas: dict[str, Formula | None] = {}
    broken: set[str] = set()
    for key, indicator in indicators.items():
        formulas[key] = formula = _formula(plan, indicator, places[key], problems)
        if formula is None and not indicator.is_input:
            broken.add(key)  # reported once, here; nothing else is asked of it
    binding = bind(indicators, formulas, catalog)
    for key, resolved in binding.resolved.items():
        _formula_warnings(indicators[key], places[key], resolved, known, problems)
    for key, indicator in indicators.items():
        _cells(indicator, places[key], plan.baseline_years, problems)
    problems += _bare_targets(indicators)
    by_code: dict[str, set[str]] = {}
    for indicator in indicators.values():
        by_code.setdefault(indicator.code, set()).add(indicator.name)
    for code, names in sorted(by_code.items()):
        if len(names) > 1:
            problems.append(
                Problem(
                    "warning",
                    code,
                    msg("{count} different indicators share this code", count=len(names)),
                )
            )
    try:
        dependency_order_of(binding.reads)
    except KpiFormulaError as error:
        problems.append(Problem("error", "plan", error.reason))
    if data is not None and year is not None:
        problems += _missing_data(indicators, binding, broken, data, year)
    return problems


def _missing_data(
    indicators: Mapping[str, Indicator],
    binding: Binding,
    broken: set[str],
    data: Mapping[Any, Any],
    year: int,
) -> list[Problem]:
    absent: dict[tuple[str, int], list[str]] = {}
    read: set[str] = set()
    for key, indicator in indicators.items():
        if key in broken:
            continue
        if key in binding.read_from_data:
            needed = {(binding.read_from_data[key], year)}
        else:
            needed = {(code, year + offset) for code, offset in binding.reads_data[key]}
        read |= {code for code, _ in needed}
        for code, when in sorted(needed):
            if (code, when) not in data and not (when == year and code in data):
                absent.setdefault((code, when), []).append(indicator.id)
    held = {key[0] for key in data if isinstance(key, tuple)}
    held |= {key for key in data if isinstance(key, str)}
    # what the data holds and the plan never reads: where a typo would have gone
    unread = held - read - {indicator.code for indicator in indicators.values()}
    problems = []
    for code in sorted({code for code, _ in absent if code not in held}):
        users = sorted({user for (each, _), ids in absent.items() if each == code for user in ids})
        close = close_matches(code, unread)
        problems.append(
            Problem(
                "warning",
                ", ".join(users),
                msg(
                    "{code!r} is not in the data for any year; did you mean {suggestions}?",
                    code=code,
                    suggestions=" or ".join(map(repr, close)),
                )
                if close
                else msg("{code!r} is not in the data for any year", code=code),
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
                msg(
                    "no values for {year} of {count} codes it holds for other years ({codes})",
                    year=when,
                    count=len(codes),
                    codes=listed,
                ),
            )
        )
    return problems
