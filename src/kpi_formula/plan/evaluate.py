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
from collections.abc import Mapping, Sequence
from decimal import Decimal, DecimalException
from typing import Any, Literal

from ..decimals import DIVISION, EXACT, to_decimal
from ..display import display_value
from ..engines.steps import ABSENT, DataSource, MappingSource
from ..errors import KpiFormulaError, Message, PlanError, UnitMismatchError, msg
from ..missing import ND
from ..result import MissingPolicy, checked_year
from ..targets import PROPORTIONAL, Outcome, Scoring, Target
from ..values import Quantity, fraction_shift
from .dataunits import in_plan_units
from .model import Indicator, Plan
from .prepared import PreparedPlan, plan_catalog, prepared
from .scores import IndicatorResult, IndicatorValue, NDPolicy, NodeScore, PlanEvaluation
from .sqlplan import duckdb_values

__all__ = [
    "IndicatorResult",
    "NDPolicy",
    "NodeScore",
    "PlanEvaluation",
    "dependency_order",
    "evaluate_plan",
    "plan_catalog",
]


def dependency_order(plan: Plan) -> list[str]:
    """Indicator ids so that each comes after the indicators its formula names.

    Raises :class:`~kpi_formula.PlanError` naming a cycle (or anything else that
    keeps the plan from being evaluated).
    """
    return list(prepared(plan).order)


class _PlanSource:
    """Data for one indicator's formula: other indicators' values, then the data.

    A bare code in the data (no year) is a value of the evaluation year of the
    whole plan, whichever year a formula is computed for.
    """

    __slots__ = ("data", "own", "values", "year")

    def __init__(
        self,
        data: DataSource,
        values: Mapping[tuple[str, int], IndicatorValue],
        own: str,
        year: int,
    ) -> None:
        self.data = data
        self.values = values
        self.own = own
        self.year = year

    def lookup(self, code: str, year: int, evaluation_year: int) -> object:
        if code != self.own:
            found = self.values.get((code, year), ABSENT)
            if found is not ABSENT:
                return found
        return self.data.lookup(code, year, self.year)


def _points_note(value: IndicatorValue, unit: str) -> Message:
    """The note of an indicator in % (or ‰) whose formula scales by 100 (or 1000), with
    its own value (never an example a reader could take for it)."""
    per_mille = unit == "‰"
    if isinstance(value, Decimal):
        try:
            points = value.scaleb(fraction_shift(unit), EXACT)  # type: ignore[arg-type]
        except DecimalException:  # at the exponent's limit: no figure to show
            pass
        else:
            shown = {"points": display_value(points), "shown": display_value(value, unit)}
            if per_mille:
                return msg(
                    "the formula scales by 1000: its value is in per-mille points "
                    "({points} is {shown})",
                    **shown,
                )
            return msg(
                "the formula scales by 100: its value is in percentage points "
                "({points} is {shown})",
                **shown,
            )
    if per_mille:
        return msg("the formula scales by 1000: its value is in per-mille points")
    return msg("the formula scales by 100: its value is in percentage points")


_ZERO = Decimal(0)


_NOTHING: tuple[IndicatorValue, tuple[str, ...]] = (ND, ())


