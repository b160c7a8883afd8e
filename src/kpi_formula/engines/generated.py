"""The function that ``Formula.compile()`` returns.

Most evaluations in a service read finite numbers for every reference and
divide by nothing that is zero.  For those, :func:`build_compiled` turns the
checked syntax tree into one straight-line Python function: it reads each
``(code, year)`` once (by keys built once per year), checks and converts it,
computes in the library's decimal contexts (by the operators, run in private
:mod:`contextvars` contexts holding them; see :func:`_runner_in`) and builds
the :class:`~kpi_formula.Result` in place.
Whenever anything is not plain — data that is not a ``dict``, a reference
absent from it, a value that is N/D or not a finite ``int``, ``float`` or
``Decimal``, a zero divisor, a number past the limits — the function hands the
call to the general evaluator, which gives the reasons and errors.  Both paths
therefore share one semantics; the tests check that they agree.

NaN and infinities are caught where they are cheapest to catch: the contexts
trap every operation that would turn finite numbers into them, every
operation carries them up to the value, which is checked once, and the one
operation that could hide them, a division by an infinite divisor, checks its
divisor when the quotient is zero.

Speed is why this is generated code, bound as a method to a small carrier
object: a bound method call costs a fraction of a call through a class's
``__call__``, every step the interpreter does not take is time a service gets
back, and the carrier is what pickles (it is rebuilt from the formula and the
policies on load).  Generating code costs far more than one evaluation, so
only formulas compiled explicitly, or evaluated often, get it (see
:mod:`kpi_formula.evaluator`).

The source is produced from the tree alone: driver codes and numbers never
appear in it, they are handed over as values.  No text a user wrote is ever
compiled or evaluated.
"""

from __future__ import annotations

import contextvars
import decimal
import operator
from collections.abc import Callable
from decimal import Context, Decimal, DecimalException
from typing import TYPE_CHECKING, Any

from ..ast import Neg, Node, Number, Ref
from ..decimals import DIVISION, EXACT, MAX_INT_BITS
from ..result import Result

if TYPE_CHECKING:
    from .steps import Program

__all__ = ["build_compiled"]


def _runner_in(context: Context) -> Callable[..., Any] | None:
    """``run`` of a private :class:`contextvars.Context` whose decimal context is ``context``.

    ``run(operator.add, a, b)`` is ``context.add(a, b)``, computed by the same C
    function in the same context, at two thirds of the cost: a context's methods
    take their arguments as a tuple, the operators do not, and the operators read
    the decimal context of the :mod:`contextvars` context they run in.  The thread's
    own decimal context is neither read nor changed, and no Python code runs inside
    (the operands are always exact ``Decimal`` objects), so no other thread can be
    inside at the same time under the GIL; where one is (a free-threaded build), the
    ``RuntimeError`` of entering twice sends the call to the general path.  ``None``
    where this Python's :mod:`decimal` does not keep its context in a context variable.
    """
    private = contextvars.Context()
    private.run(decimal.setcontext, context)
    if private.run(decimal.getcontext) is not context:
        return None
    return private.run


_IN_EXACT = _runner_in(EXACT)
_IN_DIVISION = _runner_in(DIVISION)
_OPERATIONS: dict[str, tuple[str, Callable[[Any, Any], Any], Callable[[Any, Any], Any]]] = {
    # each operator: the private context it runs in, the operator, and the method of the
    # library's context that stands in where there are no private contexts
    "+": ("_in_exact", operator.add, EXACT.add),
    "-": ("_in_exact", operator.sub, EXACT.subtract),
    "*": ("_in_exact", operator.mul, EXACT.multiply),
    "/": ("_in_division", operator.truediv, DIVISION.divide),
}
_FALLBACK = "return _general(data, year)"


def _reading(name: str, code: str | None, index: int) -> list[str]:
    """Lines reading a reference into ``name``, converted: ``code`` names its bare code
    where data keyed by bare codes stands for it (references to the year asked only).

    ``keys[index]`` is the reference's ``(code, year)`` key for this call's year,
    built once per year rather than once per call (see :func:`_key_table`).
    """
    # (code, year) first, the bare code only when that key is absent: data keyed by bare
    # codes is common and exceptions are dear, so no KeyError is raised for it.  None is
    # both "absent" and N/D: told apart only then, as N/D is rare.  A bare code stands for
    # the year asked only, so a reference to an earlier year has no such second chance
    lines = [f"{name} = _get(data, keys[{index}])", f"if {name} is None:"]
    if code is None:
        lines.append(f"    {_FALLBACK}")
    else:
        lines += [
            f"    if keys[{index}] in data:",
            f"        {_FALLBACK}",
            f"    {name} = data[{code}]",
        ]
    # Decimals first: they are what services pass most.  Decimals and ints are brought
    # within the limits (or raise a decimal signal); a float is read by its shortest repr,
    # as the general path does, which is always within them (and keeps the sign of -0.0).
    # Finiteness is checked once, at the end.
    return [
        *lines,
        # (an int is read exactly by plus)
        f"if type({name}) is _D or type({name}) is _int and {name}.bit_length() <= _MAX_BITS:",
        f"    {name} = _plus({name})",
        f"elif type({name}) is _float:",
        f"    {name} = _D(_float_repr({name}), _EXACT)",  # a context named: no other read
        "else:",
        f"    {_FALLBACK}",
    ]


_KEY_YEARS = 64
"""The most years whose keys one compiled formula keeps; past it the table starts afresh."""


