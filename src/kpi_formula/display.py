"""Numbers as people read them: Italian format, their unit, sensible places.

The scorecard, the prompt and the command line show values this way, so an
analyst sees ``8,38 %`` and ``92,2 %`` wherever she looks; the exact digits
stay in the results and the JSON.

>>> from decimal import Decimal
>>> display_value(Decimal("0.08377659574468085106382978723"), "%")
'8,38 %'
>>> display_percent(Decimal("0.9216326530612244897959183673"))
'92,2 %'
>>> display_value(Decimal("13595300000"), "€")
'13.595.300.000 €'
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .missing import ND, NotAvailable
from .values import UNITS, Quantity, format_value

__all__ = ["display_percent", "display_value", "display_weight"]

_PERCENT_PLACES = Decimal("0.0001")
_PLACES = Decimal("0.01")
_SCORE_PLACES = Decimal("0.001")
_LARGE = 10**15


def display_value(value: Decimal | dt.date | NotAvailable, unit: str | None = None) -> str:
    """A value with its unit, the Italian way: two decimals (of a percentage, of
    other amounts), none for whole amounts; N/D and dates as documents write them."""
    if value is ND:
        return "N/D"
    if isinstance(value, dt.date):
        return format_value(value)
    assert isinstance(value, Decimal)
    places = _PERCENT_PLACES if unit == "%" else _PLACES
    rounded = value.quantize(places) if abs(value) < _LARGE else value
    if rounded == rounded.to_integral_value() and unit != "%":
        rounded = rounded.quantize(Decimal(1)) if abs(rounded) < _LARGE else rounded
    shown_unit = unit if unit in UNITS else None
    return format_value(Quantity(rounded, shown_unit))


def display_percent(score: Decimal | None) -> str:
    """An achievement or a score in [0, 1] as a percentage with one decimal."""
    if score is None:
        return "N/D"
    return format_value(Quantity(score.quantize(_SCORE_PLACES), "%"))


def display_weight(weight: Decimal) -> str:
    """A weight as the planning documents write it: ``33,33 %``."""
    return format_value(Quantity(weight, "%"))
