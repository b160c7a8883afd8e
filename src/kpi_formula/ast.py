"""The typed syntax tree of a formula.

Nodes are frozen, slotted dataclasses.  Each carries the :class:`Span` of the
source text it came from, but spans take no part in equality or hashing: two
formulas are equal when they have the same structure, however they were spelt.

* :class:`Number` — a decimal literal, kept as written (``1000``, ``0.5``);
* :class:`Ref` — a driver (or indicator) code and a year offset: ``A-1`` is
  ``Ref("A", -1)``, one year before the evaluation year;
* :class:`Neg` — unary minus;
* :class:`BinOp` — ``+ - * /``.

A tree built by hand is checked where it is built, as the parser checks text: a
code is a ``str`` that reads back as itself (not blank, no ``"``, no line breaks
or invisible characters, nothing the text hygiene policy would rewrite), an
offset a plain ``int`` within ±:data:`MAX_OFFSET`, a number a decimal literal,
an operator one of ``+ - * /``, children nodes.  Anything else is a
:class:`~kpi_formula.FormulaSyntaxError` (a :class:`~kpi_formula.LimitExceededError`
past a limit), never a tree that prints text which does not parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, NoReturn, TypeAlias

from .errors import FormulaSyntaxError, LimitExceededError, clip, msg
from .text import normalise

__all__ = [
    "MAX_OFFSET",
    "BinOp",
    "Neg",
    "Node",
    "Number",
    "Operator",
    "Ref",
    "Span",
    "check_code",
    "map_leaves",
    "references_in",
    "walk",
]

Operator: TypeAlias = Literal["+", "-", "*", "/"]

NUMBER_PATTERN = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")

MAX_OFFSET = 999
"""The largest year offset a reference may take, backwards or forwards."""

_OPERATORS = frozenset(("+", "-", "*", "/"))


def _refuse(what: str, reason: str, hint: str, *, limit: bool = False) -> NoReturn:
    """A hand-built tree that no text could give: the error names the part."""
    error = LimitExceededError if limit else FormulaSyntaxError
    raise error(reason, text=clip(what, 80), position=0, hint=hint)


def check_code(code: object) -> str:
    """``code`` if it can be a reference's code — a ``str`` that the canonical text
    writes and the parser reads back as itself — else a FormulaSyntaxError."""
    if type(code) is not str:
        _refuse(
            repr(code),
            msg("a code is text, not {kind}", kind=type(code).__name__),
            msg('write it as a string: Ref("D1.1.0", -1)'),
        )
    # the common case, plain ASCII: no invisible or rewritten character can be there
    if code.isascii() and code.isprintable() and '"' not in code and code.strip():
        return code
    if not code.strip() or '"' in code or "\n" in code or "\r" in code:
        _refuse(
            repr(code),
            msg("{code} cannot be written as a code", code=repr(clip(code))),
            msg('a code is text that is not blank, without \'"\' or line breaks'),
        )
    def fail(message: str, position: int, hint: str) -> Exception:
        return ValueError(message)

    try:
        readable = normalise(code, fail) == code
    except ValueError:
        readable = False
    if not readable:
        _refuse(
            repr(code),
            msg("{code} cannot be written as a code", code=repr(clip(code))),
            msg(
                "a code holds no invisible characters and none that formulas read otherwise "
                "(typographic quotes and dashes, ×, ÷, non-breaking spaces): write them plainly"
            ),
        )
    return code


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
        text = self.text
        if type(text) is not str or not NUMBER_PATTERN.fullmatch(text):
            _refuse(
                repr(text),
                msg("{text} is not a decimal literal", text=clip(repr(text))),
                msg('write digits with at most one decimal point: Number("0.5")'),
            )

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

    def __post_init__(self) -> None:
        check_code(self.code)
        offset = self.offset
        if type(offset) is not int:
            _refuse(
                repr(offset),
                msg("a year offset is a whole number, not {kind}", kind=type(offset).__name__),
                msg("write it as an int: Ref(code, -1) for one year back"),
            )
        if not -MAX_OFFSET <= offset <= MAX_OFFSET:
            _refuse(
                repr(offset),
                msg(
                    "year offset {offset} is beyond the limit of ±{limit}",
                    offset=clip(str(offset)),
                    limit=MAX_OFFSET,
                ),
                msg("a year offset counts years from the evaluation year"),
                limit=True,
            )


def _check_node(node: object) -> None:
    if not isinstance(node, (Number, Ref, Neg, BinOp)):
        _refuse(
            repr(node),
            msg("a formula's operand is a node, not {kind}", kind=type(node).__name__),
            msg("build trees of Number, Ref, Neg and BinOp"),
        )


@dataclass(frozen=True, slots=True)
class Neg:
    """Unary minus."""

    operand: Node
    span: Span | None = field(default=None, compare=False, repr=False)
    depth: int = field(default=0, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        _check_node(self.operand)
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
        if type(self.op) is not str or self.op not in _OPERATORS:
            _refuse(
                repr(self.op),
                msg("{op} is not an operator", op=clip(repr(self.op))),
                msg("use one of + - * /"),
            )
        _check_node(self.left)
        _check_node(self.right)
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


def references_in(node: Node) -> list[Ref]:
    """The references of the tree, left to right (each node once: a reference
    made twice is listed twice)."""
    references: list[Ref] = []
    pending: list[Node] = [node]
    while pending:  # walk(), without listing the nodes that are not references
        current = pending.pop()
        if isinstance(current, BinOp):
            pending.append(current.right)
            pending.append(current.left)
        elif isinstance(current, Ref):
            references.append(current)
        elif isinstance(current, Neg):
            pending.append(current.operand)
    return references


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
