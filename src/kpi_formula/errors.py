"""The one error hierarchy of kpi_formula.

Every error a public function raises for bad input is a :class:`KpiFormulaError`
(itself a :class:`ValueError`).  Errors about a piece of text carry where the
fault is (``position``, ``line``, ``column``), what to do about it (``hint``) and
a message that quotes the offending line with a caret under the fault::

    >>> import kpi_formula as kf
    >>> try:
    ...     kf.parse("(A - B")
    ... except kf.FormulaSyntaxError as error:
    ...     print(error.line, error.column, error.code)
    1 1 formula-syntax

Each kind of error has a stable :attr:`~KpiFormulaError.code` (``formula-syntax``,
``target-syntax``, ``unit-mismatch``, ...): programs test it rather than the
words, and faces (the command line, the prompt, a service) say the error in the
reader's language.  The library's own words are English; every message and
hint is a :class:`Message`, a ``str`` that keeps its template and values, so
that a face can look the template up in a catalog and fill it in again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

__all__ = [
    "BaselineRequiredError",
    "DataError",
    "EvaluationError",
    "FormulaSyntaxError",
    "KpiFormulaError",
    "LimitExceededError",
    "Message",
    "PlanError",
    "TargetSyntaxError",
    "UnitMismatchError",
    "UnknownDriverError",
    "ValueSyntaxError",
    "msg",
]


class Message(str):
    """English text that keeps its ``template`` and the ``values`` filled into it.

    It is a ``str`` — compared, hashed, joined, printed and written to JSON as
    its text — so results and errors stay plain values.  A face that speaks
    another language looks ``template`` up in its catalog and formats the
    translation with the same values (a value that is itself a Message is
    translated too).  Pickling keeps template and values.

    >>> text = msg("{code}@{year} is N/D", code="A", year=2024)
    >>> text, text.template, text.values
    ('A@2024 is N/D', '{code}@{year} is N/D', {'code': 'A', 'year': 2024})
    >>> text == "A@2024 is N/D"
    True
    """

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, /, **values: Any) -> Message:
        self = super().__new__(cls, template.format(**values) if values else template)
        self.template = template
        self.values = values
        return self


def msg(template: str, /, **values: Any) -> Message:
    """A :class:`Message`: ``template`` (English, ``str.format`` placeholders)
    filled with ``values``.  Every text the library writes for people goes
    through here, so that the catalogs can hold it."""
    return Message(template, **values)


def clip(text: str, limit: int = 40) -> str:
    """``text`` cut to about ``limit`` characters for a message, saying how long it was.

    >>> clip("1" * 5000)
    '1111111111111111111111111111111111111111… (5000 characters)'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters)"


def caret_excerpt(text: str, position: int) -> tuple[int, int, str]:
    """Return (line, column, excerpt) for a 0-based ``position`` in ``text``.

    Lines and columns are 1-based; the excerpt is the line holding the position
    with a caret under it, indented by two spaces.
    """
    position = max(0, min(position, len(text)))
    if position and text[position - 1] == "\r" and text[position : position + 1] == "\n":
        position -= 1  # inside a CR LF: the line break, where it starts
    # a line ends at LF, CR LF or a lone CR (text from old spreadsheets): a CR left in
    # the excerpt would send the caret line back over it in a terminal
    line = text.count("\n", 0, position) + 1
    line += text.count("\r", 0, position) - text.count("\r\n", 0, position)
    line_start = max(text.rfind("\n", 0, position), text.rfind("\r", 0, position)) + 1
    ends = [end for end in (text.find("\n", position), text.find("\r", position)) if end != -1]
    line_end = min(ends, default=len(text))
    column = position - line_start + 1
    source_line = text[line_start:line_end]
    if len(source_line) > 100:
        # Keep the excerpt readable: show a window around the fault.
        window_start = max(0, column - 1 - 50)
        source_line = source_line[window_start : window_start + 100]
        caret_column = column - window_start
    else:
        caret_column = column
    excerpt = f"  {source_line}\n  {' ' * (caret_column - 1)}^"
    return line, column, excerpt


