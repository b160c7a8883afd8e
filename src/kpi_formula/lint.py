"""Lint: formulas that parse, but may not say what their writer meant.

A formula that reads is not always a formula that is right.  :func:`lint`
points at the traps of indicator algorithms as public bodies write them:

* ``precedence`` — a division (or a product of two drivers) between terms of
  a ``+``/``-`` chain without parentheses: ``Titolo I + Titolo III / Titolo I
  + Titolo II + Titolo III`` reads as I + (III / I) + II + III, where the
  document meant a ratio of two sums;
* ``multiplication`` — a code holding a lone ``x`` between words (``peso x
  totale``): one name, where the writer meant a product (`` per `` is not
  flagged: in Italian names it means "for");
* ``percent-scale`` — a top-level ``* 100``: the value is in percentage
  points (94,70 means 94,70 %), not a fraction;
* ``number-driver`` — a whole number of 20 or more dividing the formula that
  could be a driver's code (the seed's ``D2.1_MIMIT.1 * 1000 / 50``, where
  ``50`` is the number of registered firms); powers of ten (scales) and calendar
  numbers (24, 52, 60, 360, 365, 366) are not flagged;
* ``thousands`` — ``1.000`` in a formula is one: the dot is a decimal point
  there.

>>> import kpi_formula as kf
>>> [w.kind for w in kf.lint("Titolo I + Titolo III / Titolo I + Titolo II")]
['precedence']
>>> warning = kf.lint("A / B * 100")[0]
>>> warning.kind, warning.column, warning.message[:48]
('percent-scale', 9, 'the value is in percentage points (× 100): 94,7 ')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeAlias

from .ast import BinOp, Neg, Node, Number, Ref, walk
from .formula import Formula, parse
from .printer import to_text

__all__ = ["LintKind", "LintWarning", "lint", "scales_by_hundred"]

LintKind: TypeAlias = Literal[
    "precedence", "multiplication", "percent-scale", "number-driver", "thousands"
]

_THOUSANDS = re.compile(r"[1-9][0-9]{0,2}\.[0-9]{3}")
_HUNDRED = Decimal(100)
_SMALLEST_DRIVER = 20  # halves, thirds and months (/ 2, / 3, / 12) are arithmetic
_CALENDAR = frozenset(Decimal(days) for days in (24, 52, 60, 360, 365, 366))


@dataclass(frozen=True, slots=True)
class LintWarning:
    """One warning: its ``kind``, a ``message`` saying what to do, and the
    1-based ``column`` in the formula's text where it points."""

    kind: LintKind
    message: str
    column: int

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {"kind": self.kind, "message": self.message, "column": self.column}


def lint(formula: Formula | str) -> list[LintWarning]:
    """The warnings for ``formula`` (or formula text), in the order of their columns.

    A formula built from a tree is linted as its canonical text reads.
    """
    if isinstance(formula, Formula):
        text = formula.source if formula.source is not None else str(formula)
        formula = parse(text) if formula.source is None else formula
    else:
        text = formula
        formula = parse(text)
    root = formula.root
    warnings = [
        *_precedence(root, text),
        *_multiplication(root, text),
        *_percent_scale(root),
        *_numbers(root),
    ]
    return sorted(warnings, key=lambda warning: (warning.column, warning.kind))


def _start(node: Node) -> int:
    return node.span.start if node.span is not None else 0


def _parenthesised(node: Node, text: str) -> bool:
    if node.span is None:
        return False
    before = text[: node.span.start].rstrip()
    after = text[node.span.end :].lstrip()
    return before.endswith("(") and after.startswith(")")


def _operator_column(node: BinOp, text: str) -> int:
    if node.left.span is None:
        return 1
    found = text.find(node.op, node.left.span.end)
    return (found if found >= 0 else node.left.span.end) + 1


def _suspect(node: Node) -> bool:
    """A division, or a product of two drivers: what a +/- chain should not hide."""
    if not isinstance(node, BinOp):
        return False
    if node.op == "/":
        return True
    return node.op == "*" and isinstance(node.left, Ref) and isinstance(node.right, Ref)


