"""Document values — numbers, units, dates, yes/no and N/D written the Italian way.

Planning documents group thousands with ``.`` (or single spaces, as PDFs print
them) and write the decimal mark as ``,``; they follow a number with its unit
and sometimes with a note::

    >>> from kpi_formula import parse_value, format_value
    >>> parse_value("17.533.900.000 €")
    Quantity(amount=Decimal('17533900000'), unit='€')
    >>> parse_value("72,10 %").amount        # a percentage is stored as a fraction
    Decimal('0.7210')
    >>> parse_value("54,24 ‰").amount        # and so is a per mille
    Decimal('0.05424')
    >>> parse_value("1 000 000 €").amount
    Decimal('1000000')
    >>> parse_value("13.595.300.000 € (dato al 31/10/2024)").note
    'dato al 31/10/2024'
    >>> parse_value("N/D")
    ND
    >>> format_value(parse_value("-23,24 gg"))
    '-23,24 gg'

Units are ``€``, ``%``, ``‰`` (per mille), ``N.`` (a count), ``gg`` (days),
``sì/no`` (yes or no) or none; ``EUR`` and ``euro``, ``n``/``nr.``, ``giorni``,
``per mille`` are read as their canonical spelling.  Amounts may carry a scale
(``4,15 mln``, ``2,4 mld €``, ``7,2 milioni di euro``, ``3 migliaia``, ``350 k€``,
``5 M€``: the amount is scaled, the unit kept) or the currency in front
(``€ 2.750,00``).  A dot that cannot group thousands is a decimal point
(``71.90 %``).  N/D is also written ``n.d.``, ``n.a.``, ``n.c.`` or a lone dash.
Dates are ``DD-MM-YYYY``, ``DD/MM/YYYY``, ``DD.MM.YYYY``, ISO ``YYYY-MM-DD`` or
``30 giugno 2025``.

**Yes and no** (``SI``, ``Sì``, ``Realizzato``, ``Adottato``; ``NO``, ``Non
realizzato``) are the numbers 1 and 0 in the unit ``sì/no``, so that they flow
through formulas, data files and engines as numbers do, and are written back as
``SI`` and ``NO``::

    >>> parse_value("Realizzato"), parse_value("Non realizzato")
    (Quantity(amount=Decimal('1'), unit='sì/no'), Quantity(amount=Decimal('0'), unit='sì/no'))

**Exactly, within limits.**  Text is read exactly, whatever the host program did
to ``decimal.getcontext()``: a number has at most :data:`MAX_DIGITS` digits
written out (``4,15 mln`` counts as the 7 digits of 4150000), and beyond is a
:class:`~kpi_formula.ValueSyntaxError` naming the limit, never a rounded number.
A :class:`Quantity` holds the same limit, so that :func:`format_value` always
writes text :func:`parse_value` reads back.

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
from decimal import Decimal, DecimalException
from functools import cache
from typing import Any, Literal, TypeAlias, TypeVar

from .decimals import EXACT, MAX_DIGITS, decimal_text, within_written_limit
from .errors import KpiFormulaError, Message, ValueSyntaxError, _TextError, clip, msg
from .fieldtypes import TextField
from .grammar import grammar_text
from .missing import ND, NotAvailable
from .patterns import lazy
from .text import MAX_TEXT_LENGTH, check_length, hygiene_problem, normalise, require_text

__all__ = [
    "MAX_NOTE_LENGTH",
    "UNITS",
    "YES_NO",
    "Quantity",
    "Unit",
    "Value",
    "format_value",
    "parse_date",
    "parse_value",
]

Unit: TypeAlias = Literal["€", "%", "‰", "N.", "gg", "sì/no"]

UNITS: tuple[Unit, ...] = ("€", "%", "‰", "N.", "gg", "sì/no")
"""Every unit, canonically spelled."""

YES_NO: Unit = "sì/no"
"""The unit of yes/no values: 1 is yes (``SI``), 0 is no (``NO``)."""

FRACTION_SHIFT: dict[Unit, int] = {"%": 2, "‰": 3}
"""Units stored as a fraction, and the power of ten they are shown at."""


def fraction_shift(unit: Unit | None) -> int:
    """The power of ten ``unit`` is shown at: 2 for ``%``, 3 for ``‰``, else 0."""
    return 0 if unit is None else FRACTION_SHIFT.get(unit, 0)

_UNIT_SPELLINGS: dict[str, Unit] = {
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
    "gg": "gg",
    "gg.": "gg",
    "giorni": "gg",
    "giorno": "gg",
}
MAX_NOTE_LENGTH = 1000
"""The longest note a quantity carries, in characters."""

_ONE = Decimal(1)
_ZERO = Decimal(0)
T = TypeVar("T")


def _quantity_problem(amount: object, unit: object, note: object) -> Message | None:
    """What makes (amount, unit, note) no quantity, or None.  One check, for the
    constructor and :meth:`Quantity.from_dict` alike."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return msg("a quantity needs a finite Decimal amount, not {amount}", amount=repr(amount))
    if unit is not None and unit not in UNITS:
        return msg("unknown unit {unit}", unit=clip(repr(unit)))
    if unit == YES_NO and amount not in (_ZERO, _ONE):
        return msg(
            "a yes/no quantity is 1 (yes) or 0 (no), not {amount}", amount=clip(str(amount))
        )
    if not within_written_limit(amount, fraction_shift(unit)):
        return msg(
            "an amount of more than {limit} digits written out", limit=MAX_DIGITS
        )
    if note is not None:
        if not isinstance(note, str) or len(note) > MAX_NOTE_LENGTH:
            return msg(
                "a quantity's note is text of at most {limit} characters", limit=MAX_NOTE_LENGTH
            )
        if "(" in note or ")" in note or hygiene_problem(note) is not None:
            return msg(
                "a quantity's note cannot hold parentheses, control or invisible characters"
            )
    return None


