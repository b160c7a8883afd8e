"""Targets and the degree of achievement (*grado di raggiungimento*).

A target cell of a planning document is a comparison with a value
(``>= 1.100 N.``, ``=> 50,00 %``, ``<= -19 gg``, or in words: ``maggiore o
uguale a 90%``, ``non inferiore al 95%``, ``almeno 1.100 N.``), a bare value
(at least that value), a deadline (``Entro 31-12-2025``, ``entro il
30/06/2025``: met when the actual date is on or before it), or a target
relative to a reference value (``Aumento del 20% rispetto alla baseline``,
``Riduzione del 10% rispetto al 2023``, ``+5% rispetto al 2024``,
``Mantenimento``, ``>= valore anno precedente``).  A year in front (``Anno
2016: >= 95%``, ``2026: <= 15 gg``) is kept as :attr:`Target.year`, and a cell
may hold one target per year::

    >>> import kpi_formula as kf
    >>> kf.parse_targets("=> 50,00 %    => 60,00 %    => 65,00 %")[1]
    Target('>= 60,00 %')
    >>> kf.parse_target("Anno 2016: maggiore o uguale al 95%")
    Target('Anno 2016: >= 95 %')
    >>> outcome = kf.parse_target("<= -19 gg").check(kf.parse_value("-10 gg"))
    >>> outcome.met, outcome.achievement
    (False, Decimal('0.5263157894736842105263157895'))

**Relative targets** need the reference value, given as ``baseline``: an
increase of 20 % on 1.500 means at least 1.800, a reduction of 10 % on 40 gg
at most 36 gg (lower is better), *Mantenimento* at least the baseline itself.
Checking one without a baseline is a :class:`~kpi_formula.BaselineRequiredError`,
never a verdict::

    >>> kf.parse_target("Aumento del 20% rispetto alla baseline").check(1750, baseline=1500).met
    False

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

A met target always scores 1.  The :class:`~kpi_formula.scoring.Scoring` rule
turns the ratio of a missed target into the achievement (see
:mod:`kpi_formula.scoring`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, TypeAlias

from .decimals import EXACT, decimal_text
from .errors import BaselineRequiredError, KpiFormulaError, TargetSyntaxError, UnitMismatchError
from .fasttargets import read_plain_targets
from .fieldtypes import TextField
from .inputs import require_text
from .missing import ND, NotAvailable
from .scoring import (
    BINARY,
    PROPORTIONAL,
    Binary,
    Comparison,
    Proportional,
    RangeScoring,
    Scoring,
    compare,
    ratio,
)
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
    "OPENING_WORDS",
    "PROPORTIONAL",
    "Binary",
    "Change",
    "Comparison",
    "Outcome",
    "Proportional",
    "RangeScoring",
    "Reference",
    "Scoring",
    "Target",
    "first_target",
    "parse_target",
    "parse_targets",
]

Reference: TypeAlias = int | Literal["baseline", "previous"]
"""What a relative target is measured against: the baseline, the year before
the target's year (``"previous"``), or a year."""

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
# comparisons in words, longest first: "maggiore o uguale" before "maggiore"
_WORDS: tuple[tuple[str, Comparison], ...] = (
    ("maggiore o uguale", ">="),
    ("minore o uguale", "<="),
    ("non inferiore", ">="),
    ("non superiore", "<="),
    ("almeno", ">="),
    ("al massimo", "<="),
    ("superiore", ">"),
    ("inferiore", "<"),
    ("maggiore", ">"),
    ("minore", "<"),
    ("pari", "="),
    ("uguale", "="),
)
_INCREASES = ("aumento", "incremento", "crescita")
OPENING_WORDS: tuple[str, ...] = (
    *(spelling for spelling, _ in _WORDS),
    *_INCREASES,
    "riduzione",
    "diminuzione",
    "calo",
    "mantenimento",
    "entro",
)
"""The words a target written in words can start with (the grammar's own)."""
_ZERO = Decimal(0)
_ONE = Decimal(1)
_NO_CHANGE = Quantity(_ZERO, "%")


