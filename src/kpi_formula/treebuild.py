"""Building syntax-tree nodes from tokens, shared by both formula parsers.

The Lark parser (the language's specification, and the source of every error
message) and the fast hand-written parser (for well-formed input) build their
trees with these functions, so both give the same nodes, spans and limits.
"""

from __future__ import annotations

import re

from .ast import MAX_OFFSET, NUMBER_PATTERN, BinOp, Neg, Node, Number, Ref, Span
from .errors import msg
from .patterns import lazy

__all__ = [
    "MAX_DEPTH",
    "MAX_OFFSET",
    "NodeError",
    "check_code_characters",
    "is_code_character",
    "make_binary",
    "make_dot_number",
    "make_explicit_ref",
    "make_neg",
    "make_operand",
    "make_quoted_ref",
    "reads_as_grouped_number",
]

MAX_DEPTH = 200
"""The deepest syntax tree accepted (operators nested within each other)."""

_GLUED = lazy(r"(?P<code>.*?)-(?P<years>[0-9]+)\Z", re.DOTALL)
_DIGITS = frozenset("0123456789")
_ANNO_N = lazy(r"\.anno\.n\Z", re.IGNORECASE)
_ANNO = lazy(r"\.anno\Z", re.IGNORECASE)
_GROUPED_NUMBER = lazy(r"[0-9]{1,3}(?:\.[0-9]{3}){2,}(?:,[0-9]+)?")


