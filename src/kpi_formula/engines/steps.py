"""The step engine: a formula compiled into nested closures, the general path.

This engine is the reference the others are tested against.  It evaluates any
data (a mapping, or a :class:`DataSource` such as a plan's), gives every reason
for an N/D value and every error, and records the inputs it reads, so that a
:class:`~kpi_formula.Result` can explain itself later from the formula and that
snapshot alone.  Building the closures is cheap (one pass over the tree, no
text is formatted until a message needs it), which is why a formula evaluated
once is evaluated here: generating Python code (:mod:`.generated`) only pays
for itself on formulas called many times.

The rules, in full:

* Arithmetic is exact decimal arithmetic (``0.1 + 0.2`` is ``0.3``); division
  rounds half-even to 28 significant digits (see :mod:`kpi_formula.decimals`).
* A reference ``CODE`` (offset K) reads the value of ``CODE`` in the year
  ``year + K``: the key ``(code, year + K)``, or, for the evaluation year
  itself, the key ``code``.
* **N/D.** A driver absent from the data, or given as ``None``/``ND``/NaN/
  ``"N/D"``, is missing.  With ``on_missing="propagate"`` any missing operand
  makes the result N/D, and the reasons name every missing ``code@year``.
  With ``on_missing="zero"`` a missing driver counts as 0 and the reasons
  still say so.
* **Division by zero.** With ``on_zero_division="missing"`` ``x / 0`` is N/D
  with the reason "division by zero"; with ``"error"`` it raises
  :class:`~kpi_formula.EvaluationError`.  A division by zero is never counted
  as 0, whatever ``on_missing`` says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DecimalException
from typing import Any, Protocol, TypeAlias

from ..ast import BinOp, Neg, Node, Number, Ref, walk
from ..decimals import EXACT, add, decimal_text, divide, exact, multiply, subtract
from ..errors import EvaluationError, KpiFormulaError, Message, clip, msg
from ..formula import Formula
from ..formulaunits import check_units, read_with_unit
from ..missing import ND, NotAvailable
from ..printer import to_text
from ..result import InputKey, MissingPolicy, Result, ZeroDivisionPolicy, checked_year

__all__ = [
    "ABSENT",
    "DataSource",
    "MappingSource",
    "Program",
    "TreeProgram",
    "as_source",
    "check_year",
    "explain",
]


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"

    def __reduce__(self) -> str:
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


def as_source(data: Mapping[Any, Any] | DataSource) -> DataSource:
    """``data`` as a :class:`DataSource`; anything else is an EvaluationError."""
    if type(data) is dict or isinstance(data, Mapping):  # the first test spares the ABC's
        return MappingSource(data)
    if callable(getattr(data, "lookup", None)):
        return data
    raise EvaluationError(
        msg("data must be a mapping, not {kind}", kind=type(data).__name__),
        hint=msg("pass a dict such as {example}", example="{('A', 2025): 110, ('A', 2024): 100}"),
    )


def check_year(year: object) -> int:
    """``year`` if it is an int (not a bool) of at most 18 digits, else an EvaluationError."""
    return checked_year(year, EvaluationError)


@dataclass(frozen=True, slots=True)
class _Missing:
    """N/D inside the evaluator, with why."""

    reasons: tuple[str, ...]


_Value: TypeAlias = Decimal | _Missing
_Step: TypeAlias = Callable[["_Env"], _Value]


class _Env:
    """One evaluation: where the data is, which year, what was read and noted."""

    __slots__ = ("evaluation_year", "inputs", "notes", "source", "trace", "units")

    def __init__(self, source: DataSource, year: int, trace: dict[int, _Value] | None) -> None:
        self.source = source
        self.evaluation_year = year
        self.notes: list[str] = []
        self.inputs: dict[InputKey, Decimal | NotAvailable] = {}
        self.trace = trace
        self.units: set[tuple[Ref, str]] | None = None  # references read with a unit


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
                value = EXACT.plus(raw)
            except DecimalException:
                pass  # past the limits: to_decimal says so, naming the reference
            else:
                env.inputs[(code, year)] = value
                return value
        return _read_other(env, raw, node, zero)

    return read


def _read_other(env: _Env, raw: object, node: Ref, zero: bool) -> _Value:
    """A reference's value that is not a plain finite Decimal within the limits:
    absent, N/D, another type read by to_decimal, text or a Quantity (whose unit
    is noted for :func:`~kpi_formula.formulaunits.check_units`), or an error
    naming it."""
    code, year = node.code, env.evaluation_year + node.offset
    if raw is ABSENT:
        reason = msg("{code}@{year} is missing from the data", code=code, year=year)
    else:
        read_value, unit = read_with_unit(raw, f"{code}@{year}")
        if unit is not None:  # text or a Quantity with a unit: noted for check_units
            if env.units is None:
                env.units = set()
            env.units.add((node, unit))
        env.inputs[(code, year)] = read_value
        if isinstance(read_value, Decimal):
            return read_value
        reason = msg("{code}@{year} is N/D", code=code, year=year)
    if zero:
        env.notes.append(msg("{reason}; counted as 0", reason=reason))
        return Decimal(0)
    return _Missing((reason,))


def _division_by_zero(node: BinOp) -> Message:
    if isinstance(node.right, Number):  # a written 0: "(0 = 0)" would say nothing
        return msg("division by zero in {formula!r}", formula=to_text(node, as_written=True))
    return msg(
        "division by zero in {formula!r} ({divisor} = 0)",
        formula=to_text(node, as_written=True),
        divisor=to_text(node.right, as_written=True),
    )


def _zero_divisor(node: BinOp, a: _Value, on_zero_division: ZeroDivisionPolicy) -> _Missing:
    """The N/D of ``x / 0`` (or the error, as ``on_zero_division`` says)."""
    if on_zero_division == "error":
        raise EvaluationError(
            _division_by_zero(node),
            hint=msg("use on_zero_division='missing' to get N/D instead"),
            position=None if node.span is None else node.span.start,
        )
    reason = _division_by_zero(node)
    return _Missing((*a.reasons, reason) if isinstance(a, _Missing) else (reason,))


def _compile_division(
    node: BinOp, left: _Step, right: _Step, on_zero_division: ZeroDivisionPolicy
) -> _Step:
    def run(env: _Env) -> _Value:
        a = left(env)
        b = right(env)
        if isinstance(b, Decimal) and not b:
            return _zero_divisor(node, a, on_zero_division)
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
        constant = exact(node.value, f"the number {clip(node.text)}")

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


def _dedupe(reasons: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(reasons))


class _NotPlainError(Exception):
    """A run :meth:`TreeProgram._plain` leaves to the general walk."""


class _Runnable:
    """A formula with its policies and the catalog's notes: what both programs hold."""

    __slots__ = ("formula", "notes", "on_missing", "on_zero_division")

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