@dataclass(frozen=True, slots=True)
class Quantity(TextField):
    """An amount with its unit (``None`` for a plain number) and an optional note.

    A percentage or a per mille is stored as a fraction: ``72,10 %`` has
    ``amount`` 0.7210 and ``unit`` ``"%"``.  A yes/no value is 1 or 0 in the unit
    ``"sì/no"``.  The note (``dato al 31/10/2024``) annotates the value and takes
    no part in equality.  The amount has at most :data:`~kpi_formula.decimals.MAX_DIGITS`
    digits written out (as :func:`format_value` writes it).
    """

    amount: Decimal
    unit: Unit | None = None
    note: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        problem = _quantity_problem(self.amount, self.unit, self.note)
        if problem is not None:
            raise KpiFormulaError(
                problem,
                hint=msg(
                    "build it as Quantity(Decimal('12.5'), unit) with a unit among {units}",
                    units=", ".join(UNITS),
                ),
            )
        if self.amount.is_zero():  # -0 gg is 0 gg: a zero shows no sign
            object.__setattr__(self, "amount", self.amount.copy_abs())

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
        optional); raises KpiFormulaError on a bad dict, and on what the
        constructor refuses (NaN, infinities, amounts past the digit limit)."""
        if not isinstance(data, Mapping) or "amount" not in data:
            raise KpiFormulaError(
                msg("a quantity's dict needs the key 'amount'"),
                hint=msg("pass what to_dict() returned"),
            )
        return cls(
            json_decimal(data["amount"], msg("the amount")),
            data.get("unit"),
            data.get("note"),
        )


def json_decimal(text: object, what: str) -> Decimal:
    """A finite decimal read from a JSON string (``"0.721"``), or KpiFormulaError
    naming ``what``: JSON carries decimals as strings, exactly."""
    if not isinstance(text, str):
        raise KpiFormulaError(
            msg("{what} is a decimal string, not {kind}", what=what, kind=type(text).__name__),
            hint=msg("for example '0.721'"),
        )
    if len(text) > MAX_TEXT_LENGTH:
        raise KpiFormulaError(
            msg(
                "{what} of {length} characters is longer than the limit of {limit}",
                what=what,
                length=len(text),
                limit=MAX_TEXT_LENGTH,
            ),
            hint=msg("for example '0.721'"),
        )
    try:
        number = Decimal(text.strip())
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite():
        raise KpiFormulaError(
            msg("{what} {text} is not a finite decimal", what=what, text=repr(clip(text))),
            hint=msg("for example '0.721'"),
        )
    return number


Value: TypeAlias = Quantity | dt.date | NotAvailable
"""What :func:`parse_value` returns."""


def build_value(tree: Any) -> Value:
    """A value from its parse tree (``not_available``, ``date``, ``yes``, ``no``,
    ``quantity`` or ``priced``)."""
    if tree.data == "not_available":
        return ND
    if tree.data == "date":
        return build_date(tree.children[0])
    if tree.data in ("yes", "no"):
        return Quantity(_ONE if tree.data == "yes" else _ZERO, YES_NO, note_of(tree.children[1:]))
    return build_quantity(tree)


_MONTHS = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)
MONTHS: dict[str, int] = {name: number for number, name in enumerate(_MONTHS, start=1)}
"""The months' Italian names, and their numbers."""


def build_date(token: Any) -> dt.date:
    """A date from its DATE or DATE_WORDS token."""
    return _to_date(str(token), token.start_pos or 0)


def note_of(tokens: Any) -> str | None:
    """The note of a NOTE token among ``tokens`` (its words, without parentheses)."""
    for token in tokens:
        if getattr(token, "type", None) == "NOTE":
            return " ".join(str(token)[1:-1].split()) or None
    return None


