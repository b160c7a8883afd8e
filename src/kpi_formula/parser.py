"""Formula text to syntax tree.

Text first goes through the hygiene policy (:mod:`kpi_formula.text`) and the
limits; well-formed formulas are then read by the fast parser
(:mod:`kpi_formula.fastparse`), and everything else by the Lark grammar
(:mod:`kpi_formula.larkparse`), which is also where every error message comes
from.  Both build their trees through :mod:`kpi_formula.treebuild`.
"""

from __future__ import annotations

import re

from .ast import Node
from .errors import FormulaSyntaxError, LimitExceededError, msg
from .fastparse import parse_fast
from .text import normalise
from .treebuild import MAX_DEPTH, MAX_OFFSET, NodeError

__all__ = ["MAX_DEPTH", "MAX_OFFSET", "parse_node"]

_SIGN_RUN = re.compile(rf"(?:[-+][ \t\r\n]*){{{MAX_DEPTH + 1},}}")


def parse_node(text: str) -> Node:
    """Parse formula text into its syntax tree; raises FormulaSyntaxError."""
    text = normalise(
        text,
        lambda message, position, hint: FormulaSyntaxError(
            message, text=text, position=position, hint=hint
        ),
        lambda message, position, hint: LimitExceededError(
            message, text=text, position=position, hint=hint
        ),
    )
    if not text.strip():
        raise FormulaSyntaxError(
            msg("the formula is empty"),
            text=text,
            position=0,
            expected=(msg("a driver code or a number"),),
            hint=msg("write an expression such as (A - A-1) / A-1"),
        )
    signs = _SIGN_RUN.search(text)
    if signs is not None:
        # Caught before Lark, which would shift every sign before reducing one.
        raise LimitExceededError(
            msg("more than {limit} signs in a row nest the formula too deeply", limit=MAX_DEPTH),
            text=text,
            position=signs.start(),
            hint=msg("remove the repeated signs"),
        )
    if text.count("(") > MAX_DEPTH:
        _check_nesting(text)
    try:
        fast = parse_fast(text)
    except NodeError as error:
        error_type = LimitExceededError if error.limit else FormulaSyntaxError
        raise error_type(
            error.message, text=text, position=error.position, hint=error.hint
        ) from None
    if fast is not None:
        return fast
    from .larkparse import parse_with_lark

    return parse_with_lark(text)


def _check_nesting(text: str) -> None:
    """Refuse parentheses nested deeper than MAX_DEPTH before any parser runs."""
    depth = 0
    for position, char in enumerate(text):
        if char == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise LimitExceededError(
                    msg("parentheses are nested more than {limit} deep", limit=MAX_DEPTH),
                    text=text,
                    position=position,
                    hint=msg("remove the parentheses that group nothing"),
                )
        elif char == ")":
            depth -= 1