class Program(_Runnable):
    """A formula compiled into closures, with its policies and the catalog's notes."""

    __slots__ = ("_step",)

    def __init__(
        self,
        formula: Formula,
        on_missing: MissingPolicy,
        on_zero_division: ZeroDivisionPolicy,
        notes: tuple[str, ...],
    ) -> None:
        super().__init__(formula, on_missing, on_zero_division, notes)
        self._step = _compile_node(formula.root, on_missing, on_zero_division)

    def run(self, data: Mapping[Any, Any] | DataSource, year: object) -> Result:
        """Evaluate on any data: every check, every reason, the inputs recorded."""
        checked_year = check_year(year)
        env = _Env(as_source(data), checked_year, None)
        return _result(self, env, self._step(env))


def _final(
    program: _Runnable, env: _Env, value: _Value
) -> tuple[Decimal | NotAvailable, tuple[str, ...]]:
    """The value of one run of ``program`` and its reasons, from what ``env`` kept."""
    units = env.units
    if units is not None and len({unit for _, unit in units}) > 1:
        check_units(program.formula, frozenset(units))  # + and - join values of one unit
    if isinstance(value, _Missing):
        return ND, _dedupe([*env.notes, *value.reasons])
    return value, _dedupe(env.notes) if env.notes else ()


