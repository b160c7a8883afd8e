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
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, Protocol, TypeAlias

from .decimals import DIVISION, EXACT, decimal_text
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

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``met`` and ``achievement`` (the command line's keys),
        the ``actual`` value (a decimal string in the target's unit, a percentage
        as a fraction; an ISO date; ``None`` for N/D), its Italian ``actual_text``,
        and the ``target`` as text."""
        actual = self.actual
        if isinstance(actual, Decimal):
            shown: str | None = decimal_text(actual)
            text = format_value(Quantity(actual, self.target.unit))
        elif isinstance(actual, dt.date):
            shown, text = actual.isoformat(), format_value(actual)
        else:
            shown, text = None, "N/D"
        return {
            "met": self.met,
            "achievement": None if self.achievement is None else decimal_text(self.achievement),
            "actual": shown,
            "actual_text": text,
            "target": str(self.target),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outcome:
        """The outcome :meth:`to_dict` described; raises KpiFormulaError on a bad dict."""
        try:
            target = Target.from_dict({"text": data["target"]})
            actual: Decimal | dt.date | NotAvailable = _json_actual(data["actual"])
            achievement = data["achievement"]
            met = data["met"]
        except (KeyError, TypeError) as error:
            raise KpiFormulaError(
                f"an outcome's dict is malformed ({error})", hint="pass what to_dict() returned"
            ) from None
        if met not in (True, False, None) or not (
            achievement is None or isinstance(achievement, str)
        ):
            raise KpiFormulaError(
                "an outcome's met is true, false or null and its achievement a decimal string",
                hint="pass what to_dict() returned",
            )
        return cls(met, None if achievement is None else Decimal(achievement), actual, target)

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

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """A pydantic v2 field type: validated from text, dumped as text
        (see :mod:`kpi_formula.fieldtypes`)."""
        from .fieldtypes import core_schema_for

        return core_schema_for(cls, parse_target)

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        """A string, in JSON schema."""
        from .fieldtypes import json_schema_for

        return json_schema_for(cls)

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

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the target as ``text`` (what :meth:`from_dict` reads),
        with its ``comparison``, ``threshold`` (a decimal string, a percentage as a
        fraction, or an ISO date) and ``unit``."""
        threshold = self.threshold
        return {
            "text": str(self),
            "comparison": self.comparison,
            "threshold": threshold.isoformat()
            if isinstance(threshold, dt.date)
            else decimal_text(threshold.amount),
            "unit": self.unit,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Target:
        """The target :meth:`to_dict` described, read from its ``text``."""
        if not isinstance(data, Mapping) or not isinstance(data.get("text"), str):
            raise KpiFormulaError(
                "a target's dict needs the key 'text'", hint="pass what to_dict() returned"
            )
        return parse_target(data["text"])

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


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _json_actual(text: object) -> Decimal | dt.date | NotAvailable:
    if text is None:
        return ND
    if not isinstance(text, str):
        raise TypeError(f"actual is {type(text).__name__}")
    if _ISO_DATE.fullmatch(text):
        return dt.date.fromisoformat(text)
    try:
        return Decimal(text)
    except ArithmeticError:
        raise TypeError(f"actual {text[:40]!r} is not a decimal") from None


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
    """Read a target cell that may hold one target per year, in order.

    Parses are cached (targets are immutable): a plan evaluated again, or a
    cell repeated, is read once.
    """
    return list(_targets(require_text(text, TargetSyntaxError, "a target", ">= 1.100 N.")))


@lru_cache(maxsize=4096)
def _targets(text: str) -> tuple[Target, ...]:
    result = parse_with(
        text,
        "targets",
        error_type=TargetSyntaxError,
        build=_build_targets,
        what="the target",
        hint=_TARGET_HINT,
    )
    return tuple(
        Target(target.comparison, target.threshold, text) if len(result) == 1 else target
        for target in result
    )


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
