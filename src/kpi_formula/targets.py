"""Targets and the degree of achievement (*grado di raggiungimento*).

A target cell of a planning document is a comparison with a value
(``>= 1.100 N.``, ``=> 50,00 %``, ``<= -19 gg``), a bare value (at least that
value), or a deadline (``Entro 31-12-2025``: met when the actual date is on
or before it).  A cell may hold one target per year::

    >>> import kpi_formula as kf
    >>> kf.parse_targets("=> 50,00 %    => 60,00 %    => 65,00 %")[1]
    Target('>= 60,00 %')
    >>> outcome = kf.parse_target("<= -19 gg").check(kf.parse_value("-10 gg"))
    >>> outcome.met, outcome.achievement
    (False, Decimal('0.5263157894736842105263157895'))

**Scoring.**  ``Target.check`` first computes the *ratio* of the actual value
to the threshold, oriented so that 1 means "exactly on target":

* higher is better (``>=``, ``>``, bare values): ``actual / target`` for a
  positive target; ``target / actual`` for a negative one (``>= -10 %`` met
  at ``-20 %`` halfway);
* lower is better (``<=``, ``<``): ``target / actual`` for a positive target
  (``<= 2 gg`` at 4 days is 0.5); ``actual / target`` for a negative one
  (``<= -19 gg`` — paying 19 days ahead of the due date — at -10 days is
  0.526; at 0 days or later, 0);
* a zero target, an equality (``=``) and a deadline are met or not: 1 or 0.

A met target always scores 1.  The :class:`Scoring` rule turns the ratio of a
missed target into the achievement: :data:`PROPORTIONAL` (the ratio, within
[0, 1]; the default), :data:`BINARY` (0), or :class:`RangeScoring` — the
*range di valutazione*: nothing up to ``floor`` (70 % of the target), full
marks from ``ceiling`` (90 %), linear in between.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol, TypeAlias

from .decimals import DIVISION, EXACT
from .errors import KpiFormulaError, TargetSyntaxError, UnitMismatchError
from .inputs import require_text
from .missing import ND, NotAvailable
from .values import (
    Quantity,
    Unit,
    build_date,
    build_quantity,
    format_value,
    parse_value,
    parse_with,
)

__all__ = [
    "BINARY",
    "PROPORTIONAL",
    "Binary",
    "Comparison",
    "Outcome",
    "Proportional",
    "RangeScoring",
    "Scoring",
    "Target",
    "parse_target",
    "parse_targets",
]

Comparison: TypeAlias = Literal[">=", "<=", ">", "<", "=", "entro"]

_SPELLINGS: dict[str, Comparison] = {
    ">=": ">=",
    "=>": ">=",
    "≥": ">=",
    "<=": "<=",
    "=<": "<=",
    "≤": "<=",
    ">": ">",
    "<": "<",
    "=": "=",
}
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
                hint="for example RangeScoring(Decimal('0.7'), Decimal('0.9'))",
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


@dataclass(frozen=True, slots=True)
class Outcome:
    """A value judged against a target.

    ``met`` is True or False, or None when the value is N/D; ``achievement``
    is a Decimal in [0, 1], or None when the value is N/D.
    """

    met: bool | None
    achievement: Decimal | None
    actual: Decimal | dt.date | NotAvailable
    target: Target

    def __repr__(self) -> str:
        actual = (
            format_value(self.actual)
            if not isinstance(self.actual, Decimal)
            else format_value(Quantity(self.actual, self.target.unit))
        )
        return (
            f"Outcome(met={self.met}, achievement={self.achievement!r}, "
            f"actual={actual!r}, target={str(self.target)!r})"
        )


@dataclass(frozen=True, slots=True)
class Target:
    """One target: a comparison with a threshold, or a deadline (``entro``)."""

    comparison: Comparison
    threshold: Quantity | dt.date
    text: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        deadline = self.comparison == "entro"
        if deadline != isinstance(self.threshold, dt.date):
            raise KpiFormulaError(
                f"a {self.comparison!r} target needs "
                f"{'a date' if deadline else 'a quantity'}, not {self.threshold!r}",
                hint="Target('entro', date(2025, 12, 31)) or Target('>=', Quantity(...))",
            )

    @property
    def unit(self) -> Unit | None:
        """The threshold's unit (None for plain numbers and deadlines)."""
        return self.threshold.unit if isinstance(self.threshold, Quantity) else None

    def __str__(self) -> str:
        if isinstance(self.threshold, dt.date):
            return f"Entro {format_value(self.threshold)}"
        return f"{self.comparison} {format_value(self.threshold)}"

    def __repr__(self) -> str:
        return f"Target({str(self)!r})"

    def check(self, actual: object, *, scoring: Scoring = PROPORTIONAL) -> Outcome:
        """Judge ``actual`` — a Decimal or int in the target's unit (a
        percentage as a fraction), a Quantity, a date, N/D, or document text."""
        value = _actual_value(actual, self)
        if value is ND:
            return Outcome(None, None, ND, self)
        if isinstance(self.threshold, dt.date):
            if not isinstance(value, dt.date):
                raise UnitMismatchError("a number", "a deadline date")
            met = value <= self.threshold
            return Outcome(met, _ONE if met else _ZERO, value, self)
        if not isinstance(value, Decimal):
            raise UnitMismatchError("a date", self.unit)
        threshold = self.threshold.amount
        met = _compare(self.comparison, value, threshold)
        if met:
            achievement = _ONE
        elif self.comparison == "=" or threshold == 0:
            achievement = _ZERO
        else:
            achievement = scoring.score(_ratio(self.comparison, value, threshold))
        return Outcome(met, achievement, value, self)