class _Run:
    """One evaluation of a prepared plan: the data, and the values computed so far.

    Values are computed slot by slot — an indicator in a year — each after the
    slots it reads, with a stack of its own rather than Python's: a chain of
    indicators each reading the next one's prior year may be as long as a plan is.

    Such a chain reads an indicator in as many years as the chain is long, and each
    of those in as many again.  Where N/D propagates, a slot of another year that
    cannot hold a value — one its formula would read from years the data does not
    hold — is N/D at once, without computing what it reads: the work then follows
    the values the data can give, not the length of the chain.
    """

    __slots__ = (
        "_years",
        "computed",
        "data",
        "on_missing",
        "plan",
        "programs",
        "served",
        "source",
        "sql",
        "values",
        "year",
    )

    def __init__(
        self,
        plan: PreparedPlan,
        data: Mapping[Any, Any],
        year: int,
        on_missing: MissingPolicy,
        engine: Literal["python", "duckdb"],
    ) -> None:
        self.plan = plan
        self.year = year
        self.data = data
        self.on_missing = on_missing
        self._years: dict[str, frozenset[int] | None] | None = None
        self.source = MappingSource(data)
        self.programs = plan.programs(on_missing)
        self.computed: dict[tuple[str, int], tuple[IndicatorValue, tuple[str, ...]]] = {}
        self.values: dict[tuple[str, int], IndicatorValue] = {}
        self.served = _PlanSource(self.source, self.values, "", year)
        self.sql = (
            duckdb_values(plan, data, year=year, on_missing=on_missing)
            if engine == "duckdb"
            else None
        )

    def value(self, key: str, when: int) -> tuple[IndicatorValue, tuple[str, ...]]:
        """The indicator's value in ``when`` and the reasons of an N/D, in percent
        for a formula in points."""
        computed = self.computed
        found = computed.get((key, when))
        if found is not None:
            return found
        reads = self.plan.reads
        pending = [(key, when)]
        while pending:
            slot = pending[-1]
            if slot in computed:
                pending.pop()
                continue
            each, year = slot
            waiting = []
            for other, offset in reads[each]:
                needed = (other, year + offset)
                if needed in computed:
                    continue
                if needed[1] != self.year and not self._may_hold(*needed):
                    self._keep(needed, _NOTHING)
                else:
                    waiting.append(needed)
            if waiting:
                pending += waiting
                continue
            pending.pop()
            self._keep(slot, self._compute(each, year))
        return computed[(key, when)]

    def _keep(self, slot: tuple[str, int], result: tuple[IndicatorValue, tuple[str, ...]]) -> None:
        self.computed[slot] = result
        indicator = self.plan.indicators[slot[0]]
        if indicator.id == indicator.code:  # the one a formula naming the code reads
            self.values[(indicator.code, slot[1])] = result[0]

    def _may_hold(self, key: str, year: int) -> bool:
        """Whether the indicator can have a value in ``year``: False only where N/D
        propagates and it would read a year the data does not hold."""
        years = self._years
        if years is None:
            years = self._years = self._possible_years()
        found = years[key]
        return found is None or year in found

    def _possible_years(self) -> dict[str, frozenset[int] | None]:
        """For each indicator, the years it can have a value in (None: any year),
        from the years the data holds, in dependency order."""
        held: dict[str, set[int]] = {}
        for entry in self.data:
            if isinstance(entry, tuple) and len(entry) == 2:
                held.setdefault(entry[0], set()).add(entry[1])
            elif isinstance(entry, str):
                held.setdefault(entry, set()).add(self.year)
        plan = self.plan
        possible: dict[str, frozenset[int] | None] = {}
        for key in plan.order:
            code = plan.read_from_data.get(key)
            if code is not None:
                possible[key] = frozenset(held.get(code, ()))
                continue
            if self.on_missing == "zero":  # a missing operand counts as 0: any year
                possible[key] = None
                continue
            found: frozenset[int] | None = None
            sources: list[tuple[frozenset[int] | None, int]] = [
                (frozenset(held.get(code, ())), offset) for code, offset in plan.reads_data[key]
            ]
            sources += [(possible[other], offset) for other, offset in plan.reads[key]]
            for years, offset in sources:
                if years is None:
                    continue
                shifted = frozenset(year - offset for year in years)
                found = shifted if found is None else found & shifted
            possible[key] = found
        return possible

    def reference(self, key: str, when: int) -> IndicatorValue:
        """The indicator's value in another year (N/D when it cannot be had)."""
        return self.value(key, when)[0]

    def _compute(self, key: str, when: int) -> tuple[IndicatorValue, tuple[str, ...]]:
        plan = self.plan
        indicator = plan.indicators[key]
        code = plan.read_from_data.get(key)
        if code is not None:
            return self._read(code, when, indicator.unit)
        value: IndicatorValue
        reasons: tuple[str, ...] = ()
        from_sql = None if self.sql is None else self.sql.get(key, {}).get(when)
        if from_sql is not None and self.on_missing == "propagate":
            value = from_sql  # all its operands were there: nothing to tell
        else:
            # the evaluator tells why a value is N/D, or which drivers counted as 0
            source = self.served
            source.own = indicator.code  # one source for the run: computing is not re-entered
            try:
                value, reasons = self.programs[key].value_on(source, when)
            except UnitMismatchError as error:
                # values of different units joined by + or -: the data are wrong, as a
                # value in the wrong unit is (plan.dataunits), not missing
                raise UnitMismatchError(
                    error.actual_unit,
                    error.target_unit,
                    reason=msg(
                        "{id}@{year}: {reason}", id=indicator.id, year=when, reason=error.reason
                    ),
                    hint=error.hint,
                ) from None
            except KpiFormulaError as error:
                return ND, (error.reason,)
            if from_sql is not None:
                value = from_sql
        scale = plan.in_points.get(key)
        if scale is not None and isinstance(value, Decimal):
            value = DIVISION.divide(value, Decimal(scale))
        return value, reasons

    def _read(
        self, code: str, year: int, unit: str | None
    ) -> tuple[IndicatorValue, tuple[str, ...]]:
        """The value of ``code`` in ``year`` straight from the data (inputs, milestones),
        already read in the indicator's unit (see :mod:`kpi_formula.plan.dataunits`):
        ``150 %`` is 1,5 and a bare 95 for a share in % never gets here."""
        raw = self.source.lookup(code, year, self.year)
        if raw is ABSENT:
            return ND, (msg("{code}@{year} is missing from the data", code=code, year=year),)
        if isinstance(raw, dt.date):
            return raw, ()
        try:
            value = to_decimal(raw, f"{code}@{year}")
        except KpiFormulaError as error:
            return ND, (error.reason,)
        if not isinstance(value, Decimal):
            return ND, (msg("{code}@{year} is N/D", code=code, year=year),)
        return value, ()