def _with_parentheses(node: Node, wrapped: Node) -> str:
    if node is wrapped:
        return f"({to_text(node)})"
    if isinstance(node, BinOp):
        left = _with_parentheses(node.left, wrapped)
        right = _with_parentheses(node.right, wrapped)
        inner_left, inner_right = node.left, node.right
        if (
            isinstance(inner_left, BinOp)
            and inner_left is not wrapped
            and node.op in "*/"
            and inner_left.op in "+-"
        ):
            left = f"({left})"
        if (
            isinstance(inner_right, BinOp)
            and inner_right is not wrapped
            and (inner_right.op in "+-" or (node.op in "*/" and inner_right.op in "*/"))
        ):
            right = f"({right})"
        return f"{left} {node.op} {right}"
    if isinstance(node, Neg):
        return f"-({_with_parentheses(node.operand, wrapped)})"
    return to_text(node)


def _precedence(root: Node, text: str) -> list[LintWarning]:
    warnings = []
    for node in walk(root):
        if not (isinstance(node, BinOp) and node.op in "+-"):
            continue
        for operand in (node.left, node.right):
            if _suspect(operand) and not _parenthesised(operand, text):
                assert isinstance(operand, BinOp)
                reading = _with_parentheses(root, operand)
                warnings.append(
                    LintWarning(
                        "precedence",
                        f"'{operand.op}' binds tighter than '{node.op}': this reads as "
                        f"{reading}; if a ratio of sums was meant, put parentheses around "
                        "each sum",
                        _operator_column(operand, text),
                    )
                )
    return warnings


def _multiplication(root: Node, text: str) -> list[LintWarning]:
    warnings = []
    for node in walk(root):
        if not isinstance(node, Ref) or node.span is None or text[node.span.start] == '"':
            continue
        words = node.code.split(" ")
        offset = 0
        for index, word in enumerate(words):
            if word in ("x", "X") and 0 < index < len(words) - 1:
                product = " * ".join(
                    part for part in (" ".join(words[:index]), " ".join(words[index + 1 :]))
                )
                warnings.append(
                    LintWarning(
                        "multiplication",
                        f"{node.code!r} is read as one name; if a product was meant, "
                        f"write {product}",
                        node.span.start + offset + 1,
                    )
                )
            offset += len(word) + 1
    return warnings


def _factors(node: Node) -> list[Node]:
    """The factors of the top-level product chain (divisors excluded)."""
    if isinstance(node, BinOp) and node.op == "*":
        return [*_factors(node.left), *_factors(node.right)]
    if isinstance(node, BinOp) and node.op == "/":
        return _factors(node.left)
    return [node]


def scales_by_hundred(formula: Formula) -> bool:
    """True when the formula's top-level product multiplies by 100 (percentage points)."""
    root = formula.root
    return (
        isinstance(root, BinOp)
        and root.op in "*/"
        and any(isinstance(f, Number) and f.value == _HUNDRED for f in _factors(root))
    )


def _percent_scale(root: Node) -> list[LintWarning]:
    if not (isinstance(root, BinOp) and root.op in "*/"):
        return []
    return [
        LintWarning(
            "percent-scale",
            "the value is in percentage points (× 100): 94,7 means 94,7 %, not 9.470 %; "
            "judge it against a target in % knowing that, or drop * 100 to get a fraction",
            _start(factor) + 1,
        )
        for factor in _factors(root)
        if isinstance(factor, Number) and factor.value == _HUNDRED
    ]


def _is_power_of_ten(value: Decimal) -> bool:
    digits = value.normalize().as_tuple().digits
    return digits == (1,)


def _numbers(root: Node) -> list[LintWarning]:
    divisors = {
        id(node.right) for node in walk(root) if isinstance(node, BinOp) and node.op == "/"
    }
    warnings = []
    for node in walk(root):
        if not isinstance(node, Number):
            continue
        column = _start(node) + 1
        if _THOUSANDS.fullmatch(node.text):
            whole = node.text.replace(".", "")
            warnings.append(
                LintWarning(
                    "thousands",
                    f"{node.text} is {node.value.normalize()} in a formula: the dot is a "
                    f"decimal point here; for {int(whole):,} write {whole}".replace(",", "."),
                    column,
                )
            )
        elif (
            id(node) in divisors
            and "." not in node.text
            and node.value >= _SMALLEST_DRIVER
            and node.value not in _CALENDAR
            and not _is_power_of_ten(node.value)
        ):
            warnings.append(
                LintWarning(
                    "number-driver",
                    f"{node.text} is read as a number; if it stands for a driver (a count "
                    f"of firms, a population), write it in quotes (\"{node.text}\") or "
                    "declare it in the catalog",
                    column,
                )
            )
    return warnings
