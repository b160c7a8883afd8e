"""Targets and the degree of achievement (*grado di raggiungimento*).

A target cell of a planning document is one of these kinds (:attr:`Target.kind`):

* ``"comparison"``: a comparison with an amount (``>= 1.100 N.``, ``=> 50,00 %``,
  ``<= -19 gg``; in words ``almeno 1.100 pratiche evase``, ``non oltre 30 gg``,
  ``entro 30 giorni``), or a bare amount (``25``) whose comparison is *implied*
  (:attr:`Target.implied`): at least, or at most where lower is better; it may
  carry a deadline that is shown, not judged (``100% entro il 31/12/2025``);
* ``"range"``: ``tra 70% e 90%``, ``da 5 a 10 gg``, ``70% - 90%`` (bounds included);
* ``"yes-no"``: ``SI``, ``Sì``, ``Realizzato``, ``Adottato`` (or ``NO``): the value
  must be yes (1) or no (0), see :mod:`kpi_formula.values`;
* ``"deadline"``: ``Entro 31-12-2025``, ``entro giugno 2025``, ``entro il 2025``,
  ``entro il primo semestre 2025`` (the period's last day): met when the actual
  date is on or before it;
* ``"relative"``: relative to a reference value (``Aumento del 20% rispetto alla
  baseline``, ``Riduzione del 10% rispetto al 2023``, ``+5% rispetto al 2024``,
  ``Mantenimento``, ``>= valore anno precedente``, ``Adesione di ulteriori 3.000
  imprese`` — an absolute change from the year before).

Words of what is counted are kept as :attr:`Target.label` and written, quoted,
in the target's canonical text; a year in front (``Anno 2016: >= 95%``,
``2026: <= 15 gg``) is kept as :attr:`Target.year`, and a cell may hold one
target per year; ``n.d.``, ``N/D`` or ``-`` is a cell without a target::

    >>> import kpi_formula as kf
    >>> kf.parse_target("Almeno 1.100 pratiche evase nell'anno.")
    Target('>= 1.100 N. "pratiche evase nell\\'anno"')
    >>> kf.parse_targets("=> 50,00 %    => 60,00 %    => 65,00 %")[1]
    Target('>= 60,00 %')
    >>> kf.target_for_year("2024: <= 150 gg  2025: <= 12 gg", 2025)
    Target('Anno 2025: <= 12 gg')
    >>> kf.parse_targets("n.d.")
    []
    >>> outcome = kf.parse_target("<= -19 gg").check(kf.parse_value("-10 gg"))
    >>> outcome.met, outcome.achievement
    (False, Decimal('0.5263157894736842105263157895'))

**Direction.**  A bare amount says nothing of whether more is better.
``check(..., direction="lower")`` (or ``"decrescente"``, ``"↓"``) reads it as at
most; ``"higher"`` as at least; without a direction it is read as at least and
the outcome's :attr:`~Outcome.notes` say so::

    >>> kf.parse_target("25").check("25,7", direction="decrescente").achievement
    Decimal('0.9727626459143968871595330739')
    >>> print(kf.parse_target("25").check(30).notes[0])
    the bare target 25 was read as at least 25, for want of a direction (say whether a higher ...

**Relative targets** need the reference value, given as ``baseline``.  A change
in percent moves the reference by that share of its size, in the direction the
words say: ``threshold = reference + p × |reference|`` — an increase of 20 % on
1.500 asks for at least 1.800, on -50 for at least -40; a reduction of 10 % on 40
gg for at most 36 gg, on -50 for at most -55.  A percentage of a zero reference
means nothing, and is a :class:`ZeroBaselineError` (write an absolute change:
``+5 N. rispetto al 2023``).  *Mantenimento* asks for the reference itself.
Checking a relative target without a baseline is a
:class:`~kpi_formula.BaselineRequiredError`, never a verdict; the threshold
worked out is :attr:`Outcome.threshold`::

    >>> increase = kf.parse_target("Aumento del 20% rispetto alla baseline")
    >>> outcome = increase.check(1750, baseline=1500)
    >>> outcome.met, outcome.threshold
    (False, Decimal('1800.00'))
    >>> kf.parse_target("Riduzione del 10% rispetto alla baseline").check(-45, baseline=-50).met
    False

**Units.**  The value is read by :func:`kpi_formula.units.in_unit`: a value with
a unit must have the target's; a number without one against ``%`` or ``‰`` is a
fraction within ±1 (``Decimal("0.85")`` is 85 %) and refused beyond.

**Scoring.**  ``Target.check`` first computes the *ratio* of the actual value
to the threshold, oriented so that 1 means "exactly on target":

* higher is better (``>=``, ``>``): ``actual / target`` for a positive target;
  ``target / actual`` for a negative one (``>= -10 %`` met at ``-20 %`` halfway);
* lower is better (``<=``, ``<``): ``target / actual`` for a positive target
  (``<= 2 gg`` at 4 days is 0.5); ``actual / target`` for a negative one
  (``<= -19 gg`` — paying 19 days ahead of the due date — at -10 days is
  0.526; at 0 days or later, 0);
* a range below its lower bound is judged as at least that bound, above its
  upper bound as at most that bound (``tra 70% e 90%`` at 63 % is 0.9; at 100 %,
  0.9 too);
* a zero threshold, an equality (``=``), a yes/no target and a deadline are met or
  not: 1 or 0.

A met target scores 1.  The :class:`~kpi_formula.scoring.Scoring` rule turns
the ratio of a missed target into the achievement, and a missed target scores
at most 0,999 under every rule (see :mod:`kpi_formula.scoring`): ``> 100`` at
100 is missed, and never shows 100 %.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar, Literal, TypeAlias, TypeVar

from .decimals import (
    EXACT,
    MAX_DIGITS,
    add,
    decimal_text,
    multiply,
    signless_zero,
    within_written_limit,
)
from .direction import Direction, parse_direction
from .errors import (
    BaselineRequiredError,
    KpiFormulaError,
    Message,
    TargetSyntaxError,
    UnitMismatchError,
    clip,
    msg,
)
from .fieldtypes import TextField
from .missing import ND, NotAvailable
from .scoring import (
    BINARY,
    MISSED_CEILING,
    PROPORTIONAL,
    Binary,
    Comparison,
    Inequality,
    Proportional,
    RangeScoring,
    Scoring,
    compare,
    missed_score,
    ratio,
)
from .targetread import PHRASES, TARGET_HINT, Goal, Reference, read_cell
from .text import hygiene_problem, require_text, translate
from .units import in_unit
from .values import (
    FRACTION_SHIFT,
    UNITS,
    YES_NO,
    Quantity,
    Unit,
    clean_text,
    format_value,
    fraction_shift,
    json_decimal,
    parse_value,
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
    "TargetKind",
    "ZeroBaselineError",
    "parse_target",
    "parse_targets",
    "target_for_year",
]

TargetKind: TypeAlias = Literal["comparison", "range", "yes-no", "deadline", "relative"]
"""What kind of target (see the module documentation)."""

OPENING_WORDS: tuple[str, ...] = (
    *(phrase for phrase, _ in PHRASES),
    "aumento",
    "incremento",
    "crescita",
    "riduzione",
    "diminuzione",
    "calo",
    "decremento",
    "mantenimento",
    "entro",
    "tra",
    "fra",
    "compreso",
    "da",
)
"""The words a target written in words can start with (the grammar's own)."""

MAX_LABEL_LENGTH = 1000
"""The longest label, in characters."""

_ZERO = Decimal(0)
_ONE = Decimal(1)
_NO_CHANGE = Quantity(_ZERO, "%")
_INEQUALITIES = (">=", "<=", ">", "<", "=")
_THE_VALUE = msg("the value")


class ZeroBaselineError(KpiFormulaError):
    """A change in percent of a reference that is zero: a percentage of zero says
    nothing of the value asked for."""

    error_code: ClassVar[str] = "zero-baseline"

    def __init__(self, target: str) -> None:
        super().__init__(
            msg(
                "the target {target} asks for a percentage of its reference, which is 0",
                target=repr(target),
            ),
            hint=msg("write the change as an amount: +5 N. rispetto al 2023"),
        )


def _year_problem(year: object, what: str) -> Message | None:
    if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999:
        return msg("{what} is a year of four digits, not {year}", what=what, year=repr(year))
    return None


def _date_problem(day: object, what: str) -> Message | None:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime) or day.year < 1000:
        return msg("{what} is a date from the year 1000, not {day}", what=what, day=repr(day))
    return None