def _reference_year(
    indicator: Indicator, target: Target, target_year: int, plan_years: Sequence[int]
) -> tuple[int, Message | None]:
    """The year a relative target refers to — the year it names, the year before
    the target's, or the latest baseline year before the target's (the
    indicator's, else the plan's) — and a note when the plan names no such year
    and the year before the target's is taken."""
    assert target.change is not None
    reference = target.change.reference
    if isinstance(reference, int):
        return reference, None
    if reference == "previous":
        return target_year - 1, None
    for years in (indicator.baselines, plan_years):
        earlier = [year for year in years if year < target_year]
        if earlier:
            return max(earlier), None
    return target_year - 1, msg(
        "the plan names no baseline year before {target_year}: the baseline is taken as "
        "{year}, the year before the target's",
        target_year=target_year,
        year=target_year - 1,
    )


def _in_unit(value: IndicatorValue, indicator: Indicator, target: Target) -> object:
    """A value as the target is to judge it: with the indicator's unit, so that a
    percentage beyond 100 % is one (1,5 is 150 %, not a slip of 150 typed for 150 %)
    and a target in another unit is refused, not compared; bare against a bare
    target (``>= 10`` for an indicator in N.), which has no unit to compare."""
    if (
        isinstance(value, Decimal)
        and indicator.unit is not None
        and (target.unit is not None or target.needs_baseline)
    ):
        return Quantity(value, indicator.unit)  # type: ignore[arg-type]
    return value


def _judge(
    run: _Run, key: str, value: IndicatorValue, target_year: int, scoring: Scoring
) -> tuple[str | None, Outcome | None, tuple[str, ...], tuple[str, ...]]:
    """The target text, the outcome, problems, and notes on the reference used."""
    plan = run.plan
    text, target, problem = plan.target(key, target_year)
    if text is None:
        return None, None, (), ()
    if target is None:
        assert problem is not None
        return text, None, (problem,), ()
    indicator = plan.indicators[key]
    try:
        way = indicator.direction
        if not target.needs_baseline:
            outcome = target.check(
                _in_unit(value, indicator, target), direction=way, scoring=scoring
            )
            return text, outcome, (), outcome.notes
        year, assumed = _reference_year(indicator, target, target_year, plan.baseline_years)
        notes = () if assumed is None else (assumed,)
        # the indicator's own value of that year, else the baseline the plan writes for it
        base = run.reference(key, year)
        computed = base is not ND
        if not computed:
            base = plan.baselines[key].get(year, ND)
        outcome = target.check(
            _in_unit(value, indicator, target),
            baseline=_in_unit(base, indicator, target),
            direction=way,
            scoring=scoring,
        )
        notes = (*notes, *outcome.notes)
        if base is ND:
            missing = msg("target {text!r}: no value or baseline of {year}", text=text, year=year)
            return text, outcome, (missing,), notes
        shown = display_value(base, indicator.unit)
        note = (
            msg(
                "target {text!r} judged against its value of {year} ({value})",
                text=text,
                year=year,
                value=shown,
            )
            if computed
            else msg(
                "target {text!r} judged against its baseline {year} ({value})",
                text=text,
                year=year,
                value=shown,
            )
        )
        return text, outcome, (), (*notes, note)
    except KpiFormulaError as error:
        return text, None, (msg("target {text!r}: {reason}", text=text, reason=error.reason),), ()


