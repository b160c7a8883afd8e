"""Units inside formulas: ``+`` and ``-`` only join values of one unit.

Values reach :func:`kpi_formula.evaluate` as plain numbers (no unit: the
common case, left alone) or written with a unit (``"72,10 %"``, ``"3 gg"``,
a :class:`~kpi_formula.Quantity`).  Adding or subtracting two values whose
known units differ (``72,10 %`` + ``3 gg``, ``1.000 €`` - ``5 N.``) has no
meaning, and its number would be a silent wrong answer: it is a
:class:`~kpi_formula.UnitMismatchError` naming both operands, their units and
where the operator stands in the formula.

The rule is kept simple on purpose: ``*`` and ``/`` are free and their result
has no unit; a number written in the formula has none; a sum takes the unit of
whichever operand has one.  The check walks the formula once per formula and
set of units (cached), and costs nothing but a look at each reference's value
when no value carries a unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .ast import BinOp, Neg, Node, Number, Ref
from .errors import KpiFormulaError, UnitMismatchError, caret_excerpt, clip, msg
from .formula import Formula
from .printer import to_text

__all__ = ["check_units", "units_in"]

_PLAIN = frozenset({Decimal, int, float, type(None)})

_NOTHING: Any = object()

RefUnits = frozenset[tuple[Ref, str]]


def _unit_of(value: object) -> str | None:
    """The unit ``value`` is written with, or None (a number, N/D, a date, bad text:
    evaluation says what is wrong with those)."""
    from .values import Quantity, parse_value

    if isinstance(value, str):
        try:
            value = parse_value(value)
        except KpiFormulaError:
            return None
    if isinstance(value, Quantity):
        return value.unit
    return None


def units_in(references: tuple[Ref, ...], data: Mapping[Any, Any], year: int) -> RefUnits | None:
    """The unit of each reference whose value in ``data`` carries one, or None when
    fewer than two different units are there (no sum can then mix them)."""
    found: list[tuple[Ref, str]] | None = None
    for ref in references:
        target_year = year + ref.offset
        try:
            value = data.get((ref.code, target_year), _NOTHING)
            if value is _NOTHING and ref.offset == 0:
                value = data.get(ref.code)
        except TypeError:  # a custom mapping with keys of its own kind: evaluation reads it
            continue
        if type(value) in _PLAIN:
            continue
        unit = _unit_of(value)
        if unit is not None:
            if found is None:
                found = []
            found.append((ref, unit))
    if found is None or len({unit for _, unit in found}) < 2:
        return None
    return frozenset(found)


def _operator_position(formula: Formula, node: BinOp) -> int | None:
    """Where ``node``'s operator stands in the formula's source, if known."""
    source = formula.source
    left, right = node.left.span, node.right.span
    if source is None or left is None or right is None:
        return None if node.span is None else node.span.start
    found = source.find(node.op, left.end, right.start)
    return left.end if found < 0 else found


@lru_cache(maxsize=4096)
def _mismatch(formula: Formula, units: RefUnits) -> tuple[Any, ...] | None:
    """The first ``+``/``-`` joining two different units: (node, left operand,
    left unit, right operand, right unit), or None."""
    by_ref = dict(units)

    def unit(node: Node) -> tuple[str, str] | None:  # (unit, the operand that has it)
        if isinstance(node, Number):
            return None
        if isinstance(node, Ref):
            found = by_ref.get(node)
            return None if found is None else (found, to_text(node))
        if isinstance(node, Neg):
            return unit(node.operand)
        left, right = unit(node.left), unit(node.right)
        if node.op in "*/":
            return None
        if left is not None and right is not None and left[0] != right[0]:
            raise _MismatchError((node, left[1], left[0], right[1], right[0]))
        return left or right

    try:
        unit(formula.root)
    except _MismatchError as found:
        return found.args[0]  # type: ignore[no-any-return]
    return None


class _MismatchError(Exception):
    """The mismatch, carried out of the walk."""


def check_units(formula: Formula, units: RefUnits | None) -> None:
    """Raise :class:`~kpi_formula.UnitMismatchError` when ``formula`` adds or
    subtracts values of two different units (``units``: what :func:`units_in` found)."""
    if units is None:
        return
    found = _mismatch(formula, units)
    if found is None:
        return
    node, left, left_unit, right, right_unit = found
    reason = msg(
        "{left} is in {left_unit} and {right} in {right_unit}: values in different units "
        "cannot be added or subtracted ('{op}')",
        left=clip(left),
        left_unit=left_unit,
        right=clip(right),
        right_unit=right_unit,
        op=node.op,
    )
    hint = msg(
        "give both values in one unit, or convert one with * or / "
        "(a percentage is a fraction: 72,10 % is 0.7210)"
    )
    position = _operator_position(formula, node)
    located = reason
    line = column = None
    if position is not None and formula.source is not None:
        line, column, excerpt = caret_excerpt(formula.source, position)
        located = msg(
            "{reason} (line {line}, column {column})\n{excerpt}",
            reason=reason,
            line=line,
            column=column,
            excerpt=excerpt,
        )
    error = UnitMismatchError(left_unit, right_unit, reason=located, hint=hint)
    error.reason = reason
    error.position, error.line, error.column = position, line, column
    raise error
