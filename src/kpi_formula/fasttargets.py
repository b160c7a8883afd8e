"""A fast reader for the commonest target cells: a comparison and an amount.

The value grammar (``grammar/value.lark``) is the specification of targets and
the source of every error message; its LALR runtime costs about 30 µs for a
short cell, which a plan evaluated from cold pays for each of its indicators.
Most cells are ``>= 1.100 N.``, ``=> 50,00 %``, ``<= -19 gg``, ``Entro
31-12-2025`` or one of those per year, with the canonical units: this module reads exactly those
with one regular expression, whose amount is the grammar's own ``AMOUNT``
pattern, and returns ``None`` for anything else, which then goes to Lark.  The
tests check that both readers give the same targets.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cache

from .grammar import grammar_text
from .scoring import Comparison
from .values import Quantity, Unit, amount_digits

__all__ = ["read_plain_targets"]

_OPERATORS: dict[str, Comparison] = {
    ">=": ">=",
    "=>": ">=",
    "<=": "<=",
    "=<": "<=",
    ">": ">",
    "<": "<",
    "=": "=",
}
_UNITS: dict[str, Unit] = {"€": "€", "%": "%", "N.": "N.", "gg": "gg"}
_MAX_DIGITS = 100
# the spaces the hygiene policy turns into a plain space, and the plain ones
_SPACE = "[ \\t\\r\\n\u00a0\u2007\u202f\u2009]"


@cache
def _pattern() -> re.Pattern[str]:
    match = re.search(r"^AMOUNT: /(.*)/$", grammar_text("value"), re.MULTILINE)
    if match is None:  # pragma: no cover - the grammar file ships with the package
        raise RuntimeError("grammar/value.lark defines no AMOUNT")
    return re.compile(
        rf"{_SPACE}*(?:(?P<entro>[Ee]ntro){_SPACE}+"
        rf"(?P<date>(?P<day>[0-9]{{1,2}})(?P<sep>[-/])(?P<month>[0-9]{{1,2}})(?P=sep)(?P<year>[0-9]{{4}}))"
        rf"|(?P<op>>=|=>|<=|=<|>|<|=)?{_SPACE}*(?P<sign>[+-])?{_SPACE}*"
        rf"(?P<amount>{match[1]})(?:{_SPACE}*(?P<unit>€|%|N\.|gg)(?![A-Za-z0-9.]))?)"
        rf"(?={_SPACE}|\Z)"
    )


def read_plain_targets(text: str) -> list[tuple[Comparison, Quantity | dt.date]] | None:
    """The (comparison, threshold) of each target of a plain cell, or None."""
    pattern = _pattern()
    found: list[tuple[Comparison, Quantity | dt.date]] = []
    position = 0
    end = len(text.rstrip(" \t\r\n\u00a0\u2007\u202f\u2009"))
    if not end:
        return None
    while position < end:
        match = pattern.match(text, position)
        if match is None:
            return None
        position = match.end()
        if match["entro"]:
            try:
                day = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
            except ValueError:
                return None  # the grammar's reader words that error
            found.append(("entro", day))
            continue
        digits = amount_digits(match["amount"])
        if len(digits) > _MAX_DIGITS:
            return None  # the grammar's reader words that error
        unit = _UNITS[match["unit"]] if match["unit"] else None
        amount = Decimal(f"{match['sign'] or ''}{digits}")
        if unit == "%":
            amount = amount.scaleb(-2)
        found.append((_OPERATORS[match["op"]] if match["op"] else ">=", Quantity(amount, unit)))
    return found
