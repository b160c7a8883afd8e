"""The formula grammar run by Lark: the specification path, and every error message.

The Lark LALR parser builds the typed tree during the parse (the transformer is
handed to the parser, so there is no intermediate parse tree).  Every failure
leaves as a :class:`~kpi_formula.errors.FormulaSyntaxError` that names the
mistake in plain words; no Lark exception crosses this module's boundary.
:mod:`kpi_formula.parser` calls it when the fast parser declines, so that
importing the library does not load Lark.
"""

from __future__ import annotations

from functools import cache
from typing import NoReturn, cast

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)

from .ast import Node
from .errors import FormulaSyntaxError, LimitExceededError, msg
from .grammar import grammar_text
from .treebuild import (
    NodeError,
    make_binary,
    make_dot_number,
    make_explicit_ref,
    make_neg,
    make_operand,
    make_quoted_ref,
)

__all__ = ["parse_with_lark"]

_TERMINAL_NAMES: dict[str, str] = {  # punctuation is said as it is
    "OPERAND": msg("a driver code or a number"),
    "QUOTED": msg("a name in double quotes"),
    "DOT_NUMBER": msg("a number"),
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LBRACKET": "'['",
    "RBRACKET": "']'",
    "OFFSET": msg("a year offset such as -1"),
    "$END": msg("the end of the formula"),
}
_OPERATORS = frozenset({"PLUS", "MINUS", "STAR", "SLASH"})


@v_args(inline=True)
class _TreeBuilder(Transformer[Token, Node]):
    """Builds the typed tree while the LALR parser reduces."""

    def operand(self, token: Token) -> Node:
        return make_operand(str(token), token.start_pos or 0)

    def explicit_ref(self, token: Token, _open: Token, offset: Token, close: Token) -> Node:
        return make_explicit_ref(
            str(token), token.start_pos or 0, str(offset), offset.start_pos or 0, close.end_pos or 0
        )

    def quoted_ref(self, token: Token) -> Node:
        return make_quoted_ref(str(token), token.start_pos or 0)

    def explicit_quoted_ref(
        self, token: Token, _open: Token, offset: Token, close: Token
    ) -> Node:
        return make_explicit_ref(
            str(token),
            token.start_pos or 0,
            str(offset),
            offset.start_pos or 0,
            close.end_pos or 0,
            quoted=True,
        )

    def dot_number(self, token: Token) -> Node:
        return make_dot_number(str(token), token.start_pos or 0)

    def group(self, _open: Token, inner: Node, _close: Token) -> Node:
        return inner

    def neg(self, minus: Token, operand: Node) -> Node:
        return make_neg(minus.start_pos or 0, operand)

    def pos(self, _plus: Token, operand: Node) -> Node:
        return operand

    def add(self, left: Node, _op: Token, right: Node) -> Node:
        return make_binary("+", left, right)

    def sub(self, left: Node, _op: Token, right: Node) -> Node:
        return make_binary("-", left, right)

    def mul(self, left: Node, _op: Token, right: Node) -> Node:
        return make_binary("*", left, right)

    def div(self, left: Node, _op: Token, right: Node) -> Node:
        return make_binary("/", left, right)


@cache
def _parser() -> Lark:
    return Lark(
        grammar_text("formula"),
        parser="lalr",
        transformer=_TreeBuilder(),
        maybe_placeholders=False,
    )


def _syntax_error(
    text: str, message: str, position: int, hint: str, expected: tuple[str, ...] = ()
) -> NoReturn:
    raise FormulaSyntaxError(message, text=text, position=position, expected=expected, hint=hint)


def _check_parentheses(text: str) -> None:
    """Name unbalanced parentheses precisely, before the parser guesses (those of a
    name in double quotes are part of the name: ``"Spesa (€"``)."""
    opened: list[int] = []
    quoted = False
    for position, char in enumerate(text):
        if char == '"' or (quoted and char in "\n\r"):  # a quote ends at its line's end
            quoted = not quoted and char == '"'
        elif quoted:
            continue
        elif char == "(":
            opened.append(position)
        elif char == ")":
            if not opened:
                _syntax_error(
                    text,
                    msg("')' closes a parenthesis that was never opened"),
                    position,
                    msg("remove it, or add the matching '(' before it"),
                    ("an operator", "the end of the formula"),
                )
            opened.pop()
    if opened:
        _syntax_error(
            text,
            msg("'(' is never closed ({count} unclosed)", count=len(opened)),
            opened[-1],
            msg("add the matching ')'"),
            ("')'",),
        )


def _previous_token(text: str, position: int) -> str:
    before = text[:position].rstrip()
    return before[-1:] if before else ""


