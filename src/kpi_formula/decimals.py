"""Exact decimal arithmetic in the library's own, bounded contexts.

The global :mod:`decimal` context is never read or changed: every operation
names its context, so evaluation is safe across threads and unaffected by what
the host application does with ``decimal.getcontext()``.

* ``+ - *`` are exact: a result needing more than :data:`MAX_DIGITS`
  significant digits is an error, never silently rounded;
* ``/`` rounds half-even to :data:`DIVISION_DIGITS` significant digits;
* exponents stay within ±:data:`MAX_EXPONENT`; beyond is an error.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Underflow,
)

from .errors import EvaluationError, KpiFormulaError
from .missing import ND, NotAvailable

__all__ = [
    "DIVISION_DIGITS",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "add",
    "decimal_text",
    "divide",
    "multiply",
    "subtract",
    "to_decimal",
]

MAX_DIGITS = 1000
"""The most significant digits an exact result may have."""

MAX_INT_BITS = 3 * MAX_DIGITS
"""Ints longer than this (about 900 digits) are refused before conversion."""

DIVISION_DIGITS = 28
"""Significant digits kept by division (rounded half-even)."""

MAX_EXPONENT = 999_999
"""The largest decimal exponent, either way, a number may have."""

_TRAPS = [InvalidOperation, DivisionByZero, Overflow, Underflow]
EXACT = Context(
    prec=MAX_DIGITS,
    rounding=ROUND_HALF_EVEN,
    Emax=MAX_EXPONENT,
    Emin=-MAX_EXPONENT,
    traps=[*_TRAPS, Inexact],
)
DIVISION = Context(
    prec=DIVISION_DIGITS,
    rounding=ROUND_HALF_EVEN,
    Emax=MAX_EXPONENT,
    Emin=-MAX_EXPONENT,
    traps=_TRAPS,
)


def _arithmetic_error(error: DecimalException, what: str) -> EvaluationError:
    if isinstance(error, Overflow):
        return EvaluationError(
            f"{what}: the result is too large (beyond 1E+{MAX_EXPONENT})",
            hint="check the data for a misplaced exponent or unit",
        )
    if isinstance(error, Underflow):
        return EvaluationError(
            f"{what}: the result is too small (below 1E-{MAX_EXPONENT})",
            hint="check the data for a misplaced exponent or unit",
        )
    if isinstance(error, Inexact):
        return EvaluationError(
            f"{what}: the exact result needs more than {MAX_DIGITS} significant digits",
            hint="round the data, or split the formula",
        )
    return EvaluationError(f"{what}: invalid operation", hint="check the data")


def _guarded(
    operation: Callable[[Decimal, Decimal], Decimal], what: str
) -> Callable[[Decimal, Decimal], Decimal]:
    def run(left: Decimal, right: Decimal) -> Decimal:
        try:
            return operation(left, right)
        except DecimalException as error:
            raise _arithmetic_error(error, what) from None

    return run


add = _guarded(EXACT.add, "addition")
subtract = _guarded(EXACT.subtract, "subtraction")
multiply = _guarded(EXACT.multiply, "multiplication")
divide = _guarded(DIVISION.divide, "division")
"""``left / right`` rounded to DIVISION_DIGITS; the caller handles a zero divisor."""


def decimal_text(value: Decimal) -> str:
    """A decimal as plain digits (``1000``, ``0.1``), scientific only when huge or tiny."""
    if -40 < value.adjusted() < 60:
        return format(value, "f")
    return str(value)


def exact(value: Decimal, what: str) -> Decimal:
    """``value`` checked against the limits (digits and exponent)."""
    try:
        return EXACT.plus(value)
    except DecimalException as error:
        raise _arithmetic_error(error, what) from None


def to_decimal(value: object, what: str) -> Decimal | NotAvailable:
    """Read one data value: a number, N/D, or text in the document's format.

    ``int`` and ``Decimal`` are taken exactly; a ``float`` by its shortest
    repr (``0.1`` is ``Decimal("0.1")``); NaN (as pandas writes missing data),
    ``None`` and :data:`ND` are N/D; a ``str`` is read by
    :func:`~kpi_formula.parse_value`; a :class:`~kpi_formula.Quantity` gives
    its amount.  Anything else, infinities and dates included, is an error.
    """
    if value is None or value is ND:
        return ND
    if isinstance(value, bool):
        raise EvaluationError(
            f"{what} is a bool ({value}), not a number", hint="give a number or N/D"
        )
    if isinstance(value, Decimal):
        if value.is_nan():
            return ND
        if value.is_infinite():
            raise EvaluationError(f"{what} is infinite", hint="give a finite number or N/D")
        return exact(value, what)
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise EvaluationError(f"{what} is too large", hint="check the data")
        return exact(Decimal(value), what)
    if isinstance(value, float):
        if math.isnan(value):
            return ND
        if math.isinf(value):
            raise EvaluationError(f"{what} is infinite", hint="give a finite number or N/D")
        return Decimal(repr(value))
    from .values import Quantity, parse_value  # here: numbers, the common case, need neither

    if isinstance(value, str):
        try:
            parsed = parse_value(value)
        except KpiFormulaError as error:
            raise EvaluationError(f"{what}: {error.reason}", hint=error.hint) from None
        return to_decimal(parsed, what)
    if isinstance(value, Quantity):
        return exact(value.amount, what)
    if isinstance(value, dt.date):
        raise EvaluationError(
            f"{what} is a date ({value.isoformat()}), not a number",
            hint="dates are judged against deadline targets, not computed with",
        )
    raise EvaluationError(
        f"{what} has type {type(value).__name__}, not a number",
        hint="give an int, a Decimal, a float, a str such as '1.100 N.', or N/D",
    )
