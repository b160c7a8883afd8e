"""Numbers as people read them: Italian format, their unit, sensible places.

The scorecard, the prompt and the command line show values this way, so an
analyst sees ``8,38 %`` and ``92,2 %`` wherever she looks; the exact digits
stay in the results and the JSON.  Rounding is half-even, in the library's own
context: what the host program did to ``decimal.getcontext()`` changes nothing.

>>> from decimal import Decimal
>>> display_value(Decimal("0.08377659574468085106382978723"), "%")
'8,38 %'
>>> display_value(Decimal("0.054236"), "‰")
'54,24 ‰'
>>> display_percent(Decimal("0.9216326530612244897959183673"))
'92,2 %'
>>> display_value(Decimal("13595300000"), "€")
'13.595.300.000 €'
>>> display_value(Decimal(1), "sì/no")
'SI'
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .decimals import ROUNDING, decimal_text, signless_zero, within_written_limit
from .missing import ND, NotAvailable
from .values import (
    FRACTION_SHIFT,
    UNITS,
    YES_NO,
    Quantity,
    format_value,
    fraction_shift,
    write_amount,
)

__all__ = ["display_exact", "display_percent", "display_value", "display_weight", "shown_score"]

_PLACES = Decimal("0.01")
_PLACES_AT = {
    shift: _PLACES.scaleb(-shift, ROUNDING) for shift in {0, *FRACTION_SHIFT.values()}
}
_SCORE_PLACES = Decimal("0.001")
_WHOLE = Decimal(1)
_LARGE = 10**15


def display_value(value: Decimal | dt.date | NotAvailable, unit: str | None = None) -> str:
    """A value with its unit, the Italian way: two decimals (of a percentage, of a
    per mille, of other amounts), none for whole amounts; yes/no as ``SI``/``NO``;
    N/D and dates as documents write them.  A number too long to write out is
    shown in scientific notation."""
    if value is ND:
        return "N/D"
    if isinstance(value, dt.date):
        return format_value(value)
    assert isinstance(value, Decimal)
    shown_unit = unit if unit in UNITS else None
    if shown_unit == YES_NO and value not in (0, 1):
        shown_unit = None  # a yes/no indicator's average, say: a number
    shift = fraction_shift(shown_unit)
    if not within_written_limit(value, shift):  # scientific notation, scaled as shown
        sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int), "a finite number"
        scaled = Decimal((sign, digits, exponent + shift))  # exact, whatever the limits
        return decimal_text(scaled) + ("" if shown_unit is None else f" {shown_unit}")
    if shown_unit == YES_NO:
        return "SI" if value else "NO"
    small = value.copy_abs() < _LARGE
    rounded = value.quantize(_PLACES_AT[shift], context=ROUNDING) if small else value
    if not shift and rounded == rounded.to_integral_value(context=ROUNDING):
        rounded = (
            rounded.quantize(_WHOLE, context=ROUNDING) if rounded.copy_abs() < _LARGE else (rounded)
        )
    # short enough to write: below 10**15 in hundredths, or the value just measured
    text = write_amount(signless_zero(rounded), shift)
    return text if shown_unit is None else f"{text} {shown_unit}"


def display_exact(value: Decimal, language: str) -> str:
    """A result's every digit, written the reader's way: in Italian ``1,000`` (one,
    its trailing zeros kept) and ``1.234.567,5``; in English the decimal point,
    no separators (``1.000``, ``1234567.5``).

    >>> display_exact(Decimal("1.000"), "it"), display_exact(Decimal("1234567.5"), "it")
    ('1,000', '1.234.567,5')
    >>> display_exact(Decimal("1.000"), "en")
    '1.000'
    """
    if language != "it":
        return decimal_text(value)
    if not within_written_limit(value, 0):  # scientific notation: no groups to write
        return decimal_text(value).replace(".", ",")
    return format_value(Quantity(value))


def shown_score(score: Decimal, places: Decimal = _SCORE_PLACES) -> Decimal:
    """A score or an achievement in [0, 1] rounded to ``places`` (of the fraction)
    for people to read: half-even, except that a score short of 1 is never shown
    as 1 (a plan with a missed target is not "100,0 %", as an indicator with a
    missed target is at most 99,9 %): it is rounded down instead.

    >>> shown_score(Decimal("0.9996")), shown_score(Decimal("0.92163"))
    (Decimal('0.999'), Decimal('0.922'))
    """
    rounded = score.quantize(places, context=ROUNDING)
    if score < 1 <= rounded:
        return 1 - places
    return rounded


def display_percent(score: Decimal | None) -> str:
    """An achievement or a score in [0, 1] as a percentage with one decimal; a
    score short of 100 % is at most ``99,9 %`` (see :func:`shown_score`)."""
    if score is None:
        return "N/D"
    return format_value(Quantity(shown_score(score), "%"))


_WEIGHT_PLACES = Decimal("0.0001")  # two decimals of a percentage


def display_weight(weight: Decimal) -> str:
    """A weight as the planning documents write it: ``33,33 %``, rounded half-even
    to two decimals of the percentage where it has more (a third is ``33,33 %``,
    not 28 threes; the JSON keeps every digit).

    >>> display_weight(Decimal("0.05")), display_weight(Decimal(1) / Decimal(3))
    ('5 %', '33,33 %')
    """
    exponent = weight.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        weight = weight.quantize(_WEIGHT_PLACES, context=ROUNDING)
    return format_value(Quantity(weight, "%"))