@dataclass(frozen=True, slots=True)
class Change:
    """How a relative target moves from its reference value.

    ``amount`` is a percentage of the reference (``Quantity(Decimal("0.2"),
    "%")`` for *aumento del 20%*; negative for a reduction; ``‰`` too) or an
    absolute amount in the indicator's unit (``Quantity(Decimal(100), "N.")``);
    ``reference`` is ``"baseline"``, ``"previous"`` (the year before the
    target's year) or a year.
    """

    amount: Quantity
    reference: Reference

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Quantity) or self.amount.unit == YES_NO:
            raise KpiFormulaError(
                msg("a change is a Quantity, not {amount}", amount=repr(self.amount)[:60]),
                hint=msg("Change(Quantity(Decimal('0.2'), '%'), 'baseline')"),
            )
        if not self.amount.amount and self.amount != _NO_CHANGE:
            object.__setattr__(self, "amount", _NO_CHANGE)  # no change is no change, in any unit
        reference = self.reference
        if reference not in ("baseline", "previous") and _year_problem(reference, "") is not None:
            raise KpiFormulaError(
                msg(
                    "a change's reference is 'baseline', 'previous' or a year, not {reference}",
                    reference=repr(reference),
                ),
                hint=msg("Change(Quantity(Decimal('0.2'), '%'), 2023)"),
            )

    @property
    def relative(self) -> bool:
        """True for a percentage (or per mille) of the reference, False for an
        absolute amount."""
        return self.amount.unit in FRACTION_SHIFT

    def threshold(self, reference_value: Decimal) -> Decimal:
        """The value the target asks for, given the reference's value: the
        reference moved by the share of its size (``reference + p × |reference|``),
        or by the amount.  A share of a zero reference is a ZeroBaselineError."""
        if not self.relative:
            return add(reference_value, self.amount.amount)
        if not self.amount.amount:
            return reference_value
        if reference_value.is_zero():
            raise ZeroBaselineError(_change_text(self))
        return add(reference_value, multiply(reference_value.copy_abs(), self.amount.amount))


