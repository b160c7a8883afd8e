"""The :class:`Result` of an evaluation: a plain, immutable value.

A result holds the value (a :class:`~decimal.Decimal` or :data:`~kpi_formula.ND`),
the evaluation year, the formula evaluated, the reasons for an N/D value, the
catalog's notes, and a snapshot of the inputs it read.  It holds nothing of the
caller's: the data can be changed or freed after evaluation, and
:meth:`Result.explain` still tells how the value was reached, from the formula
and the snapshot alone.

Results are built by evaluation, or by hand (for a test, or from a cache):

>>> import kpi_formula as kf
>>> from decimal import Decimal
>>> made = kf.Result(value=Decimal("0.1"), year=2025, formula="(A - A-1) / A-1")
>>> made == kf.evaluate("(A - A-1) / A-1", {("A", 2025): 110, ("A", 2024): 100}, year=2025)
True
>>> kf.Result.from_dict(made.to_dict()) == made
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from .decimals import decimal_text, to_decimal
from .errors import KpiFormulaError, clip, msg
from .formula import Formula, parse
from .missing import ND, NotAvailable

if TYPE_CHECKING:
    from typing import Self

__all__ = ["InputKey", "MissingPolicy", "Result", "ZeroDivisionPolicy"]

MissingPolicy: TypeAlias = Literal["propagate", "zero"]
ZeroDivisionPolicy: TypeAlias = Literal["missing", "error"]
InputKey: TypeAlias = tuple[str, int]
"""``(code, year)``: what an input of a result is keyed by."""

MISSING_POLICIES: tuple[MissingPolicy, ...] = ("propagate", "zero")
ZERO_POLICIES: tuple[ZeroDivisionPolicy, ...] = ("missing", "error")

RESULT_SLOTS = (
    "_value",
    "_year",
    "_inputs",
    "_formula",
    "_reasons",
    "_notes",
    "_on_missing",
    "_input_refs",
)
"""The slots of a result.  ``_inputs`` is either a dict ``{(code, year): value}``
or, from a compiled formula's plain path, a tuple of the values read in the order
of ``_input_refs`` (``(code, offset)`` pairs), turned into a mapping on demand."""


YEAR_DIGITS = 18
"""The most digits a year may have (years fit the 64-bit integers of SQL and polars)."""

_YEAR_LIMIT = 10**YEAR_DIGITS


def checked_year(year: object, error: type[KpiFormulaError]) -> int:
    """``year`` if it is an int (not a bool) of at most :data:`YEAR_DIGITS` digits,
    else an ``error``."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise error(
            msg("the year must be an int, not {kind}", kind=type(year).__name__),
            hint=msg("pass year=2025"),
        )
    if not -_YEAR_LIMIT < int.__index__(year) < _YEAR_LIMIT:  # a subclass's own order aside
        raise error(
            msg("the year has more than {digits} digits", digits=YEAR_DIGITS),
            hint=msg("pass year=2025"),
        )
    return year


_INPUT_YEAR_LIMIT = 10 * _YEAR_LIMIT
"""An input's year may be one digit longer than the year asked: a year of 18 digits, less
the offset of a prior year, can read one of 19."""


def _shown(key: object) -> str:
    """``repr(key)``, clipped; its type's name where it cannot be written (a failing repr,
    an int too long for ``str``)."""
    try:
        return clip(repr(key))
    except Exception:  # whatever a foreign repr raises
        return type(key).__name__


_INPUTS_EXAMPLE = msg("for example inputs={example}", example="{('A', 2025): Decimal('110')}")


def _bad(message: str, hint: str) -> KpiFormulaError:
    return KpiFormulaError(message, hint=hint)


