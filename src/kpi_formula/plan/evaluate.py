"""Evaluating a whole plan for a year and rolling it up by its weights.

Indicators are evaluated in dependency order: a formula may name other
indicators (``D1 = D1.1.0 + D1.1.1 + ...`` where ``D1.1.0`` has its own
formula), whose values are then served to it.  Inside an indicator's own
formula its own code names the driver of that code (``D6.1 = D6.1 +
D6.1.0_0 + ...``), so an indicator whose formula is its own code is an
input.  A cycle among indicators is a :class:`~kpi_formula.PlanError` that
names it.

Each indicator is judged against its target of the *target year* (by default
the evaluation year).  Scores roll up as weighted averages of achievements:
operational objectives from their indicators; strategic objectives from their
two groups (their own indicators, their operational objectives); areas from
their objectives; the plan from its areas.  N/D has a selectable policy:

* ``"renormalise"`` (default): leave N/D out and share its weight among the
  siblings that have a score; a group with no score at all is N/D;
* ``"zero"``: count N/D as an achievement of 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import partial
from typing import Any, Literal

from ..ast import NUMBER_PATTERN
from ..catalog import Catalog, Driver
from ..decimals import DIVISION, EXACT, to_decimal
from ..errors import KpiFormulaError, PlanError
from ..evaluator import ABSENT, MappingSource, evaluate
from ..formula import Formula
from ..lint import scales_by_hundred
from ..missing import ND
from ..targets import PROPORTIONAL, Outcome, Scoring, Target, first_target
from ..values import Quantity, format_value, parse_value
from .model import Group, Indicator, Plan
from .scores import IndicatorResult, IndicatorValue, NDPolicy, NodeScore, PlanEvaluation
from .sqlplan import duckdb_values, names_one_driver

__all__ = [
    "IndicatorResult",
    "NDPolicy",
    "NodeScore",
    "PlanEvaluation",
    "dependency_order",
    "evaluate_plan",
    "plan_catalog",
]



def plan_catalog(plan: Plan, indicators: Mapping[str, Indicator]) -> Catalog:
    """The plan's drivers, and the indicators whose code reads as a number
    (``401.50``): declared, a formula's ``401.50`` names them, not a number.
    Other codes read as codes without a catalog's help."""
    entries: dict[str, Driver] = {driver.code: driver for driver in plan.drivers}
    for indicator in indicators.values():
        code = indicator.code
        if (
            indicator.id == code
            and code not in entries
            and all(NUMBER_PATTERN.fullmatch(word) for word in code.split(" "))
        ):
            entries[code] = Driver(code, indicator.name, kind="indicator")
    return Catalog(entries.values(), strict=False)


def _formulas(indicators: Mapping[str, Indicator]) -> dict[str, Formula | None]:
    formulas: dict[str, Formula | None] = {}
    for key, indicator in indicators.items():
        try:
            formulas[key] = indicator.parsed_formula()
        except KpiFormulaError as error:
            raise PlanError(
                f"the formula of {indicator.code} does not parse: {error.reason}",
                hint=error.hint,
                line=indicator.line,
            ) from None
    return formulas


def dependency_order(plan: Plan) -> list[str]:
    """Indicator ids so that each comes after the indicators its formula names.

    Raises :class:`~kpi_formula.PlanError` naming a cycle.
    """
    indicators = plan.indicators()
    return _order(indicators, _formulas(indicators))