def _result(program: _Runnable, env: _Env, value: _Value) -> Result:
    """The result of one run of ``program``, from its value and what ``env`` kept."""
    final, reasons = _final(program, env, value)
    return Result._make(
        value=final,
        year=env.evaluation_year,
        formula=program.formula,
        reasons=reasons,
        notes=program.notes,
        inputs=env.inputs,
        on_missing=program.on_missing,
    )


class TreeProgram(_Runnable):
    """A formula run by walking its tree: :class:`Program`'s rules, nothing built.

    A :class:`Program` builds a few closures per node, once, and is then the
    quickest to run again; this one builds nothing and reads the tree on each
    run.  A plan's formulas are thousands, each run a few times per
    evaluation: there the closures (five objects or so per node, kept as long
    as the plan) would cost more to build — and the garbage collector more to
    traverse, again and again while they pile up — than they save.  Numbers are
    checked against the limits here, as a Program checks them when it is built.
    """

    __slots__ = ("_constants", "_zero")

    def __init__(
        self,
        formula: Formula,
        on_missing: MissingPolicy,
        on_zero_division: ZeroDivisionPolicy,
        notes: tuple[str, ...],
    ) -> None:
        super().__init__(formula, on_missing, on_zero_division, notes)
        self._zero = on_missing == "zero"
        # keyed by the node's id: a dict of ints and Decimals, which the collector skips
        self._constants: dict[int, Decimal] = {
            id(node): exact(node.value, f"the number {clip(node.text)}")
            for node in walk(formula.root)
            if isinstance(node, Number)
        }

    def run(self, data: Mapping[Any, Any] | DataSource, year: object) -> Result:
        """Evaluate on any data, as :meth:`Program.run` does."""
        checked_year = check_year(year)
        env = _Env(as_source(data), checked_year, None)
        return _result(self, env, self._value(self.formula.root, env))

    def value_on(
        self, source: DataSource, year: object
    ) -> tuple[Decimal | NotAvailable, tuple[str, ...]]:
        """:meth:`run`'s value and reasons on a :class:`DataSource` (a plan's, which
        needs no wrapping), without the :class:`Result` around them: what a plan
        keeps of each of its thousands of runs."""
        checked_year = check_year(year)
        try:  # every operand a finite Decimal within the limits, no zero divisor
            return self._plain(self.formula.root, source, checked_year), ()
        except (_NotPlainError, DecimalException, KpiFormulaError):
            pass  # anything else, and every error, as the general walk has it
        env = _Env(source, checked_year, None)
        return _final(self, env, self._value(self.formula.root, env))

    def _plain(self, node: Node, source: DataSource, year: int) -> Decimal:
        """The node's value where every operand is a finite Decimal within the
        limits and no divisor is zero: :meth:`_value`'s arithmetic without its
        bookkeeping (no inputs recorded, nothing noted), as a plan needs it.
        Anything else raises, and the general walk takes the run over."""
        if isinstance(node, Ref):
            raw = source.lookup(node.code, year + node.offset, year)
            if type(raw) is Decimal and raw.is_finite():
                return EXACT.plus(raw)
            raise _NotPlainError
        if isinstance(node, Number):
            return self._constants[id(node)]
        if isinstance(node, Neg):
            return EXACT.minus(self._plain(node.operand, source, year))
        a = self._plain(node.left, source, year)
        b = self._plain(node.right, source, year)
        if node.op == "/":
            if not b:
                raise _NotPlainError  # the zero-division policy's to apply
            return divide(a, b)
        return _ARITHMETIC[node.op](a, b)

    def _value(self, node: Node, env: _Env) -> _Value:
        """The node's value, by the rules of :func:`_compile_node`, in the same order."""
        if isinstance(node, Number):
            return self._constants[id(node)]
        if isinstance(node, Ref):
            code = node.code
            year = env.evaluation_year + node.offset
            raw = env.source.lookup(code, year, env.evaluation_year)
            if type(raw) is Decimal and raw.is_finite():
                try:
                    value = EXACT.plus(raw)
                except DecimalException:
                    pass  # past the limits: to_decimal says so, naming the reference
                else:
                    env.inputs[(code, year)] = value
                    return value
            return _read_other(env, raw, node, self._zero)
        if isinstance(node, Neg):
            operand = self._value(node.operand, env)
            return operand if isinstance(operand, _Missing) else EXACT.minus(operand)
        a = self._value(node.left, env)
        b = self._value(node.right, env)
        if node.op == "/":
            if isinstance(b, Decimal) and not b:
                return _zero_divisor(node, a, self.on_zero_division)
            if isinstance(a, _Missing) or isinstance(b, _Missing):
                return _merge(a, b)
            return divide(a, b)
        if isinstance(a, _Missing) or isinstance(b, _Missing):
            return _merge(a, b)
        return _ARITHMETIC[node.op](a, b)