@dataclass(frozen=True, slots=True)
class Change:
    """How a relative target moves from its reference value.

    ``amount`` is a percentage of the reference (``Quantity(Decimal("0.2"),
    "%")`` for *aumento del 20%*; negative for a reduction) or an absolute
    amount in the indicator's unit (``Quantity(Decimal(100), "N.")``);
    ``reference`` is ``"baseline"``, ``"previous"`` (the year before the
    target's year) or a year.
    """

    amount: Quantity
    reference: Reference

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Quantity):
            raise KpiFormulaError(
                f"a change is a Quantity, not {type(self.amount).__name__}",
                hint="Change(Quantity(Decimal('0.2'), '%'), 'baseline')",
            )
        if not self.amount.amount and self.amount != _NO_CHANGE:
            object.__setattr__(self, "amount", _NO_CHANGE)  # no change is no change, in any unit
        reference = self.reference
        if not (
            reference in ("baseline", "previous")
            or (isinstance(reference, int) and not isinstance(reference, bool))
        ):
            raise KpiFormulaError(
                f"a change's reference is 'baseline', 'previous' or a year, not {reference!r}",
                hint="Change(Quantity(Decimal('0.2'), '%'), 2023)",
            )

    @property
    def relative(self) -> bool:
        """True for a percentage of the reference, False for an absolute amount."""
        return self.amount.unit == "%"

    def threshold(self, reference_value: Decimal) -> Decimal:
        """The value the target asks for, given the reference's value."""
        if self.relative:
            factor = EXACT.add(_ONE, self.amount.amount)
            return EXACT.multiply(reference_value, factor)
        return EXACT.add(reference_value, self.amount.amount)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A value judged against a target.

    ``met`` is True or False, or None when the value (or the baseline of a
    relative target) is N/D; ``achievement`` is a Decimal in [0, 1], or None
    when ``met`` is None.  ``baseline`` is the reference value a relative
    target was judged against (None for other targets).
    """

    met: bool | None
    achievement: Decimal | None
    actual: Decimal | dt.date | NotAvailable
    target: Target
    baseline: Decimal | NotAvailable | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``met`` and ``achievement`` (the command line's keys),
        the ``actual`` value (a decimal string in the target's unit, a percentage
        as a fraction; an ISO date; ``None`` for N/D), its Italian ``actual_text``,
        the ``target`` as text and, for a relative target, the ``baseline``."""
        actual = self.actual
        if isinstance(actual, Decimal):
            shown: str | None = decimal_text(actual)
            text = format_value(Quantity(actual, self.target.unit))
        elif isinstance(actual, dt.date):
            shown, text = actual.isoformat(), format_value(actual)
        else:
            shown, text = None, "N/D"
        payload: dict[str, Any] = {
            "met": self.met,
            "achievement": None if self.achievement is None else decimal_text(self.achievement),
            "actual": shown,
            "actual_text": text,
            "target": str(self.target),
        }
        if self.target.needs_baseline:
            baseline = self.baseline
            payload["baseline"] = decimal_text(baseline) if isinstance(baseline, Decimal) else None
        return payload

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outcome:
        """The outcome :meth:`to_dict` described; raises KpiFormulaError on a bad dict."""
        try:
            target = Target.from_dict({"text": data["target"]})
            actual: Decimal | dt.date | NotAvailable = _json_actual(data["actual"])
            achievement = data["achievement"]
            met = data["met"]
            baseline_text = data.get("baseline")
            baseline: Decimal | NotAvailable | None = None
            if target.needs_baseline:
                baseline = ND if baseline_text is None else _json_decimal(baseline_text)
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
        achieved = None if achievement is None else _json_decimal(achievement)
        return cls(met, achieved, actual, target, baseline)

    def __repr__(self) -> str:
        actual = (
            format_value(self.actual)
            if not isinstance(self.actual, Decimal)
            else format_value(Quantity(self.actual, self.target.unit))
        )
        baseline = "" if self.baseline is None else f", baseline={self.baseline!r}"
        return (
            f"Outcome(met={self.met}, achievement={self.achievement!r}, "
            f"actual={actual!r}, target={str(self.target)!r}{baseline})"
        )