def _checked_value(value: object, what: str) -> Decimal | NotAvailable:
    if value is None or value is ND:
        return ND
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise _bad(
            msg(
                "{what} must be a Decimal, an int, a decimal string or ND, not {kind}",
                what=what,
                kind=type(value).__name__,
            ),
            msg("for example value=Decimal('0.1') or value=kf.ND"),
        )
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            raise _bad(
                msg("{what} {value!r} is not a decimal", what=what, value=value),
                msg("write it as '0.1'"),
            ) from None
    checked = to_decimal(value, what)  # N/D for NaN; an error past the limits
    # the value as given, the sign of a zero included (the checks round -0 to 0)
    return Decimal(value) if isinstance(checked, Decimal) else checked


def _checked_texts(items: object, what: str) -> tuple[str, ...]:
    if isinstance(items, str) or not isinstance(items, Iterable):
        raise _bad(
            msg("{what} must be a tuple of strings", what=what),
            msg("for example {what}=('A@2025 is N/D',)", what=what),
        )
    texts = tuple(items)
    if not all(isinstance(item, str) for item in texts):
        raise _bad(
            msg("{what} must hold strings only", what=what),
            msg("for example {what}=('A@2025 is N/D',)", what=what),
        )
    return texts


def _checked_inputs(inputs: object) -> dict[InputKey, Decimal | NotAvailable] | None:
    if inputs is None:
        return None
    if not isinstance(inputs, Mapping):
        raise _bad(
            msg("inputs must be a mapping, not {kind}", kind=type(inputs).__name__),
            _INPUTS_EXAMPLE,
        )
    checked: dict[InputKey, Decimal | NotAvailable] = {}
    for key, value in inputs.items():
        if (
            not isinstance(key, tuple)
            or len(key) != 2
            or not isinstance(key[0], str)
            or isinstance(key[1], bool)
            or not isinstance(key[1], int)
        ):
            raise _bad(
                msg("an input is keyed by (code, year), not {key}", key=_shown(key)),
                _INPUTS_EXAMPLE,
            )
        if not -_INPUT_YEAR_LIMIT < int.__index__(key[1]) < _INPUT_YEAR_LIMIT:
            raise _bad(
                msg(
                    "the input {code} has a year of more than {digits} digits",
                    code=clip(key[0]),
                    digits=YEAR_DIGITS + 1,
                ),
                _INPUTS_EXAMPLE,
            )
        checked[(key[0], key[1])] = _checked_value(
            value, msg("the input {code}@{year}", code=key[0], year=key[1])
        )
    return checked