def _actual_value(actual: object, target: Target) -> Decimal | dt.date | NotAvailable:
    if isinstance(actual, str):
        actual = parse_value(actual)
    if actual is None or actual is ND:
        return ND
    if isinstance(actual, Quantity):
        if actual.unit is not None and actual.unit != target.unit:
            raise UnitMismatchError(actual.unit, target.unit)
        return actual.amount
    if isinstance(actual, bool):
        raise KpiFormulaError(f"cannot judge {actual!r}", hint="give a number, a date or N/D")
    if isinstance(actual, int):
        return Decimal(actual)
    if isinstance(actual, Decimal):
        if actual.is_nan():
            return ND
        if not actual.is_finite():
            raise KpiFormulaError("cannot judge an infinite value", hint="give a finite number")
        return actual
    if isinstance(actual, dt.date):
        return actual
    raise KpiFormulaError(
        f"cannot judge a {type(actual).__name__}",
        hint="give a Decimal, an int, a Quantity, a date, N/D or document text",
    )


def _compare(comparison: Comparison, value: Decimal, threshold: Decimal) -> bool:
    if comparison == ">=":
        return value >= threshold
    if comparison == ">":
        return value > threshold
    if comparison == "<=":
        return value <= threshold
    if comparison == "<":
        return value < threshold
    return value == threshold


def _ratio(comparison: Comparison, value: Decimal, threshold: Decimal) -> Decimal:
    """How far a missed target got, 1 meaning on target (threshold is not 0)."""
    higher_is_better = comparison in (">=", ">")
    if (threshold > 0) == higher_is_better:
        numerator, denominator = value, threshold
    else:
        numerator, denominator = threshold, value
    if denominator == 0:
        return _ZERO
    return DIVISION.divide(numerator, denominator)


def _build_targets(tree: Any) -> list[Target]:
    """The targets of a cell from its parse tree."""
    targets = []
    for item in tree.children:
        if item.data == "comparison":
            operator, quantity = item.children
            targets.append(Target(_SPELLINGS[str(operator)], build_quantity(quantity)))
        elif item.data == "deadline":
            targets.append(Target("entro", build_date(item.children[1])))
        else:
            targets.append(Target(">=", build_quantity(item.children[0])))
    return targets


_TARGET_HINT = "write targets as >= 1.100 N., <= -19 gg, => 50,00 %, 100,00 % or Entro 31-12-2025"


def parse_targets(text: str) -> list[Target]:
    """Read a target cell that may hold one target per year, in order."""
    result = parse_with(
        require_text(text, TargetSyntaxError, "a target", ">= 1.100 N."),
        "targets",
        error_type=TargetSyntaxError,
        build=_build_targets,
        what="the target",
        hint=_TARGET_HINT,
    )
    return [
        Target(target.comparison, target.threshold, text) if len(result) == 1 else target
        for target in result
    ]


def parse_target(text: str) -> Target:
    """Read one target; a cell with several is an error (see :func:`parse_targets`)."""
    targets = parse_targets(text)
    if len(targets) != 1:
        raise TargetSyntaxError(
            f"the cell holds {len(targets)} targets",
            text=text,
            position=0,
            hint="use parse_targets for a cell with one target per year",
        )
    return targets[0]
