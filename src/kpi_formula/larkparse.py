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
from .errors import FormulaSyntaxError, LimitExceededError
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

_TERMINAL_NAMES = {
    "OPERAND": "a driver code or a number",
    "QUOTED": "a name in double quotes",
    "DOT_NUMBER": "a number",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LBRACKET": "'['",
    "RBRACKET": "']'",
    "OFFSET": "a year offset such as -1",
    "$END": "the end of the formula",
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
                    "')' closes a parenthesis that was never opened",
                    position,
                    "remove it, or add the matching '(' before it",
                    ("an operator", "the end of the formula"),
                )
            opened.pop()
    if opened:
        _syntax_error(
            text,
            f"'(' is never closed ({len(opened)} unclosed)",
            opened[-1],
            "add the matching ')'",
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
                f"the formula ends with the operator '{last}'",
                position - 1,
                f"add the operand after '{last}', or remove it",
                expected,
            )
        _syntax_error(text, "the formula ends too early", position, "complete it", expected)
    position = token.start_pos or 0
    previous = _previous_token(text, position)
    if "OFFSET" in error.expected:
        _syntax_error(
            text,
            "a year offset in brackets is a whole number such as -1",
            position,
            "write CODE[-1] for one year back",
            expected,
        )
    if token.type in _OPERATORS:
        if previous in ("+", "-", "*", "/"):
            _syntax_error(
                text,
                f"two operators in a row ('{previous}' then '{token}')",
                position,
                "remove one of them, or put an operand between them",
                expected,
            )
        _syntax_error(
            text,
            f"the operator '{token}' has no operand on its left",
            position,
            "put an operand before it",
            expected,
        )
    if token.type == "RPAR":
        if previous == "(":
            _syntax_error(
                text, "empty parentheses", position, "put an expression inside them", expected
            )
        _syntax_error(
            text,
            f"')' right after the operator '{previous}'",
            position,
            f"add the operand after '{previous}', or remove it",
            expected,
        )
    if token.type in ("OPERAND", "LPAR", "QUOTED", "DOT_NUMBER"):
        _syntax_error(
            text,
            "two operands side by side: an operator is missing",
            position,
            "put an operator (+ - * /) between them; a driver code may hold single "
            "spaces between its words, never two",
            expected,
        )
    if token.type == "LBRACKET":
        _syntax_error(
            text,
            "'[' must follow a driver code directly",
            position,
            "write CODE[-1] for the value of CODE one year back",
            expected,
        )
    _syntax_error(
        text,
        f"unexpected {_TERMINAL_NAMES.get(token.type, repr(str(token)))}",
        position,
        "check the formula around the caret",
        expected,
    )


_CHARACTER_HINTS = {
    "%": (
        "'%' is not an operator in formulas",
        "write a percentage as a fraction (72,10 % is 0.721) or divide by 100",
    ),
    ",": (
        "',' cannot appear in a formula",
        "formulas use '.' as the decimal point: write 2.5, not 2,5",
    ),
    ".": (
        "'.' cannot start a code",
        "a code starts with a letter, a digit or '_'; a number may start with '.' (.5)",
    ),
    "=": (
        "'=' cannot appear in a formula",
        "comparisons belong to targets (see parse_target), not to formulas",
    ),
    "<": (
        "'<' cannot appear in a formula",
        "comparisons belong to targets (see parse_target), not to formulas",
    ),
    ">": (
        "'>' cannot appear in a formula",
        "comparisons belong to targets (see parse_target), not to formulas",
    ),
    "^": ("'^' is not an operator", "formulas know + - * / only"),
    '"': (
        "a name in double quotes is never closed",
        'close it with \'"\' on the same line: "Interessi passivi"',
    ),
    "'": (
        "an apostrophe belongs inside a word (nell'anno, ACCESSIBILITA')",
        'put a name in double quotes: "Entrate correnti"',
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
            "a year offset in brackets is a whole number such as -1",
            position,
            "write CODE[-1] for one year back",
            allowed,
        )
    if char == " " or char.isspace():
        _syntax_error(text, "unexpected space", position, "check the spacing here", allowed)
    _syntax_error(
        text,
        f"character {char!r} cannot appear in a formula",
        position,
        "formulas hold driver codes, numbers, + - * / and parentheses",
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
        _syntax_error(text, f"cannot read the formula: {error}", 0, "check the formula")
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise LimitExceededError(
            "the formula is nested too deeply",
            text=text,
            position=0,
            hint="split it into indicators that refer to each other",
        ) from None
    return node