def _value_text(value: _Value, number: Callable[[Decimal], str] = decimal_text) -> str:
    if isinstance(value, _Missing):
        return "N/D"
    return number(value)


def _joined(parts: list[str], separator: str) -> str:
    """``parts`` joined by ``separator``, as a Message whose template is only their
    places: a reader's language says each part that is a Message in it, and the
    text in English is the plain join."""
    if not parts:
        return ""
    places = {f"part{index}": part for index, part in enumerate(parts)}
    return Message(separator.join(f"{{{name}}}" for name in places), **places)


def _render(
    node: Node, trace: dict[int, _Value], year: int, number: Callable[[Decimal], str]
) -> list[str]:
    lines: list[str] = []

    def describe(current: Node) -> str:
        value = trace.get(id(current))
        shown = "?" if value is None else _value_text(value, number)
        if isinstance(current, Number):
            return current.text
        text = to_text(current)
        if isinstance(current, Ref):
            if isinstance(value, _Missing):
                return msg(
                    "{text} = N/D  ({reasons})",
                    text=text,
                    reasons=_joined(list(value.reasons), "; "),
                )
            return f"{text} = {shown}  ({current.code}@{year + current.offset})"
        return f"{text} = {shown}"

    def children(current: Node) -> list[Node]:
        if isinstance(current, BinOp):
            return [current.left, current.right]
        if isinstance(current, Neg):
            return [current.operand]
        return []

    def visit(current: Node, prefix: str, last: bool, top: bool) -> None:
        connector = "" if top else ("└─ " if last else "├─ ")
        described = describe(current)
        line = prefix + connector
        lines.append(_joined([line, described], "") if line else described)
        kids = children(current)
        extension = "" if top else ("   " if last else "│  ")
        for index, kid in enumerate(kids):
            visit(kid, prefix + extension, index == len(kids) - 1, False)

    visit(node, "", True, True)
    return lines


def explain(
    formula: Formula,
    inputs: Mapping[InputKey, Decimal | NotAvailable] | None,
    *,
    year: int,
    value: Decimal | NotAvailable,
    reasons: tuple[str, ...],
    on_missing: MissingPolicy,
    number: Callable[[Decimal], str] = decimal_text,
) -> str:
    """How ``formula`` reaches ``value`` in ``year`` from ``inputs`` (a snapshot of
    the values read), one line per sub-expression.

    The sub-expressions are evaluated again on the snapshot; should they not give
    ``value`` (a result built by hand with other inputs), the text says so rather
    than show a tree that contradicts its first line.
    """
    shown = "N/D" if value is ND else number(value)  # type: ignore[arg-type]
    header = msg("{formula} = {value}  [year {year}]", formula=str(formula), value=shown, year=year)
    lines: list[str] = [header]
    if inputs is None:
        lines.append(msg("(the inputs were not recorded, so the steps cannot be shown)"))
    else:
        trace: dict[int, _Value] = {}
        step = _compile_node(formula.root, on_missing, "missing", _traced)
        recomputed = step(_Env(MappingSource(inputs), year, trace))
        lines.extend(_render(formula.root, trace, year, number)[1:])
        again: Decimal | NotAvailable = ND if isinstance(recomputed, _Missing) else recomputed
        if again is not value and again != value:
            given = _value_text(recomputed, number)
            lines.append(
                msg(
                    "warning: these inputs give {given}, not the value {shown}",
                    given=given,
                    shown=shown,
                )
            )
    if reasons:
        lines.append(msg("N/D because:") if value is ND else msg("note:"))
        lines.extend(_joined(["  - ", reason], "") for reason in reasons)
    return _joined(lines, "\n")
