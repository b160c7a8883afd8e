"""The fast path of compiled formulas.

Most evaluations in a service read finite numbers for every reference and
divide by nothing that is zero.  For those, :func:`build_fast_path` turns the
checked syntax tree into one straight-line Python function: it fetches each
``(code, year)`` once, converts ints, and calls the library's decimal
contexts directly.  Whenever anything is not plain — a value that is missing,
N/D, not an int or Decimal, a zero divisor, a number past the limits — the
function returns ``None`` and the caller takes the general evaluator, which
gives the reasons and errors.  Both paths therefore share one semantics; the
tests check that they agree.

The function's source is produced from the tree alone: driver codes and
numbers never appear in it, they are handed over as values.  No text a user
wrote is ever compiled or evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, DecimalException
from typing import Any

from .ast import Neg, Node, Number, Ref
from .decimals import DIVISION, EXACT, MAX_INT_BITS

__all__ = ["FastPath", "build_fast_path"]

FastPath = Callable[[Mapping[Any, Any], int], Decimal | None]

_OPERATIONS = {"+": "_add", "-": "_sub", "*": "_mul", "/": "_div"}


def build_fast_path(root: Node) -> FastPath:
    """A function ``(data, year) -> Decimal | None`` for the plain case."""
    constants: dict[str, object] = {
        "_D": Decimal,
        "_int": int,
        "_plus": EXACT.plus,
        "_minus": EXACT.minus,
        "_add": EXACT.add,
        "_sub": EXACT.subtract,
        "_mul": EXACT.multiply,
        "_div": DIVISION.divide,
        "_DecimalException": DecimalException,
        "_MAX_BITS": MAX_INT_BITS,
    }
    lines = ["def fast(data, year):", "    get = data.get", "    try:"]
    references: dict[tuple[str, int], str] = {}
    counter = iter(range(1_000_000))

    def fetch(ref: Ref) -> str:
        key = (ref.code, ref.offset)
        if key in references:
            return references[key]
        name = f"v{len(references)}"
        references[key] = name
        code_name = f"c{len(references) - 1}"
        constants[code_name] = ref.code
        year = "year" if ref.offset == 0 else f"year - {-ref.offset}"
        lines.append(f"        {name} = get(({code_name}, {year}))")
        if ref.offset == 0:
            lines.append(f"        if {name} is None:")
            lines.append(f"            {name} = get({code_name})")
        # Decimals first: they are what services pass most.
        lines.append(f"        if type({name}) is not _D:")
        lines.append(f"            if type({name}) is not _int or {name}.bit_length() > _MAX_BITS:")
        lines.append("                return None")
        lines.append(f"            {name} = _D({name})")
        lines.append(f"        {name} = _plus({name})")
        lines.append(f"        if not {name}.is_finite():")
        lines.append("            return None")
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
            lines.append(f"        {name} = _minus({operand})")
            return name
        left = emit(node.left)
        right = emit(node.right)
        name = f"t{next(counter)}"
        if node.op == "/":
            lines.append(f"        if not {right}:")
            lines.append("            return None")
        lines.append(f"        {name} = {_OPERATIONS[node.op]}({left}, {right})")
        return name

    result = emit(root)
    lines.append(f"        return {result}")
    lines.append("    except _DecimalException:")
    lines.append("        return None")
    namespace: dict[str, Any] = dict(constants)
    exec(compile("\n".join(lines), "<kpi_formula fast path>", "exec"), namespace)
    fast: FastPath = namespace["fast"]
    return fast