def _order(
    indicators: Mapping[str, Indicator], formulas: Mapping[str, Formula | None]
) -> list[str]:
    graph: dict[str, list[str]] = {}
    for key, indicator in indicators.items():
        formula = formulas[key]
        names = () if formula is None else sorted(formula.drivers)
        graph[key] = [code for code in names if code in indicators and code != indicator.code]
    # depth first, iteratively: each indicator after the indicators its formula names
    order: list[str] = []
    done: set[str] = set()
    for start, named in graph.items():
        if start in done:
            continue
        path: list[str] = [start]
        on_path = {start}
        pending = [iter(named)]
        while pending:
            following = next(pending[-1], None)
            if following is None:
                pending.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                order.append(finished)
            elif following in on_path:
                cycle = [*path[path.index(following) :], following]
                raise PlanError(
                    f"indicators refer to each other in a cycle: {' -> '.join(cycle)}",
                    hint="an indicator cannot be computed from itself through others",
                )
            elif following not in done:
                path.append(following)
                on_path.add(following)
                pending.append(iter(graph[following]))
    return order


class _PlanSource:
    """Data for one indicator's formula: other indicators' values, then the data."""

    def __init__(
        self, data: MappingSource, values: Mapping[tuple[str, int], Any], own: str
    ) -> None:
        self.data = data
        self.values = values
        self.own = own

    def lookup(self, code: str, year: int, evaluation_year: int) -> object:
        if code != self.own and (code, year) in self.values:
            return self.values[(code, year)]
        return self.data.lookup(code, year, evaluation_year)


def _read(
    code: str, data: MappingSource, year: int, unit: str | None = None
) -> tuple[IndicatorValue, tuple[str, ...]]:
    """The value of ``code`` in ``year`` straight from the data (inputs, milestones).

    An input in % is a fraction; a number beyond ±1 for it was most likely typed
    in percent without its sign (95 for 95 %), and is refused rather than read
    as 9.500 %.
    """
    raw = data.lookup(code, year, year)
    where = f"{code}@{year}"
    if raw is ABSENT:
        return ND, (f"{where} is missing from the data",)
    if isinstance(raw, dt.date):
        return raw, ()
    value = to_decimal(raw, where)
    if not isinstance(value, Decimal):
        return ND, (f"{where} is N/D",)
    if unit == "%" and abs(value) > 1:
        shown = format(value.normalize(), "f").replace(".", ",")
        return ND, (
            f"{where} is {shown} without a unit, for an indicator in %: is it {shown} % or "
            f"{shown} × 100 %? Write it with its % sign ({shown} %) or as a fraction",
        )
    return value, ()


_POINTS_NOTE = "the formula scales by 100: its value is in percentage points (94,70 is 94,70 %)"


def _in_points(
    indicators: Mapping[str, Indicator], formulas: Mapping[str, Formula | None]
) -> set[str]:
    """The % indicators whose formula scales by 100: they yield percentage points."""
    return {
        key
        for key, formula in formulas.items()
        if formula is not None and indicators[key].unit == "%" and scales_by_hundred(formula)
    }


def _baseline_year(indicator: Indicator, target: Target, target_year: int) -> int | None:
    """The year a relative target refers to: the year it names, the year before the
    target's, or the latest baseline year before the target's."""
    assert target.change is not None
    reference = target.change.reference
    if isinstance(reference, int):
        return reference
    if reference == "previous":
        return target_year - 1
    earlier = [year for year in indicator.baselines if year < target_year]
    return max(earlier) if earlier else None


def _judge(
    indicator: Indicator,
    value: IndicatorValue,
    target_year: int,
    scoring: Scoring,
    reference: Callable[[int], IndicatorValue],
) -> tuple[str | None, Outcome | None, tuple[str, ...], tuple[str, ...]]:
    """The target text, the outcome, problems, and a note on the baseline used."""
    text = indicator.targets.get(target_year)
    if text is None:
        return None, None, (), ()
    try:
        target: Target = first_target(text)
        if not target.needs_baseline:
            return text, target.check(value, scoring=scoring), (), ()
        year = _baseline_year(indicator, target, target_year)
        if year is None:
            return text, None, (f"target {text!r}: the indicator has no baseline year",), ()
        # the indicator's own value of that year, else the baseline the plan writes for it
        base: object = reference(year)
        where = f"its value of {year}"
        if base is ND and year in indicator.baselines:
            base, where = indicator.baselines[year], f"its baseline {year}"
        if base is ND:
            outcome = target.check(value, baseline=ND, scoring=scoring)
            return text, outcome, (f"target {text!r}: no value or baseline of {year}",), ()
        outcome = target.check(value, baseline=base, scoring=scoring)
        shown = outcome.baseline
        note = f"target {text!r} judged against {where}"
        if isinstance(shown, Decimal):
            note += f" ({format_value(Quantity(shown, indicator.unit))})"  # type: ignore[arg-type]
        return text, outcome, (), (note,)
    except KpiFormulaError as error:
        return text, None, (f"target {text!r}: {error.reason}",), ()


