"""The plan model — *alberatura della pianificazione*.

A plan holds areas (*ambiti*); an area holds strategic objectives (*obiettivi
strategici*); a strategic objective holds two weighted groups, its own
indicators (*indicatori*) and its operational objectives (*obiettivi
operativi*), each of which holds weighted indicators.  Weights are fractions
(``0.3333`` for the document's ``33,33%``) within their group.

The document's baselines and targets are kept as written (``"1.136 N."``,
``">= 1.100 N."``) so that a plan file loads and saves without loss.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ..catalog import Driver
from ..formula import Formula, parse

__all__ = [
    "Area",
    "Indicator",
    "OperationalObjective",
    "Plan",
    "StrategicObjective",
]


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

    def __post_init__(self) -> None:
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


@dataclass(frozen=True, slots=True)
class Area:
    """An area (*ambito*) and its strategic objectives."""

    code: str
    name: str
    weight: Decimal
    objectives: tuple[StrategicObjective, ...] = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Plan:
    """A whole plan: its areas, and the drivers its formulas read."""

    title: str
    areas: tuple[Area, ...] = ()
    drivers: tuple[Driver, ...] = ()
    baseline_years: tuple[int, ...] = ()
    target_years: tuple[int, ...] = ()

    def occurrences(self) -> Iterator[tuple[str, Indicator]]:
        """Every indicator as listed, with the code of the objective listing it."""
        for area in self.areas:
            for objective in area.objectives:
                for indicator in objective.indicators:
                    yield objective.code, indicator
                for operational in objective.operational:
                    for indicator in operational.indicators:
                        yield operational.code, indicator

    def indicators(self) -> dict[str, Indicator]:
        """The distinct indicators by id; a repeated one is given by its first
        listing that has a formula."""
        found: dict[str, Indicator] = {}
        for _, indicator in self.occurrences():
            known = found.get(indicator.id)
            if known is None or (known.is_input and not indicator.is_input):
                found[indicator.id] = indicator
        return found
