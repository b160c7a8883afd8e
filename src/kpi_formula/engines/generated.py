"""The function that ``Formula.compile()`` returns.

Most evaluations in a service read finite numbers for every reference and
divide by nothing that is zero.  For those, :func:`build_compiled` turns the
checked syntax tree into one straight-line Python function: it reads each
``(code, year)`` once (by subscripts, with keys built once per year; by
``dict.get`` and the bare code once data keyed that way has been seen), checks
and converts it, computes in the library's decimal contexts (by the operators,
run in private :mod:`contextvars` contexts holding them; see
:func:`_runner_in`) and builds the :class:`~kpi_formula.Result` in place.
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
import sys
from collections.abc import Callable
from decimal import Context, Decimal
from typing import TYPE_CHECKING, Any

from ..ast import Neg, Node, Number, Ref, references_in
from ..decimals import DIVISION, EXACT, MAX_INT_BITS
from ..errors import EvaluationError
from ..result import Result, checked_year

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
_FALLBACK = "break"
"""How the fast path gives up: it leaves the loop around it, after which the general path
runs, outside every handler of the fast path."""


def _reading_by_get(name: str, code: str | None, index: int) -> list[str]:
    """Lines reading a reference into ``name`` from data where a reference may stand
    under its bare code (``code``, for references to the year asked only) rather than
    its ``(code, year)`` key ``k{index}``.
    """
    # (code, year) first, the bare code only when that key is absent: no KeyError is
    # raised for data keyed by bare codes, as exceptions are dear.  None is both "absent"
    # and N/D: told apart only then, as N/D is rare.  A bare code stands for the year
    # asked only, so a reference to an earlier year has no such second chance
    lines = [f"{name} = _get(data, k{index})", f"if {name} is None:"]
    if code is None:
        lines.append(f"    {_FALLBACK}")
    else:
        lines += [
            f"    if k{index} in data:",
            f"        {_FALLBACK}",
            f"    {name} = data[{code}]",
        ]
    return lines


def _converting(name: str) -> list[str]:
    """Lines converting the value read into ``name`` to an exact Decimal within the limits."""
    # Decimals first: they are what services pass most.  Decimals and ints are brought
    # within the limits (or raise a decimal signal); a float is read by its shortest repr,
    # as the general path does, which is always within them (and keeps the sign of -0.0).
    # Finiteness is checked once, at the end.
    return [
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
) -> tuple[dict[int, _Keys], Callable[[int], _Keys]]:
    """The table of each year's data keys, and the function that makes them on a miss.

    A call reads each reference by its ``(code, year + offset)`` key; building those
    tuples on every call is a good part of a short formula's time, and a service asks
    about few years, so they are kept per year.  The table is bounded: a caller
    sweeping thousands of years costs a rebuild, never memory.  Dict operations are
    atomic, so threads sharing a compiled formula share the table safely.  Codes are
    interned, so data keyed by literal codes is matched by identity, not compared.
    """
    table: dict[int, _Keys] = {}
    interned = [(sys.intern(code), offset) for code, offset in references]

    def make(year: int) -> _Keys:
        checked_year(year, EvaluationError)  # the general path says what is wrong with it
        # the year itself for references to it: data keyed by the very int asked about
        # is matched by identity
        keys = tuple((code, year + offset if offset else year) for code, offset in interned)
        if len(table) >= _KEY_YEARS:
            table.clear()
        table[year] = keys
        return keys

    return table, make


_SLOTTED_INPUTS = 3
"""Up to this many inputs, a compiled formula's result keeps each in a slot of its
own rather than in a tuple (fewer objects made and freed per call)."""


def _result_class(program: Program, references: tuple[tuple[str, int], ...]) -> type[Result]:
    """The private subclass of :class:`~kpi_formula.Result` a compiled formula returns.

    It holds what every call shares (the formula, its notes, no reasons, the policy,
    which reference each recorded input is) as class attributes, so a call stores only
    the value, the year and the values read: those in slots ``_i0``, ``_i1``, … when
    they are few (``_inputs`` is then their tuple, made on demand), in ``_inputs``
    otherwise.
    """
    namespace: dict[str, object] = {
        "__slots__": (),
        "__init__": object.__init__,  # the C slot itself: building a result runs no Python code
        "__module__": Result.__module__,
        "__qualname__": Result.__qualname__,
        "_formula": program.formula,
        "_reasons": (),
        "_notes": program.notes,
        "_on_missing": program.on_missing,
        "_input_refs": references,
    }
    if 0 < len(references) <= _SLOTTED_INPUTS:
        slots = tuple(f"_i{index}" for index in range(len(references)))
        namespace["__slots__"] = slots
        if len(slots) == 1:
            namespace["_inputs"] = property(lambda result: (result._i0,))
        else:
            namespace["_inputs"] = property(operator.attrgetter(*slots))
    return type(Result.__name__, (Result,), namespace)


def _references(root: Node) -> list[Ref]:
    """The references of a tree, each ``(code, offset)`` once, in reading order."""
    seen: dict[tuple[str, int], Ref] = {}
    for ref in references_in(root):
        seen.setdefault((ref.code, ref.offset), ref)
    return list(seen.values())


def _reading(references: list[Ref], constants: dict[str, object]) -> list[str]:
    """Lines reading every reference into ``v0``, ``v1``, … as exact Decimals: the
    year's keys (made on a miss), the values by those keys, or by ``dict.get`` and the
    bare codes once data keyed that way has been seen, then each value converted.
    Bare codes are added to ``constants`` as ``c0``, ``c1``, …"""
    if not references:
        return []
    unpacked = "".join(f"k{index}, " for index in range(len(references)))
    lines = [
        "try:",
        f"    {unpacked}= _table[year]",
        "except KeyError:",
        f"    {unpacked}= _make_keys(year)",
        "if _by_key:",
        *(f"    v{index} = data[k{index}]" for index in range(len(references))),
        "else:",
    ]
    for index, ref in enumerate(references):
        code = None
        if ref.offset == 0:
            code = f"c{index}"
            constants[code] = ref.code
        lines += ("    " + line for line in _reading_by_get(f"v{index}", code, index))
    for index in range(len(references)):
        lines += _converting(f"v{index}")
    return lines


def _recording(result_class: type[Result], count: int) -> list[str]:
    """Lines storing the values read into ``result``: each in its slot, or as a tuple
    in the order of ``_input_refs``: the result's snapshot."""
    if "_i0" in result_class.__slots__:
        return [f"result._i{index} = v{index}" for index in range(count)]
    return ["result._inputs = (" + "".join(f"v{index}, " for index in range(count)) + ")"]


