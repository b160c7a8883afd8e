"""Scoring rules: how far a missed target got, as an achievement in [0, 1].

A missed target's *ratio* is oriented so that 1 means "exactly on target"
(see :mod:`kpi_formula.targets`); the rule turns it into the achievement:
:data:`PROPORTIONAL` (the ratio, within [0, 1]; the default), :data:`BINARY`
(0), or :class:`RangeScoring`, the *range di valutazione*.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol, TypeAlias

from .decimals import DIVISION, EXACT
from .errors import KpiFormulaError

__all__ = [
    "BINARY",
    "PROPORTIONAL",
    "Binary",
    "Comparison",
    "Proportional",
    "RangeScoring",
    "Scoring",
    "compare",
    "ratio",
]

Comparison: TypeAlias = Literal[">=", "<=", ">", "<", "=", "entro"]

_ZERO = Decimal(0)
_ONE = Decimal(1)


class Scoring(Protocol):
    """How a missed target's ratio (see the module documentation) becomes an
    achievement in [0, 1]."""

    def score(self, ratio: Decimal) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class Proportional:
    """The ratio itself, within [0, 1]."""

    def score(self, ratio: Decimal) -> Decimal:
        return min(max(ratio, _ZERO), _ONE)


@dataclass(frozen=True, slots=True)
class Binary:
    """All or nothing: a missed target scores 0."""

    def score(self, ratio: Decimal) -> Decimal:
        return _ZERO


@dataclass(frozen=True, slots=True)
class RangeScoring:
    """The *range di valutazione*: 0 up to ``floor``, 1 from ``ceiling``, linear between."""

    floor: Decimal = Decimal("0.7")
    ceiling: Decimal = Decimal("0.9")

    def __post_init__(self) -> None:
        if not (Decimal(0) <= self.floor < self.ceiling <= Decimal(1)):
            raise KpiFormulaError(
                f"a range needs 0 <= floor < ceiling <= 1, not {self.floor} and {self.ceiling}",
                hint="floor and ceiling are fractions of the target, e.g. 0.7 and 0.9 (70 % "
                "and 90 %)",
            )

    def score(self, ratio: Decimal) -> Decimal:
        if ratio <= self.floor:
            return _ZERO
        if ratio >= self.ceiling:
            return _ONE
        return DIVISION.divide(
            EXACT.subtract(ratio, self.floor), EXACT.subtract(self.ceiling, self.floor)
        )


PROPORTIONAL = Proportional()
BINARY = Binary()


def compare(comparison: Comparison, value: Decimal, threshold: Decimal) -> bool:
    if comparison == ">=":
        return value >= threshold
    if comparison == ">":
        return value > threshold
    if comparison == "<=":
        return value <= threshold
    if comparison == "<":
        return value < threshold
    return value == threshold


def ratio(comparison: Comparison, value: Decimal, threshold: Decimal) -> Decimal:
    """How far a missed target got, 1 meaning on target (threshold is not 0)."""
    higher_is_better = comparison in (">=", ">")
    if (threshold > 0) == higher_is_better:
        numerator, denominator = value, threshold
    else:
        numerator, denominator = threshold, value
    if denominator == 0:
        return _ZERO
    return DIVISION.divide(numerator, denominator)
