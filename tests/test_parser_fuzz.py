"""The parser raises nothing but FormulaSyntaxError, on any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.grammar import grammar_text

from .conftest import seed_formulas

SEED_TEXTS = [row[2] for row in seed_formulas()]
INTERESTING = [
    *"()+-*/[]%,.;=<> \t\n_0123456789AaZ",
    "\u00a0",
    "\u2212",
    "\u200b",
    "\x00",
    "\ufeff",
    "à",
    "€",
    "\ud800",
    "1e999999999",
    ".anno-1",
    ".anno.n",
]


def parse_or_syntax_error(text: str) -> None:
    try:
        formula = kf.parse(text)
    except kf.FormulaSyntaxError as error:
        assert error.line >= 1 and error.column >= 1
        assert error.hint
        assert "^" in str(error)
    else:
        assert kf.parse(str(formula)) == formula


@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    parse_or_syntax_error(text)


@given(st.lists(st.sampled_from(INTERESTING), max_size=40).map("".join))
def test_random_text_from_the_language_alphabet(text: str) -> None:
    parse_or_syntax_error(text)


@st.composite
def near_misses(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEED_TEXTS))
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate", "swap"]))
        if action == "insert":
            text = text[:position] + draw(st.sampled_from(INTERESTING)) + text[position:]
        elif action == "delete" and text:
            text = text[:position] + text[position + 1 :]
        elif action == "duplicate":
            text = text[:position] + text[position : position + 2] + text[position:]
        elif len(text) > position + 1:
            text = text[:position] + text[position + 1] + text[position] + text[position + 2 :]
    return text


@given(near_misses())
def test_near_misses_of_the_seed_formulas(text: str) -> None:
    parse_or_syntax_error(text)


OPERAND_TEXT = st.one_of(kst.codes(), kst.numbers())
GRAMMAR = Lark(grammar_text("formula"), parser="lalr")


@settings(max_examples=60)
@given(
    from_lark(
        GRAMMAR, explicit={"OPERAND": OPERAND_TEXT, "OFFSET": st.from_regex(r"\A[+-]?[0-9]{1,3}\Z")}
    )
)
def test_text_drawn_from_the_grammar_itself(text: str) -> None:
    parse_or_syntax_error(text)
