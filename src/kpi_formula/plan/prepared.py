"""A plan prepared for evaluation: the plan's counterpart of a compiled formula.

Whatever follows from the plan alone — its formulas parsed and bound to its
catalog, the order they run in, which indicators read which, the percentage
points, the targets and baselines read, the weights checked, the tree laid out
for the roll-up — is worked out once per plan object (:meth:`Plan.prepared`)
and kept with it.  Each evaluation then only reads data, computes and rolls
up, whichever engine runs the formulas.

A plan that cannot be evaluated is a :class:`~kpi_formula.PlanError` here,
before any data is read: a formula that does not parse, indicators that refer
to each other in a cycle, two indicators that a formula could not tell apart
(see :func:`identity_conflicts`), weights that are not fractions within 0–100 %.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import NamedTuple

from ..ast import NUMBER_PATTERN, Ref, references_in
from ..catalog import Catalog, Driver
from ..engines.steps import TreeProgram
from ..errors import KpiFormulaError, Message, PlanError, msg
from ..fasttargets import read_plain_targets
from ..formula import Formula, parse
from ..lint import scales_by
from ..resolver import resolve
from ..result import MissingPolicy
from ..targets import Target, target_for_year
from ..units import in_unit
from ..values import FRACTION_SHIFT, Quantity, Value, format_value, parse_value
from .model import Group, Indicator, Plan
from .scores import IndicatorValue

__all__ = [
    "Binding",
    "PreparedPlan",
    "WeightProblem",
    "bind",
    "dependency_order_of",
    "identity_conflicts",
    "plan_catalog",
    "plan_formula",
    "prepared",
    "weight_problems",
]

_ONE = Decimal(1)


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


def _shown(indicator: Indicator) -> str:
    where = "" if indicator.line is None else f" (line {indicator.line})"
    return f"{indicator.id} {indicator.name!r}{where}"


def identity_conflicts(plan: Plan) -> list[Message]:
    """Indicators a formula or a scorecard could not tell apart, each pair named.

    An id belongs to one indicator: two listings sharing an id are one
    indicator listed twice, so their codes must agree, and so must their
    formulas where both have one; and an id told apart from its code
    (``82.A1.1.2#2``) must not be another indicator's code, or a formula naming
    that code would read the wrong one.
    """
    first: dict[str, Indicator] = {}
    conflicts: list[Message] = []
    for _, indicator in plan.occurrences():
        known = first.setdefault(indicator.id, indicator)
        if known is indicator:
            continue
        if known.code != indicator.code:
            conflicts.append(
                msg(
                    "{first} and {second} share the id {id!r} but not the code",
                    first=_shown(known),
                    second=_shown(indicator),
                    id=indicator.id,
                )
            )
        elif (
            known.formula is not None
            and indicator.formula is not None
            and known.formula.strip() != indicator.formula.strip()
        ):
            conflicts.append(
                msg(
                    "{first} and {second} are one indicator listed twice, with two formulas "
                    "({formula!r} and {other!r})",
                    first=_shown(known),
                    second=_shown(indicator),
                    formula=known.formula,
                    other=indicator.formula,
                )
            )
    by_code: dict[str, Indicator] = {}
    for indicator in first.values():
        by_code.setdefault(indicator.code, indicator)
    for indicator in first.values():
        other = by_code.get(indicator.id)
        if indicator.id != indicator.code and other is not None and other is not indicator:
            conflicts.append(
                msg(
                    "the id of {first} is the code of {second}: a formula naming {id!r} "
                    "could mean either",
                    first=_shown(indicator),
                    second=_shown(other),
                    id=indicator.id,
                )
            )
    return conflicts


class WeightProblem(NamedTuple):
    """Where a weight is wrong, and what is wrong with it."""

    where: str
    problem: Message


def _nodes(plan: Plan) -> Iterator[tuple[str, Group | Indicator]]:
    """Every node of the tree with the path that leads to it, without recursion."""
    pending: list[tuple[str, Group | Indicator]] = [
        (group.code, group) for group in reversed(plan.tree())
    ]
    while pending:
        where, node = pending.pop()
        yield where, node
        if isinstance(node, Group):
            pending.extend(
                (f"{where} › {child.id if isinstance(child, Indicator) else child.code}", child)
                for child in reversed(node.children)
            )


def weight_problems(plan: Plan) -> list[WeightProblem]:
    """Weights that are not fractions within 0–100 %, with where they are."""
    found: list[WeightProblem] = []
    for where, node in _nodes(plan):
        weight = node.weight
        if not 0 <= weight <= _ONE:
            found.append(
                WeightProblem(
                    where,
                    msg(
                        "the weight {weight} is not within 0 % and 100 %",
                        weight=format_value(Quantity(weight, "%")),
                    ),
                )
            )
    return found


POINTS_SCALES: dict[str, int] = {unit: 10**shift for unit, shift in FRACTION_SHIFT.items()}
"""What a formula of an indicator in the unit multiplies by when its value is in points
(the power of ten the unit is shown at):
``X / Y * 100`` in % gives 94,7 for 94,7 %, ``X / Y * 1000`` in ‰ 54,24 for 54,24 ‰.
Such a value is divided by the scale, the indicator being the fraction, in every engine."""


class Binding(NamedTuple):
    """A plan's formulas bound to its catalog, and what each reads."""

    resolved: dict[str, Formula]
    """Each formula as the catalog reads it."""
    notes: dict[str, tuple[str, ...]]
    """The catalog's notes on a formula, for those it has notes on."""
    read_from_data: dict[str, str]
    """The code an indicator's value is read under, for inputs (their own code)
    and formulas that name one driver (a milestone's may hold a date)."""
    reads: dict[str, tuple[tuple[str, int], ...]]
    """The indicators (by id) each formula reads, with the year offset."""
    reads_data: dict[str, tuple[tuple[str, int], ...]]
    """The codes each formula reads from the data, with the year offset."""


def bind(
    indicators: Mapping[str, Indicator],
    formulas: Mapping[str, Formula | None],
    catalog: Catalog,
) -> Binding:
    """Bind each formula to ``catalog`` and find what it reads.  An indicator a
    formula names gets its computed value when its id is its code; inside its own
    formula an indicator's code is the driver of that code."""
    served = {indicator.code: key for key, indicator in indicators.items() if indicator.code == key}
    binding = Binding({}, {}, {}, {}, {})
    bare = not catalog.strict and len(catalog) == 0
    for key, formula in formulas.items():
        own = indicators[key].code
        binding.reads[key] = binding.reads_data[key] = ()
        if formula is None:
            binding.read_from_data[key] = own
            continue
        notes: tuple[str, ...] = ()
        if bare:  # nothing to bind to: resolving would give the formula back, without notes
            bound = formula
        else:
            resolution = resolve(formula, catalog)
            bound, notes = resolution.formula, resolution.notes
        binding.resolved[key] = bound
        if notes:
            binding.notes[key] = notes
        root = bound.root
        if isinstance(root, Ref) and root.offset == 0 and root.code not in served:
            binding.read_from_data[key] = root.code
            continue
        # read from the tree: a plan keeps no set of references for each formula
        read = {(ref.code, ref.offset) for ref in references_in(root)}
        computed = {(code, offset) for code, offset in read if code in served and code != own}
        binding.reads[key] = tuple(sorted((served[code], offset) for code, offset in computed))
        binding.reads_data[key] = tuple(sorted(read - computed))
    return binding


def plan_formula(plan: Plan, indicator: Indicator) -> Formula | None:
    """The formula of ``indicator`` parsed (None for an input), each text once per
    plan object: validation and evaluation share the parse, kept with the plan
    rather than left to the parser's cache, which holds fewer formulas than a
    large plan.  Raises :class:`~kpi_formula.FormulaSyntaxError`, every time."""
    if indicator.is_input or indicator.formula is None:
        return None
    parsed: dict[str, Formula | KpiFormulaError] = plan.prepared("formulas", _no_formulas)
    text = indicator.formula
    found = parsed.get(text)
    if found is None:
        try:
            found = parse(text)
        except KpiFormulaError as error:
            found = error
        parsed[text] = found
    if isinstance(found, KpiFormulaError):
        raise found.with_traceback(None)
    return found


def _no_formulas(plan: Plan) -> dict[str, Formula | KpiFormulaError]:
    return {}


def _formula_of(plan: Plan, indicator: Indicator) -> Formula | None:
    try:
        return plan_formula(plan, indicator)
    except KpiFormulaError as error:
        raise PlanError(
            msg(
                "the formula of {code} does not parse: {reason}",
                code=indicator.code,
                reason=error.reason,
            ),
            hint=error.hint,
            line=indicator.line,
        ) from None


class PreparedPlan:
    """What every evaluation of one plan object shares; see the module documentation.

    Built by :func:`prepared`, once per plan object; read-only afterwards,
    except for what is derived on first use and kept (programs per N/D policy,
    targets per year).
    """

    __slots__ = (
        "_programs",
        "_targets",
        "baseline_years",
        "baselines",
        "catalog",
        "formulas",
        "in_points",
        "indicators",
        "listed",
        "notes",
        "order",
        "post_order",
        "read_from_data",
        "reads",
        "reads_data",
        "resolved",
    )

    def __init__(self, plan: Plan) -> None:
        conflicts = identity_conflicts(plan)
        if conflicts:
            raise PlanError(
                conflicts[0],
                hint=msg("give each indicator an id of its own, one that is no other's code"),
            )
        bad_weights = weight_problems(plan)
        if bad_weights:
            where, problem = bad_weights[0]
            raise PlanError(
                msg("{where}: {problem}", where=where, problem=problem),
                hint=msg("a weight is a share of its group: 60 % or 0,6"),
            )
        self.baseline_years = plan.baseline_years
        self.indicators = indicators = plan.indicators()
        self.catalog = catalog = plan_catalog(plan, indicators)
        self.formulas: dict[str, Formula | None] = {
            key: _formula_of(plan, indicator) for key, indicator in indicators.items()
        }
        binding = bind(indicators, self.formulas, catalog)
        self.resolved, self.notes, self.read_from_data, self.reads, self.reads_data = binding
        # read on the formula as the catalog binds it: a 100 the plan declares a driver
        # is that driver's value, not a scale
        self.in_points: dict[str, int] = {
            key: scale
            for key, formula in self.resolved.items()
            if (scale := POINTS_SCALES.get(indicators[key].unit or "")) is not None
            and scales_by(formula, Decimal(scale))
        }
        self.order = dependency_order_of(self.reads)
        cells: dict[tuple[str, str | None], IndicatorValue | None] = {}  # N/D and the like
        self.baselines = {
            key: _baselines(indicator, cells) for key, indicator in indicators.items()
        }
        # each indicator once, in the order of its first listing
        self.listed = tuple(dict.fromkeys(indicator.id for _, indicator in plan.occurrences()))
        self.post_order = _post_order(plan)
        self._programs: dict[str, dict[str, TreeProgram]] = {}
        self._targets: dict[tuple[str, int], _TargetCell] = {}

    def programs(self, on_missing: MissingPolicy) -> dict[str, TreeProgram]:
        """Each computed indicator's formula on the step engine's rules, for an N/D
        policy: walked, not compiled into closures (see :class:`TreeProgram`)."""
        found = self._programs.get(on_missing)
        if found is None:
            found = self._programs[on_missing] = {
                key: TreeProgram(formula, on_missing, "missing", self.notes.get(key, ()))
                for key, formula in self.resolved.items()
                if key not in self.read_from_data
            }
        return found

    def target(self, key: str, year: int) -> _TargetCell:
        """The indicator's target of ``year``, each cell text read once per year
        (a plan repeats its targets: one cell, and one Target, for all of them)."""
        text = self.indicators[key].targets.get(year)
        if text is None:
            return _NO_TARGET
        cell = self._targets.get((text, year))
        if cell is None:
            cell = self._targets[(text, year)] = _read_target(text, year)
        return cell


class _TargetCell(NamedTuple):
    """A target cell as written, the target it sets for the year, or why it sets
    none (a cell of several years' targets gives the year's own; ``n.d.`` none)."""

    text: str | None
    target: Target | None
    problem: Message | None


_NO_TARGET = _TargetCell(None, None, None)


def _read_target(text: str, year: int) -> _TargetCell:
    try:
        target = target_for_year(text, year)
    except KpiFormulaError as error:
        return _TargetCell(
            text, None, msg("target {text!r}: {reason}", text=text, reason=error.reason)
        )
    if target is None:
        return _TargetCell(
            text,
            None,
            msg(
                "no target for {year} ({text!r}): the indicator is not judged that year",
                year=year,
                text=text,
            ),
        )
    return _TargetCell(text, target, None)


def _value(text: str) -> Value:
    """A baseline cell read as :func:`~kpi_formula.parse_value` reads it.

    Most cells are a plain amount with a canonical unit (``1.136 N.``, ``72,10 %``,
    ``-23,24 gg``): written without a comparison, such a cell is exactly a bare
    target's amount, which the fast target reader reads without Lark (and the
    tests hold to the grammar).  Anything else goes to the value grammar.
    """
    start = text.lstrip()[:1]
    if start.isdigit() or start in ("+", "-"):
        plain = read_plain_targets(text)
        if plain is not None and len(plain) == 1:
            return plain[0][1]
    return parse_value(text)


def _baselines(
    indicator: Indicator, cells: dict[tuple[str, str | None], IndicatorValue | None]
) -> dict[int, IndicatorValue]:
    """The baselines the plan writes, as values (those that cannot be read left out:
    validation reports them); ``cells`` keeps each text read in each unit (None:
    unreadable), for the plan's other cells."""
    found: dict[int, IndicatorValue] = {}
    unit = indicator.unit
    for year, text in indicator.baselines.items():
        key = (text, unit)
        if key in cells:
            value = cells[key]
        else:
            value = cells[key] = _baseline(text, unit)
        if value is not None:
            found[year] = value
    return found


def _baseline(text: str, unit: str | None) -> IndicatorValue | None:
    """A baseline cell in the indicator's unit, or None when it cannot be read."""
    try:
        value = _value(text)
    except KpiFormulaError:
        return None
    try:  # the one rule for units: a bare 85 in a % indicator is no 8.500 %
        return in_unit(value, unit, what=msg("the baseline"))  # type: ignore[arg-type]
    except KpiFormulaError:
        return None


def dependency_order_of(reads: Mapping[str, tuple[tuple[str, int], ...]]) -> list[str]:
    """Indicator ids so that each comes after the indicators its formula reads;
    a :class:`~kpi_formula.PlanError` names a cycle.  Depth first, without
    recursion: a chain of any length is ordered."""
    order: list[str] = []
    done: set[str] = set()
    for start in reads:
        if start in done:
            continue
        path: list[str] = [start]
        on_path = {start}
        pending = [iter(dict.fromkeys(key for key, _ in reads[start]))]
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
                    msg(
                        "indicators refer to each other in a cycle: {cycle}",
                        cycle=" -> ".join(cycle),
                    ),
                    hint=msg("an indicator cannot be computed from itself through others"),
                )
            elif following not in done:
                path.append(following)
                on_path.add(following)
                pending.append(iter(dict.fromkeys(key for key, _ in reads[following])))
    return order


def _post_order(plan: Plan) -> tuple[tuple[Group | Indicator, ...], tuple[int, ...]]:
    """The tree's nodes, children before their group, and each one's number of
    children (-1 for an indicator): the roll-up reads them without recursion.  Two
    tuples side by side, not a pair for each node: the plan keeps two objects."""
    nodes: list[Group | Indicator] = []
    counts: list[int] = []
    pending: list[tuple[Group | Indicator, bool]] = [
        (group, False) for group in reversed(plan.tree())
    ]
    while pending:
        node, expanded = pending.pop()
        if isinstance(node, Indicator):
            nodes.append(node)
            counts.append(-1)
        elif expanded:
            nodes.append(node)
            counts.append(len(node.children))
        else:
            pending.append((node, True))
            pending.extend((child, False) for child in reversed(node.children))
    return tuple(nodes), tuple(counts)


def prepared(plan: Plan) -> PreparedPlan:
    """``plan`` prepared for evaluation, once per plan object."""
    return plan.prepared("evaluation", PreparedPlan)