_Keys = tuple[tuple[str, int], ...]


def _key_table(
    references: list[tuple[str, int]],
) -> tuple[Callable[[int], _Keys | None], Callable[[int], _Keys]]:
    """The lookup of a year's data keys, and the function that makes them on a miss.

    A call reads each reference by its ``(code, year + offset)`` key; building those
    tuples on every call is a good part of a short formula's time, and a service asks
    about few years, so they are kept per year.  The table is bounded: a caller
    sweeping thousands of years costs a rebuild, never memory.  Dict operations are
    atomic, so threads sharing a compiled formula share the table safely.
    """
    table: dict[int, _Keys] = {}

    def make(year: int) -> _Keys:
        keys = tuple((code, year + offset) for code, offset in references)
        if len(table) >= _KEY_YEARS:
            table.clear()
        table[year] = keys
        return keys

    return table.get, make


def build_compiled(program: Program) -> Callable[..., Any]:
    """A function ``(carrier, data, *, year)`` evaluating ``program``'s formula.

    It is meant to be bound to a carrier object (see
    :mod:`kpi_formula.evaluator`), which makes it picklable.  Plain data is
    evaluated in place and returned as a :class:`~kpi_formula.Result` (of a
    private subclass holding what every call shares: the formula, its notes,
    no reasons, the policy and which reference each recorded input is); any
    other call is ``program.run(data, year)``.
    """
    root = program.formula.root
    names: dict[tuple[str, int], str] = {}
    plain_result: dict[str, object] = {
        "__slots__": (),
        "__init__": object.__init__,  # the C slot itself: building a result runs no Python code
        "__module__": Result.__module__,
        "__qualname__": Result.__qualname__,
        "_formula": program.formula,
        "_reasons": (),
        "_notes": program.notes,
        "_on_missing": program.on_missing,
    }
    constants: dict[str, object] = {
        "__builtins__": {},
        "type": type,
        "_get": dict.get,
        "_dict": dict,
        "_int": int,
        "_float": float,
        "_float_repr": float.__repr__,
        "_EXACT": EXACT,
        "_D": Decimal,
        "_plus": EXACT.plus,
        "_minus": EXACT.minus,
        "_in_exact": _IN_EXACT,
        "_in_division": _IN_DIVISION,
        # a data key whose __eq__ raises TypeError is an absent key to the general path
        "_Fallback": (KeyError, TypeError, DecimalException, RuntimeError),
        "_MAX_BITS": MAX_INT_BITS,
        "_general": program.run,
    }
    body: list[str] = []
    counter = iter(range(1_000_000))

    def emit_line(line: str) -> None:
        body.append("            " + line)

    def fetch(ref: Ref) -> str:
        key = (ref.code, ref.offset)
        if key in names:
            return names[key]
        index = len(names)
        name = names[key] = f"v{index}"
        constants[f"c{index}"] = ref.code
        for line in _reading(name, f"c{index}" if ref.offset == 0 else None, index):
            emit_line(line)
        return name

    def emit(node: Node) -> str:
        if isinstance(node, Number):
            name = f"k{next(counter)}"
            constants[name] = EXACT.plus(node.value)
            return name
        if isinstance(node, Ref):
            return fetch(node)
        if isinstance(node, Neg):
            operand = emit(node.operand)
            name = f"t{next(counter)}"
            emit_line(f"{name} = _minus({operand})")
            return name
        left = emit(node.left)
        right = emit(node.right)
        name = f"t{next(counter)}"
        runner, operation, method = _OPERATIONS[node.op]
        function = f"_{operation.__name__}"
        if constants[runner] is None:
            constants[function] = method
            emit_line(f"{name} = {function}({left}, {right})")
        else:
            constants[function] = operation
            emit_line(f"{name} = {runner}({function}, {left}, {right})")
        if node.op == "/" and not isinstance(node.right, Number):
            # x / Infinity is a zero that would hide the infinity, so a zero quotient has
            # its divisor checked (a test of the quotient is cheaper than of the divisor);
            # x / 0 needs no check, as the division context traps it and the trap hands
            # the call to the general path
            emit_line(f"if not {name} and not {right}.is_finite():")
            emit_line(f"    {_FALLBACK}")
        return name

    value = emit(root)
    # NaN and infinities in the data either raise in the traps of the contexts or reach
    # the value: every operation but division by them carries them up
    emit_line(f"if not {value}.is_finite():")
    emit_line(f"    {_FALLBACK}")
    plain_result["_input_refs"] = tuple(names)
    constants["_keys_get"], constants["_make_keys"] = _key_table(list(names))
    constants["_Result"] = type(Result.__name__, (Result,), plain_result)
    # the values read, as a tuple in the order of _input_refs: the result's snapshot
    recorded = "(" + "".join(f"{name}, " for name in names.values()) + ")"
    source = [
        "def compiled(self, data, *, year):",
        "    if type(data) is _dict and type(year) is _int:",
        "        try:",
        "            keys = _keys_get(year)",
        "            if keys is None:",
        "                keys = _make_keys(year)",
        *body,
        "            result = _Result()",
        f"            result._value = {value}",
        "            result._year = year",
        f"            result._inputs = {recorded}",
        "            return result",
        "        except _Fallback:",
        "            pass",
        f"    {_FALLBACK}",
    ]
    namespace: dict[str, Any] = dict(constants)
    exec(compile("\n".join(source), "<kpi_formula compiled formula>", "exec"), namespace)
    function: Callable[..., Any] = namespace["compiled"]
    return function
