"""The formula's readers in linear time: pathological text of 100 kB, and of just under
the 10,000-character limit, gets an answer — a value or a typed error — from every
public function that reads a formula, with messages of bounded length.

The guard is an alarm of a generous 10 seconds per call: a hang guard, not a timing
assertion (speed is measured, as growth between n and 4n, in ``benchmarks/run.py``).
The length limit is checked before any pattern runs, so 100 kB fails at once; the
shorter texts go through the tokenizer, both parsers, the evaluator, lint and SQL.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

import pytest

import kpi_formula as kf

GUARD_SECONDS = 10
NEAR_LIMIT = 9_990
MESSAGE_LIMIT = 2_000  # the caret excerpt, a clipped code, the hint


def nested(n: int) -> str:
    """A balanced tree of divisions: as many operands as the text allows, depth aside."""
    text = "A"
    while len(text) * 2 + 5 < n:
        text = f"({text} / {text})"
    return text


SHAPES: dict[str, Callable[[int], str]] = {
    "spaces between codes": lambda n: "A" + " " * (n - 2) + "B",
    "spaces at the end": lambda n: "A" + " " * (n - 1),
    "digits": lambda n: "1" * n,
    "digits glued to a code": lambda n: "A-" + "1" * (n - 2),
    "digits glued, then a letter": lambda n: "A-" + "1" * (n - 3) + "x",
    "dots": lambda n: "." * n,
    "digits and dots": lambda n: ("1." * n)[:n],
    "thousands": lambda n: ("1.000" * n)[:n],
    "words": lambda n: ("pratiche " * n)[:n].strip(),
    "one long word": lambda n: "a" * n,
    "words and a lone x": lambda n: ("a x " * n)[:n].strip(),
    "hyphens between letters": lambda n: ("a e-learning " * n)[:n].strip(),
    "slashes between letters": lambda n: ("a b/c " * n)[:n].strip(),
    "quoted names": lambda n: ('"a" ' * n)[:n],
    "a quote never closed": lambda n: '"' + "a" * (n - 1),
    "quotes in a row": lambda n: '"' * n,
    "apostrophes": lambda n: ("nell'" * n)[:n],
    "brackets": lambda n: ("A[-1]" * n)[:n],
    "brackets never closed": lambda n: "A" + "[" * (n - 1),
    "prior years in a row": lambda n: ("A-1-1" * n)[:n],
    "prior years side by side": lambda n: ("A-1 " * n)[:n],
    "year suffixes": lambda n: ("A.anno-1" * n)[:n],
    "signs": lambda n: ("- " * n)[: n - 1] + "A",
    "parentheses": lambda n: "(" * (n // 2) + "A" + ")" * (n // 2 - 1),
    "parentheses never closed": lambda n: "(" * n,
    "a chain of ratios": lambda n: ("A / B + " * n)[: n - 4] + " + C",
    "a chain of products": lambda n: ("A * B - " * n)[: n - 4] + " - C",
    "nested divisions": nested,
    "parenthesised ratios": lambda n: ("(A / B + C / D) + " * n)[: n - 20] + " + C",
    "divisions by numbers": lambda n: ("A / 50 + " * n)[: n - 4] + " + C",
    "operators in a row": lambda n: "A " + "+-*/" * (n // 4 - 1),
}


def _pydantic_field(text: str) -> object:
    pydantic = pytest.importorskip("pydantic")
    try:
        return pydantic.TypeAdapter(kf.Formula).validate_python(text)
    except pydantic.ValidationError as error:  # the library's message, as a field's error
        raise kf.FormulaSyntaxError(str(error), text=text, position=0) from None


READERS: dict[str, Callable[[str], object]] = {
    "parse": kf.parse,
    "lint": kf.lint,
    "evaluate": lambda text: kf.evaluate(text, {}, year=2025),
    "evaluate, N/D as 0": lambda text: kf.evaluate(text, {}, year=2025, on_missing="zero"),
    "to_sql": kf.to_sql,
    "Formula field": _pydantic_field,
}


@contextmanager
def hang_guard(seconds: int = GUARD_SECONDS) -> Iterator[None]:
    """Fail a call that has not answered after ``seconds`` (SIGALRM)."""

    def ring(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def answer(reader: Callable[[str], object], text: str) -> tuple[object, str]:
    """What the reader answers, and the words it says (warnings, or the error)."""
    kf.formula._formula.cache_clear()  # a parse from cache would hide the work
    with hang_guard():
        try:
            found = reader(text)
        except kf.KpiFormulaError as error:
            return error, str(error)
    words = [warning.message for warning in found] if isinstance(found, list) else []
    return found, max(words, key=len, default="")


@pytest.mark.parametrize("reader", READERS, ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_100_kb_of_anything_is_refused_at_once(shape: str, reader: str) -> None:
    found, said = answer(READERS[reader], SHAPES[shape](100_000))
    assert isinstance(found, kf.KpiFormulaError)
    assert "longer than the limit of 10,000" in said and len(said) <= MESSAGE_LIMIT


@pytest.mark.parametrize("reader", READERS, ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_text_up_to_the_limit_is_answered_in_few_words(shape: str, reader: str) -> None:
    text = SHAPES[shape](NEAR_LIMIT)
    assert len(text) <= 10_000
    _, said = answer(READERS[reader], text)
    assert len(said) <= MESSAGE_LIMIT, said[:200]


def test_lint_says_in_few_words_what_it_finds_in_long_formulas() -> None:
    warnings = kf.lint(("a x " * 2_500)[:9_999].strip())
    assert len(warnings) > 1_000  # every lone x is flagged...
    assert all(len(warning.message) < 400 for warning in warnings)  # ...in a bounded message
    ratios = kf.lint("(A / B + C / D) + " * 150 + "E")  # 300 precedence warnings
    assert len(ratios) == 300
    assert all("reads as … (" in warning.message for warning in ratios)
    assert all(len(warning.message) < 300 for warning in ratios)
