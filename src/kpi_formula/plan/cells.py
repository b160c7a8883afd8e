"""A plan's cells: weights and directions, as sheets and plan files write them.

A weight is a fraction of its group: ``33,33 %``, ``0,5``, or a number (an
Excel number formatted as %, a TOML number).  A number without ``%`` follows
the one rule for units (:func:`kpi_formula.units.in_unit`): a fraction within
±1; beyond, ``60`` could mean 60 % or 6.000 %, and is refused rather than
guessed.

Most weight cells are plain (``33,33 %``, ``50,00 %``, ``0,25``): they are read
by one regular expression whose amount is the value grammar's own ``AMOUNT``
pattern, without Lark; anything else goes to the grammar
(:func:`~kpi_formula.parse_value`), which also names the mistake.  The tests hold
both readers to the same answers.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from functools import cache

from ..decimals import EXACT, exact
from ..direction import Direction, parse_direction
from ..errors import KpiFormulaError, clip, msg
from ..grammar import grammar_text
from ..units import in_unit
from ..values import Quantity, amount_digits, parse_value

__all__ = [
    "WEIGHT_HINT",
    "direction_text",
    "plain_quantity",
    "read_direction",
    "read_language",
    "read_weight",
]

WEIGHT_HINT = msg("write the weight as 60 %, as 0,6, or as an Excel number formatted as %")
_MAX_PLAIN = 60  # longer cells are not plain: the grammar reads them, and says why not


@cache
def _plain() -> re.Pattern[str]:
    match = re.search(r"^AMOUNT: /(.*)/$", grammar_text("value"), re.MULTILINE)
    if match is None:  # pragma: no cover - the grammar file ships with the package
        raise RuntimeError("grammar/value.lark defines no AMOUNT")
    return re.compile(rf" *+(?P<sign>[+-])?(?P<amount>{match[1]}) *+(?P<percent>%)? *+")


def plain_quantity(text: str) -> Quantity | None:
    """``text`` read as the value grammar reads it, if it is a plain amount with an
    optional sign and ``%`` (``33,33 %``, ``-0,5``, ``1.100``); None for anything
    else (other units, scales, notes, other spaces), which needs the grammar."""
    if len(text) > _MAX_PLAIN:
        return None
    found = _plain().fullmatch(text)
    if found is None:
        return None
    amount = Decimal((found["sign"] or "") + amount_digits(found["amount"]))
    if found["percent"]:
        return Quantity(amount.scaleb(-2, EXACT), "%")
    return Quantity(amount)


def _fraction(amount: Decimal) -> Decimal:
    """A number without a unit as a weight, by the one rule for units: against %,
    a fraction within ±1, refused beyond (is 60 meant as 60 % or as 6.000 %?)."""
    found = in_unit(amount, "%", what=msg("the weight"))
    assert isinstance(found, Decimal)
    return found


def read_weight(cell: object, *, percent: bool = False) -> Decimal:
    """A weight as a fraction of its group, from a cell's text or number.

    ``percent`` says a number is a percentage already (an Excel cell formatted
    as %, which holds the fraction).  Raises :class:`~kpi_formula.KpiFormulaError`
    with a hint; the caller says where.
    """
    if isinstance(cell, bool) or cell is None:
        raise KpiFormulaError(msg("the weight is empty"), hint=WEIGHT_HINT)
    if isinstance(cell, int | float | Decimal):
        if isinstance(cell, float) and not math.isfinite(cell):
            raise KpiFormulaError(
                msg("the weight {value} is not a number", value=cell), hint=WEIGHT_HINT
            )
        if isinstance(cell, Decimal) and not cell.is_finite():
            raise KpiFormulaError(
                msg("the weight {value} is not a number", value=cell), hint=WEIGHT_HINT
            )
        read = Decimal(float.__repr__(cell)) if isinstance(cell, float) else Decimal(cell)
        amount = exact(read, "weight")
        return amount if percent else _fraction(amount)
    if not isinstance(cell, str):
        raise KpiFormulaError(
            msg("the weight is a {kind}, not a number", kind=type(cell).__name__),
            hint=WEIGHT_HINT,
        )
    text = cell.strip()
    if not text:
        raise KpiFormulaError(msg("the weight is empty"), hint=WEIGHT_HINT)
    quantity = plain_quantity(text)
    if quantity is None:
        value = parse_value(text)
        if not isinstance(value, Quantity) or value.unit not in ("%", None) or value.note:
            raise KpiFormulaError(
                msg(
                    "{text!r} is not a weight: a weight is a percentage or a fraction",
                    text=clip(text),
                ),
                hint=WEIGHT_HINT,
            )
        quantity = value
    if quantity.unit == "%":
        return quantity.amount
    return _fraction(quantity.amount)


def read_direction(cell: str) -> Direction | None:
    """A direction cell: empty (not said), or a spelling
    :func:`~kpi_formula.direction.parse_direction` knows."""
    return parse_direction(cell) if cell.strip() else None


_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,4}")


def read_language(text: str) -> str:
    """A plan's language, as written (``it``, ``en``, ``it-IT``): a language tag,
    else an error."""
    if not _LANGUAGE.fullmatch(text):
        raise KpiFormulaError(
            msg("{text!r} is not a language", text=clip(text)),
            hint=msg("write it (Italiano) or en (English)"),
        )
    return text


def direction_text(direction: Direction, *, italian: bool) -> str:
    """How a plan writes a direction: ``crescente``/``decrescente`` in Italian
    sheets, ``higher``/``lower`` in plan files."""
    if italian:
        return "crescente" if direction == "higher" else "decrescente"
    return direction