def _change_text(change: Change) -> str:
    amount = change.amount
    sign = "+" if amount.amount > 0 else "-"
    size = format_value(Quantity(amount.amount.copy_abs(), amount.unit))
    return f"{sign}{size} rispetto {_reference_to(change.reference)}"


@dataclass(frozen=True, slots=True)
class Target(TextField):
    """One target (see the module documentation for its kinds).

    ``comparison`` is ``>=``, ``<=``, ``>``, ``<`` or ``=`` with a ``threshold``
    Quantity (a yes/no target is ``=`` with 1 or 0 in the unit ``sì/no``), or
    with a :class:`Change` for a relative target; ``"tra"`` with ``threshold``
    and ``upper`` for a range; ``"entro"`` with a date ``threshold`` for a
    deadline.  ``implied`` says the comparison was not written (a bare amount,
    *Mantenimento*): ``check`` then follows the indicator's direction.
    ``deadline`` is the date of a value with a deadline (shown, not judged);
    ``label`` the words of what is counted; ``year`` the year written in front of
    it (``Anno 2016: >= 95%``), or None.  ``text`` is the cell it was read from;
    it takes no part in equality.
    """

    comparison: Comparison
    threshold: Quantity | dt.date | None = None
    text: str | None = field(default=None, compare=False, repr=False)
    year: int | None = None
    change: Change | None = None
    upper: Quantity | None = None
    deadline: dt.date | None = None
    label: str | None = None
    implied: bool = False

    def __post_init__(self) -> None:
        if self.label is not None and isinstance(self.label, str):
            object.__setattr__(self, "label", " ".join(translate(self.label).split()))
        problem = _problem(self)
        if problem is not None:
            raise KpiFormulaError(
                problem,
                hint=msg(
                    "Target('>=', Quantity(Decimal(1100), 'N.')), Target('entro', "
                    "date(2025, 12, 31)), Target('tra', low, upper=high), or Target('>=', "
                    "change=Change(Quantity(Decimal('0.2'), '%'), 'baseline'))"
                ),
            )

    @classmethod
    def _read_text(cls, text: str) -> Target:
        """The field type's reader (see :mod:`kpi_formula.fieldtypes`)."""
        return parse_target(text)

    @property
    def kind(self) -> TargetKind:
        """``"comparison"``, ``"range"``, ``"yes-no"``, ``"deadline"`` or ``"relative"``."""
        if self.change is not None:
            return "relative"
        if self.comparison == "entro":
            return "deadline"
        if self.comparison == "tra":
            return "range"
        assert isinstance(self.threshold, Quantity)
        return "yes-no" if self.threshold.unit == YES_NO else "comparison"

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
        text = prefix + self._body()
        if self.label is not None:
            text += f' "{self.label}"'
        if self.deadline is not None:
            text += f" entro {format_value(self.deadline)}"
        return text

    def _body(self) -> str:
        threshold = self.threshold
        if isinstance(threshold, dt.date):
            return f"Entro {format_value(threshold)}"
        if self.upper is not None:
            assert isinstance(threshold, Quantity)
            return f"tra {format_value(threshold)} e {format_value(self.upper)}"
        if isinstance(threshold, Quantity):
            if self.implied or threshold.unit == YES_NO:
                return format_value(threshold)
            return f"{self.comparison} {format_value(threshold)}"
        change = self.change
        assert change is not None, "a target has a threshold or a change"
        if not change.amount.amount:
            if self.implied:
                if change.reference == "baseline":
                    return "Mantenimento"
                return f"Mantenimento rispetto {_reference_to(change.reference)}"
            return f"{self.comparison} valore {_reference_of(change.reference)}"
        return _change_text(change)

    def __repr__(self) -> str:
        return f"Target({str(self)!r})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the target as ``text`` (what :meth:`from_dict` reads),
        with its ``kind``, ``comparison``, ``threshold`` (a decimal string, a
        percentage as a fraction, or an ISO date; None for a relative target),
        ``upper`` (a range's), ``unit``, ``deadline``, ``label``, ``implied``,
        ``year`` and ``needs_baseline``."""
        return {
            "text": str(self),
            "kind": self.kind,
            "comparison": self.comparison,
            "threshold": _json_threshold(self.threshold),
            "upper": _json_threshold(self.upper),
            "unit": self.unit,
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "label": self.label,
            "implied": self.implied,
            "year": self.year,
            "needs_baseline": self.needs_baseline,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Target:
        """The target :meth:`to_dict` described, read from its ``text``."""
        if not isinstance(data, Mapping) or not isinstance(data.get("text"), str):
            raise KpiFormulaError(
                msg("a target's dict needs the key 'text'"),
                hint=msg("pass what to_dict() returned"),
            )
        return parse_target(data["text"])

    def check(
        self,
        actual: object,
        *,
        baseline: object = None,
        direction: str | None = None,
        scoring: Scoring = PROPORTIONAL,
    ) -> Outcome:
        """Judge ``actual`` — a Decimal or int in the target's unit (a percentage
        as a fraction), a Quantity, a date, N/D, or document text — by the one
        rule for units (:func:`kpi_formula.units.in_unit`).

        ``direction`` (``"higher"``, ``"lower"``, or any spelling
        :func:`~kpi_formula.direction.parse_direction` reads) says whether a higher
        or a lower value is better: it decides what a comparison that was not
        written means.  A relative target (:attr:`needs_baseline`) also needs
        ``baseline``, the value of its reference in the same kinds; without it
        this raises :class:`~kpi_formula.BaselineRequiredError`.  A baseline given
        for another target is not used, and the outcome's notes say so.
        """
        way = None if direction is None else parse_direction(direction)
        kind = self.kind
        if kind == "relative":
            return self._check_relative(actual, baseline, way, scoring)
        if baseline is not None:
            # a baseline given for a target that is not relative is said to be unused
            outcome = self.check(actual, direction=direction, scoring=scoring)
            unused = msg(
                "the baseline was not used: the target {target} is not relative to a "
                "reference (as Aumento del 20% rispetto alla baseline is)",
                target=str(self),
            )
            return _judged(
                outcome.met,
                outcome.achievement,
                outcome.actual,
                self,
                threshold=outcome.threshold,
                notes=(*outcome.notes, unused),
                unit=outcome.unit,
            )
        if kind == "deadline":
            return self._check_deadline(actual)
        actual = parse_value(actual) if isinstance(actual, str) else actual
        assert isinstance(self.threshold, Quantity)
        unit, low = self.unit, self.threshold.amount
        high = None if self.upper is None else self.upper.amount
        carried = _unit_of(actual)
        if unit is None and carried not in (None, YES_NO):
            # a target without a unit is read in its value's, by the one rule for units
            unit = carried
            low = _in_target_unit(low, unit)
            high = None if high is None else _in_target_unit(high, unit)
        own = None if unit == self.unit else unit
        value = _number(actual, unit)
        notes = self._notes(way)
        if value is ND:
            return _judged(None, None, ND, self, notes=notes, unit=own)
        assert isinstance(value, Decimal)
        if kind == "range":
            assert high is not None
            return _judge_range(self, value, low, high, scoring, unit=own)
        if kind == "yes-no":
            met = value == low
            return _judged(met, _ONE if met else _ZERO, value, self, notes=notes)
        return _judge(self, value, self._comparison(way), low, scoring, notes=notes, unit=own)

    def _comparison(self, way: Direction | None) -> Inequality:
        if self.implied and way == "lower":
            return "<="
        assert self.comparison in _INEQUALITIES
        return self.comparison  # type: ignore[return-value]

    def _notes(self, way: Direction | None) -> tuple[Message, ...]:
        """What the outcome should say about how the target was read."""
        notes: list[Message] = []
        if self.implied and way is None:
            threshold = self.threshold
            asked = (
                format_value(threshold)
                if isinstance(threshold, Quantity)
                else msg("the reference value")
            )
            notes.append(
                msg(
                    "the bare target {target} was read as at least {asked}, for want of a "
                    "direction (say whether a higher or a lower value is better)",
                    target=str(self),
                    asked=asked,
                )
            )
        elif not self.implied and way is not None and self.comparison in (">=", ">", "<=", "<"):
            rising = self.comparison in (">=", ">")
            if rising != (way == "higher"):
                notes.append(
                    msg(
                        "the target {target} asks for {asked}, though a {better} value is better",
                        target=str(self),
                        asked=msg("at least") if rising else msg("at most"),
                        better=msg("lower") if rising else msg("higher"),
                    )
                )
        if self.deadline is not None:
            notes.append(
                msg(
                    "judged on the value; the deadline {deadline} is shown with the target, "
                    "not checked",
                    deadline=format_value(self.deadline),
                )
            )
        return tuple(notes)

    def _check_deadline(self, actual: object) -> Outcome:
        value = parse_value(actual) if isinstance(actual, str) else actual
        if value is None or value is ND:
            return _judged(None, None, ND, self)
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise UnitMismatchError(
                msg("a number"),
                msg("a deadline date"),
                reason=msg(
                    "the target is a deadline: the value is the date it was met, not a number"
                ),
                hint=msg("give the date, e.g. 30-06-2025, or N/D if it has not been met yet"),
            )
        assert isinstance(self.threshold, dt.date)
        met = value <= self.threshold
        return _judged(met, _ONE if met else _ZERO, value, self)

    def _check_relative(
        self, actual: object, baseline: object, way: Direction | None, scoring: Scoring
    ) -> Outcome:
        change = self.change
        assert change is not None
        if baseline is None:
            raise BaselineRequiredError(str(self), change.reference)
        actual = parse_value(actual) if isinstance(actual, str) else actual
        baseline = parse_value(baseline) if isinstance(baseline, str) else baseline
        unit = self.unit
        if unit is None:  # in percent, or an amount without a unit: in the values' unit
            unit = _unit_of(actual) or _unit_of(baseline)
        value = _number(actual, unit)
        try:
            base = _number(baseline, unit, what=msg("the baseline"))
        except UnitMismatchError as error:
            if error.actual_unit is None or unit is None:
                raise
            raise UnitMismatchError(
                error.actual_unit,
                unit,
                reason=(
                    msg(
                        "the baseline is in {baseline} but the value is in {value}",
                        baseline=error.actual_unit,
                        value=unit,
                    )
                    if self.unit is None
                    else msg(
                        "the baseline is in {baseline} but the target is in {target}",
                        baseline=error.actual_unit,
                        target=unit,
                    )
                ),
                hint=msg("give the baseline in the unit of the value it is compared with"),
            ) from None
        notes = self._notes(way)
        own = None if unit == self.unit else unit
        if value is ND or base is ND:
            return _judged(None, None, value, self, baseline=base, notes=notes, unit=own)
        assert isinstance(value, Decimal) and isinstance(base, Decimal)
        if change.relative or self.unit is not None or unit is None:
            threshold = change.threshold(base)
        else:  # an amount without a unit, read in the values' unit
            threshold = add(base, _in_target_unit(change.amount.amount, unit))
        return _judge(
            self,
            value,
            self._comparison(way),
            threshold,
            scoring,
            notes=notes,
            baseline=base,
            unit=own,
        )


def _problem(target: Target) -> Message | None:
    """What makes ``target`` no target, or None (the constructor's check)."""
    comparison, threshold, change = target.comparison, target.threshold, target.change
    if target.year is not None and (found := _year_problem(target.year, msg("a target's year"))):
        return found
    if not isinstance(target.implied, bool):
        return msg("a target's implied is True or False, not {value}", value=repr(target.implied))
    if target.label is not None:
        label = target.label
        if not isinstance(label, str) or not label or len(label) > MAX_LABEL_LENGTH:
            return msg(
                "a target's label is text of 1 to {limit} characters", limit=MAX_LABEL_LENGTH
            )
        if '"' in label or hygiene_problem(label) is not None:
            return msg("a target's label cannot hold double quotes or invisible characters")
    if target.deadline is not None:
        if found := _date_problem(target.deadline, msg("a target's deadline")):
            return found
        if change is not None or comparison in ("entro", "tra"):
            return msg("only a comparison or a yes/no target carries a deadline")
    if change is not None:
        if not isinstance(change, Change) or threshold is not None or target.upper is not None:
            return msg("a relative target has a Change, and no threshold")
        if comparison not in _INEQUALITIES:
            return msg("a relative target compares with >=, <=, >, < or =")
        amount = change.amount.amount
        expected = ">=" if amount > 0 else "<=" if amount < 0 else None
        if expected is not None and comparison != expected:
            return msg(
                "an {which} is judged with {expected}, not {comparison}",
                which=msg("increase") if amount > 0 else msg("reduction"),
                expected=repr(expected),
                comparison=repr(comparison),
            )
        if target.implied and (amount or comparison != ">="):
            return msg("only Mantenimento (no change, at least) leaves its comparison implied")
        return None
    if comparison == "entro":
        if target.upper is not None or target.implied:
            return msg("a deadline has a date and nothing else")
        return _date_problem(threshold, msg("a deadline"))
    if not isinstance(threshold, Quantity):
        return msg(
            "a {comparison} target needs a Quantity, not {threshold}",
            comparison=repr(comparison),
            threshold=repr(threshold)[:60],
        )
    if comparison == "tra":
        upper = target.upper
        if not isinstance(upper, Quantity) or upper.unit != threshold.unit:
            return msg("a range needs an upper bound in the unit of its lower one")
        if threshold.unit == YES_NO or target.implied:
            return msg("a range compares amounts, not yes and no")
        if threshold.amount > upper.amount:
            return msg("a range goes from its lower bound to its upper one")
        return None
    if comparison not in _INEQUALITIES or target.upper is not None:
        return msg(
            "a target compares with >=, <=, >, <, =, entro or tra, not {comparison}",
            comparison=repr(comparison)[:40],
        )
    if target.implied and comparison != ">=":
        return msg("an implied comparison is stored as >= (at least, until a direction says)")
    if threshold.unit == YES_NO and (comparison != "=" or target.implied):
        return msg("a yes/no target asks for yes or no: its comparison is =")
    return None


def _judge(
    target: Target,
    value: Decimal,
    comparison: Inequality,
    threshold: Decimal,
    scoring: Scoring,
    *,
    notes: tuple[Message, ...],
    baseline: Decimal | None = None,
    unit: Unit | None = None,
) -> Outcome:
    met = compare(comparison, value, threshold)
    if met:
        achievement = _ONE
    elif comparison == "=" or threshold.is_zero():
        achievement = _ZERO
    else:
        achievement = missed_score(scoring, ratio(comparison, value, threshold))
    return _judged(
        met,
        achievement,
        value,
        target,
        baseline=baseline,
        threshold=threshold,
        notes=notes,
        unit=unit,
    )


def _judge_range(
    target: Target,
    value: Decimal,
    low: Decimal,
    high: Decimal,
    scoring: Scoring,
    *,
    unit: Unit | None,
) -> Outcome:
    """Met inside the range, bounds included; outside, as at least its lower
    bound (below it) or at most its upper one (above)."""
    if value < low:
        comparison: Inequality = ">="
        nearer = low
    elif value > high:
        comparison, nearer = "<=", high
    else:
        below, above = EXACT.subtract(value, low), EXACT.subtract(high, value)
        nearest = low if below <= above else high
        return _judged(True, _ONE, value, target, threshold=nearest, unit=unit)
    achievement = (
        _ZERO if nearer.is_zero() else missed_score(scoring, ratio(comparison, value, nearer))
    )
    return _judged(False, achievement, value, target, threshold=nearer, unit=unit)


def _in_target_unit(amount: Decimal, unit: Unit) -> Decimal:
    """An amount a target writes without a unit, read in ``unit`` (its value's)."""
    found = in_unit(amount, unit, what=msg("the target"))
    assert isinstance(found, Decimal)
    return found


def _unit_of(value: object) -> Unit | None:
    return value.unit if isinstance(value, Quantity) else None


def _number(
    actual: object, unit: Unit | None, what: str = _THE_VALUE
) -> Decimal | NotAvailable:
    """``actual`` in ``unit`` by the one rule for units; a date is refused."""
    value = in_unit(actual, unit, what=what)
    if isinstance(value, dt.date):
        raise UnitMismatchError(msg("a date"), unit)
    return value


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


def _json_threshold(value: Quantity | dt.date | None) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Quantity):
        return decimal_text(value.amount)
    return None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A value judged against a target.

    ``met`` is True or False, or None when the value (or the baseline of a
    relative target) is N/D; ``achievement`` is exactly 1 when met, within [0,
    0,999] when missed, and None when ``met`` is None.  ``actual`` is the value
    judged (a Decimal in the target's unit, a date for a deadline, or N/D);
    ``baseline`` the reference value a relative target was judged against (None
    for other targets); ``threshold`` the amount the value was compared with —
    the target's own, the one a relative target works out to (``+10 %`` on
    72,10 % is 79,31 %), a range's nearer bound — or None (deadlines, yes/no,
    N/D).  ``notes`` say how the target was read (a bare number without a
    direction, a deadline shown and not judged), as :class:`~kpi_formula.Message`\\ s.
    ``unit`` is the unit the value was judged in where the target has none of its
    own (a change in percent of a value in %), else None: the target's.
    """

    met: bool | None
    achievement: Decimal | None
    actual: Decimal | dt.date | NotAvailable
    target: Target
    baseline: Decimal | NotAvailable | None = None
    threshold: Decimal | None = None
    notes: tuple[str, ...] = ()
    unit: Unit | None = None

    @property
    def value_unit(self) -> Unit | None:
        """The unit of ``actual``, ``baseline`` and ``threshold``."""
        return self.unit if self.unit is not None else self.target.unit

    def __post_init__(self) -> None:
        if not isinstance(self.notes, tuple):
            object.__setattr__(self, "notes", tuple(self.notes))
        problem = _outcome_problem(self)
        if problem is not None:
            raise KpiFormulaError(problem, hint=msg("an outcome is what Target.check() returns"))
        for name in _AMOUNTS:
            object.__setattr__(self, name, _signless(getattr(self, name)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``met`` and ``achievement`` (the command line's keys),
        the ``actual`` value (a decimal string in the target's unit, a percentage
        as a fraction; an ISO date; ``None`` for N/D), its Italian ``actual_text``,
        the ``target`` as text, the ``threshold`` compared with, the ``notes``
        and, for a relative target, the ``baseline``."""
        actual = self.actual
        if isinstance(actual, Decimal):
            shown: str | None = decimal_text(actual)
            text = format_value(Quantity(actual, self.value_unit))
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
            "threshold": None if self.threshold is None else decimal_text(self.threshold),
            "notes": [str(note) for note in self.notes],
            "unit": self.value_unit,
        }
        if self.target.needs_baseline:
            baseline = self.baseline
            payload["baseline"] = decimal_text(baseline) if isinstance(baseline, Decimal) else None
        return payload

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Outcome:
        """The outcome :meth:`to_dict` described; raises KpiFormulaError on a bad
        dict or one the constructor would refuse (``met`` true with an
        achievement below 1, a date that is not ISO, an amount past the limits)."""
        if not isinstance(data, Mapping):
            raise KpiFormulaError(
                msg("an outcome's dict is a mapping, not {kind}", kind=type(data).__name__),
                hint=msg("pass what to_dict() returned"),
            )
        missing = [key for key in ("met", "achievement", "actual", "target") if key not in data]
        if missing:
            raise KpiFormulaError(
                msg("an outcome's dict needs the keys {keys}", keys=", ".join(missing)),
                hint=msg("pass what to_dict() returned"),
            )
        if not isinstance(data["target"], str):
            raise KpiFormulaError(
                msg("an outcome's target is its text"), hint=msg("pass what to_dict() returned")
            )
        target = parse_target(data["target"])
        met = data["met"]
        if met is not None and not isinstance(met, bool):
            raise KpiFormulaError(
                msg("an outcome's met is true, false or null, not {met}", met=repr(met)[:40]),
                hint=msg("pass what to_dict() returned"),
            )
        achievement = _optional_decimal(data["achievement"], msg("the achievement"))
        threshold = _optional_decimal(data.get("threshold"), msg("the threshold"))
        actual: Decimal | dt.date | NotAvailable
        raw = data["actual"]
        if raw is None:
            actual = ND
        elif target.kind == "deadline":
            actual = _iso_date(raw)
        else:
            actual = json_decimal(raw, msg("the actual value"))
        baseline: Decimal | NotAvailable | None = None
        if target.needs_baseline:
            baseline = _optional_decimal(data.get("baseline"), msg("the baseline"))
            baseline = ND if baseline is None else baseline
        notes = data.get("notes", [])
        if not isinstance(notes, list) or not all(isinstance(note, str) for note in notes):
            raise KpiFormulaError(
                msg("an outcome's notes are a list of text"),
                hint=msg("pass what to_dict() returned"),
            )
        unit = data.get("unit")
        if unit is not None and unit not in UNITS:
            raise KpiFormulaError(
                msg("unknown unit {unit}", unit=repr(unit)[:40]),
                hint=msg("pass what to_dict() returned"),
            )
        own = None if unit == target.unit else unit
        return cls(met, achievement, actual, target, baseline, threshold, tuple(notes), own)

    def __repr__(self) -> str:
        actual = (
            format_value(self.actual)
            if not isinstance(self.actual, Decimal)
            else format_value(Quantity(self.actual, self.value_unit))
        )
        baseline = "" if self.baseline is None else f", baseline={self.baseline!r}"
        threshold = (
            f", threshold={self.threshold!r}"
            if self.threshold is not None and self.target.kind in ("relative", "range")
            else ""
        )
        notes = f", notes={self.notes!r}" if self.notes else ""
        return (
            f"Outcome(met={self.met}, achievement={self.achievement!r}, "
            f"actual={actual!r}, target={str(self.target)!r}{baseline}{threshold}{notes})"
        )