def _baselines(indicator: Indicator) -> dict[int, IndicatorValue]:
    """The baselines the plan writes, as values (those that cannot be read left out)."""
    found: dict[int, IndicatorValue] = {}
    for year, text in indicator.baselines.items():
        try:
            value = parse_value(text)
        except KpiFormulaError:
            continue
        if isinstance(value, Quantity):
            if value.unit in (None, indicator.unit):
                found[year] = value.amount
        else:
            found[year] = value
    return found


_HUNDRED = Decimal(100)
_ZERO = Decimal(0)


def _average(
    parts: Sequence[tuple[Decimal, Decimal | None]], nd_policy: NDPolicy
) -> Decimal | None:
    total_weight = total = _ZERO
    add = EXACT.add
    for weight, score in parts:
        if score is None and nd_policy == "renormalise":
            continue
        total_weight = add(total_weight, weight)
        # weight * score + total, exactly, in one call
        total = weight.fma(_ZERO if score is None else score, total, EXACT)
    if total_weight == 0:
        return None
    return DIVISION.divide(total, total_weight)


def evaluate_plan(
    plan: Plan,
    data: Mapping[Any, Any],
    *,
    year: int,
    target_year: int | None = None,
    scoring: Scoring = PROPORTIONAL,
    nd_policy: NDPolicy = "renormalise",
    on_missing: Literal["propagate", "zero"] = "propagate",
    engine: Literal["python", "duckdb"] = "python",
) -> PlanEvaluation:
    """Evaluate every indicator of ``plan`` for ``year``, judge it against its
    target of ``target_year`` (default: ``year``) and roll the scores up.

    With ``engine="duckdb"`` the formulas run as SQL (see
    :func:`kpi_formula.to_sql`) in an embedded DuckDB; inputs, milestones,
    targets and the roll-up are shared with the Python engine, and the reasons
    of an N/D value are told by the evaluator.
    """
    if nd_policy not in ("renormalise", "zero"):
        raise PlanError(f"unknown N/D policy {nd_policy!r}", hint="use 'renormalise' or 'zero'")
    if engine not in ("python", "duckdb"):
        raise PlanError(f"unknown engine {engine!r}", hint="use 'python' or 'duckdb'")
    target_year = year if target_year is None else target_year
    run = _Run(plan, data, on_missing, engine)
    results: dict[str, IndicatorResult] = {}
    for key in run.order:
        indicator = run.indicators[key]
        try:
            value, reasons = run.value_of(key, year)
        except KpiFormulaError as error:
            value, reasons = ND, (error.reason,)
        if indicator.id == indicator.code:
            run.values[(indicator.code, year)] = value
        target, outcome, problems, baseline = _judge(
            indicator, value, target_year, scoring, partial(run.reference, key)
        )
        results[key] = IndicatorResult(
            id=indicator.id,
            code=indicator.code,
            name=indicator.name,
            value=value,
            reasons=reasons + problems,
            target=target,
            met=None if outcome is None else outcome.met,
            achievement=None if outcome is None else outcome.achievement,
            unit=indicator.unit,
            notes=(_POINTS_NOTE,) * (key in run.in_points) + baseline,
            outcome=outcome,
            baselines=_baselines(indicator),
            direction=indicator.direction,
        )
    tree = _roll_up(plan, results, nd_policy)
    # each indicator once, in the order of its first listing
    listed = dict.fromkeys(indicator.id for _, indicator in plan.occurrences())
    unique = tuple(results[key] for key in listed)
    return PlanEvaluation(year, target_year, tree, unique, nd_policy)


