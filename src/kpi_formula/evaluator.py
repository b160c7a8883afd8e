"""Evaluating a formula: exact decimals, N/D and division by zero made explicit.

The rules, in full:

* Arithmetic is exact decimal arithmetic (``0.1 + 0.2`` is ``0.3``); division
  rounds half-even to 28 significant digits (see :mod:`kpi_formula.decimals`).
* A reference ``CODE`` (offset K) reads the value of ``CODE`` in the year
  ``year + K`` from the data: the key ``(code, year + K)``, or, for the
  evaluation year itself, the key ``code``.
* **N/D.** A driver absent from the data, or given as ``None``/``ND``/NaN/
  ``"N/D"``, is missing.  With ``on_missing="propagate"`` (the default) any
  missing operand makes the result N/D, and ``Result.reasons`` names every
  missing ``code@year``.  With ``on_missing="zero"`` a missing driver counts
  as 0 and the reasons still say so.
* **Division by zero.** With ``on_zero_division="missing"`` (the default)
  ``x / 0`` is N/D with the reason "division by zero"; with ``"error"`` it
  raises :class:`~kpi_formula.EvaluationError`.  A division by zero is never
  counted as 0, whatever ``on_missing`` says.

The evaluator compiles a formula once into nested closures; ``evaluate``
caches the compiled form, and :meth:`Formula.compile` hands it to the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DecimalException
from functools import lru_cache
from typing import Any, Literal, Protocol, TypeAlias, cast, runtime_checkable

from .ast import BinOp, Neg, Node, Number, Ref
from .catalog import Catalog
from .decimals import EXACT, add, decimal_text, divide, exact, multiply, subtract, to_decimal
from .errors import EvaluationError, KpiFormulaError
from .fastpath import RESULT_SLOTS, build_compiled
from .formula import Formula, parse
from .missing import ND, NotAvailable
from .printer import to_text
from .resolver import resolve

__all__ = [
    "ABSENT",
    "CompiledFormula",
    "DataSource",
    "MappingSource",
    "MissingPolicy",
    "Result",
    "ZeroDivisionPolicy",
    "compile_formula",
    "evaluate",
]

MissingPolicy: TypeAlias = Literal["propagate", "zero"]
ZeroDivisionPolicy: TypeAlias = Literal["missing", "error"]

_MISSING_POLICIES = ("propagate", "zero")
_ZERO_POLICIES = ("missing", "error")


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""What a :class:`DataSource` returns for a value it does not hold."""


class DataSource(Protocol):
    """Where evaluation reads driver values from.

    ``lookup`` returns the raw value of ``code`` in ``year`` (anything
    :func:`kpi_formula.decimals.to_decimal` reads), or :data:`ABSENT`.
    A plan implements this to serve the values of other indicators.
    """

    def lookup(self, code: str, year: int, evaluation_year: int) -> object: ...


@dataclass(frozen=True, slots=True)
class MappingSource:
    """Data as a mapping from ``(code, year)`` — or ``code`` for the evaluation
    year — to a value."""

    data: Mapping[Any, Any]

    def lookup(self, code: str, year: int, evaluation_year: int) -> object:
        data = self.data
        try:
            value = data.get((code, year), ABSENT)
            if value is ABSENT and year == evaluation_year:
                value = data.get(code, ABSENT)
        except TypeError:  # an unhashable or incomparable key type in a custom mapping
            return ABSENT
        return value


@dataclass(frozen=True, slots=True)
class _Missing:
    """N/D inside the evaluator, with why."""

    reasons: tuple[str, ...]


_Value: TypeAlias = Decimal | _Missing
_Step: TypeAlias = Callable[["_Env"], _Value]


class _Env:
    """One evaluation: where the data is, which year, what was noted."""

    __slots__ = ("evaluation_year", "notes", "source", "trace")

    def __init__(self, source: DataSource, year: int, trace: dict[int, _Value] | None) -> None:
        self.source = source
        self.evaluation_year = year
        self.notes: list[str] = []
        self.trace = trace


def _merge(left: _Value, right: _Value) -> _Missing:
    """The N/D of an operation with at least one N/D operand: the reasons of both."""
    if isinstance(left, _Missing):
        return _Missing(left.reasons + right.reasons) if isinstance(right, _Missing) else left
    assert isinstance(right, _Missing), "merged without an N/D operand"
    return right


