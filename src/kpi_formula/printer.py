"""The canonical text of a formula: the tree back to the language.

Operators are surrounded by single spaces, parentheses appear only where the
tree needs them, and prior years use the document's glued spelling (``A-1``)
wherever it reads back the same; otherwise the explicit one (``50[-1]``).
A code that does not read back unquoted (other characters, doubled spaces) is
written in double quotes (``"Spesa (€)"``, ``"m²"[-1]``).
For every formula ``f``, ``parse(to_text(f.root)) == f``.
"""

from __future__ import annotations

import re

from .ast import NUMBER_PATTERN, BinOp, Neg, Node, Number, Ref
from .patterns import lazy
from .treebuild import is_code_character, reads_as_grouped_number

__all__ = ["format_ref", "to_text"]

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
_UNARY = 3
_ATOM = 4
_YEAR_SUFFIX = lazy(r"\.anno(?:\.n)?\Z", re.IGNORECASE)
_WORD = r"(?:[^\W\d]|[0-9])(?:[^\W\d]|[0-9.'])*"
_PLAIN_CODE = lazy(rf"{_WORD}(?: {_WORD})*")  # Unicode's letters: dear to compile
# the same for ASCII text, where the letter class [^\W\d] is [A-Za-z_]
_ASCII_WORD = r"[A-Za-z_0-9][A-Za-z_0-9.']*"
_PLAIN_ASCII_CODE = lazy(rf"{_ASCII_WORD}(?: {_ASCII_WORD})*")


def _needs_quotes(code: str) -> bool:
    """True when ``code`` does not read back as itself unquoted."""
    plain = _PLAIN_ASCII_CODE() if code.isascii() else _PLAIN_CODE()
    return (
        plain.fullmatch(code) is None
        or not all(is_code_character(char) for char in code)
        or reads_as_grouped_number(code)
    )


def _precedence(node: Node) -> int:
    if isinstance(node, BinOp):
        return _PRECEDENCE[node.op]
    if isinstance(node, Neg):
        return _UNARY
    return _ATOM


def format_ref(code: str, offset: int, *, as_written: bool = False) -> str:
    """Write a reference the way the parser reads it back.

    With ``as_written``, the way a plan writes it for a reader who has the
    plan's catalog: a driver with a numeric code in the evaluation year is its
    code (``50``), as the plan writes it, not ``50[0]`` (which reads back without
    the catalog).  Messages use that spelling.

    >>> format_ref("A", -1), format_ref("A", 0), format_ref("50", -1)
    ('A-1', 'A', '50[-1]')
    >>> format_ref("Spesa (€)", 0), format_ref("m²", -1)
    ('"Spesa (€)"', '"m²"[-1]')
    >>> format_ref("50", 0), format_ref("50", 0, as_written=True)
    ('50[0]', '50')
    """
    if _needs_quotes(code):
        return f'"{code}"' if offset == 0 else f'"{code}"[{offset}]'
    numeric = all(NUMBER_PATTERN.fullmatch(word) for word in code.split(" "))
    if as_written and numeric and offset == 0:
        return code
    explicit = (
        offset > 0
        or numeric
        or (
            _YEAR_SUFFIX().search(code) is not None
            and (offset != 0 or code.lower().endswith(".n"))
        )
    )
    if explicit:
        return f"{code}[{offset}]"
    return code if offset == 0 else f"{code}{offset}"


def to_text(node: Node, *, as_written: bool = False) -> str:
    """The canonical text of a syntax tree; with ``as_written``, its references
    spelt as a plan writes them (see :func:`format_ref`), for messages."""
    if isinstance(node, Number):
        return node.text
    if isinstance(node, Ref):
        return format_ref(node.code, node.offset, as_written=as_written)
    if isinstance(node, Neg):
        inner = to_text(node.operand, as_written=as_written)
        return f"-({inner})" if _precedence(node.operand) < _UNARY else f"-{inner}"
    precedence = _PRECEDENCE[node.op]
    left = to_text(node.left, as_written=as_written)
    right = to_text(node.right, as_written=as_written)
    if _precedence(node.left) < precedence:
        left = f"({left})"
    if _precedence(node.right) <= precedence:
        right = f"({right})"
    return f"{left} {node.op} {right}"