@dataclass(frozen=True, slots=True)
class Target(TextField):
    """One target: a comparison with a threshold, a deadline (``entro``), or a
    comparison with a reference value moved by a :class:`Change`.

    ``year`` is the year written in front of it (``Anno 2016: >= 95%``), or
    None.  ``text`` is the cell it was read from; it takes no part in equality.
    """

    comparison: Comparison
    threshold: Quantity | dt.date | None = None
    text: str | None = field(default=None, compare=False, repr=False)
    year: int | None = None
    change: Change | None = None

    def __post_init__(self) -> None:
        deadline = self.comparison == "entro"
        if self.change is not None:
            if self.threshold is not None or deadline:
                raise KpiFormulaError(
                    "a relative target has a change, not a threshold or a deadline",
                    hint="Target('>=', change=Change(Quantity(Decimal('0.2'), '%'), 'baseline'))",
                )
            amount = self.change.amount.amount
            expected: Comparison | None = ">=" if amount > 0 else "<=" if amount < 0 else None
            if expected is not None and self.comparison != expected:
                raise KpiFormulaError(
                    f"an {'increase' if amount > 0 else 'reduction'} is judged with "
                    f"{expected!r}, not {self.comparison!r}",
                    hint="an increase asks for at least, a reduction for at most",
                )
        elif deadline != isinstance(self.threshold, dt.date) or self.threshold is None:
            raise KpiFormulaError(
                f"a {self.comparison!r} target needs "
                f"{'a date' if deadline else 'a quantity'}, not {self.threshold!r}",
                hint="Target('entro', date(2025, 12, 31)) or Target('>=', Quantity(...))",
            )
        if self.year is not None and (
            isinstance(self.year, bool) or not isinstance(self.year, int)
        ):
            raise KpiFormulaError(f"a target's year is an int, not {self.year!r}", hint="2026")

    @classmethod
    def _read_text(cls, text: str) -> Target:
        """The field type's reader (see :mod:`kpi_formula.fieldtypes`)."""
        return parse_target(text)

    @property
    def unit(self) -> Unit | None:
        """The threshold's unit (None for plain numbers, deadlines and changes
        in percent of the reference)."""
        if isinstance(self.threshold, Quantity):
            return self.threshold.unit
        if self.change is not None and not self.change.relative:
            return self.change.amount.unit
        return None

    @property
    def needs_baseline(self) -> bool:
        """True for a target relative to a reference value: :meth:`check` needs it."""
        return self.change is not None

    def __str__(self) -> str:
        prefix = "" if self.year is None else f"Anno {self.year}: "
        return prefix + self._body()

    def _body(self) -> str:
        threshold = self.threshold
        if isinstance(threshold, dt.date):
            return f"Entro {format_value(threshold)}"
        if isinstance(threshold, Quantity):
            return f"{self.comparison} {format_value(threshold)}"
        change = self.change
        assert change is not None, "a target has a threshold or a change"
        amount = change.amount
        if not amount.amount:
            if change.reference == "baseline" and self.comparison == ">=":
                return "Mantenimento"
            return f"{self.comparison} valore {_reference_of(change.reference)}"
        sign = "+" if amount.amount > 0 else "-"
        size = format_value(Quantity(abs(amount.amount), amount.unit))
        return f"{sign}{size} rispetto {_reference_to(change.reference)}"

    def __repr__(self) -> str:
        return f"Target({str(self)!r})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the target as ``text`` (what :meth:`from_dict` reads),
        with its ``comparison``, ``threshold`` (a decimal string, a percentage as a
        fraction, or an ISO date; None for a relative target), ``unit``, ``year``
        and ``needs_baseline``."""
        threshold = self.threshold
        shown: str | None
        if isinstance(threshold, dt.date):
            shown = threshold.isoformat()
        elif isinstance(threshold, Quantity):
            shown = decimal_text(threshold.amount)
        else:
            shown = None
        return {
            "text": str(self),
            "comparison": self.comparison,
            "threshold": shown,
            "unit": self.unit,
            "year": self.year,
            "needs_baseline": self.needs_baseline,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Target:
        """The target :meth:`to_dict` described, read from its ``text``."""
        if not isinstance(data, Mapping) or not isinstance(data.get("text"), str):
            raise KpiFormulaError(
                "a target's dict needs the key 'text'", hint="pass what to_dict() returned"
            )
        return parse_target(data["text"])

    def check(
        self, actual: object, *, baseline: object = None, scoring: Scoring = PROPORTIONAL
    ) -> Outcome:
        """Judge ``actual`` — a Decimal or int in the target's unit (a percentage
        as a fraction), a Quantity, a date, N/D, or document text.

        A relative target (:attr:`needs_baseline`) also needs ``baseline``, the
        value of its reference in the same kinds; without it this raises
        :class:`~kpi_formula.BaselineRequiredError`.
        """
        if self.change is not None:
            return self._check_relative(actual, baseline, scoring)
        value = _actual_value(actual, self.unit)
        if value is ND:
            return Outcome(None, None, ND, self)
        if isinstance(self.threshold, dt.date):
            if not isinstance(value, dt.date):
                raise UnitMismatchError("a number", "a deadline date")
            met = value <= self.threshold
            return Outcome(met, _ONE if met else _ZERO, value, self)
        if not isinstance(value, Decimal):
            raise UnitMismatchError("a date", self.unit)
        assert isinstance(self.threshold, Quantity)
        return _judge(self, value, self.threshold.amount, scoring, None)

    def _check_relative(self, actual: object, baseline: object, scoring: Scoring) -> Outcome:
        change = self.change
        assert change is not None
        if baseline is None:
            raise BaselineRequiredError(str(self), change.reference)
        unit = self.unit
        if change.relative:  # the actual and the baseline share a unit, whichever it is
            unit = _unit_of(actual) or _unit_of(baseline)
        value = _actual_value(actual, unit)
        base = _actual_value(baseline, unit)
        if isinstance(value, dt.date) or isinstance(base, dt.date):
            raise UnitMismatchError("a date", "a relative target")
        if value is ND or base is ND:
            return Outcome(None, None, value, self, base)
        assert isinstance(value, Decimal) and isinstance(base, Decimal)
        return _judge(self, value, change.threshold(base), scoring, base)


def _judge(
    target: Target,
    value: Decimal,
    threshold: Decimal,
    scoring: Scoring,
    baseline: Decimal | None,
) -> Outcome:
    met = compare(target.comparison, value, threshold)
    if met:
        achievement = _ONE
    elif target.comparison == "=" or threshold == 0:
        achievement = _ZERO
    else:
        achievement = scoring.score(ratio(target.comparison, value, threshold))
    return Outcome(met, achievement, value, target, baseline)


def _reference_of(reference: int | str) -> str:
    if reference == "baseline":
        return "di baseline"
    if reference == "previous":
        return "anno precedente"
    return f"del {reference}"


def _reference_to(reference: int | str) -> str:
    if reference == "baseline":
        return "alla baseline"
    if reference == "previous":
        return "all'anno precedente"
    return f"al {reference}"


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _json_decimal(text: object) -> Decimal:
    if not isinstance(text, str):
        raise TypeError(f"a decimal is written as a string, not {type(text).__name__}")
    try:
        return Decimal(text)
    except ArithmeticError:
        raise TypeError(f"{text[:40]!r} is not a decimal") from None


def _json_actual(text: object) -> Decimal | dt.date | NotAvailable:
    if text is None:
        return ND
    if isinstance(text, str) and _ISO_DATE.fullmatch(text):
        return dt.date.fromisoformat(text)
    return _json_decimal(text)


def _unit_of(value: object) -> Unit | None:
    if isinstance(value, str):
        try:
            value = parse_value(value)
        except KpiFormulaError:
            return None
    return value.unit if isinstance(value, Quantity) else None


def _actual_value(actual: object, unit: Unit | None) -> Decimal | dt.date | NotAvailable:
    if isinstance(actual, str):
        actual = parse_value(actual)
    if actual is None or actual is ND:
        return ND
    if isinstance(actual, Quantity):
        if actual.unit is not None and actual.unit != unit:
            raise UnitMismatchError(actual.unit, unit)
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


def _comparison(token: Any) -> Comparison:
    text = str(token)
    if text in _SPELLINGS:
        return _SPELLINGS[text]
    words = " ".join(text.lower().split())
    for spelling, comparison in _WORDS:
        if words.startswith(spelling):
            return comparison
    raise AssertionError(f"the grammar let through the comparison {text!r}")  # pragma: no cover


def _reference(token: Any) -> Reference:
    text = " ".join(str(token).lower().split())
    if "baseline" in text:
        return "baseline"
    if "precedente" in text:
        return "previous"
    return int(re.findall(r"[0-9]{4}", text)[-1])


def _year(token: Any) -> int:
    return int(re.findall(r"[0-9]{4}", str(token))[0])


def _goal(goal: Any, year: int | None) -> Target:
    kind, parts = goal.data, goal.children
    if kind == "compare":
        return Target(_comparison(parts[0]), build_quantity(parts[1]), year=year)
    if kind == "deadline":
        return Target("entro", build_date(parts[1]), year=year)
    if kind == "at_least":
        return Target(">=", build_quantity(parts[0]), year=year)
    if kind == "maintain":
        reference = _reference(parts[1]) if len(parts) > 1 else "baseline"
        return Target(">=", year=year, change=Change(_NO_CHANGE, reference))
    if kind == "compare_reference":
        reference = _reference(parts[1])
        return Target(_comparison(parts[0]), year=year, change=Change(_NO_CHANGE, reference))
    # a change: "Aumento del 20% rispetto ...", "Riduzione di 5 gg rispetto ...", "+5% rispetto ..."
    word = str(parts[0]).lower()
    down = word == "-" or (word != "+" and not word.startswith(_INCREASES))
    amount = build_quantity(parts[1])  # unsigned: the grammar keeps the sign in front
    if down:
        amount = Quantity(-amount.amount, amount.unit, amount.note)
    comparison: Comparison = "<=" if down else ">="
    return Target(comparison, year=year, change=Change(amount, _reference(parts[2])))


def _build_targets(tree: Any) -> list[Target]:
    """The targets of a cell from its parse tree."""
    targets = []
    for item in tree.children:
        year = _year(item.children[0]) if len(item.children) == 2 else None
        targets.append(_goal(item.children[-1], year))
    return targets


_TARGET_HINT = (
    "the forms known: >= 1.100 N., <=35%, => 50,00 %, 100,00 % (at least), "
    "maggiore o uguale a 90%, non inferiore al 95%, al massimo 30 gg, pari al 100%, "
    "Entro il 31/12/2025, Anno 2026: <= 15 gg, Aumento del 20% rispetto alla baseline, "
    "Riduzione del 10% rispetto al 2023, +5% rispetto all'anno precedente, Mantenimento, "
    ">= valore anno precedente"
)


def parse_targets(text: str) -> list[Target]:
    """Read a target cell that may hold one target per year, in order.

    Parses are cached (targets are immutable): a plan evaluated again, or a
    cell repeated, is read once.
    """
    return list(_targets(require_text(text, TargetSyntaxError, "a target", ">= 1.100 N.")))


@lru_cache(maxsize=4096)
def _targets(text: str) -> tuple[Target, ...]:
    plain = read_plain_targets(text)
    if plain is not None:
        if len(plain) == 1:
            return (Target(plain[0][0], plain[0][1], text),)
        return tuple(Target(comparison, threshold) for comparison, threshold in plain)
    result = parse_with(
        text,
        "targets",
        error_type=TargetSyntaxError,
        build=_build_targets,
        what="target",
        hint=_TARGET_HINT,
    )
    return tuple(
        Target(target.comparison, target.threshold, text, target.year, target.change)
        if len(result) == 1
        else target
        for target in result
    )


def first_target(text: str) -> Target:
    """The first target of a cell (a plan judges a year by its cell's first target)."""
    return _targets(require_text(text, TargetSyntaxError, "a target", ">= 1.100 N."))[0]


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