def _compile_ref(node: Ref, on_missing: MissingPolicy) -> _Step:
    code, offset = node.code, node.offset
    zero = on_missing == "zero"

    def read(env: _Env) -> _Value:
        year = env.evaluation_year + offset
        raw = env.source.lookup(code, year, env.evaluation_year)
        if type(raw) is Decimal and raw.is_finite():
            try:
                return EXACT.plus(raw)
            except DecimalException:
                pass  # past the limits: to_decimal says so, naming the reference
        where = f"{code}@{year}"
        if raw is ABSENT:
            reason = f"{where} is missing from the data"
            value: Decimal | NotAvailable = ND
        else:
            value = to_decimal(raw, where)
            reason = f"{where} is N/D"
        if isinstance(value, Decimal):
            return value
        if zero:
            env.notes.append(f"{reason}; counted as 0")
            return Decimal(0)
        return _Missing((reason,))

    return read


def _compile_division(
    node: BinOp, left: _Step, right: _Step, on_zero_division: ZeroDivisionPolicy
) -> _Step:
    text = to_text(node)
    divisor = to_text(node.right)
    position = None if node.span is None else node.span.start
    message = f"division by zero in {text!r} ({divisor} = 0)"

    def run(env: _Env) -> _Value:
        a = left(env)
        b = right(env)
        if isinstance(b, Decimal) and not b:
            if on_zero_division == "error":
                raise EvaluationError(
                    message,
                    hint="use on_zero_division='missing' to get N/D instead",
                    position=position,
                )
            return _Missing((*a.reasons, message) if isinstance(a, _Missing) else (message,))
        if isinstance(a, _Missing) or isinstance(b, _Missing):
            return _merge(a, b)
        return divide(a, b)

    return run


def _traced(node: Node, inner: _Step) -> _Step:
    """Wrap a step so that it records its value for explain()."""
    key = id(node)

    def step(env: _Env) -> _Value:
        value = inner(env)
        if env.trace is not None:
            env.trace[key] = value
        return value

    return step


def _plain(node: Node, inner: _Step) -> _Step:
    return inner


_ARITHMETIC = {"+": add, "-": subtract, "*": multiply}


def _compile_node(
    node: Node,
    on_missing: MissingPolicy,
    on_zero: ZeroDivisionPolicy,
    wrap: Callable[[Node, _Step], _Step] = _plain,
) -> _Step:
    """Compile a tree into closures; ``wrap`` decorates each node's step."""
    step: _Step
    if isinstance(node, Number):
        constant = exact(node.value, f"the number {node.text}")

        def step(env: _Env) -> _Value:
            return constant

    elif isinstance(node, Ref):
        step = _compile_ref(node, on_missing)
    elif isinstance(node, Neg):
        operand = _compile_node(node.operand, on_missing, on_zero, wrap)

        def step(env: _Env) -> _Value:
            value = operand(env)
            return value if isinstance(value, _Missing) else EXACT.minus(value)

    elif node.op == "/":
        step = _compile_division(
            node,
            _compile_node(node.left, on_missing, on_zero, wrap),
            _compile_node(node.right, on_missing, on_zero, wrap),
            on_zero,
        )
    else:
        operation = _ARITHMETIC[node.op]
        left = _compile_node(node.left, on_missing, on_zero, wrap)
        right = _compile_node(node.right, on_missing, on_zero, wrap)

        def step(env: _Env) -> _Value:
            a = left(env)
            b = right(env)
            if isinstance(a, _Missing) or isinstance(b, _Missing):
                return _merge(a, b)
            return operation(a, b)

    return wrap(node, step)


def _value_text(value: _Value) -> str:
    if isinstance(value, _Missing):
        return "N/D"
    return decimal_text(value)


def _render(node: Node, trace: dict[int, _Value], year: int) -> list[str]:
    lines: list[str] = []

    def describe(current: Node) -> str:
        value = trace.get(id(current))
        shown = "?" if value is None else _value_text(value)
        if isinstance(current, Number):
            return current.text
        text = to_text(current)
        if isinstance(current, Ref):
            where = f"{current.code}@{year + current.offset}"
            if isinstance(value, _Missing):
                return f"{text} = N/D  ({'; '.join(value.reasons)})"
            return f"{text} = {shown}  ({where})"
        return f"{text} = {shown}"

    def children(current: Node) -> list[Node]:
        if isinstance(current, BinOp):
            return [current.left, current.right]
        if isinstance(current, Neg):
            return [current.operand]
        return []

    def visit(current: Node, prefix: str, last: bool, top: bool) -> None:
        connector = "" if top else ("└─ " if last else "├─ ")
        lines.append(f"{prefix}{connector}{describe(current)}")
        kids = children(current)
        extension = "" if top else ("   " if last else "│  ")
        for index, kid in enumerate(kids):
            visit(kid, prefix + extension, index == len(kids) - 1, False)

    visit(node, "", True, True)
    return lines


