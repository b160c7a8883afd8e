"""Hostile input: for any text, public functions raise only the library's errors.

Run with many more examples on demand: HYPOTHESIS_PROFILE=fuzz (see README).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula.data import parse_data_value, read_data
from kpi_formula.plan.algorithm import split_algorithm
from kpi_formula.plan.planfile import read_plan
from kpi_formula.plan.report import read_report
from kpi_formula.repl import Session

PUBLIC: dict[str, Callable[[str], object]] = {
    "parse": kf.parse,
    "parse_value": kf.parse_value,
    "parse_target": kf.parse_target,
    "parse_targets": kf.parse_targets,
    "evaluate formula": lambda text: kf.evaluate(text, {"A": 1}, year=2025),
    "evaluate data": lambda text: kf.evaluate("A * 2", {"A": text}, year=2025),
    "check": lambda text: kf.parse_target(">= 5 N.").check(text),
    "parse_data_value": parse_data_value,
    "read_data": read_data,
    "read_plan": read_plan,
    "read_report": read_report,
    "split_algorithm": split_algorithm,
    "repl": lambda text: Session(year=2025).handle(text),
}

ADVERSARIAL = [
    "A + " * 2500 + "A",
    "(" * 5000 + "A" + ")" * 5000,
    "(" * 9000,
    "-" * 9999 + "A",
    "A" * 9999,
    "A " * 4999,
    "1" * 9999,
    "9" * 999 + "." + "9" * 999,
    "1.000" * 2000,
    ">= " + "1" * 9000,
    "Entro " * 1600,
    "a = [" * 2000,
    "[[area]]\n" * 1000,
    "1e999999999",
    "A-99999999999999999999",
    "A[" + "9" * 5000 + "]",
    "1" * 5000 + " * A",
    "A * 0." + "1" * 5000,
    "\x00" * 100,
    "\u200b" * 100,
    "\ud800",
    "%s%n" * 100,
    "__import__('os').system('echo hacked')",
    "\t".join(["33,33%"] * 1000),
    "33,33%\t1 - A\n" * 500,
    "code,year,value\n" + "A,2024,1\n" * 1000,
    "code,year,value\n" + "A," * 3000,
]


MESSAGE_LIMIT = 1_000
"""A message quotes at most a window of the input: a 10 kB text must not make a 10 kB message."""


def only_library_errors(function: Callable[[str], object], text: str) -> None:
    try:
        function(text)
    except kf.KpiFormulaError as error:
        assert str(error)
        assert len(str(error)) <= MESSAGE_LIMIT, str(error)[:300]


@pytest.mark.parametrize("name", sorted(PUBLIC))
@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_inputs(name: str, text: str) -> None:
    only_library_errors(PUBLIC[name], text)


@pytest.mark.parametrize("name", sorted(PUBLIC))
@given(text=st.text(max_size=300))
def test_random_text(name: str, text: str) -> None:
    only_library_errors(PUBLIC[name], text)


# the characters and words the new forms are made of, so that random text hits them
_PIECES = [
    '"', "'", "’", ".", "5", "0", " ", "[", "]", "-1", "A", "x", "·", "%", "€", "mln", "k€",
    "Anno 2016:", "2026:", "rispetto alla baseline", "Aumento del", "maggiore o uguale a",
    "Mantenimento", "n.d.", "entro il", "31.12.2025", "2025-06-15", "1.100", ",", ">=", "(",
]


@pytest.mark.parametrize("name", sorted(PUBLIC))
@given(pieces=st.lists(st.sampled_from(_PIECES), max_size=30))
def test_random_pieces_of_the_new_forms(name: str, pieces: list[str]) -> None:
    only_library_errors(PUBLIC[name], "".join(pieces))


def test_huge_values_hit_the_decimal_limits_with_clear_errors() -> None:
    for value in (Decimal("1e999999999"), 10**5000, Decimal("-1e-999999999")):
        with pytest.raises(kf.EvaluationError):
            kf.evaluate("A * A", {"A": value}, year=2025)
    with pytest.raises(kf.EvaluationError, match="too large"):
        kf.evaluate("A * A * A * A", {"A": Decimal("1e300000")}, year=2025)


def test_nothing_is_ever_executed() -> None:
    marker: list[str] = []
    with pytest.raises(kf.FormulaSyntaxError):
        kf.parse("__import__('builtins').print('x') or marker.append(1)")
    assert marker == []
