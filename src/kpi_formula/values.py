"""Document values — numbers, units, dates and N/D written the Italian way.

Planning documents group thousands with ``.`` and write the decimal mark as
``,``; they follow a number with its unit and sometimes with a note::

    >>> from kpi_formula import parse_value, format_value
    >>> parse_value("17.533.900.000 €")
    Quantity(amount=Decimal('17533900000'), unit='€')
    >>> parse_value("72,10 %").amount        # a percentage is stored as a fraction
    Decimal('0.7210')
    >>> parse_value("13.595.300.000 € (dato al 31/10/2024)").note
    'dato al 31/10/2024'
    >>> parse_value("N/D")
    ND
    >>> format_value(parse_value("-23,24 gg"))
    '-23,24 gg'

Units are ``€``, ``%``, ``N.`` (a count), ``gg`` (days) or none; ``EUR`` and
``euro``, ``n``/``nr.``, ``giorni`` are read as their canonical spelling.
Amounts may carry a scale (``4,15 mln``, ``2,4 mld €``, ``7,2 milioni di euro``,
``3 migliaia``, ``350 k€``, ``5 M€``: the amount is scaled, the unit kept) or the
currency in front (``€ 2.750,00``).  A dot that cannot group thousands is a
decimal point (``71.90 %``).  N/D is also written ``n.d.``, ``n.a.``, ``n.c.``
or a lone dash.  Dates are ``DD-MM-YYYY``, ``DD/MM/YYYY``, ``DD.MM.YYYY`` or
ISO ``YYYY-MM-DD``.

    >>> parse_value("4,15mln")
    Quantity(amount=Decimal('4150000'), unit=None)
    >>> parse_value("€ 2.750,00")
    Quantity(amount=Decimal('2750.00'), unit='€')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, Literal, TypeAlias, TypeVar

from .decimals import EXACT, decimal_text
from .errors import KpiFormulaError, ValueSyntaxError, _TextError, clip
from .fieldtypes import TextField
from .grammar import grammar_text
from .inputs import require_text
from .missing import ND, NotAvailable
from .text import normalise

__all__ = ["Quantity", "Unit", "Value", "format_value", "parse_date", "parse_value"]

Unit: TypeAlias = Literal["€", "%", "N.", "gg"]

UNITS: tuple[Unit, ...] = ("€", "%", "N.", "gg")
_UNIT_SPELLINGS: dict[str, Unit] = {
    "€": "€",
    "eur": "€",
    "euro": "€",
    "%": "%",
    "n.": "N.",
    "n": "N.",
    "nr": "N.",
    "nr.": "N.",
    "gg": "gg",
    "gg.": "gg",
    "giorni": "gg",
}
_HUNDRED = Decimal(100)
_ONE = Decimal(1)
T = TypeVar("T")
_MAX_DIGITS = 1000


@dataclass(frozen=True, slots=True)
class Quantity(TextField):
    """An amount with its unit (``None`` for a plain number) and an optional note.

    A percentage is stored as a fraction: ``72,10 %`` has ``amount`` 0.7210 and
    ``unit`` ``"%"``.  The note (``dato al 31/10/2024``) annotates the value and
    takes no part in equality.
    """

    amount: Decimal
    unit: Unit | None = None
    note: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise KpiFormulaError(
                f"a quantity needs a finite Decimal amount, not {self.amount!r}",
                hint="build it with Decimal('12.5')",
            )
        if self.unit is not None and self.unit not in UNITS:
            raise KpiFormulaError(
                f"unknown unit {self.unit!r}", hint=f"use one of {', '.join(UNITS)} or None"
            )

    def __str__(self) -> str:
        return format_value(self)

    @classmethod
    def _read_text(cls, text: str) -> Quantity:
        """The field type's reader (see :mod:`kpi_formula.fieldtypes`)."""
        return _parse_quantity(text)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the amount as a decimal string (a percentage as a
        fraction, as stored), the unit, the note, and the text as documents write it.

        >>> Quantity(Decimal("0.721"), "%").to_dict()
        {'amount': '0.721', 'unit': '%', 'note': None, 'text': '72,1 %'}
        """
        return {
            "amount": decimal_text(self.amount),
            "unit": self.unit,
            "note": self.note,
            "text": format_value(self),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Quantity:
        """The quantity :meth:`to_dict` described (``amount`` and ``unit``; ``note``
        optional); raises KpiFormulaError on a bad dict."""
        if not isinstance(data, Mapping) or "amount" not in data:
            raise KpiFormulaError(
                "a quantity's dict needs the key 'amount'", hint="pass what to_dict() returned"
            )
        amount = data["amount"]
        if not isinstance(amount, str):
            raise KpiFormulaError(
                f"a quantity's amount is a decimal string, not {type(amount).__name__}",
                hint="for example {'amount': '0.721', 'unit': '%'}",
            )
        try:
            number = Decimal(amount)
        except ArithmeticError:
            raise KpiFormulaError(
                f"{amount[:40]!r} is not a decimal amount", hint="write it as '0.721'"
            ) from None
        return cls(number, data.get("unit"), data.get("note"))


Value: TypeAlias = Quantity | dt.date | NotAvailable
"""What :func:`parse_value` returns."""


def build_value(tree: Any) -> Value:
    """A value from its parse tree (``not_available``, ``date``, ``quantity`` or ``priced``)."""
    if tree.data == "not_available":
        return ND
    if tree.data == "date":
        return build_date(tree.children[0])
    return build_quantity(tree)


def build_date(token: Any) -> dt.date:
    """A date from its DATE token."""
    return _to_date(str(token), token.start_pos or 0)


_THOUSANDS = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?")
_SCALES = {
    "mln": 6,
    "milioni": 6,
    "mld": 9,
    "miliardi": 9,
    "migliaia": 3,
    "mila": 3,
}
_SCALED_UNITS: dict[str, tuple[Unit, int]] = {"k€": ("€", 3), "m€": ("€", 6)}


def amount_digits(text: str) -> str:
    """The digits of an AMOUNT token as Python's Decimal reads them: a comma is the
    decimal mark; dots group thousands where they can (``1.100``), and are a
    decimal point where they cannot (``71.90``, ``0.500``)."""
    if "," in text or _THOUSANDS.fullmatch(text):
        return text.replace(".", "").replace(",", ".")
    return text


def _tokens(tree: Any) -> list[Any]:
    """The tokens under ``tree``, in order."""
    found: list[Any] = []
    for part in tree.children:
        if hasattr(part, "children"):
            found.extend(_tokens(part))
        else:
            found.append(part)
    return found


def build_quantity(tree: Any) -> Quantity:
    """A quantity from its parse tree: sign, currency, amount, scale, unit and note tokens."""
    sign = ""
    amount_text = ""
    amount_start = 0
    exponent = 0
    unit: Unit | None = None
    note: str | None = None
    scale_token: Any = None
    for part in _tokens(tree):
        if part.type == "SIGN":
            sign = str(part)
        elif part.type == "CURRENCY":
            unit = "€"
        elif part.type == "AMOUNT":
            amount_text, amount_start = str(part), part.start_pos or 0
        elif part.type == "SCALE":
            scale_token = part
            exponent += _SCALES[str(part).lower().split()[0].rstrip(".")]
        elif part.type == "UNIT":
            spelling = str(part).lower()
            if spelling in _SCALED_UNITS:
                unit, shift = _SCALED_UNITS[spelling]
                exponent += shift
            else:
                unit = _UNIT_SPELLINGS[spelling]
        elif part.type == "NOTE":
            note = " ".join(str(part)[1:-1].split()) or None
    digits = amount_digits(amount_text)
    if len(digits) > _MAX_DIGITS:
        raise _ReadError(
            f"a number of more than {_MAX_DIGITS} digits",
            amount_start,
            "check the value: no figure is that long",
        )
    if unit == "%" and scale_token is not None:
        raise _ReadError(
            f"a percentage with a scale ({scale_token})",
            scale_token.start_pos or 0,
            "write the percentage alone: 72,10 %",
        )
    amount = Decimal(f"{sign}{digits}").scaleb(exponent)
    if amount.as_tuple().exponent > 0:  # type: ignore[operator]
        amount = amount.quantize(_ONE, context=EXACT)  # 4,15 mln is 4150000, not 4.15E+6
    if unit == "%":
        amount = amount.scaleb(-2)
    return Quantity(amount, unit, note)


class _ReadError(Exception):
    """Raised while building a value; turned into the caller's error type."""

    def __init__(
        self, message: str, position: int, hint: str = "write dates as DD-MM-YYYY"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.hint = hint


def _to_date(text: str, position: int) -> dt.date:
    parts = [int(part) for part in re.split(r"[-/.]", text)]
    if len(text.split("-", maxsplit=1)[0]) == 4:  # ISO: 2025-06-15
        year, month, day = parts
    else:
        day, month, year = parts
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _ReadError(
            f"{text} is not a calendar date", position, "write dates as DD-MM-YYYY"
        ) from None


@cache
def _parser(start: str) -> Any:
    # Imported here so that importing kpi_formula does not load Lark.
    from lark import Lark

    return Lark(grammar_text("value"), parser="lalr", start=start)


def parse_with(
    text: str,
    start: str,
    *,
    error_type: type[_TextError],
    build: Callable[[Any], T],
    what: str,
    hint: str,
) -> T:
    """Parse ``text`` with the value grammar's ``start`` rule, then ``build``
    the result from the tree.

    Every failure becomes ``error_type`` with a caret under the fault.
    """
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedToken

    def fail(message: str, position: int, fail_hint: str) -> _TextError:
        return error_type(message, text=text, position=position, hint=fail_hint)

    clean = normalise(text, fail)
    if not clean.strip():
        raise fail(f"the {what} is empty", 0, hint)
    try:
        tree = _parser(start).parse(clean)
        return build(tree)
    except _ReadError as error:
        raise fail(error.message, error.position, error.hint) from None
    except UnexpectedCharacters as error:
        position = error.pos_in_stream or 0
        where = clean[position : position + 12]
        raise fail(
            f"cannot read the {what} {clip(clean.strip())!r} at {where!r}",
            position,
            hint,
        ) from None
    except UnexpectedToken as error:
        position = len(clean) if error.token.type == "$END" else error.token.start_pos or 0
        if error.token.type == "$END":
            message = f"the {what} {clip(clean.strip())!r} ends too early"
        else:
            message = f"cannot read the {what} {clip(clean.strip())!r} at {str(error.token)!r}"
        raise fail(message, position, hint) from None
    except LarkError:
        raise fail(f"cannot read the {what} {clip(clean.strip())!r}", 0, hint) from None


_VALUE_HINT = (
    "write values the Italian way: 1.100 N., 72,10 %, -23,24 gg, 17.533.900.000 €, "
    "€ 2.750,00, 4,15 mln €, N/D, 31-12-2025 or 2025-12-31"
)
_LONE_DASH = re.compile(r"\s*-\s*")


def parse_value(text: str) -> Value:
    """Read one value as planning documents write it.

    Returns a :class:`Quantity`, a :class:`datetime.date` or :data:`ND`;
    raises :class:`~kpi_formula.ValueSyntaxError` for anything else.
    """
    text = require_text(text, ValueSyntaxError, "a value", "1.100 N.")
    if _LONE_DASH.fullmatch(text.replace("\u2013", "-").replace("\u2014", "-")):
        return ND  # a dash in a table's cell: nothing to report
    return parse_with(
        text,
        "value",
        error_type=ValueSyntaxError,
        build=build_value,
        what="value",
        hint=_VALUE_HINT,
    )


def _parse_quantity(text: str) -> Quantity:
    """A value that must be a quantity (not a date, not N/D): pydantic's reader."""
    value = parse_value(text)
    if not isinstance(value, Quantity):
        raise ValueSyntaxError(
            f"{text!r} is not an amount", text=text, position=0, hint="write 1.100 N. or 72,10 %"
        )
    return value


def parse_date(text: str) -> dt.date:
    """Read a date written ``DD-MM-YYYY`` or ``DD/MM/YYYY``."""
    value = parse_value(text)
    if not isinstance(value, dt.date):
        raise ValueSyntaxError(
            f"{text!r} is not a date", text=text, position=0, hint="write DD-MM-YYYY"
        )
    return value


def _group_thousands(digits: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ".".join(groups)


def format_amount(amount: Decimal, unit: Unit | None = None) -> str:
    """Write a number the Italian way (``1.234.567,89``); percentages as such."""
    shown = amount.scaleb(2) if unit == "%" else amount
    text = format(shown, "f")
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    whole, _, fraction = text.partition(".")
    body = _group_thousands(whole) + (f",{fraction}" if fraction else "")
    return f"{sign}{body}"


def format_value(value: Value | Decimal | int) -> str:
    """Write a value back the way the document does; ``parse_value`` reads it back.

    >>> from decimal import Decimal
    >>> format_value(Quantity(Decimal("1100"), "N."))
    '1.100 N.'
    >>> format_value(Quantity(Decimal("0.721"), "%"))
    '72,1 %'
    """
    if isinstance(value, NotAvailable):
        return "N/D"
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return format_amount(Decimal(value))
    if isinstance(value, Quantity):
        text = format_amount(value.amount, value.unit)
        if value.unit is not None:
            text = f"{text} {value.unit}"
        if value.note:
            text = f"{text} ({value.note})"
        return text
    raise KpiFormulaError(
        f"cannot format {type(value).__name__}", hint="pass a Quantity, a date, ND or a Decimal"
    )
