"""The plan model — *alberatura della pianificazione*.

A plan holds areas (*ambiti*); an area holds strategic objectives (*obiettivi
strategici*); a strategic objective holds two weighted groups, its own
indicators (*indicatori*) and its operational objectives (*obiettivi
operativi*), each of which holds weighted indicators.  Weights are fractions
(``0.3333`` for the document's ``33,33%``) within their group.

The document's baselines and targets are kept as written (``"1.136 N."``,
``">= 1.100 N."``) so that a plan file loads and saves without loss.  Weights
are checked where a node is built: a finite :class:`~decimal.Decimal` (an
``int`` is taken as one); whether they lie within 0–100 % and add up within
their group is for :func:`~kpi_formula.plan.validate_plan` to report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from ..catalog import Driver
from ..direction import Direction
from ..errors import PlanError, msg
from ..formula import Formula, parse

T = TypeVar("T")

__all__ = [
    "Area",
    "Group",
    "Indicator",
    "OperationalObjective",
    "Plan",
    "StrategicObjective",
]


def _check_weights(node: Any, *names: str) -> None:
    """Each named weight of ``node`` a finite Decimal (an int becomes one), or a PlanError."""
    for name in names:
        weight = getattr(node, name)
        if isinstance(weight, Decimal) and weight.is_finite():
            continue
        if isinstance(weight, int) and not isinstance(weight, bool):
            object.__setattr__(node, name, Decimal(weight))
            continue
        raise PlanError(
            msg(
                "the weight of {code} is {weight}, not a finite number",
                code=node.code,
                weight=repr(weight)[:40],
            ),
            hint=msg("a weight is a share of its group: 60 % or 0,6"),
            line=node.line,
        )


@dataclass(frozen=True, slots=True)
class Indicator:
    """An indicator (*indicatore*) as one objective lists it.

    ``id`` tells apart two different indicators that share a ``code`` by
    mistake; it equals ``code`` otherwise.  An indicator without a formula,
    or whose formula is its own code, is an *input*: its value is read from
    the data under its code.
    """

    code: str
    name: str
    weight: Decimal
    formula: str | None = None
    description: str = ""
    unit: str | None = None
    baselines: Mapping[int, str] = field(default_factory=dict, hash=False)
    targets: Mapping[int, str] = field(default_factory=dict, hash=False)
    id: str = ""
    line: int | None = field(default=None, compare=False)
    direction: Direction | None = None
    """Whether a higher value is better (``"higher"``) or a lower one
    (``"lower"``); None when the plan does not say (a bare target is then read as
    *at least*, and the verdict says so)."""

    def __post_init__(self) -> None:
        _check_weights(self, "weight")
        if not self.id:
            object.__setattr__(self, "id", self.code)

    @property
    def is_input(self) -> bool:
        """True when the value comes straight from the data."""
        return self.formula is None or self.formula.strip() == self.code

    def parsed_formula(self) -> Formula | None:
        """The formula, parsed (None for inputs); raises FormulaSyntaxError."""
        return None if self.is_input or self.formula is None else parse(self.formula)


@dataclass(frozen=True, slots=True)
class OperationalObjective:
    """An operational objective (*obiettivo operativo*) and its indicators."""

    code: str
    name: str
    weight: Decimal
    indicators: tuple[Indicator, ...] = ()
    line: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _check_weights(self, "weight")


@dataclass(frozen=True, slots=True)
class StrategicObjective:
    """A strategic objective (*obiettivo strategico*): its own indicators and
    its operational objectives, each group with its weight."""

    code: str
    name: str
    weight: Decimal
    indicators_weight: Decimal = Decimal("0.5")
    indicators: tuple[Indicator, ...] = ()
    operational_weight: Decimal = Decimal("0.5")
    operational: tuple[OperationalObjective, ...] = ()
    line: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _check_weights(self, "weight", "indicators_weight", "operational_weight")


@dataclass(frozen=True, slots=True)
class Area:
    """An area (*ambito*) and its strategic objectives."""

    code: str
    name: str
    weight: Decimal
    objectives: tuple[StrategicObjective, ...] = ()
    line: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _check_weights(self, "weight")


@dataclass(frozen=True, slots=True)
class Group:
    """A weighted node of a plan tree of any depth — an area, an objective, a
    programme, a mission: whatever a body nests.  Its children are groups or
    indicators; their weights are fractions that add up to 1 within the group.

    ``kind`` names the level for scorecards (``"group"`` unless the plan says
    otherwise: the Integra shape has ``"area"``, ``"objective"``,
    ``"operational"``).
    """

    code: str
    name: str
    weight: Decimal
    children: tuple[Group | Indicator, ...] = ()
    kind: str = "group"
    line: int | None = field(default=None, compare=False)
    description: str = ""

    def __post_init__(self) -> None:
        _check_weights(self, "weight")


@dataclass(frozen=True, slots=True)
class Plan:
    """A whole plan: its tree, and the drivers its formulas read.

    The tree is either the Integra shape (``areas``: area → strategic objective
    → its indicators and its operational objectives) or any tree of
    :class:`Group` (``groups``); :meth:`tree` gives either as groups.
    """

    title: str
    areas: tuple[Area, ...] = ()
    drivers: tuple[Driver, ...] = ()
    baseline_years: tuple[int, ...] = ()
    target_years: tuple[int, ...] = ()
    groups: tuple[Group, ...] = ()
    language: str | None = None
    """The language its scorecards speak (``"it"``, ``"en"``), unless told otherwise;
    None: the reader's."""
    _tree: tuple[Group, ...] = field(init=False, repr=False, compare=False, hash=False)
    _indicators: dict[str, Indicator] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _memo: dict[str, Any] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # a plan is read once and evaluated often: its tree is worked out once
        tree = self.groups or tuple(_area_group(area) for area in self.areas)
        object.__setattr__(self, "_tree", tree)
        found: dict[str, Indicator] = {}
        for _, indicator in self.occurrences():
            known = found.get(indicator.id)
            if known is None or (known.is_input and not indicator.is_input):
                found[indicator.id] = indicator
        object.__setattr__(self, "_indicators", found)
        object.__setattr__(self, "_memo", {})

    def prepared(self, key: str, build: Callable[[Plan], T]) -> T:
        """What ``build`` derives from this plan (formulas parsed, an engine's
        query), worked out once per plan object and kept with it: a plan is
        immutable, so whatever is derived from it stays true.  ``key`` names
        the derivation (one per engine or purpose)."""
        memo = self._memo
        if key not in memo:
            memo[key] = build(self)
        found: T = memo[key]
        return found

    def __getstate__(self) -> dict[str, Any]:
        # what is derived is rebuilt where the plan is unpickled, not shipped with it
        return {name: getattr(self, name) for name in _PLAN_FIELDS}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self.__post_init__()

    def tree(self) -> tuple[Group, ...]:
        """The top-level groups of the plan, the Integra shape as groups: an
        objective holds the groups *Indicatori* and *Obiettivi operativi* (each
        with its weight, left out when empty)."""
        return self._tree

    def occurrences(self) -> Iterator[tuple[str, Indicator]]:
        """Every indicator as listed, with the code of the group listing it (for
        the Integra shape: the objective, or the operational objective)."""
        for group in self.tree():
            # depth first, on a stack of our own: a tree of any depth is walked
            pending = [(iter(group.children), group.code)]
            while pending:
                children, listing = pending[-1]
                child = next(children, None)
                if child is None:
                    pending.pop()
                elif isinstance(child, Indicator):
                    yield listing, child
                else:
                    code = listing if child.kind == "section" else child.code
                    pending.append((iter(child.children), code))

    def indicators(self) -> dict[str, Indicator]:
        """The distinct indicators by id; a repeated one is given by its first
        listing that has a formula."""
        return dict(self._indicators)


_PLAN_FIELDS = (
    "title",
    "areas",
    "drivers",
    "baseline_years",
    "target_years",
    "groups",
    "language",
)


def _area_group(area: Area) -> Group:
    objectives = []
    for objective in area.objectives:
        sections = [
            Group(
                f"{objective.code} indicatori",
                "Indicatori",
                objective.indicators_weight,
                objective.indicators,
                "section",
            ),
            Group(
                f"{objective.code} obiettivi operativi",
                "Obiettivi operativi",
                objective.operational_weight,
                tuple(
                    Group(
                        item.code, item.name, item.weight, item.indicators, "operational", item.line
                    )
                    for item in objective.operational
                ),
                "section",
            ),
        ]
        objectives.append(
            Group(
                objective.code,
                objective.name,
                objective.weight,
                tuple(section for section in sections if section.children),
                "objective",
                objective.line,
            )
        )
    return Group(area.code, area.name, area.weight, tuple(objectives), "area", area.line)