class KpiFormulaError(ValueError):
    """Base class of every error kpi_formula raises on bad input.

    ``reason`` says what is wrong, ``hint`` what to do (or None); both are
    English (:class:`Message` where the library wrote them).  ``code`` names the
    kind of error and never changes between releases.
    """

    error_code: ClassVar[str] = "error"

    @property
    def code(self) -> str:
        """The kind of error (``formula-syntax``, ``target-syntax``, ...), stable
        across releases: test it rather than the message.  (On
        :class:`UnknownDriverError`, ``code`` is the unknown driver's code, as it
        always was; every error also carries its kind as ``error_code``.)"""
        return self.error_code

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.hint = hint
        self.reason = message
        # the whole paragraph is a Message too: a face says it, words around the
        # reason and hint included, in its reader's language
        super().__init__(
            message if hint is None else msg("{reason}\nhint: {hint}", reason=message, hint=hint)
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only constructors cannot be called again with ``args``, as
        # BaseException's pickling would: rebuild from the state instead, so that
        # errors travel back from process pools and workers whole
        return (_restored, (type(self), self.args, self.__dict__))

    def details(self) -> dict[str, Any]:
        """A JSON-ready description: ``code``, ``message`` (the reason), ``hint``,
        and where the fault is when known (``line``, ``column``, ``source``)."""
        found: dict[str, Any] = {"code": self.error_code, "message": str(self.reason)}
        found["hint"] = None if self.hint is None else str(self.hint)
        for key in ("line", "column", "source"):
            value = getattr(self, key, None)
            if value is not None:
                found[key] = value
        return found


def _restored(
    kind: type[KpiFormulaError], args: tuple[Any, ...], state: dict[str, Any]
) -> KpiFormulaError:
    error = kind.__new__(kind, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class _TextError(KpiFormulaError):
    """An error located in a piece of text, shown with a caret."""

    def __init__(
        self,
        message: str,
        *,
        text: str,
        position: int,
        hint: str | None = None,
    ) -> None:
        self.text = text
        self.position = position
        self.line, self.column, self.excerpt = caret_excerpt(text, position)
        located = msg(
            "{reason} (line {line}, column {column})\n{excerpt}",
            reason=message,
            line=self.line,
            column=self.column,
            excerpt=self.excerpt,
        )
        super().__init__(located, hint=hint)
        self.reason = message


class FormulaSyntaxError(_TextError):
    """A formula that does not follow the language.

    ``line`` and ``column`` are 1-based, ``position`` is the 0-based offset of
    the fault, ``expected`` names what could have stood there.
    """

    error_code: ClassVar[str] = "formula-syntax"

    def __init__(
        self,
        message: str,
        *,
        text: str,
        position: int,
        expected: Iterable[str] = (),
        hint: str | None = None,
    ) -> None:
        self.expected: tuple[str, ...] = tuple(expected)
        super().__init__(message, text=text, position=position, hint=hint)


class LimitExceededError(FormulaSyntaxError):
    """Input longer or more deeply nested than the documented limits allow."""

    error_code: ClassVar[str] = "limit-exceeded"


class ValueSyntaxError(_TextError):
    """A value (``17.533.900.000 €``, ``72,10 %``, ``N/D``) that cannot be read."""

    error_code: ClassVar[str] = "value-syntax"


class TargetSyntaxError(_TextError):
    """A target (``>= 1.100 N.``, ``Entro 31-12-2025``) that cannot be read."""

    error_code: ClassVar[str] = "target-syntax"


class UnknownDriverError(KpiFormulaError):
    """A formula names a driver that the catalog does not declare."""

    error_code: ClassVar[str] = "unknown-driver"
    code: str = ""  # the driver's code, as CONTRACT §2 has it (shadows the kind)

    def __init__(
        self,
        code: str,
        *,
        suggestions: Iterable[str] = (),
        position: int | None = None,
    ) -> None:
        self.code = code
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        self.position = position
        hint = (
            msg("did you mean {names}?", names=", ".join(repr(s) for s in self.suggestions))
            if self.suggestions
            else msg("declare the driver in the catalog, or check its spelling")
        )
        reason = (
            msg("unknown driver {code!r}", code=code)
            if position is None
            else msg("unknown driver {code!r} at column {column}", code=code, column=position + 1)
        )
        super().__init__(reason, hint=hint)


class EvaluationError(KpiFormulaError):
    """A formula that cannot be evaluated: bad data, division by zero under the
    ``on_zero_division="error"`` policy, or a number beyond the decimal limits."""

    error_code: ClassVar[str] = "evaluation"

    def __init__(
        self, message: str, *, hint: str | None = None, position: int | None = None
    ) -> None:
        self.position = position
        super().__init__(message, hint=hint)


class UnitMismatchError(KpiFormulaError):
    """A value judged against a target of another unit (``5 gg`` against ``>= 4 N.``)."""

    error_code: ClassVar[str] = "unit-mismatch"

    position: int | None = None
    """Where in a formula's text the fault is (0-based), when it is in a formula."""
    line: int | None = None
    column: int | None = None

    def __init__(
        self,
        actual_unit: str | None,
        target_unit: str | None,
        *,
        reason: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.actual_unit = actual_unit
        self.target_unit = target_unit
        if reason is None:
            reason = _unit_mismatch_reason(actual_unit, target_unit)
        super().__init__(
            reason,
            hint=hint
            or msg("compare values in the target's unit; a percentage is a fraction (0.72 = 72 %)"),
        )


def _unit_mismatch_reason(actual_unit: str | None, target_unit: str | None) -> Message:
    if actual_unit is None:
        return msg("the value has no unit but the target is in {target}", target=target_unit)
    if target_unit is None:
        return msg("the value is in {actual} but the target has no unit", actual=actual_unit)
    return msg(
        "the value is in {actual} but the target is in {target}",
        actual=actual_unit,
        target=target_unit,
    )


class BaselineRequiredError(KpiFormulaError):
    """A relative target (``Aumento del 20% rispetto alla baseline``) checked
    without the value it is relative to: no verdict can be given."""

    error_code: ClassVar[str] = "baseline-required"

    def __init__(self, target: str, reference: object) -> None:
        self.target = target
        self.reference = reference
        if str(reference) == "baseline":
            reason = msg(
                "the target {target!r} is relative: judging it needs the baseline", target=target
            )
        elif str(reference) == "previous":
            reason = msg(
                "the target {target!r} is relative: judging it needs the previous year's value",
                target=target,
            )
        else:
            reason = msg(
                "the target {target!r} is relative: judging it needs the value of {reference}",
                target=target,
                reference=reference,
            )
        super().__init__(
            reason,
            hint=msg("pass baseline=... to check(), e.g. check(actual, baseline='1.500 N.')"),
        )


class _FileError(KpiFormulaError):
    """An error in a file, located by line (1-based) and column (1-based) when known."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        line: int | None = None,
        source: str | None = None,
        column: int | None = None,
    ) -> None:
        self.line = line
        self.source = source
        self.column = column
        place = (source, *(None if n is None else str(n) for n in (line, column)))
        where = ":".join(part for part in place if part)
        located = msg("{where}: {reason}", where=where, reason=message) if where else message
        super().__init__(located, hint=hint)
        self.reason = message


class PlanError(_FileError):
    """A plan file or planning report that cannot be read or is inconsistent."""

    error_code: ClassVar[str] = "plan"


class DataError(_FileError):
    """A driver data file that cannot be read."""

    error_code: ClassVar[str] = "data"
