"""One rule for units, wherever a value meets a unit.

A value judged against a target, a baseline read for an indicator, a number in a
sheet or a data file for an indicator in ``%``: each is read into the unit it
must have by :func:`in_unit`, and by nothing else.

* A value that carries a unit must carry that one: ``5 gg`` against ``N.`` is a
  :class:`~kpi_formula.UnitMismatchError`.
* A number without a unit is taken in the unit asked for, with one exception
  that keeps a person's slip from becoming a silent wrong answer: against ``%``
  or ``‰`` (stored as fractions) it is a fraction when it lies within ±1
  (``0,85`` is 85 %), and is refused beyond — is ``85`` meant as 85 % or as
  8.500 %?  — with a hint: write ``85 %`` or ``0,85``.  Against ``sì/no`` it is
  1 (yes) or 0 (no), and refused otherwise.

>>> from decimal import Decimal
>>> in_unit(Decimal("0.85"), "%")
Decimal('0.85')
>>> in_unit("85 %", "%")
Decimal('0.85')
>>> in_unit(Decimal("85"), "%")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kpi_formula.units.AmbiguousUnitError: the value is 85 without a unit, against a unit of %: ...
hint: write it with its unit (85 %) or as a fraction (0,85)
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import ClassVar

from .decimals import EXACT, MAX_DIGITS, within_written_limit
from .errors import KpiFormulaError, UnitMismatchError, msg
from .missing import ND, NotAvailable
from .values import FRACTION_SHIFT, UNITS, YES_NO, Quantity, Unit, format_amount, parse_value

__all__ = ["AmbiguousUnitError", "data_in_unit", "in_unit", "parse_unit"]

_ONE = Decimal(1)
_THE_VALUE = msg("the value")
_UNIT_NAMES: dict[str, Unit] = {
    "€": "€",
    "eur": "€",
    "euro": "€",
    "%": "%",
    "‰": "‰",
    "per mille": "‰",
    "n.": "N.",
    "n": "N.",
    "nr": "N.",
    "nr.": "N.",
    "numero": "N.",
    "gg": "gg",
    "gg.": "gg",
    "giorni": "gg",
    "sì/no": "sì/no",
    "si/no": "sì/no",
    "sí/no": "sì/no",
}


class AmbiguousUnitError(UnitMismatchError):
    """A number without a unit where its unit cannot be told: ``85`` against a
    target in %, ``2`` against a yes/no target."""

    error_code: ClassVar[str] = "unit-ambiguous"

    def __init__(self, reason: str, hint: str, unit: Unit) -> None:
        self.actual_unit = None
        self.target_unit = unit
        KpiFormulaError.__init__(self, reason, hint=hint)


def parse_unit(text: str | None) -> Unit | None:
    """The unit an indicator's unit cell names (``%``, ``giorni``, ``SI/NO``, empty
    for none), or KpiFormulaError listing the units."""
    if text is None or not text.strip():
        return None
    found = _UNIT_NAMES.get(" ".join(text.strip().lower().split()))
    if found is None:
        raise KpiFormulaError(
            msg("unknown unit {unit}", unit=repr(text.strip()[:40])),
            hint=msg("use one of {units}, or none", units=", ".join(UNITS)),
        )
    return found


def in_unit(
    value: object, unit: Unit | None, *, what: str = _THE_VALUE
) -> Decimal | dt.date | NotAvailable:
    """``value`` read in ``unit``: its amount as the unit stores it (a percentage as
    a fraction), a date, or :data:`~kpi_formula.ND`.

    ``value`` is document text (read by :func:`~kpi_formula.parse_value`), a
    :class:`~kpi_formula.Quantity`, a ``Decimal``, an ``int``, a finite ``float``
    (by its shortest repr), a date, ``None``, N/D or NaN; ``what`` names it in
    messages (``"the value"``, ``"the baseline"``, ``"A@2024"``).  The rule is the
    module's: a unit must match; a number without one against ``%``/``‰`` is a
    fraction within ±1 and refused beyond, against ``sì/no`` 1 or 0.
    """
    if isinstance(value, str):
        value = parse_value(value)
    if value is None or value is ND:
        return ND
    if isinstance(value, dt.date):
        return value
    if isinstance(value, Quantity):
        if value.unit is not None:
            if value.unit != unit:
                raise UnitMismatchError(value.unit, unit)
            return value.amount
        return _unitless(value.amount, unit, what)
    if isinstance(value, bool):
        raise KpiFormulaError(
            msg("{what} is a bool ({value}), not a number", what=what, value=value),
            hint=msg("give a number, a date or N/D"),
        )
    if isinstance(value, int):
        return _unitless(Decimal(value), unit, what)
    if isinstance(value, float):
        if math.isnan(value):
            return ND
        if math.isinf(value):
            raise KpiFormulaError(
                msg("{what} is infinite", what=what), hint=msg("give a finite number or N/D")
            )
        return _unitless(Decimal(float.__repr__(value)), unit, what)
    if isinstance(value, Decimal):
        if value.is_nan():
            return ND
        if not value.is_finite():
            raise KpiFormulaError(
                msg("{what} is infinite", what=what), hint=msg("give a finite number or N/D")
            )
        return _unitless(value, unit, what)
    raise KpiFormulaError(
        msg("{what} has type {kind}, not a value", what=what, kind=type(value).__name__),
        hint=msg("give a Decimal, an int, a Quantity, a date, N/D or document text"),
    )


def data_in_unit(
    value: object, unit: Unit, *, code: str, year: int
) -> Decimal | dt.date | NotAvailable:
    """A data value of ``code`` in ``year`` read by :func:`in_unit` in ``unit``, the
    unit ``code`` is measured in (a plan's input indicator, a driver it declares).

    The errors are :func:`in_unit`'s, naming ``code@year``: ``95 %`` for a code in
    ``€`` is a :class:`~kpi_formula.UnitMismatchError`, a bare ``95`` for a code in
    ``%`` an :class:`AmbiguousUnitError`.  A value for a code of unknown unit is no
    business of this function: its caller takes its amount, a ``%`` a fraction.
    """
    what = f"{code}@{year}"
    try:
        read = in_unit(value, unit, what=what)
    except AmbiguousUnitError:
        raise
    except UnitMismatchError as error:
        written = error.actual_unit
        raise UnitMismatchError(
            written,
            unit,
            reason=msg(
                "{what} is written in {written}, but {code} is measured in {unit}",
                what=what,
                written=written,
                code=code,
                unit=unit,
            ),
            hint=msg(
                "write the value in {unit} (or check that the value is {code}'s)",
                unit=unit,
                code=code,
            ),
        ) from None
    if isinstance(read, dt.date):  # a milestone's date, for a code measured in a unit
        raise UnitMismatchError(
            None,
            unit,
            reason=msg(
                "{what} is a date, but {code} is measured in {unit}",
                what=what,
                code=code,
                unit=unit,
            ),
            hint=msg(
                "write the value in {unit}; a date is the value of a milestone, whose indicator "
                "declares no unit",
                unit=unit,
            ),
        )
    return read


def _unitless(amount: Decimal, unit: Unit | None, what: str) -> Decimal:
    """A number without a unit, taken in ``unit`` by the module's rule."""
    if not within_written_limit(amount):
        raise KpiFormulaError(
            msg("{what} has more than {limit} digits written out", what=what, limit=MAX_DIGITS),
            hint=msg("check the value: no figure is that long"),
        )
    if unit in FRACTION_SHIFT and EXACT.abs(amount) > _ONE:
        assert unit is not None
        shift = FRACTION_SHIFT[unit]
        shown = format_amount(EXACT.normalize(amount))
        scaled = format_amount(EXACT.normalize(amount.scaleb(shift, EXACT)))
        fraction = format_amount(EXACT.normalize(amount.scaleb(-shift, EXACT)))
        raise AmbiguousUnitError(
            msg(
                "{what} is {number} without a unit, against a unit of {unit}: "
                "is it {number} {unit} or {scaled} {unit}?",
                what=what,
                number=shown,
                unit=unit,
                scaled=scaled,
            ),
            msg(
                "write it with its unit ({number} {unit}) or as a fraction ({fraction})",
                number=shown,
                unit=unit,
                fraction=fraction,
            ),
            unit,
        )
    if unit == YES_NO and amount not in (0, 1):
        raise AmbiguousUnitError(
            msg(
                "{what} is {number}, against a yes/no target: yes is 1 (SI), no is 0 (NO)",
                what=what,
                number=format_amount(amount),
            ),
            msg("write SI or NO (or 1 or 0)"),
            unit,
        )
    return amount
