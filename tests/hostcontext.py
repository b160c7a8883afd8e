"""Run the library's entry points under a hostile host decimal context.

A program that embeds kpi_formula may set ``decimal.getcontext()`` as it likes:
three digits of precision, tiny exponents, every signal trapped, lower-case
exponents.  The library must not notice: all its decimal work runs in its own
contexts.  :func:`same_under_hostile_context` calls a function as a host with the
default context would, and again under :data:`HOSTILE`, and requires the same
answer — the same value, or an error of the same type and words.

Use it for any entry point::

    from tests.hostcontext import same_under_hostile_context

    same_under_hostile_context(kf.parse_value, "123456789 mln")
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from typing import Any

__all__ = ["HOSTILE", "answer", "same_under_hostile_context"]

HOSTILE = decimal.Context(
    prec=3,
    rounding=decimal.ROUND_UP,
    Emax=10,
    Emin=-10,
    capitals=0,
    clamp=1,
    traps=[
        decimal.Clamped,
        decimal.DivisionByZero,
        decimal.FloatOperation,
        decimal.Inexact,
        decimal.InvalidOperation,
        decimal.Overflow,
        decimal.Rounded,
        decimal.Subnormal,
        decimal.Underflow,
    ],
)
"""A context no library should inherit: every operation that reads it goes wrong."""


def answer(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    """``("value", result)``, or ``("error", type name, message)`` for an exception."""
    try:
        return ("value", function(*args, **kwargs))
    except Exception as error:  # any: a leak of the host context raises anything
        return ("error", type(error).__name__, str(error))


def same_under_hostile_context(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``function`` under the default context and under :data:`HOSTILE`;
    require the same answer, and return it (a value, or the error's description)."""
    with decimal.localcontext(decimal.Context()):
        expected = answer(function, *args, **kwargs)
    with decimal.localcontext(HOSTILE):
        found = answer(function, *args, **kwargs)
    assert found == expected, (function, args, kwargs, expected, found)
    return expected[1] if expected[0] == "value" else expected