def build_compiled(program: Program) -> Callable[..., Any]:
    """A function ``(carrier, data, *, year)`` evaluating ``program``'s formula.

    It is meant to be bound to a carrier object (see
    :mod:`kpi_formula.evaluator`), which makes it picklable.  Plain data is
    evaluated in place and returned as a :class:`~kpi_formula.Result` (of a
    private subclass holding what every call shares: the formula, its notes,
    no reasons, the policy and which reference each recorded input is); any
    other call is ``program.run(data, year)``.

    Data keyed by ``(code, year)`` is read by subscripts.  The first call whose data
    lacks such a key (data keyed by bare codes, or a reference absent) is handed to
    the general path and turns the function, for good, to reading each reference with
    ``dict.get`` and its bare code, which raises nothing for such data.
    """
    references = _references(program.formula.root)
    names = {(ref.code, ref.offset): f"v{index}" for index, ref in enumerate(references)}
    constants: dict[str, object] = {
        "__builtins__": {},
        "type": type,
        "KeyError": KeyError,
        "Exception": Exception,
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
        "_MAX_BITS": MAX_INT_BITS,
        "_general": program.run,
        "_by_key": True,
    }
    body = _reading(references, constants)
    counter = iter(range(1_000_000))

    def emit(node: Node) -> str:
        if isinstance(node, Number):
            name = f"n{next(counter)}"
            constants[name] = EXACT.plus(node.value)
            return name
        if isinstance(node, Ref):
            return names[(node.code, node.offset)]
        if isinstance(node, Neg):
            operand = emit(node.operand)
            name = f"t{next(counter)}"
            body.append(f"{name} = _minus({operand})")
            return name
        left = emit(node.left)
        right = emit(node.right)
        name = f"t{next(counter)}"
        runner, operation, method = _OPERATIONS[node.op]
        function = f"_{operation.__name__}"
        if constants[runner] is None:
            constants[function] = method
            body.append(f"{name} = {function}({left}, {right})")
        else:
            constants[function] = operation
            body.append(f"{name} = {runner}({function}, {left}, {right})")
        if node.op == "/" and not isinstance(node.right, Number):
            # x / Infinity is a zero that would hide the infinity, so a zero quotient has
            # its divisor checked (a test of the quotient is cheaper than of the divisor);
            # x / 0 needs no check, as the division context traps it and the trap hands
            # the call to the general path
            body.append(f"if not {name} and not {right}.is_finite():")
            body.append(f"    {_FALLBACK}")
        return name

    value = emit(program.formula.root)
    # NaN and infinities in the data either raise in the traps of the contexts or reach
    # the value: every operation but division by them carries them up
    body += [f"if not {value}.is_finite():", f"    {_FALLBACK}"]
    refs = tuple(names)
    constants["_table"], constants["_make_keys"] = _key_table(list(refs))
    result_class = constants["_Result"] = _result_class(program, refs)
    body += [
        "result = _Result()",
        f"result._value = {value}",
        "result._year = year",
        *_recording(result_class, len(refs)),
        "return result",
    ]
    # The fast path runs in a loop it leaves (break) to give up; whatever it raises, too,
    # sends the call to the general path, which is run outside the handlers, so that its
    # own errors reach the caller as they are, in the order it meets them
    source = [
        "def compiled(self, data, *, year):",
        "    global _by_key",
        "    if type(data) is _dict and type(year) is _int:",
        "        while True:",
        "            try:",
        *("                " + line for line in body),
        "            except KeyError:",
        "                _by_key = False",  # data keyed by bare codes, or a reference absent
        "            except Exception:",
        "                pass",
        "            break",
        "    return _general(data, year)",
    ]
    namespace: dict[str, Any] = dict(constants)
    exec(compile("\n".join(source), "<kpi_formula compiled formula>", "exec"), namespace)
    function: Callable[..., Any] = namespace["compiled"]
    return function
