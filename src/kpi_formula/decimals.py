"""Exact decimal arithmetic in the library's own, bounded contexts.

The global :mod:`decimal` context is never changed and never relied on: every operation
names its context, so evaluation is safe across threads and unaffected by what
the host application does with ``decimal.getcontext()``.

* ``+ - *`` are exact: a result needing more than :data:`MAX_DIGITS`
  significant digits is an error, never silently rounded;
* ``/`` rounds half-even to :data:`DIVISION_DIGITS` significant digits;
* exponents stay within ±:data:`MAX_EXPONENT`; beyond is an error.

Methods that quietly use the host's context (``scaleb``, ``quantize``,
``normalize``, ``to_integral_value``, unary ``-``, ``abs``, ``str`` of a huge
number) are always called here with a context, or replaced by their quiet,
context-free twins (``copy_negate``, ``copy_abs``).
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

from .errors import EvaluationError, KpiFormulaError, msg
from .missing import ND, NotAvailable

__all__ = [
    "DIVISION_DIGITS",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "ROUNDING",
    "add",
    "decimal_text",
    "divide",
    "multiply",
    "signless_zero",
    "subtract",
    "to_decimal",
    "within_written_limit",
    "written_digits",
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
ROUNDING = Context(
    prec=MAX_DIGITS,
    rounding=ROUND_HALF_EVEN,
    Emax=MAX_EXPONENT,
    Emin=-MAX_EXPONENT,
    traps=_TRAPS,
)
"""Rounding for people (places shown by the display helpers): half-even, no
trap on the digits it drops."""


def _arithmetic_error(error: DecimalException, what: str) -> EvaluationError:
    if isinstance(error, Overflow):
        return EvaluationError(
            msg(
                "{what}: the result is too large (beyond 1E+{limit})",
                what=what,
                limit=MAX_EXPONENT,
            ),
            hint=msg("check the data for a misplaced exponent or unit"),
        )
    if isinstance(error, Underflow):
        return EvaluationError(
            msg(
                "{what}: the result is too small (below 1E-{limit})",
                what=what,
                limit=MAX_EXPONENT,
            ),
            hint=msg("check the data for a misplaced exponent or unit"),
        )
    if isinstance(error, Inexact):
        return EvaluationError(
            msg(
                "{what}: the exact result needs more than {limit} significant digits",
                what=what,
                limit=MAX_DIGITS,
            ),
            hint=msg("round the data, or split the formula"),
        )
    return EvaluationError(
        msg("{what}: invalid operation", what=what), hint=msg("check the data")
    )


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


def signless_zero(value: Decimal) -> Decimal:
    """``value``, with a negative zero (``0 / -19``, ``-0 gg`` as written) made 0:
    a zero has no sign to show, in text or in JSON (``-0,0 %`` would read as a loss).

    >>> signless_zero(Decimal("-0.0")), signless_zero(Decimal("-2"))
    (Decimal('0.0'), Decimal('-2'))
    """
    return value.copy_abs() if value.is_zero() else value


def decimal_text(value: Decimal) -> str:
    """A decimal as plain digits (``1000``, ``0.1``), scientific only when huge or tiny."""
    if -40 < value.adjusted() < 60:
        return format(value, "f")
    return EXACT.to_sci_string(value)  # str() would follow the host's ``capitals``


def written_digits(value: Decimal, shift: int = 0) -> int:
    """How many digits ``value`` scaled by ``10**shift`` has written out plainly
    (as ``format(value, "f")`` writes it): ``1E+5`` has 6, ``0.05`` has 3.

    Plain integer arithmetic on the exponent, so that a number like
    ``1E+99999999`` is measured without being written.
    """
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int), "a finite number"
    exponent += shift
    if exponent >= 0:
        return 1 if value.is_zero() else len(digits) + exponent
    return max(len(digits) + exponent, 1) - exponent


_SURELY_SHORT = 300
"""Below this leading-digit position and length of ``str``, a number surely has at
most MAX_DIGITS digits written out (see :func:`within_written_limit`)."""


def within_written_limit(value: Decimal, shift: int = 0) -> bool:
    """Whether ``value`` scaled by ``10**shift`` has at most :data:`MAX_DIGITS`
    digits written out: ``written_digits(value, shift) <= MAX_DIGITS``, most often
    told without listing the digits.

    Written out, a number has its integer digits, at most ``max(adjusted + 1, 1)``,
    and its fraction digits, at most ``coefficient digits - 1 - adjusted``; ``str``
    writes every coefficient digit.  With ``|adjusted|`` and ``len(str(value))``
    below 300, that is below 300 + 600 digits.
    """
    adjusted = value.adjusted() + shift
    if -_SURELY_SHORT < adjusted < _SURELY_SHORT and len(str(value)) < _SURELY_SHORT:
        return True
    return written_digits(value, shift) <= MAX_DIGITS


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
            msg("{what} is a bool ({value}), not a number", what=what, value=value),
            hint=msg("give a number or N/D"),
        )
    if isinstance(value, Decimal):
        if value.is_nan():
            return ND
        if value.is_infinite():
            raise EvaluationError(
                msg("{what} is infinite", what=what), hint=msg("give a finite number or N/D")
            )
        return exact(value, what)
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise EvaluationError(msg("{what} is too large", what=what), hint=msg("check the data"))
        return exact(Decimal(value, EXACT), what)  # (a context named: the host's is not read)
    if isinstance(value, float):
        if math.isnan(value):
            return ND
        if math.isinf(value):
            raise EvaluationError(
                msg("{what} is infinite", what=what), hint=msg("give a finite number or N/D")
            )
        # float's own shortest repr, a subclass's notwithstanding (numpy writes np.float64(1.5));
        # exact whatever the context, and the host's is not read
        return Decimal(float.__repr__(value), EXACT)
    from .values import Quantity, parse_value  # here: numbers, the common case, need neither

    if isinstance(value, str):
        try:
            parsed = parse_value(value)
        except KpiFormulaError as error:
            raise EvaluationError(
                msg("{what}: {reason}", what=what, reason=error.reason), hint=error.hint
            ) from None
        return to_decimal(parsed, what)
    if isinstance(value, Quantity):
        return exact(value.amount, what)
    if isinstance(value, dt.date):
        raise EvaluationError(
            msg("{what} is a date ({date}), not a number", what=what, date=value.isoformat()),
            hint=msg("dates are judged against deadline targets, not computed with"),
        )
    raise EvaluationError(
        msg("{what} has type {kind}, not a number", what=what, kind=type(value).__name__),
        hint=msg("give an int, a Decimal, a float, a str such as '1.100 N.', or N/D"),
    )