class NodeError(Exception):
    """Raised inside the parse; turned into FormulaSyntaxError at the boundary."""

    def __init__(self, message: str, position: int, hint: str, *, limit: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.hint = hint
        self.limit = limit


def _start(node: Node) -> int:
    return node.span.start if node.span is not None else 0


def _end(node: Node) -> int:
    return node.span.end if node.span is not None else 0


def _checked(node: Node) -> Node:
    if node.depth > MAX_DEPTH:
        raise NodeError(
            msg(
                "the formula's tree is {depth} operators deep (a chain of N terms "
                "counts N - 1), more than the limit of {limit}",
                depth=node.depth,
                limit=MAX_DEPTH,
            ),
            _start(node),
            msg("split it into indicators that refer to each other"),
            limit=True,
        )
    return node


_CODE_PUNCTUATION = frozenset("0123456789_.' ")


def is_code_character(char: str) -> bool:
    """A character an unquoted code may hold: a letter, an ASCII digit, ``_ . '``
    or the space between its words."""
    return char in _CODE_PUNCTUATION or char.isalpha()


def check_code_characters(text: str, start: int) -> None:
    """Refuse a character of an unquoted code that is neither a letter, an ASCII
    digit, nor ``_ . ' -`` and the space (``²``, ``½``: the operand pattern's
    letter class lets such symbols through)."""
    for index, char in enumerate(text):
        if char != "-" and not is_code_character(char):  # "-": a glued prior year
            raise NodeError(
                msg("{char!r} cannot be part of a code", char=char),
                start + index,
                msg(
                    "codes are letters, digits, '_', '.' and \"'\"; "
                    'put a name with other characters in double quotes: "m² per abitante"'
                ),
            )


_SHARED_SPAN_END = 128
_shared_spans: dict[int, Span] = {}


def _span(start: int, end: int) -> Span:
    """``Span(start, end)``, one object for every node of every formula that
    starts and ends there when the formula is short: a plan's thousands of
    formulas then keep a few hundred spans rather than one per node (spans are
    frozen, so sharing them is invisible)."""
    if end >= _SHARED_SPAN_END:
        return Span(start, end)
    key = start * _SHARED_SPAN_END + end
    found = _shared_spans.get(key)
    if found is None:
        found = _shared_spans[key] = Span(start, end)
    return found


def reads_as_grouped_number(code: str) -> bool:
    """Whether an operand ``code`` is a number with its thousands grouped by dots
    (``1.000.000``), which formulas refuse rather than read as a code: written
    plainly, such a code needs its quotes."""
    return (
        code[:1] in _DIGITS
        and code.count(".") > 1
        and _GROUPED_NUMBER().fullmatch(code) is not None
    )


def make_operand(text: str, start: int) -> Node:
    """Classify an OPERAND token: a number, a code, or a code with a prior year."""
    if not text.isascii():
        check_code_characters(text, start)
    span = _span(start, start + len(text))
    code, offset, years = text, 0, ""
    if "-" in text:  # a glued prior year: CODE-K
        code, _, years = text.rpartition("-")
        if len(years) > len(str(MAX_OFFSET)):
            raise NodeError(
                msg(
                    "{code}-{years} goes back more than {limit} years",
                    code=code,
                    years=years[:12],
                    limit=MAX_OFFSET,
                ),
                start + len(code),
                msg("a prior-year reference is CODE-K with K the number of years back"),
            )
        offset = -int(years)
    if code[0] in _DIGITS and NUMBER_PATTERN.fullmatch(code):
        number = Number(code, span=_span(start, start + len(code)))
        if not years:
            return number
        # Numbers have no prior years: 50-1 is a subtraction.
        one = Number(years, span=_span(start + len(code) + 1, span.end))
        return BinOp("-", number, one, span=span)
    if reads_as_grouped_number(code):
        raise NodeError(
            msg(
                "{code} reads as a code: in formulas a dot is a decimal point, not a "
                "thousands separator",
                code=code,
            ),
            start,
            msg("write the number without dots: {number}", number=code.replace(".", "")),
        )
    if " " in code:
        words = code.split(" ")
        if all(NUMBER_PATTERN.fullmatch(word) for word in words):
            raise NodeError(
                msg("two numbers side by side"),
                start + len(words[0]) + 1,
                msg("put an operator (+ - * /) between them"),
            )
    if ".anno" in code.lower():
        if _ANNO_N().search(code):
            code = code[: -len(".anno.n")]
        elif years and _ANNO().search(code):
            code = code[: -len(".anno")]
    return Ref(code, offset, span=span)


def _quoted_code(text: str, start: int) -> str:
    code = text[1:-1]
    if not code.strip():
        raise NodeError(
            msg("empty name in quotes"),
            start,
            msg('write the code between the quotes: "Entrate correnti"'),
        )
    return code


def make_quoted_ref(text: str, start: int) -> Node:
    """``"Interessi passivi"``: the code between the quotes, verbatim."""
    return Ref(_quoted_code(text, start), 0, span=_span(start, start + len(text)))


def make_dot_number(text: str, start: int) -> Node:
    """``.8``: a decimal written without its leading zero."""
    return Number(text, span=_span(start, start + len(text)))


def _offset(offset: str, offset_start: int) -> int:
    digits = offset.lstrip("+-")
    value = int(offset) if len(digits) <= len(str(MAX_OFFSET)) else MAX_OFFSET + 1
    if abs(value) > MAX_OFFSET:
        raise NodeError(
            msg(
                "year offset {offset} is beyond the limit of ±{limit}",
                offset=offset[:12],
                limit=MAX_OFFSET,
            ),
            offset_start,
            msg("a year offset counts years from the evaluation year"),
        )
    return value


def make_explicit_ref(
    text: str, start: int, offset: str, offset_start: int, end: int, *, quoted: bool = False
) -> Node:
    """``CODE[K]`` (the code verbatim) or ``"NAME"[K]``, and a whole year offset."""
    if quoted:
        return Ref(_quoted_code(text, start), _offset(offset, offset_start), span=_span(start, end))
    if not text.isascii():
        check_code_characters(text, start)
    if _GLUED().fullmatch(text):
        raise NodeError(
            msg("{text!r} already names a prior year", text=text),
            start,
            msg("write either CODE-1 or CODE[-1], not both"),
        )
    return Ref(text, _offset(offset, offset_start), span=_span(start, end))


def make_neg(start: int, operand: Node) -> Node:
    """Unary minus from the position of its sign."""
    return _checked(Neg(operand, span=_span(start, _end(operand))))


def make_binary(op: str, left: Node, right: Node) -> Node:
    """A binary operation spanning its operands."""
    return _checked(BinOp(op, left, right, span=_span(_start(left), _end(right))))  # type: ignore[arg-type]
