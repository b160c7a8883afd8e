"""Scoring rules: how far a missed target got, as an achievement in [0, 1].

A missed target's *ratio* is oriented so that 1 means "exactly on target"
(see :mod:`kpi_formula.targets`); the rule turns it into the achievement:
:data:`PROPORTIONAL` (the ratio, within [0, 1]; the default), :data:`BINARY`
(0), or :class:`RangeScoring`, the *range di valutazione*.

**A missed target never scores 100 %.**  Whatever the rule says, a missed
target's achievement is at most :data:`MISSED_CEILING` (0,999, shown as
99,9 %), and a met one is exactly 1: ``> 100`` at 100 is missed, and says so in
its score too.

>>> missed_score(PROPORTIONAL, Decimal(1))
Decimal('0.999')
>>> missed_score(RangeScoring(), Decimal("0.8"))
Decimal('0.5')
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol, TypeAlias

from .decimals import DIVISION, EXACT, signless_zero
from .errors import KpiFormulaError, msg

__all__ = [
    "BINARY",
    "MISSED_CEILING",
    "PROPORTIONAL",
    "Binary",
    "Comparison",
    "Inequality",
    "Proportional",
    "RangeScoring",
    "Scoring",
    "compare",
    "missed_score",
    "ratio",
]

Inequality: TypeAlias = Literal[">=", "<=", ">", "<", "="]
"""A comparison of a value with one amount."""

Comparison: TypeAlias = Literal[">=", "<=", ">", "<", "=", "entro", "tra"]
"""How a target compares: an inequality, a deadline (``entro``) or a range (``tra``)."""

MISSED_CEILING = Decimal("0.999")
"""The highest achievement of a missed target (shown as 99,9 %)."""

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
    """The *range di valutazione*: 0 up to ``floor``, 1 from ``ceiling``, linear between
    (a missed target stays below 1 all the same: see :func:`missed_score`)."""

    floor: Decimal = Decimal("0.7")
    ceiling: Decimal = Decimal("0.9")

    def __post_init__(self) -> None:
        bounds = (self.floor, self.ceiling)
        if not all(isinstance(bound, Decimal) and bound.is_finite() for bound in bounds) or not (
            _ZERO <= self.floor < self.ceiling <= _ONE
        ):
            raise KpiFormulaError(
                msg(
                    "a range needs finite decimals 0 <= floor < ceiling <= 1, not {floor} "
                    "and {ceiling}",
                    floor=repr(self.floor),
                    ceiling=repr(self.ceiling),
                ),
                hint=msg(
                    "floor and ceiling are fractions of the target, e.g. Decimal('0.7') and "
                    "Decimal('0.9') (70 % and 90 %)"
                ),
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


def missed_score(scoring: Scoring, ratio: Decimal) -> Decimal:
    """The achievement of a missed target whose ratio is ``ratio``: the rule's
    score, within [0, :data:`MISSED_CEILING`]."""
    score = scoring.score(ratio)
    if not isinstance(score, Decimal) or not score.is_finite():
        raise KpiFormulaError(
            msg("a scoring rule gave {score}, not a finite Decimal", score=repr(score)[:60]),
            hint=msg("a rule's score(ratio) returns a Decimal in [0, 1]"),
        )
    # max(-0, 0) is -0: a zero score shows no sign (not "-0,0 %")
    return signless_zero(min(max(score, _ZERO), MISSED_CEILING))


def compare(comparison: Inequality, value: Decimal, threshold: Decimal) -> bool:
    """Whether ``value`` meets ``comparison`` with ``threshold``."""
    if comparison == ">=":
        return value >= threshold
    if comparison == ">":
        return value > threshold
    if comparison == "<=":
        return value <= threshold
    if comparison == "<":
        return value < threshold
    return value == threshold


def ratio(comparison: Inequality, value: Decimal, threshold: Decimal) -> Decimal:
    """How far a missed target got, 1 meaning on target (threshold is not 0)."""
    higher_is_better = comparison in (">=", ">")
    if (threshold > 0) == higher_is_better:
        numerator, denominator = value, threshold
    else:
        numerator, denominator = threshold, value
    if denominator == 0:
        return _ZERO
    return signless_zero(DIVISION.divide(numerator, denominator))  # 0 / -19 is 0
