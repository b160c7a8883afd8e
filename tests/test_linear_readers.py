"""Readers in linear time: pathological text of 100 kB, and of 9,000 characters
(inside the 10,000-character limit), gets an answer — a value or a typed error —
from every reader of values and targets.

The guard is an alarm of a generous 10 seconds per call: a hang guard, not a
timing assertion (speed is measured, as growth between n and 4n, in
``benchmarks/readers.py``).  The length limit is checked before any pattern
runs, so 100 kB fails at once; 9,000 characters go through every pattern.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

import pytest

import kpi_formula as kf
from kpi_formula.data import parse_data_value
from kpi_formula.direction import parse_direction
from kpi_formula.units import in_unit, parse_unit

GUARD_SECONDS = 10

SHAPES: dict[str, Callable[[int], str]] = {
    "spaces then a word": lambda n: " " * (n - 1) + "x",
    "spaces between a comparison and a word": lambda n: ">=" + " " * (n - 3) + "x",
    "spaces between a sign and an amount": lambda n: "-" + " " * (n - 2) + "x",
    "digits": lambda n: "1" * n,
    "digits then a letter": lambda n: "1" * (n - 1) + "x",
    "dots": lambda n: "." * n,
    "commas": lambda n: "," * n,
    "percent signs": lambda n: "%" * n,
    "thousands": lambda n: ("1.000" * n)[:n],
    "thousands broken": lambda n: ("1.0001" * n)[:n],
    "decimals broken": lambda n: ("1.11" * n)[:n],
    "spaced thousands": lambda n: ("1 000" * n)[:n],
    "spaced thousands broken": lambda n: ("1 0000" * n)[:n],
    "digits and single spaces": lambda n: ("1 " * n)[:n],
    "digits and commas": lambda n: ("1," * n)[:n],
    "comparison words": lambda n: ("maggiore o uguale " * n)[:n],
    "almeno": lambda n: ("almeno " * n)[:n],
    "rispetto": lambda n: ("rispetto " * n)[:n],
    "rispetto alla": lambda n: ("Aumento del 5% rispetto alla " * n)[:n],
    "entro": lambda n: ("entro " * n)[:n],
    "entro il": lambda n: ("entro il " * n)[:n],
    "dates": lambda n: ("31-12-2025 " * n)[:n],
    "dates glued": lambda n: ("31-12-2025" * n)[:n],
    "months": lambda n: ("giugno " * n)[:n],
    "semesters": lambda n: ("primo semestre " * n)[:n],
    "years": lambda n: ("2025: " * n)[:n],
    "anno": lambda n: ("anno " * n)[:n],
    "words": lambda n: ("pratiche " * n)[:n],
    "one long word": lambda n: "a" * n,
    "apostrophes": lambda n: ("l'" * n)[:n],
    "hyphens": lambda n: "e" + "-e" * (n // 2 - 1),
    "a label": lambda n: ">= 5 N. " + ("pratiche evase " * n)[: n - 10],
    "a label then a number": lambda n: "5 pratiche " + ("evase " * n)[: n - 12] + "1",
    "a label then rispetto": lambda n: "+5 % " + ("del livello " * n)[: n - 20] + " rispetto",
    "words before ulteriori": lambda n: ("adesione di " * n)[: n - 10] + "ulteriori",
    "ranges": lambda n: ("tra 5 e " * n)[:n],
    "dashes between spaces": lambda n: ("5 - " * n)[:n],
    "dashes": lambda n: "-" * n,
    "plus signs": lambda n: "+" * n,
    "quotes": lambda n: '"' * n,
    "an open quote": lambda n: '>= 5 "' + "a" * (n - 6),
    "parentheses": lambda n: "(" * n,
    "an open note": lambda n: "5 N. (" + "a" * (n - 6),
    "n.d.": lambda n: ("n.d. " * n)[:n],
    "yes": lambda n: ("SI " * n)[:n],
    "scales": lambda n: ("5 mln " * n)[:n],
    "euro signs": lambda n: ("€ " * n)[:n],
    "plain targets": lambda n: (">= 1.100 N. " * n)[:n],
    "no-break spaces": lambda n: ("1\u00a0000" * n)[:n],
}

READERS: dict[str, Callable[[str], object]] = {
    "parse_value": kf.parse_value,
    "parse_target": kf.parse_target,
    "parse_targets": kf.parse_targets,
    "target_for_year": lambda text: kf.target_for_year(text, 2025),
    "Target.from_dict": lambda text: kf.Target.from_dict({"text": text}),
    "Quantity.from_dict": lambda text: kf.Quantity.from_dict({"amount": text}),
    "Outcome.from_dict": lambda text: kf.Outcome.from_dict(
        {"met": None, "achievement": None, "actual": text, "target": ">= 5"}
    ),
    "check": lambda text: kf.parse_target(">= 5 %").check(text),
    "in_unit": lambda text: in_unit(text, "%"),
    "parse_unit": parse_unit,
    "parse_direction": parse_direction,
    "data value": parse_data_value,
}


class _HangError(Exception):
    pass


@contextmanager
def hang_guard(seconds: int = GUARD_SECONDS) -> Iterator[None]:
    """Fail a call that has not answered after ``seconds`` (SIGALRM)."""

    def ring(signum: int, frame: FrameType | None) -> None:
        raise _HangError

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def answers(reader: Callable[[str], object], text: str) -> None:
    try:
        with hang_guard():
            reader(text)
    except kf.KpiFormulaError as error:
        assert len(str(error)) < 2_000  # the message quotes a window, never the text
    except _HangError:  # pragma: no cover - the failure this module exists for
        pytest.fail(f"no answer in {GUARD_SECONDS} s for {len(text):,} characters")


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_nine_thousand_characters_get_an_answer(reader: str, shape: str) -> None:
    answers(READERS[reader], SHAPES[shape](9_000))


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_hundred_kilobytes_get_an_answer(reader: str, shape: str) -> None:
    text = SHAPES[shape](100_000)
    answers(READERS[reader], text)
    if reader in ("parse_value", "parse_targets"):
        with pytest.raises(kf.KpiFormulaError, match="longer than the limit"):
            READERS[reader](text)


def test_the_case_that_took_fifteen_seconds() -> None:
    with pytest.raises(kf.TargetSyntaxError), hang_guard():
        kf.parse_targets(" " * 1000 + "x")