class Result:
    """The outcome of evaluating a formula for one year (read-only).

    ``value`` is a :class:`~decimal.Decimal` or :data:`~kpi_formula.ND`;
    ``reasons`` names each missing ``code@year`` and each division by zero
    (under ``on_missing="zero"`` it also lists the drivers counted as 0);
    ``notes`` says how the catalog read the formula.  Results compare equal
    when their value, reasons, year, formula and notes are equal.

    Results are made by evaluation, not by hand: ``kf.evaluate`` and
    compiled formulas build them (as instances of private subclasses whose
    slots they fill in place, which is a good part of why a compiled call is
    cheap); calling ``Result(...)`` raises ``TypeError``.
    """

    __slots__ = RESULT_SLOTS

    _value: Decimal | NotAvailable
    _reasons: tuple[str, ...]
    _year: int
    _program: _Program
    _data: Mapping[Any, Any] | DataSource

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise TypeError(
            "results are made by evaluation: call kf.evaluate(...) or a compiled formula"
        )

    @property
    def value(self) -> Decimal | NotAvailable:
        """The value: a Decimal, or ND."""
        return self._value

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why the value is N/D, and what was counted as 0."""
        return self._reasons

    @property
    def year(self) -> int:
        """The evaluation year."""
        return self._year

    @property
    def formula(self) -> Formula:
        """The formula evaluated (after the catalog's reading)."""
        return self._program.formula

    @property
    def notes(self) -> tuple[str, ...]:
        """How the catalog read the formula."""
        return self._program.notes

    @property
    def missing(self) -> bool:
        """True when the value is N/D."""
        return self._value is ND

    def _key(self) -> tuple[object, ...]:
        return (self._value, self._reasons, self._year, self.formula, self.notes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def explain(self) -> str:
        """A multi-line account of each sub-expression's value."""
        return self._program.explain_with(
            _as_source(self._data), self._year, self._value, self._reasons
        )

    def __repr__(self) -> str:
        value = "ND" if self.value is ND else f"Decimal({str(self.value)!r})"
        reasons = f", reasons={self.reasons!r}" if self.reasons else ""
        return f"Result(value={value}{reasons}, year={self.year}, formula={str(self.formula)!r})"

    def _repr_html_(self) -> str:
        from html import escape

        value = "N/D" if self.value is ND else escape(decimal_text(self.value))  # type: ignore[arg-type]
        reasons = "".join(f"<li>{escape(reason)}</li>" for reason in self.reasons)
        explain = escape(self.explain())
        return (
            f"<div><code>{escape(str(self.formula))}</code> = <b>{value}</b> "
            f"<small>({self.year})</small>"
            + (f"<ul>{reasons}</ul>" if reasons else "")
            + f"<pre>{explain}</pre></div>"
        )


def _dedupe(reasons: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(reasons))


def _check_policies(on_missing: object, on_zero_division: object) -> None:
    if on_missing not in _MISSING_POLICIES:
        raise KpiFormulaError(
            f"unknown on_missing policy {on_missing!r}",
            hint=f"use one of {', '.join(map(repr, _MISSING_POLICIES))}",
        )
    if on_zero_division not in _ZERO_POLICIES:
        raise KpiFormulaError(
            f"unknown on_zero_division policy {on_zero_division!r}",
            hint=f"use one of {', '.join(map(repr, _ZERO_POLICIES))}",
        )


def _as_source(data: Mapping[Any, Any] | DataSource) -> DataSource:
    if type(data) is dict or isinstance(data, Mapping):  # the first test spares the ABC's
        return MappingSource(data)
    if callable(getattr(data, "lookup", None)):
        return data
    raise EvaluationError(
        f"data must be a mapping, not {type(data).__name__}",
        hint="pass a dict such as {('A', 2025): 110, ('A', 2024): 100}",
    )


def _check_year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int):
        raise EvaluationError(
            f"the year must be an int, not {type(year).__name__}", hint="pass year=2025"
        )
    return year


class _EvaluatedResult(Result):
    """A Result as evaluation makes it: no constructor, slots filled in place."""

    __slots__ = ()
    __init__ = object.__init__  # the C slot itself: building a result runs no Python code


# what users see of it is a Result
_EvaluatedResult.__name__ = _EvaluatedResult.__qualname__ = "Result"


def _result(
    value: Decimal | NotAvailable,
    reasons: tuple[str, ...],
    year: int,
    program: _Program,
    data: Mapping[Any, Any] | DataSource,
) -> Result:
    result: Result = _EvaluatedResult()
    result._value = value
    result._reasons = reasons
    result._year = year
    result._program = program
    result._data = data
    return result


class _Program:
    """A formula compiled into closures, with its policies: the general path."""

    __slots__ = ("_step", "formula", "notes", "on_missing", "on_zero_division")

    def __init__(
        self,
        formula: Formula,
        on_missing: MissingPolicy,
        on_zero_division: ZeroDivisionPolicy,
        notes: tuple[str, ...],
    ) -> None:
        self.formula = formula
        self.on_missing: MissingPolicy = on_missing
        self.on_zero_division: ZeroDivisionPolicy = on_zero_division
        self.notes = notes
        self._step = _compile_node(formula.root, on_missing, on_zero_division)

    def run(self, data: Mapping[Any, Any] | DataSource, year: object) -> Result:
        """Evaluate on any data: every check, every reason."""
        checked_year = _check_year(year)
        source = _as_source(data)
        env = _Env(source, checked_year, None)
        value = self._step(env)
        if isinstance(value, _Missing):
            reasons = _dedupe([*env.notes, *value.reasons])
            final: Decimal | NotAvailable = ND
        else:
            reasons = _dedupe(env.notes)
            final = value
        return _result(final, reasons, checked_year, self, source)

    def explain_with(
        self,
        source: DataSource,
        year: int,
        final: Decimal | NotAvailable,
        reasons: tuple[str, ...],
    ) -> str:
        trace: dict[int, _Value] = {}
        step = _compile_node(self.formula.root, self.on_missing, self.on_zero_division, _traced)
        step(_Env(source, year, trace))
        header = f"{self.formula} = {'N/D' if final is ND else decimal_text(final)}  [year {year}]"  # type: ignore[arg-type]
        lines = [header, *_render(self.formula.root, trace, year)[1:]]
        if reasons:
            lines.append("N/D because:" if final is ND else "note:")
            lines.extend(f"  - {reason}" for reason in reasons)
        return "\n".join(lines)


@runtime_checkable
class CompiledFormula(Protocol):
    """What :meth:`Formula.compile` returns: a function ``(data, *, year) -> Result``.

    It is a plain Python function, the cheapest thing Python can call, that
    carries the formula and the policies it was compiled with as attributes.
    """

    @property
    def formula(self) -> Formula:
        """The formula compiled (after the catalog's reading)."""

    @property
    def on_missing(self) -> MissingPolicy:
        """The N/D policy."""

    @property
    def on_zero_division(self) -> ZeroDivisionPolicy:
        """The division-by-zero policy."""

    @property
    def notes(self) -> tuple[str, ...]:
        """How the catalog read the formula."""

    def __call__(self, data: Mapping[Any, Any] | DataSource, *, year: int) -> Result:
        """Evaluate for ``year``, exactly as :func:`evaluate` does."""


def compile_formula(
    formula: Formula,
    on_missing: MissingPolicy = "propagate",
    on_zero_division: ZeroDivisionPolicy = "missing",
    notes: tuple[str, ...] = (),
) -> CompiledFormula:
    """Compile ``formula`` (cached per formula, policies and notes)."""
    _check_policies(on_missing, on_zero_division)
    return _compiled(formula, on_missing, on_zero_division, notes)


@lru_cache(maxsize=1024)
def _compiled(
    formula: Formula,
    on_missing: MissingPolicy,
    on_zero_division: ZeroDivisionPolicy,
    notes: tuple[str, ...],
) -> CompiledFormula:
    program = _Program(formula, on_missing, on_zero_division, notes)
    function = build_compiled(
        formula.root, result_type=_EvaluatedResult, program=program, general=program.run
    )
    function.__qualname__ = function.__name__ = f"compiled[{formula}]"
    function.__doc__ = f"Evaluate {formula} for a year: compiled(data, year=2025) -> Result."
    function.__module__ = __name__
    attributes = vars(function)
    attributes["formula"] = formula
    attributes["on_missing"] = on_missing
    attributes["on_zero_division"] = on_zero_division
    attributes["notes"] = notes
    return cast(CompiledFormula, function)


def evaluate(
    formula: Formula | str,
    data: Mapping[Any, Any] | DataSource,
    *,
    year: int,
    catalog: Catalog | None = None,
    on_missing: MissingPolicy = "propagate",
    on_zero_division: ZeroDivisionPolicy = "missing",
) -> Result:
    """Evaluate a formula (or formula text) with ``data`` for ``year``.

    >>> import kpi_formula as kf
    >>> data = {("A", 2025): 110, ("A", 2024): 100}
    >>> kf.evaluate("(A - A-1) / A-1", data, year=2025).value
    Decimal('0.1')
    >>> kf.evaluate("A / B", {"A": 1}, year=2025).reasons
    ('B@2025 is missing from the data',)
    """
    if not isinstance(formula, Formula):
        formula = parse(formula)
    _check_policies(on_missing, on_zero_division)
    notes: tuple[str, ...] = ()
    if catalog is not None:
        resolution = resolve(formula, catalog)
        formula, notes = resolution.formula, resolution.notes
    return _compiled(formula, on_missing, on_zero_division, notes)(data, year=year)
