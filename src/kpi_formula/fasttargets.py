"""A fast reader for the commonest target cells: a comparison and an amount.

The value grammar (``grammar/value.lark``) is the specification of targets and
the source of every error message; its LALR runtime costs about 30 µs for a
short cell, which a plan evaluated from cold pays for each of its indicators.
Most cells are ``>= 1.100 N.``, ``=> 50,00 %``, ``<= -19 gg``, ``25``, ``Entro
31-12-2025`` or one of those per year, with the canonical units: this module
reads exactly those with one regular expression, whose amount is the grammar's
own ``AMOUNT`` pattern, and returns ``None`` for anything else, which then goes
to Lark.  The tests check that both readers give the same targets.

The text it reads has been through the hygiene policy (its length checked first),
and its pattern is linear: the spaces around a comparison are matched
possessively, and a sign is glued to its amount (``5 - 10`` is a range, which
only the grammar reads).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from .grammar import grammar_text
from .scoring import Comparison, Inequality
from .values import Quantity, Unit, _exact_amount, amount_digits

__all__ = ["read_plain_targets"]

_OPERATORS: dict[str, Inequality] = {
    ">=": ">=",
    "=>": ">=",
    "<=": "<=",
    "=<": "<=",
    ">": ">",
    "<": "<",
    "=": "=",
}
_UNITS: dict[str, Unit] = {"€": "€", "%": "%", "‰": "‰", "N.": "N.", "gg": "gg"}
_MAX_DIGITS = 100
_SPACE = "[ \\t\\r\\n]"


@cache
def _pattern() -> re.Pattern[str]:
    match = re.search(r"^AMOUNT: /(.*)/$", grammar_text("value"), re.MULTILINE)
    if match is None:  # pragma: no cover - the grammar file ships with the package
        raise RuntimeError("grammar/value.lark defines no AMOUNT")
    return re.compile(
        rf"{_SPACE}*+(?:(?P<entro>[Ee]ntro){_SPACE}++"
        rf"(?P<day>[0-9]{{1,2}})(?P<sep>[-/])(?P<month>[0-9]{{1,2}})(?P=sep)(?P<year>[0-9]{{4}})"
        rf"|(?P<op>>=|=>|<=|=<|>|<|=)?{_SPACE}*+(?P<sign>[+-])?"
        rf"(?P<amount>{match[1]})(?:{_SPACE}*+(?P<unit>€|%|‰|N\.|gg)(?![^\W\d_]|[0-9.]))?)"
        rf"(?={_SPACE}|\Z)"
    )


def read_plain_targets(
    text: str,
) -> list[tuple[Comparison | None, Quantity | dt.date]] | None:
    """The (comparison, threshold) of each target of a plain cell — None as the
    comparison of a bare amount, ``"entro"`` for a deadline — or None for a cell
    that is not plain."""
    pattern = _pattern()
    found: list[tuple[Comparison | None, Quantity | dt.date]] = []
    position = 0
    end = len(text.rstrip(" \t\r\n"))
    if not end:
        return None
    while position < end:
        match = pattern.match(text, position)
        if match is None:
            return None
        position = match.end()
        if match["entro"]:
            if found and found[-1][0] != "entro":
                return None  # "100 % entro 31-12-2025": a value with a deadline, the grammar's
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
        amount = _exact_amount(f"{match['sign'] or ''}{digits}", 0, unit)
        if amount is None:  # pragma: no cover - within _MAX_DIGITS every amount is exact
            return None
        found.append((_OPERATORS[match["op"]] if match["op"] else None, Quantity(amount, unit)))
    return found
