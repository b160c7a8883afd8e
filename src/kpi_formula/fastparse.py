"""A fast parser for well-formed formulas.

The Lark grammar (``grammar/formula.lark``) is the language's specification
and the source of every error message; its LALR runtime, written in Python,
costs about ten times Python's own ``compile()`` of a like expression.  Most
formulas a service parses are well formed, so this module reads those with one
regular expression and a precedence-climbing parser, building the same nodes
through :mod:`kpi_formula.treebuild`.  The operand pattern is read from the
grammar file itself, specialised to ASCII text (text with other letters, such
as ``Città``, goes to Lark).  Whenever the text is anything but plainly well formed,
:func:`parse_fast` returns ``None`` and the Lark parser takes over; the tests
check that both parsers give the same trees.
"""

from __future__ import annotations

import re
from functools import cache

from .ast import Node
from .grammar import grammar_text
from .treebuild import make_binary, make_explicit_ref, make_neg, make_operand

__all__ = ["parse_fast"]

_MAX_NESTING = 100
_ADDITIVE = frozenset("+-")
_MULTIPLICATIVE = frozenset("*/")


# For ASCII text the grammar's letter class is [A-Za-z_], and its alternations
# of classes merge into single classes, which Python's re runs much faster.
_ASCII_CLASSES = (
    (r"[^\W\d]", "[A-Za-z_]"),
    ("(?:[A-Za-z_]|[0-9])", "[A-Za-z_0-9]"),
    ("(?:[A-Za-z_]|[0-9.'])", "[A-Za-z_0-9.']"),
    ("(?![A-Za-z_]|[0-9.'])", "(?![A-Za-z_0-9.'])"),
)


@cache
def _tokens() -> re.Pattern[str]:
    """The token pattern for ASCII text, the operand read from the grammar: every
    character of a text falls in one token (an operand, a symbol, a run of spaces,
    or any other character, alone), so tokens laid end to end give their places."""
    match = re.search(r"^OPERAND: /(.*)/$", grammar_text("formula"), re.MULTILINE)
    if match is None:  # pragma: no cover - the grammar file ships with the package
        raise RuntimeError("grammar/formula.lark defines no OPERAND")
    operand = match[1]
    for general, ascii_only in _ASCII_CLASSES:
        operand = operand.replace(general, ascii_only)
    pattern = re.compile(rf"{operand}|[-+*/()\[\]]|[ \t\r\n]+|.", re.DOTALL)
    if pattern.groups:  # pragma: no cover - findall would give tuples, not tokens
        raise RuntimeError("grammar/formula.lark's OPERAND has a capturing group")
    return pattern


_SYMBOLS = frozenset("-+*/()[]")
_SPACES = frozenset(" \t\r\n")
_OPERAND_STARTS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789")
"""The first characters of an operand (the grammar's, for ASCII text)."""


class _NotPlainError(Exception):
    """Not plainly well formed: leave it to the Lark parser."""


class _Parser:
    __slots__ = ("kinds", "nesting", "position", "starts", "texts")

    def __init__(self, text: str) -> None:
        self.kinds: list[str] = []
        self.texts: list[str] = []
        self.starts: list[int] = []
        kinds, texts, starts = self.kinds, self.texts, self.starts
        start = 0
        for token in _tokens().findall(text):
            first = token[0]
            if first in _SYMBOLS:
                kinds.append(token)
            elif first in _OPERAND_STARTS:
                kinds.append("operand")
            elif first in _SPACES:
                start += len(token)
                continue
            else:
                raise _NotPlainError
            texts.append(token)
            starts.append(start)
            start += len(token)
        length = len(text)
        self.kinds.append("end")
        self.texts.append("")
        self.starts.append(length)
        self.position = 0
        self.nesting = 0

    def peek(self) -> str:
        return self.kinds[self.position]

    def take(self) -> int:
        self.position += 1
        return self.position - 1

    def expect(self, kind: str) -> int:
        if self.kinds[self.position] != kind:
            raise _NotPlainError
        return self.take()

    def deeper(self) -> None:
        self.nesting += 1
        if self.nesting > _MAX_NESTING:
            raise _NotPlainError

    def sum(self) -> Node:
        left = self.product()
        kinds = self.kinds
        while kinds[self.position] in _ADDITIVE:
            op = kinds[self.position]
            self.position += 1
            left = make_binary(op, left, self.product())
        return left

    def product(self) -> Node:
        left = self.unary()
        kinds = self.kinds
        while kinds[self.position] in _MULTIPLICATIVE:
            op = kinds[self.position]
            self.position += 1
            left = make_binary(op, left, self.unary())
        return left

    def unary(self) -> Node:
        kind = self.kinds[self.position]
        if kind == "operand" and self.kinds[self.position + 1] != "[":
            # the common case, a plain operand: no call through atom()
            index = self.position
            self.position += 1
            return make_operand(self.texts[index], self.starts[index])
        if kind in ("-", "+"):
            index = self.take()
            self.deeper()
            operand = self.unary()
            self.nesting -= 1
            return make_neg(self.starts[index], operand) if kind == "-" else operand
        return self.atom()

    def atom(self) -> Node:
        kind = self.peek()
        if kind == "(":
            self.take()
            self.deeper()
            inner = self.sum()
            self.nesting -= 1
            self.expect(")")
            return inner
        index = self.expect("operand")
        if self.peek() != "[":
            return make_operand(self.texts[index], self.starts[index])
        self.take()
        sign = ""
        if self.peek() in ("-", "+"):
            sign_index = self.take()
            sign = self.texts[sign_index]
            if self.starts[sign_index] + 1 != self.starts[self.position]:
                raise _NotPlainError  # Lark reads "- 1" inside brackets as an error
        digits_index = self.expect("operand")
        digits = self.texts[digits_index]
        if not digits.isascii() or not digits.isdigit():
            raise _NotPlainError
        close = self.expect("]")
        offset_start = self.starts[digits_index] - len(sign)
        return make_explicit_ref(
            self.texts[index],
            self.starts[index],
            sign + digits,
            offset_start,
            self.starts[close] + 1,
        )


def parse_fast(text: str) -> Node | None:
    """The tree of ``text`` if it is plainly well formed, else None.

    Raises the tree builders' errors (limits, offsets) as the Lark parser
    would; the caller turns them into FormulaSyntaxError.
    """
    if not text.isascii():
        return None  # letters beyond ASCII: the grammar's own classes decide
    try:
        parser = _Parser(text)
        node = parser.sum()
        if parser.peek() != "end":
            return None
    except _NotPlainError:
        return None
    return node