class Result:
    """The outcome of evaluating a formula for one year: an immutable value.

    ``value`` is a :class:`~decimal.Decimal` or :data:`~kpi_formula.ND`;
    ``reasons`` names each missing ``code@year`` and each division by zero
    (under ``on_missing="zero"`` it also lists the drivers counted as 0);
    ``notes`` says how the catalog read the formula; ``inputs`` maps each
    ``(code, year)`` the evaluation read to the value it read (N/D included;
    a reference absent from the data has no entry).

    Results compare equal, and hash alike, when their value, reasons, year,
    formula and notes are equal; ``inputs`` and ``on_missing`` take no part,
    so a result built by hand equals an evaluated one with the same fields.
    They pickle, and :meth:`to_dict` / :meth:`from_dict` give a JSON form.
    """

    __slots__ = RESULT_SLOTS

    _value: Decimal | NotAvailable
    _year: int
    _inputs: dict[InputKey, Decimal | NotAvailable] | tuple[Decimal, ...] | None
    _formula: Formula
    _reasons: tuple[str, ...]
    _notes: tuple[str, ...]
    _on_missing: MissingPolicy
    _input_refs: tuple[tuple[str, int], ...]

    def __init__(
        self,
        *,
        value: Decimal | int | str | NotAvailable | None,
        year: int,
        formula: Formula | str,
        reasons: Iterable[str] = (),
        notes: Iterable[str] = (),
        inputs: Mapping[InputKey, Decimal | int | str | NotAvailable | None] | None = None,
        on_missing: MissingPolicy = "propagate",
    ) -> None:
        year = checked_year(year, KpiFormulaError)
        if isinstance(formula, str):
            formula = parse(formula)
        elif not isinstance(formula, Formula):
            raise _bad(
                msg(
                    "formula must be a Formula or its text, not {kind}", kind=type(formula).__name__
                ),
                msg("pass formula='(A - A-1) / A-1' or kf.parse(...)"),
            )
        if on_missing not in MISSING_POLICIES:
            raise _bad(
                msg("unknown on_missing policy {policy!r}", policy=on_missing),
                msg("use one of {policies}", policies=", ".join(map(repr, MISSING_POLICIES))),
            )
        self._value = _checked_value(value, "value")
        self._year = year
        self._formula = formula
        self._reasons = _checked_texts(reasons, "reasons")
        self._notes = _checked_texts(notes, "notes")
        self._inputs = _checked_inputs(inputs)
        self._on_missing = on_missing
        self._input_refs = ()

    @classmethod
    def _make(
        cls,
        *,
        value: Decimal | NotAvailable,
        year: int,
        formula: Formula,
        reasons: tuple[str, ...],
        notes: tuple[str, ...],
        inputs: dict[InputKey, Decimal | NotAvailable],
        on_missing: MissingPolicy,
    ) -> Result:
        """A result from values evaluation has already checked (no validation)."""
        result: Result = object.__new__(cls)
        result._value = value
        result._year = year
        result._formula = formula
        result._reasons = reasons
        result._notes = notes
        result._inputs = inputs
        result._on_missing = on_missing
        result._input_refs = ()
        return result

    @property
    def value(self) -> Decimal | NotAvailable:
        """The value: a Decimal, or ND."""
        return self._value

    @property
    def year(self) -> int:
        """The evaluation year."""
        return self._year

    @property
    def formula(self) -> Formula:
        """The formula evaluated (after the catalog's reading)."""
        return self._formula

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the value is N/D, and what was counted as 0."""
        return self._reasons

    @property
    def notes(self) -> tuple[str, ...]:
        """How the catalog read the formula."""
        return self._notes

    @property
    def on_missing(self) -> MissingPolicy:
        """The N/D policy the value was computed under."""
        return self._on_missing

    @property
    def missing(self) -> bool:
        """True when the value is N/D."""
        return self._value is ND

    @property
    def inputs(self) -> Mapping[InputKey, Decimal | NotAvailable] | None:
        """The values read, by ``(code, year)``, as they were at evaluation time
        (read-only); None for a result built by hand without them."""
        inputs = self._inputs
        if inputs is None:
            return None
        if isinstance(inputs, tuple):
            year = self._year
            return MappingProxyType(
                {
                    (code, year + offset): value
                    for (code, offset), value in zip(self._input_refs, inputs, strict=True)
                }
            )
        return MappingProxyType(inputs)

    def _key(self) -> tuple[object, ...]:
        return (self._value, self._reasons, self._year, self._formula, self._notes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[Any, ...]:
        inputs = self.inputs
        state = (
            self._value,
            self._year,
            self._formula,
            self._reasons,
            self._notes,
            None if inputs is None else dict(inputs),
            self._on_missing,
        )
        return (_restore, (state,))

    def explain(self, *, number: Callable[[Decimal], str] | None = None) -> str:
        """A multi-line account of each sub-expression's value, worked out from
        the formula and :attr:`inputs` alone.

        Numbers are written as exact digits, or by ``number`` (for instance
        :func:`kpi_formula.display.display_value`, the Italian way).
        """
        from .engines.steps import explain

        inputs = self.inputs
        return explain(
            self._formula,
            None if inputs is None else dict(inputs),
            year=self._year,
            value=self._value,
            reasons=self._reasons,
            on_missing=self._on_missing,
            number=number or decimal_text,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: decimals as strings, N/D as ``None``.

        ``value``, ``missing`` and ``reasons`` are the command line's keys;
        ``year``, ``formula`` (canonical text), ``notes``, ``inputs`` (a list of
        ``{"code", "year", "value"}``) and ``on_missing`` complete it.
        """
        inputs = self.inputs
        return {
            "value": None if self._value is ND else decimal_text(self._value),  # type: ignore[arg-type]
            "missing": self.missing,
            "reasons": list(self._reasons),
            "year": self._year,
            "formula": str(self._formula),
            "notes": list(self._notes),
            "inputs": None
            if inputs is None
            else [
                {
                    "code": code,
                    "year": year,
                    "value": None if value is ND else decimal_text(value),  # type: ignore[arg-type]
                }
                for (code, year), value in sorted(inputs.items())
            ],
            "on_missing": self._on_missing,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The result :meth:`to_dict` described, held to what the constructor holds a
        result to (a value within the limits, a formula that parses, ``missing``
        agreeing with ``value``); an input listed twice is refused rather than one
        of its values left out.  Other keys (a command line's ``warnings``) are
        not the result's, and are passed over.  Raises KpiFormulaError on a bad dict."""
        if not isinstance(data, Mapping):
            raise _bad(
                msg("a result's dict is a mapping, not {kind}", kind=type(data).__name__),
                _FROM_TO_DICT,
            )
        try:
            listed = data.get("inputs")
            inputs = None if listed is None else _listed_inputs(listed)
            made = cls(
                value=data["value"],
                year=data["year"],
                formula=data["formula"],
                reasons=data.get("reasons", ()),
                notes=data.get("notes", ()),
                inputs=inputs,
                on_missing=data.get("on_missing", "propagate"),
            )
        except KeyError as error:
            raise _bad(
                msg("a result's dict needs the key {key}", key=repr(error.args[0])),
                _FROM_TO_DICT,
            ) from None
        except TypeError as error:
            raise _bad(
                msg("a result's dict is malformed: {problem}", problem=clip(str(error), 80)),
                _FROM_TO_DICT,
            ) from None
        if data.get("missing") is not None and bool(data["missing"]) != made.missing:
            raise _bad(
                msg("the dict's 'missing' contradicts its 'value'"),
                msg("missing is true exactly when value is null"),
            )
        return made

    def __repr__(self) -> str:
        value = "ND" if self._value is ND else f"Decimal({str(self._value)!r})"
        reasons = f", reasons={self._reasons!r}" if self._reasons else ""
        notes = f", notes={self._notes!r}" if self._notes else ""
        return (
            f"Result(value={value}, year={self._year}, formula={str(self._formula)!r}"
            f"{reasons}{notes})"
        )

    def _repr_html_(self) -> str:
        from html import escape

        value = "N/D" if self._value is ND else escape(decimal_text(self._value))  # type: ignore[arg-type]
        reasons = "".join(f"<li>{escape(reason)}</li>" for reason in self._reasons)
        explain = escape(self.explain())
        return (
            f"<div><code>{escape(str(self._formula))}</code> = <b>{value}</b> "
            f"<small>({self._year})</small>"
            + (f"<ul>{reasons}</ul>" if reasons else "")
            + f"<pre>{explain}</pre></div>"
        )


_FROM_TO_DICT = msg("pass what Result.to_dict() returned")


def _listed_inputs(listed: Iterable[Any]) -> dict[tuple[Any, Any], Any]:
    """The inputs of a result's dict, ``[{"code", "year", "value"}, ...]``, by
    ``(code, year)``: one listed twice would leave one of its values out unseen."""
    inputs: dict[tuple[Any, Any], Any] = {}
    for item in listed:
        key = (item["code"], item["year"])
        if key in inputs:
            raise _bad(
                msg(
                    "the input {code}@{year} is listed twice",
                    code=_shown(key[0]) if not isinstance(key[0], str) else clip(key[0]),
                    year=_shown(key[1]),
                ),
                msg("list each code and year once"),
            )
        inputs[key] = item["value"]
    return inputs


def _restore(state: tuple[Any, ...]) -> Result:
    """Unpickle a result through its constructor."""
    value, year, formula, reasons, notes, inputs, on_missing = state
    return Result(
        value=value,
        year=year,
        formula=formula,
        reasons=reasons,
        notes=notes,
        inputs=inputs,
        on_missing=on_missing,
    )
