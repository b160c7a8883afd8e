"""The typed syntax tree of a formula.

Nodes are frozen, slotted dataclasses.  Each carries the :class:`Span` of the
source text it came from, but spans take no part in equality or hashing: two
formulas are equal when they have the same structure, however they were spelt.

* :class:`Number` — a decimal literal, kept as written (``1000``, ``0.5``);
* :class:`Ref` — a driver (or indicator) code and a year offset: ``A-1`` is
  ``Ref("A", -1)``, one year before the evaluation year;
* :class:`Neg` — unary minus;
* :class:`BinOp` — ``+ - * /``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, TypeAlias

__all__ = ["BinOp", "Neg", "Node", "Number", "Operator", "Ref", "Span", "map_leaves", "walk"]

Operator: TypeAlias = Literal["+", "-", "*", "/"]

NUMBER_PATTERN = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range ``[start, end)`` of character offsets in the source."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Number:
    """A decimal literal such as ``1000``, ``0.5`` or ``.5``, kept exactly as written."""

    text: str
    span: Span | None = field(default=None, compare=False, repr=False)
    depth: int = field(default=1, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not NUMBER_PATTERN.fullmatch(self.text):
            raise ValueError(f"not a decimal literal: {self.text!r}")

    @property
    def value(self) -> Decimal:
        """The literal's exact value."""
        return Decimal(self.text)


@dataclass(frozen=True, slots=True, order=True)
class Ref:
    """A reference to a driver: its code and its year offset.

    ``offset`` 0 is the evaluation year, -1 the year before, and so on.

    >>> Ref("82.A3.1_INSTAGRAM", -1)
    Ref(code='82.A3.1_INSTAGRAM', offset=-1)
    """

    code: str
    offset: int = 0
    span: Span | None = field(default=None, compare=False, repr=False)
    depth: int = field(default=1, init=False, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Neg:
    """Unary minus."""

    operand: Node
    span: Span | None = field(default=None, compare=False, repr=False)
    depth: int = field(default=0, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "depth", self.operand.depth + 1)


@dataclass(frozen=True, slots=True)
class BinOp:
    """A binary operation ``left op right``."""

    op: Operator
    left: Node
    right: Node
    span: Span | None = field(default=None, compare=False, repr=False)
    depth: int = field(default=0, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.op not in ("+", "-", "*", "/"):
            raise ValueError(f"not an operator: {self.op!r}")
        object.__setattr__(self, "depth", max(self.left.depth, self.right.depth) + 1)


Node: TypeAlias = Number | Ref | Neg | BinOp


def walk(node: Node) -> list[Node]:
    """All nodes of the tree in pre-order (parents before children)."""
    order: list[Node] = []
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        order.append(current)
        if isinstance(current, BinOp):
            stack.append(current.right)
            stack.append(current.left)
        elif isinstance(current, Neg):
            stack.append(current.operand)
    return order


def map_leaves(node: Node, replace: Callable[[Number | Ref], Node]) -> Node:
    """The tree with every number and reference replaced by ``replace(leaf)``;
    operators and spans are kept."""
    if isinstance(node, Number | Ref):
        return replace(node)
    if isinstance(node, Neg):
        return Neg(map_leaves(node.operand, replace), span=node.span)
    return BinOp(
        node.op, map_leaves(node.left, replace), map_leaves(node.right, replace), span=node.span
    )