_T = TypeVar("_T")
_AMOUNTS = ("achievement", "actual", "baseline", "threshold")
"""The fields of an :class:`Outcome` that may hold a Decimal."""


def _signless(value: _T) -> _T:
    """A negative zero made 0 (``0 / -19``, a value typed as ``-0``): no outcome
    shows ``-0``, in its text or its JSON; anything else as it is."""
    if isinstance(value, Decimal):
        return signless_zero(value)  # type: ignore[return-value]
    return value


def _judged(
    met: bool | None,
    achievement: Decimal | None,
    actual: Decimal | dt.date | NotAvailable,
    target: Target,
    *,
    baseline: Decimal | NotAvailable | None = None,
    threshold: Decimal | None = None,
    notes: tuple[str, ...] = (),
    unit: Unit | None = None,
) -> Outcome:
    """An outcome as :meth:`Target.check` works it out: true to the invariants by
    construction (the tests hold every kind to them through ``from_dict``), so not
    checked a second time on the way out of every verdict of a plan."""
    outcome: Outcome = object.__new__(Outcome)
    setter = object.__setattr__  # a frozen dataclass: its fields are set past __setattr__
    setter(outcome, "met", met)
    setter(outcome, "achievement", _signless(achievement))
    setter(outcome, "actual", _signless(actual))
    setter(outcome, "target", target)
    setter(outcome, "baseline", _signless(baseline))
    setter(outcome, "threshold", _signless(threshold))
    setter(outcome, "notes", notes)
    setter(outcome, "unit", unit)
    return outcome