def _average(children: Sequence[NodeScore], nd_policy: NDPolicy) -> Decimal | None:
    """The weighted average of the children's scores: an unjudged child left out,
    an N/D one left out (``renormalise``) or counted as 0 (``zero``)."""
    total_weight = total = _ZERO
    add = EXACT.add
    for child in children:
        weight, score = child.weight, child.score
        if not child.judged or (score is None and nd_policy == "renormalise"):
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
    on_missing: MissingPolicy = "propagate",
    engine: Literal["python", "duckdb"] = "python",
) -> PlanEvaluation:
    """Evaluate every indicator of ``plan`` for ``year``, judge it against its
    target of ``target_year`` (default: ``year``) and roll the scores up.

    What follows from the plan alone is worked out on the first call for a plan
    object and kept with it (see :mod:`kpi_formula.plan.prepared`); later calls
    only read the data, compute and roll up.

    With ``engine="duckdb"`` the formulas run as SQL (see
    :func:`kpi_formula.to_sql`) in an embedded DuckDB; inputs, milestones,
    targets and the roll-up are shared with the Python engine, and the reasons
    of an N/D value are told by the evaluator.
    """
    if nd_policy not in ("renormalise", "zero"):
        raise PlanError(
            msg("unknown N/D policy {policy!r}", policy=nd_policy),
            hint=msg("use 'renormalise' or 'zero'"),
        )
    if engine not in ("python", "duckdb"):
        raise PlanError(
            msg("unknown engine {engine!r}", engine=engine), hint=msg("use 'python' or 'duckdb'")
        )
    if on_missing not in ("propagate", "zero"):
        raise PlanError(
            msg("unknown on_missing policy {policy!r}", policy=on_missing),
            hint=msg("use 'propagate' or 'zero'"),
        )
    year = checked_year(year, PlanError)
    target_year = year if target_year is None else checked_year(target_year, PlanError)
    # No pause of the cyclic garbage collector here: its state is the process's,
    # which a host with other threads may rely on or change meanwhile.  The call
    # allocates little for the collector to traverse instead (formulas walked, not
    # compiled into closures; a target read once per cell text); a service holding
    # its plans for long may gc.freeze() once they are loaded and prepared.
    return _evaluate(
        plan,
        data,
        year=year,
        target_year=target_year,
        scoring=scoring,
        nd_policy=nd_policy,
        on_missing=on_missing,
        engine=engine,
    )


def _evaluate(
    plan: Plan,
    data: Mapping[Any, Any],
    *,
    year: int,
    target_year: int,
    scoring: Scoring,
    nd_policy: NDPolicy,
    on_missing: MissingPolicy,
    engine: Literal["python", "duckdb"],
) -> PlanEvaluation:
    ready = prepared(plan)
    data = in_plan_units(plan, data, year=year)  # the one rule for units, for every engine
    run = _Run(ready, data, year, on_missing, engine)
    results: dict[str, IndicatorResult] = {}
    for key in ready.order:
        indicator = ready.indicators[key]
        value, reasons = run.value(key, year)
        target, outcome, problems, notes = _judge(run, key, value, target_year, scoring)
        if key in ready.in_points:
            notes = (_points_note(value, indicator.unit or ""), *notes)
        # positional, in the order of the fields: a call by keyword costs as much
        # again, and a plan makes one result per indicator
        results[key] = IndicatorResult(
            indicator.id,
            indicator.code,
            indicator.name,
            value,
            reasons + problems,
            target,
            None if outcome is None else outcome.met,
            None if outcome is None else outcome.achievement,
            indicator.unit,
            notes,
            outcome,
            ready.baselines[key],
            indicator.direction,
        )
    tree = _roll_up(ready, plan.title, results, nd_policy)
    unique = tuple(results[key] for key in ready.listed)
    return PlanEvaluation(year, target_year, tree, unique, nd_policy)


def _roll_up(
    plan: PreparedPlan, title: str, results: Mapping[str, IndicatorResult], nd_policy: NDPolicy
) -> NodeScore:
    """The plan tree with each node's weighted score, children before their group
    (the prepared post-order: no recursion, whatever the depth)."""
    done: list[NodeScore] = []
    for node, count in zip(*plan.post_order, strict=True):
        if isinstance(node, Indicator):
            result = results[node.id]
            done.append(
                NodeScore(  # positional, in the order of the fields, as for each result
                    "indicator",
                    node.code,
                    node.name,
                    node.weight,
                    result.achievement,
                    (),
                    result,
                    # N/D (counted as 0 under "zero"), or judged; a value without a
                    # verdict (no target that year) is left out under either policy
                    result.value is ND or result.outcome is not None,
                )
            )
            continue
        start = len(done) - count
        children = tuple(done[start:])
        del done[start:]
        average = _average(children, nd_policy)
        kind = "group" if node.kind == "section" else node.kind
        judged = any(child.judged for child in children)
        done.append(
            NodeScore(kind, node.code, node.name, node.weight, average, children, judged=judged)
        )
    top = tuple(done)
    total = _average(top, nd_policy)
    return NodeScore("plan", "", title, Decimal(1), total, top)
