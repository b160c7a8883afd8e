"""The fast reader of plain target cells agrees with the value grammar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kpi_formula import Quantity
from kpi_formula import strategies as kst
from kpi_formula.fasttargets import read_plain_targets
from kpi_formula.targetread import Goal, _build
from kpi_formula.text import translate
from kpi_formula.values import _parser

from .test_values import seed_rows


def by_grammar(text: str) -> tuple[Goal, ...] | None:
    try:
        return _build(_parser().parse(text, start="targets"))
    except Exception:  # the grammar's own errors are tested elsewhere
        return None


def check(text: str) -> None:
    clean = translate(text)  # the fast path reads text after the hygiene policy
    fast = read_plain_targets(clean)
    if fast is None:
        return
    slow = by_grammar(clean)
    assert slow is not None, text
    assert slow == tuple(
        Goal(comparison or ">=", threshold, implied=comparison is None)
        for comparison, threshold in fast
    ), text


def test_the_seed_targets_take_the_fast_path_and_agree() -> None:
    cells = [cell for row in seed_rows() for cell in row[5].split(" | ")]
    plain = 0
    for text in cells:
        check(text)
        plain += read_plain_targets(translate(text)) is not None
    assert plain == len(cells)  # every one of them is plain


@given(kst.target_texts())
def test_drawn_target_texts(text: str) -> None:
    check(text)


@given(
    st.lists(
        st.sampled_from(
            [">=", "=>", "<=", "<", "=", "-", "+", " ", "  ", "1", "1.100", ",5", "0.500", ".",
             "%", "€", "N.", "gg", "gg.", "n.", "x", "\t", "12.3", "1.1000", "9", "Entro ",
             "entro", "31-12-2025", "31/02/2025", "1-1-2025", "31-12-2025-", "\u00a0",
             "000", " 000", "‰", " - ", "2025", "\u202f"]
        ),
        max_size=12,
    )
)
def test_near_misses(pieces: list[str]) -> None:
    check("".join(pieces))


def test_cells_of_several_plain_targets_take_the_fast_path() -> None:
    """Several deadlines, or several comparisons, in one cell are read fast, in
    order; a value followed by its deadline is the grammar's to read."""
    assert read_plain_targets("entro 31-12-2025 entro 30-06-2026") == [
        ("entro", dt.date(2025, 12, 31)),
        ("entro", dt.date(2026, 6, 30)),
    ]
    assert read_plain_targets(">= 5 < 9") == [
        (">=", Quantity(Decimal(5), None)),
        ("<", Quantity(Decimal(9), None)),
    ]
    assert read_plain_targets("100 % entro 31-12-2025") is None
    for text in ("entro 31-12-2025 entro 30-06-2026", ">= 5 < 9", "100 % entro 31-12-2025"):
        check(text)


def test_the_fast_path_reads_up_to_the_digit_limit() -> None:
    assert read_plain_targets("1" * 100) is not None
    assert read_plain_targets("1" * 101) is None  # the grammar's reader words that error