_THOUSANDS = lazy(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})++(?:,[0-9]++)?")
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
    decimal point where they cannot (``71.90``, ``0.500``); single spaces group
    thousands (``1 000 000``)."""
    if " " in text:
        return text.replace(" ", "").replace(",", ".")
    if "," in text or _THOUSANDS().fullmatch(text):
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


def unit_of_spelling(spelling: str) -> Unit:
    """The unit a UNIT token spells (``giorni`` is ``gg``)."""
    return _UNIT_SPELLINGS[" ".join(spelling.lower().split())]


def build_quantity(tree: Any, unit: Unit | None = None) -> Quantity:
    """A quantity from its parse tree: sign, currency, amount, scale, unit and note
    tokens; ``unit`` is the one to give it when the text names none (the shared
    unit of a range: ``tra 70 e 90 %``)."""
    sign = ""
    amount_text = ""
    amount_start = 0
    exponent = 0
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
                unit = unit_of_spelling(spelling)
        elif part.type == "NOTE":
            note = note_of([part])
    if unit in FRACTION_SHIFT and scale_token is not None:
        raise _ReadError(
            msg("a percentage with a scale ({scale})", scale=str(scale_token)),
            scale_token.start_pos or 0,
            msg("write the percentage alone: 72,10 %"),
        )
    digits = amount_digits(amount_text)
    amount = _exact_amount(f"{sign}{digits}", exponent, unit)
    if amount is None:
        where = amount_start if scale_token is None else scale_token.start_pos or 0
        raise _ReadError(
            msg("a number of more than {limit} digits", limit=MAX_DIGITS),
            where,
            msg("check the value: no figure is that long"),
        )
    return Quantity(amount, unit, note)


def _exact_amount(digits: str, exponent: int, unit: Unit | None) -> Decimal | None:
    """``digits`` (an optional sign, digits, a decimal point) scaled by
    ``10**exponent``, as the quantity ``unit`` stores it (a percentage as a
    fraction), exactly; None past the digit limit."""
    written = len(digits) - digits.count(".") - (digits[:1] in ("+", "-"))
    if written > MAX_DIGITS:
        return None
    amount = Decimal(digits)
    shift = fraction_shift(unit)
    if not exponent:
        # moving the decimal point of a number within the limit keeps it exact
        return amount.scaleb(-shift, EXACT) if shift else amount
    try:
        amount = amount.scaleb(exponent, EXACT)
        if amount.as_tuple().exponent > 0:  # type: ignore[operator]
            amount = amount.quantize(_ONE, context=EXACT)  # 4,15 mln is 4150000, not 4.15E+6
        if shift:
            amount = amount.scaleb(-shift, EXACT)
    except DecimalException:  # more digits than the exact context holds
        return None
    if not within_written_limit(amount, shift):
        return None
    return amount


class _ReadError(Exception):
    """Raised while building a value; turned into the caller's error type."""

    def __init__(self, message: str, position: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.hint = msg("write dates as DD-MM-YYYY") if hint is None else hint


def _to_date(text: str, position: int) -> dt.date:
    words = text.lower().split()
    if len(words) == 3:  # 30 giugno 2025
        day, month, year = int(words[0]), MONTHS[words[1]], int(words[2])
    else:
        parts = [int(part) for part in re.split(r"[-/.]", text)]
        if len(text.split("-", maxsplit=1)[0]) == 4:  # ISO: 2025-06-15
            year, month, day = parts
        else:
            day, month, year = parts
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _ReadError(
            msg("{text} is not a calendar date", text=text),
            position,
            msg("write dates as DD-MM-YYYY"),
        ) from None


@cache
def _parser() -> Any:
    # Imported here so that importing kpi_formula does not load Lark.
    from lark import Lark

    return Lark(grammar_text("value"), parser="lalr", start=["value", "targets"])


def clean_text(text: str, error_type: type[_TextError], hint: str) -> str:
    """``text`` after the hygiene policy (its length checked first, before any
    pattern looks at it), or ``error_type`` with a caret."""

    def fail(message: str, position: int, fail_hint: str) -> _TextError:
        return error_type(message, text=text, position=position, hint=fail_hint)

    check_length(text, lambda message, position, _: fail(message, position, hint))
    return normalise(text, fail)


def parse_with(
    text: str,
    start: str,
    *,
    clean: str,
    error_type: type[_TextError],
    build: Callable[[Any], T],
    what: str,
    hint: str,
) -> T:
    """Parse ``clean`` — ``text`` through :func:`clean_text` — with the value
    grammar's ``start`` rule, then ``build`` the result from the tree.

    Every failure becomes ``error_type`` with a caret under the fault in ``text``.
    """
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedToken

    def fail(message: str, position: int, fail_hint: str) -> _TextError:
        return error_type(message, text=text, position=position, hint=fail_hint)

    shown = clip(clean.strip())
    if not clean.strip():
        raise fail(msg("the {what} is empty", what=what), 0, hint)
    try:
        tree = _parser().parse(clean, start=start)
        return build(tree)
    except _ReadError as error:
        raise fail(error.message, error.position, error.hint) from None
    except UnexpectedCharacters as error:
        position = error.pos_in_stream or 0
        where = clean[position : position + 12]
        raise fail(
            msg("cannot read the {what} {text} at {where}", what=what, text=repr(shown),
                where=repr(where)),
            position,
            hint,
        ) from None
    except UnexpectedToken as error:
        if error.token.type == "$END":
            message = msg("the {what} {text} ends too early", what=what, text=repr(shown))
            position = len(clean)
        else:
            position = error.token.start_pos or 0
            message = msg(
                "cannot read the {what} {text} at {where}",
                what=what,
                text=repr(shown),
                where=repr(clean[position : position + 12]),
            )
        raise fail(message, position, hint) from None
    except LarkError:
        raise fail(
            msg("cannot read the {what} {text}", what=what, text=repr(shown)), 0, hint
        ) from None


_VALUE_HINT = msg(
    "write values the Italian way: 1.100 N., 72,10 %, 54,24 ‰, -23,24 gg, 17.533.900.000 €, "
    "1 000 000 €, € 2.750,00, 4,15 mln €, SI, NO, N/D, 31-12-2025 or 2025-12-31"
)
_LONE_DASH = lazy(r"\s*+-\s*+")


def parse_value(text: str) -> Value:
    """Read one value as planning documents write it.

    Returns a :class:`Quantity`, a :class:`datetime.date` or :data:`ND`;
    raises :class:`~kpi_formula.ValueSyntaxError` for anything else.
    """
    text = require_text(text, ValueSyntaxError, "a value", "1.100 N.")
    clean = clean_text(text, ValueSyntaxError, _VALUE_HINT)
    if _LONE_DASH().fullmatch(clean):
        return ND  # a dash in a table's cell: nothing to report
    return parse_with(
        text,
        "value",
        clean=clean,
        error_type=ValueSyntaxError,
        build=build_value,
        what=msg("value"),
        hint=_VALUE_HINT,
    )


def _parse_quantity(text: str) -> Quantity:
    """A value that must be a quantity (not a date, not N/D): pydantic's reader."""
    value = parse_value(text)
    if not isinstance(value, Quantity):
        raise ValueSyntaxError(
            msg("{text} is not an amount", text=repr(clip(text))),
            text=text,
            position=0,
            hint=msg("write 1.100 N. or 72,10 %"),
        )
    return value


def parse_date(text: str) -> dt.date:
    """Read a date written ``DD-MM-YYYY`` or ``DD/MM/YYYY``."""
    value = parse_value(text)
    if not isinstance(value, dt.date):
        raise ValueSyntaxError(
            msg("{text} is not a date", text=repr(clip(text))),
            text=text,
            position=0,
            hint=msg("write DD-MM-YYYY"),
        )
    return value


def _group_thousands(digits: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ".".join(groups)


def format_amount(amount: Decimal, unit: Unit | None = None) -> str:
    """Write a number the Italian way (``1.234.567,89``); percentages and per
    mille as such (``0.721`` in ``%`` is ``72,1``)."""
    shift = fraction_shift(unit)
    if not within_written_limit(amount, shift):
        raise KpiFormulaError(
            msg("cannot write a number of more than {limit} digits", limit=MAX_DIGITS),
            hint=msg("check the value: no figure is that long"),
        )
    return write_amount(amount, shift)


def write_amount(amount: Decimal, shift: int) -> str:
    """:func:`format_amount` of an amount already known to be short enough,
    scaled by ``10**shift`` (its unit's :func:`fraction_shift`)."""
    shown = amount.scaleb(shift, EXACT) if shift else amount
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
    >>> format_value(Quantity(Decimal(1), "sì/no"))
    'SI'
    """
    if isinstance(value, NotAvailable):
        return "N/D"
    if isinstance(value, dt.date):
        return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        number = Decimal(value)
        if not number.is_finite():
            raise KpiFormulaError(
                msg("cannot format {value}", value=str(value)), hint=msg("pass a finite number")
            )
        return format_amount(number)
    if isinstance(value, Quantity):
        if value.unit == YES_NO:
            text = "SI" if value.amount else "NO"
        else:
            text = format_amount(value.amount, value.unit)
            if value.unit is not None:
                text = f"{text} {value.unit}"
        if value.note:
            text = f"{text} ({value.note})"
        return text
    raise KpiFormulaError(
        msg("cannot format {kind}", kind=type(value).__name__),
        hint=msg("pass a Quantity, a date, ND or a Decimal"),
    )
