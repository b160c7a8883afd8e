"""Errors a person can act on: what, where (with a caret) and a hint."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula.errors import caret_excerpt


def syntax_error(text: str) -> kf.FormulaSyntaxError:
    with pytest.raises(kf.FormulaSyntaxError) as caught:
        kf.parse(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "words", "column"),
    [
        ("(A - B", "never closed", 1),
        ("A - B)", "never opened", 6),
        ("A +", "ends with the operator '+'", 3),
        ("A * / B", "two operators in a row", 5),
        ("", "empty", 1),
        ("   ", "empty", 1),
        ("A % B", "'%'", 3),
        ("72,10", "','", 3),
        ("A  B", "two operands side by side", 4),
        ("A (B)", "two operands side by side", 3),
        ("()", "empty parentheses", 2),
        ("* A", "no operand on its left", 1),
        ("A-1[-1]", "already names a prior year", 1),
        (". A", "'.' cannot start a code", 1),
        ('"Interessi passivi / A', "never closed", 1),
        ('"" + A', "empty name in quotes", 1),
        ("'A + B", "apostrophe belongs inside a word", 1),
        ("Superficie m² / A", "'²' cannot be part of a code", 13),
        ("A / 2½", "'½' cannot be part of a code", 6),
        ('"A" "B"', "two operands side by side", 5),
        ("A >= 3", "'>'", 3),
        ("A[x]", "year offset", 3),
        ("A + B\u200b", "U+200B", 6),
        ("A\x00", "U+0000", 2),
        ("A-99999", "more than 999 years", 2),
    ],
)
def test_common_mistakes_are_named_in_plain_words(text: str, words: str, column: int) -> None:
    error = syntax_error(text)
    assert words in str(error)
    assert error.column == column
    assert error.line == 1
    assert error.hint


def test_message_shows_the_line_with_a_caret_under_the_fault() -> None:
    error = syntax_error("(A - B) * / C")
    lines = str(error).splitlines()
    assert lines[1] == "  (A - B) * / C"
    assert lines[2] == "  " + " " * 10 + "^"
    assert error.expected  # names what could have stood there
    assert any("driver code" in item or "(" in item for item in error.expected)


def test_errors_on_later_lines_report_line_and_column() -> None:
    error = syntax_error("A +\nB *\n* C")
    assert (error.line, error.column) == (3, 1)
    assert "  * C" in str(error)


def test_percent_and_comma_hints_mention_italian_decimals() -> None:
    assert "fraction" in (syntax_error("A * 72 %").hint or "")
    assert "decimal point" in (syntax_error("2,5 * A").hint or "")


def test_errors_are_value_errors_of_the_library() -> None:
    error = syntax_error("A +")
    assert isinstance(error, kf.KpiFormulaError)
    assert isinstance(error, ValueError)


def test_non_text_input_is_a_syntax_error() -> None:
    with pytest.raises(kf.FormulaSyntaxError):
        kf.parse(42)  # type: ignore[arg-type]


def test_very_long_and_deeply_nested_input_get_clear_errors() -> None:
    with pytest.raises(kf.LimitExceededError, match="limit"):
        kf.parse("A + " * 3000 + "A")
    with pytest.raises(kf.LimitExceededError, match="deep"):
        kf.parse("-" * 500 + "A")
    with pytest.raises(kf.LimitExceededError, match="deep"):
        kf.parse("(" * 300 + "A" + " * B)" * 300)
    with pytest.raises(kf.LimitExceededError, match="longer than"):
        kf.parse("A" * 20_000)


def test_parentheses_nest_up_to_the_limit() -> None:
    assert kf.parse("(" * 200 + "A" + ")" * 200) == kf.parse("A")
    with pytest.raises(kf.LimitExceededError, match="nested more than 200 deep") as caught:
        kf.parse("(" * 201 + "A" + ")" * 201)
    assert caught.value.column == 201


def _line_and_column(text: str, position: int) -> tuple[int, int]:
    """Line and column of ``position``, walking the text: LF, CR LF and a lone CR end a
    line; a position inside a CR LF is the break, where it starts."""
    line, column, index = 1, 1, 0
    while index < position:
        if text[index] == "\r" and text[index + 1 : index + 2] == "\n":
            if index + 1 == position:
                break
            index, line, column = index + 2, line + 1, 1
        elif text[index] in "\r\n":
            index, line, column = index + 1, line + 1, 1
        else:
            index, column = index + 1, column + 1
    return line, column


@given(st.text(alphabet="ab \r\n", max_size=30), st.data())
def test_error_positions_count_every_kind_of_line_break(text: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(text)))
    line, column, excerpt = caret_excerpt(text, position)
    assert (line, column) == _line_and_column(text, position)
    source, caret = excerpt.split("\n")  # one line of the text, then the caret under it
    assert "\r" not in source and caret.strip() == "^"


def test_a_lone_carriage_return_ends_a_line_in_error_messages() -> None:
    error = syntax_error("A +\r* B")
    assert (error.line, error.column) == (2, 1)
    assert "\r" not in str(error)