def _explain_unexpected_token(text: str, error: UnexpectedToken) -> NoReturn:
    token = error.token
    expected = tuple(sorted(_TERMINAL_NAMES.get(name, name) for name in error.expected))
    if token.type == "$END":
        position = len(text.rstrip())
        last = _previous_token(text, position)
        if last in ("+", "-", "*", "/"):
            _syntax_error(
                text,
                msg("the formula ends with the operator '{operator}'", operator=last),
                position - 1,
                msg("add the operand after '{operator}', or remove it", operator=last),
                expected,
            )
        _syntax_error(
            text, msg("the formula ends too early"), position, msg("complete it"), expected
        )
    position = token.start_pos or 0
    previous = _previous_token(text, position)
    if "OFFSET" in error.expected:
        _syntax_error(
            text,
            msg("a year offset in brackets is a whole number such as -1"),
            position,
            msg("write CODE[-1] for one year back"),
            expected,
        )
    if token.type in _OPERATORS:
        if previous in ("+", "-", "*", "/"):
            _syntax_error(
                text,
                msg(
                    "two operators in a row ('{first}' then '{second}')",
                    first=previous,
                    second=str(token),
                ),
                position,
                msg("remove one of them, or put an operand between them"),
                expected,
            )
        _syntax_error(
            text,
            msg("the operator '{operator}' has no operand on its left", operator=str(token)),
            position,
            msg("put an operand before it"),
            expected,
        )
    if token.type == "RPAR":
        if previous == "(":
            _syntax_error(
                text,
                msg("empty parentheses"),
                position,
                msg("put an expression inside them"),
                expected,
            )
        _syntax_error(
            text,
            msg("')' right after the operator '{operator}'", operator=previous),
            position,
            msg("add the operand after '{operator}', or remove it", operator=previous),
            expected,
        )
    if token.type in ("OPERAND", "LPAR", "QUOTED", "DOT_NUMBER"):
        _syntax_error(
            text,
            msg("two operands side by side: an operator is missing"),
            position,
            msg(
                "put an operator (+ - * /) between them; a driver code may hold single "
                "spaces between its words, never two"
            ),
            expected,
        )
    if token.type == "LBRACKET":
        _syntax_error(
            text,
            msg("'[' must follow a driver code directly"),
            position,
            msg("write CODE[-1] for the value of CODE one year back"),
            expected,
        )
    _syntax_error(
        text,
        msg("unexpected {what}", what=_TERMINAL_NAMES.get(token.type, repr(str(token)))),
        position,
        msg("check the formula around the caret"),
        expected,
    )


_CHARACTER_HINTS = {
    "%": (
        msg("'%' is not an operator in formulas"),
        msg("write a percentage as a fraction (72,10 % is 0.721) or divide by 100"),
    ),
    ",": (
        msg("',' cannot appear in a formula"),
        msg("formulas use '.' as the decimal point: write 2.5, not 2,5"),
    ),
    ".": (
        msg("'.' cannot start a code"),
        msg("a code starts with a letter, a digit or '_'; a number may start with '.' (.5)"),
    ),
    "=": (
        msg("'=' cannot appear in a formula"),
        msg("comparisons belong to targets (see parse_target), not to formulas"),
    ),
    "<": (
        msg("'<' cannot appear in a formula"),
        msg("comparisons belong to targets (see parse_target), not to formulas"),
    ),
    ">": (
        msg("'>' cannot appear in a formula"),
        msg("comparisons belong to targets (see parse_target), not to formulas"),
    ),
    "^": (msg("'^' is not an operator"), msg("formulas know + - * / only")),
    '"': (
        msg("a name in double quotes is never closed"),
        msg('close it with \'"\' on the same line: "Interessi passivi"'),
    ),
    "'": (
        msg("an apostrophe belongs inside a word (nell'anno, ACCESSIBILITA')"),
        msg('put a name in double quotes: "Entrate correnti"'),
    ),
}


def _explain_unexpected_character(text: str, error: UnexpectedCharacters) -> NoReturn:
    position = error.pos_in_stream or 0
    char = text[position] if position < len(text) else ""
    allowed = tuple(sorted(_TERMINAL_NAMES.get(name, name) for name in error.allowed or ()))
    if char in _CHARACTER_HINTS:
        message, hint = _CHARACTER_HINTS[char]
        _syntax_error(text, message, position, hint, allowed)
    if char == "-" or char.isdigit() or char in "+]":
        _syntax_error(
            text,
            msg("a year offset in brackets is a whole number such as -1"),
            position,
            msg("write CODE[-1] for one year back"),
            allowed,
        )
    if char == " " or char.isspace():
        _syntax_error(
            text, msg("unexpected space"), position, msg("check the spacing here"), allowed
        )
    _syntax_error(
        text,
        msg("character {char!r} cannot appear in a formula", char=char),
        position,
        msg("formulas hold driver codes, numbers, + - * / and parentheses"),
        allowed,
    )


def parse_with_lark(text: str) -> Node:
    """Parse normalised, non-empty ``text`` with the grammar itself; every
    failure becomes a FormulaSyntaxError that names the mistake."""
    try:
        _check_parentheses(text)
        node = cast(Node, _parser().parse(text))
    except NodeError as error:
        error_type = LimitExceededError if error.limit else FormulaSyntaxError
        raise error_type(
            error.message, text=text, position=error.position, hint=error.hint
        ) from None
    except UnexpectedToken as error:
        _explain_unexpected_token(text, error)
    except UnexpectedCharacters as error:
        _explain_unexpected_character(text, error)
    except (UnexpectedEOF, UnexpectedInput, LarkError) as error:  # pragma: no cover
        _syntax_error(
            text,
            msg("cannot read the formula: {error}", error=str(error)),
            0,
            msg("check the formula"),
        )
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise LimitExceededError(
            msg("the formula is nested too deeply"),
            text=text,
            position=0,
            hint=msg("split it into indicators that refer to each other"),
        ) from None
    return node