class _Run:
    """One evaluation of a plan: its formulas, their order, and the values computed."""

    def __init__(
        self,
        plan: Plan,
        data: Mapping[Any, Any],
        on_missing: Literal["propagate", "zero"],
        engine: Literal["python", "duckdb"],
    ) -> None:
        self.indicators = indicators = plan.indicators()
        self.formulas = formulas = _formulas(indicators)
        self.order = _order(indicators, formulas)
        self.catalog = plan_catalog(plan, indicators)
        self.source = MappingSource(data)
        self.on_missing = on_missing
        self.values: dict[tuple[str, int], Any] = {}
        self.in_points = _in_points(indicators, formulas)
        self.computed_by_sql = (
            duckdb_values(
                indicators=indicators,
                formulas=formulas,
                catalog=self.catalog,
                data=data,
                order=self.order,
                on_missing=on_missing,
            )
            if engine == "duckdb"
            else None
        )

    def reference(self, key: str, when: int) -> IndicatorValue:
        """The indicator's value in another year (N/D when it cannot be had)."""
        try:
            found, _ = self.value_of(key, when)
        except KpiFormulaError:
            found = ND
        return found

    def value_of(self, key: str, when: int) -> tuple[IndicatorValue, tuple[str, ...]]:
        """The indicator's value and reasons, in percent for a formula in points."""
        value, reasons = self._computed(key, when)
        if key in self.in_points and isinstance(value, Decimal):
            value = DIVISION.divide(value, _HUNDRED)
        return value, reasons

    def _computed(self, key: str, when: int) -> tuple[IndicatorValue, tuple[str, ...]]:
        indicators = self.indicators
        indicator = indicators[key]
        formula = self.formulas[key]
        if formula is None:
            return _read(indicator.code, self.source, when, indicator.unit)
        root = formula.root
        if names_one_driver(root, indicators):
            # A formula that names one driver: the driver may hold a date (a milestone).
            return _read(root.code, self.source, when, indicator.unit)  # type: ignore[union-attr]
        if self.computed_by_sql is not None:
            from_sql = self.computed_by_sql[key].get(when)
            if from_sql is not None:
                return from_sql, ()
        # Values of other indicators this formula names, for the years it reads.
        for ref in formula.references:
            other = indicators.get(ref.code)
            if other is not None and ref.code != indicator.code and other.id == ref.code:
                slot = (ref.code, when + ref.offset)
                if slot not in self.values:
                    computed, _ = self.value_of(ref.code, when + ref.offset)
                    self.values[slot] = computed
        result = evaluate(
            formula,
            _PlanSource(self.source, self.values, indicator.code),
            year=when,
            catalog=self.catalog,
            on_missing=self.on_missing,
        )
        return result.value, result.reasons


def _roll_up(plan: Plan, results: Mapping[str, IndicatorResult], nd_policy: NDPolicy) -> NodeScore:
    """The plan tree with each node's weighted score."""

    def score(node: Group | Indicator) -> NodeScore:
        if isinstance(node, Indicator):
            result = results[node.id]
            return NodeScore(
                "indicator", node.code, node.name, node.weight, result.achievement, indicator=result
            )
        children = tuple(score(child) for child in node.children)
        average = _average([(child.weight, child.score) for child in children], nd_policy)
        kind = "group" if node.kind == "section" else node.kind
        return NodeScore(kind, node.code, node.name, node.weight, average, children)

    top = tuple(score(group) for group in plan.tree())
    total = _average([(child.weight, child.score) for child in top], nd_policy)
    return NodeScore("plan", "", plan.title, Decimal(1), total, top)