def _bounded(value: object, unit: Unit | None) -> bool:
    """Whether ``value`` is a finite Decimal a Quantity in ``unit`` could hold."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return False
    return within_written_limit(value, fraction_shift(unit))


def _outcome_problem(outcome: Outcome) -> Message | None:
    """What makes ``outcome`` no outcome a check could give, or None."""
    met, achievement, actual, target = (
        outcome.met,
        outcome.achievement,
        outcome.actual,
        outcome.target,
    )
    if not isinstance(target, Target):
        return msg("an outcome's target is a Target")
    if outcome.unit is not None and (outcome.unit not in UNITS or target.unit is not None):
        return msg("an outcome has a unit of its own only where its target has none")
    if met is not None and not isinstance(met, bool):
        return msg("an outcome's met is True, False or None")
    if met is None:
        if achievement is not None:
            return msg("an outcome without a verdict has no achievement")
    elif not isinstance(achievement, Decimal) or not achievement.is_finite():
        return msg("an outcome with a verdict has a Decimal achievement")
    elif met and achievement != _ONE:
        return msg("a met target's achievement is 1, not {achievement}", achievement=achievement)
    elif not met and not _ZERO <= achievement <= MISSED_CEILING:
        return msg(
            "a missed target's achievement lies within 0 and {ceiling}, not {achievement}",
            ceiling=MISSED_CEILING,
            achievement=achievement,
        )
    deadline = target.kind == "deadline"
    if actual is ND:
        if met is not None:
            return msg("an N/D value gets no verdict")
    elif deadline:
        if (found := _date_problem(actual, msg("a deadline's value"))) is not None:
            return found
    elif not _bounded(actual, outcome.value_unit):
        return msg(
            "an outcome's value is a finite Decimal of at most {limit} digits", limit=MAX_DIGITS
        )
    baseline = outcome.baseline
    if baseline is not None and not (baseline is ND or _bounded(baseline, outcome.value_unit)):
        return msg("an outcome's baseline is N/D or a finite Decimal within the limits")
    if baseline is not None and not target.needs_baseline:
        return msg("only a relative target's outcome has a baseline")
    if target.needs_baseline and met is not None and not isinstance(baseline, Decimal):
        return msg("a relative target's verdict needs its baseline")
    if outcome.threshold is not None and not _bounded(outcome.threshold, outcome.value_unit):
        return msg("an outcome's threshold is a finite Decimal within the limits")
    if not all(isinstance(note, str) for note in outcome.notes):
        return msg("an outcome's notes are text")
    return None


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(text: object) -> dt.date:
    if isinstance(text, str) and _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise KpiFormulaError(
        msg("{text} is not an ISO date", text=repr(text)[:40]),
        hint=msg("write dates as 2025-12-31"),
    )


def _optional_decimal(text: object, what: str) -> Decimal | None:
    return None if text is None else json_decimal(text, what)


def _target(goal: Goal, text: str | None) -> Target:
    change = None if goal.change is None else Change(*goal.change)
    return Target(
        goal.comparison,
        goal.threshold,
        text,
        goal.year,
        change,
        goal.upper,
        goal.deadline,
        goal.label,
        goal.implied,
    )


def parse_targets(text: str) -> list[Target]:
    """Read a target cell that may hold one target per year, in order; a cell
    that says there is no target (``n.d.``, ``N/D``, ``-``) holds none.

    Parses of cells as plans write them (up to :data:`CACHED_LENGTH` characters)
    are cached, targets being immutable: a plan evaluated again, or a cell
    repeated, is read once; a longer text is read each time, so that the cache
    never holds thousands of targets read from a long hostile text.
    """
    text = require_text(text, TargetSyntaxError, "a target", ">= 1.100 N.")
    return list(_targets(text) if len(text) <= CACHED_LENGTH else _read_targets(text))


CACHED_LENGTH = 500
"""The longest target text whose parse is cached, in characters."""


def _read_targets(text: str) -> tuple[Target, ...]:
    clean = clean_text(text, TargetSyntaxError, TARGET_HINT)
    goals = read_cell(text, clean)
    return tuple(_target(goal, text if len(goals) == 1 else None) for goal in goals)


_targets = lru_cache(maxsize=4096)(_read_targets)


def _no_target(text: str) -> TargetSyntaxError:
    return TargetSyntaxError(
        msg("the cell sets no target"),
        text=text,
        position=0,
        hint=msg("n.d., N/D and - mean there is no target that year"),
    )


def parse_target(text: str) -> Target:
    """Read one target; a cell with several is an error (see :func:`parse_targets`),
    and so is a cell without one (``n.d.``)."""
    targets = parse_targets(text)
    if not targets:
        raise _no_target(text)
    if len(targets) != 1:
        glued = _GLUED_DASH.search(text)
        if glued:
            hint = msg(
                "a range has spaces around its dash (70 % - 90 %); glued, the dash reads "
                "as the sign of a second target"
            )
        elif all(target.year is not None for target in targets):
            hint = msg(
                "a cell with one target per year needs the year it is judged for: give "
                "that year's target alone ({example})",
                example=str(targets[-1]),
            )
        else:
            hint = msg(
                "give one target; a cell of one target per year writes the year in front "
                "of each (2024: >= 90 %  2025: >= 95 %) and is judged for one year at a time"
            )
        raise TargetSyntaxError(
            msg(
                "the cell holds {count} targets: {targets}",
                count=len(targets),
                targets="; ".join(clip(str(target), 60) for target in targets[:5])
                + ("; …" if len(targets) > 5 else ""),
            ),
            text=text,
            position=glued.start() + 1 if glued else 0,
            hint=hint,
        )
    return targets[0]


_GLUED_DASH = re.compile(r"[\d%‰]-\d")
"""A dash glued between two amounts (``70%-90%``): a range written without spaces."""


def target_for_year(text: str, year: int) -> Target | None:
    """The target a cell sets for ``year``, or None when the cell sets none
    (``n.d.``, ``N/D``, ``-``: that year is not judged).

    A cell whose targets carry years (``2024: <= 150 gg  2025: <= 12 gg``) gives
    the one of ``year``; a cell of one target without a year gives it.  Several
    targets without years, years that leave ``year`` out or name it twice, and
    years on some targets only, are a :class:`~kpi_formula.TargetSyntaxError`:
    which target is meant cannot be told, and the first is never taken silently.

    >>> target_for_year("2024: <= 150 gg  2025: <= 12 gg", 2025)
    Target('Anno 2025: <= 12 gg')
    """
    if (found := _year_problem(year, msg("the year asked for"))) is not None:
        raise KpiFormulaError(found, hint=msg("give the year of four digits, e.g. 2025"))
    targets = parse_targets(text)
    if not targets:
        return None
    years = [target.year for target in targets]
    if all(each is None for each in years):
        if len(targets) == 1:
            return targets[0]
        raise TargetSyntaxError(
            msg(
                "the cell holds {count} targets and names no year: which is the one of {year}?",
                count=len(targets),
                year=year,
            ),
            text=text,
            position=0,
            hint=msg("write the year in front of each: 2024: <= 150 gg  2025: <= 12 gg"),
        )
    if None in years:
        raise TargetSyntaxError(
            msg("the cell names the year of some of its targets only"),
            text=text,
            position=0,
            hint=msg("write the year in front of each: 2024: <= 150 gg  2025: <= 12 gg"),
        )
    found_targets = [target for target in targets if target.year == year]
    if len(found_targets) == 1:
        return found_targets[0]
    named = ", ".join(str(each) for each in sorted({each for each in years if each is not None}))
    raise TargetSyntaxError(
        msg(
            "the cell sets targets for {years}, not one for {year}",
            years=named,
            year=year,
        )
        if not found_targets
        else msg("the cell names {year} more than once", year=year),
        text=text,
        position=0,
        hint=msg("write one target for each year: 2024: <= 150 gg  2025: <= 12 gg"),
    )

