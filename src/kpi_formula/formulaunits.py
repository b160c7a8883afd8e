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

The step engine (:mod:`kpi_formula.engines.steps`) notes the unit of each value
it reads as text or a Quantity — values the generated code never takes, so that
plain numbers pay nothing — and asks :func:`check_units` once it has two.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from .ast import BinOp, Neg, Node, Number, Ref
from .decimals import to_decimal
from .errors import (
    EvaluationError,
    KpiFormulaError,
    UnitMismatchError,
    caret_excerpt,
    clip,
    msg,
)
from .formula import Formula
from .missing import NotAvailable
from .printer import to_text

__all__ = ["RefUnits", "check_units", "read_with_unit"]

RefUnits = frozenset[tuple[Ref, str]]


def read_with_unit(raw: object, what: str) -> tuple[Decimal | NotAvailable, str | None]:
    """A data value as :func:`~kpi_formula.decimals.to_decimal` reads it, and the
    unit it is written with (None without one: a number, N/D).  Text is read once."""
    from .values import Quantity, parse_value

    if isinstance(raw, (int, float, Decimal)) or raw is None:
        return to_decimal(raw, what), None
    if isinstance(raw, str):
        try:
            raw = parse_value(raw)
        except KpiFormulaError as error:
            raise EvaluationError(
                msg("{what}: {reason}", what=what, reason=error.reason), hint=error.hint
            ) from None
    return to_decimal(raw, what), raw.unit if isinstance(raw, Quantity) else None


def _operator_position(formula: Formula, node: BinOp) -> int | None:
    """Where ``node``'s operator stands in the formula's source, if known."""
    source = formula.source
    left, right = node.left.span, node.right.span
    if source is None or left is None or right is None:
        return None if node.span is None else node.span.start
    found = source.find(node.op, left.end, right.start)
    return left.end if found < 0 else found


@lru_cache(maxsize=4096)
def _mismatch(formula: Formula, source: str | None, units: RefUnits) -> tuple[Any, ...] | None:
    """The first ``+``/``-`` joining two different units: (node, left operand,
    left unit, right operand, right unit), or None.  ``source`` is part of the
    cache's key: formulas equal but written otherwise (``-A - B``, ``- A-B``, one
    built by hand) have nodes of other spans, which place the error's caret."""
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


def check_units(formula: Formula, units: RefUnits) -> None:
    """Raise :class:`~kpi_formula.UnitMismatchError` when ``formula`` adds or
    subtracts values of two different units (``units``: each reference read with a
    unit, and that unit)."""
    found = _mismatch(formula, formula.source, units)
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
