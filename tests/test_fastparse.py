"""The fast parser agrees with the Lark grammar it stands in for: same trees, same spans."""

from __future__ import annotations

import re
from typing import cast

from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.ast import walk
from kpi_formula.fastparse import parse_fast
from kpi_formula.larkparse import _parser

from .conftest import seed_formulas
from .test_parser_fuzz import near_misses


def lark_tree(text: str) -> kf.Node | None:
    try:
        return cast(kf.Node, _parser().parse(text))
    except Exception:  # the Lark path's own errors are tested elsewhere
        return None


def same_tree_and_spans(a: kf.Node, b: kf.Node) -> bool:
    return a == b and [n.span for n in walk(a)] == [n.span for n in walk(b)]


def check(text: str) -> None:
    try:
        fast = parse_fast(text)
    except Exception:
        fast = None
        assert lark_tree(text) is None
    if fast is not None:
        slow = lark_tree(text)
        assert slow is not None and same_tree_and_spans(fast, slow), text


def test_the_seed_formulas_take_the_fast_path() -> None:
    for _, _, text in seed_formulas():
        assert parse_fast(text) is not None, text
        check(text)


@given(kst.formula_texts(max_leaves=15))
def test_generated_formulas(text: str) -> None:
    # well-formed ASCII text takes the fast path; other letters, names in quotes and
    # numbers without their leading zero go to Lark
    plain = text.isascii() and '"' not in text and re.search(r"(?<![\w.])\.[0-9]", text) is None
    assert (parse_fast(text) is not None) == plain
    check(text)


@given(near_misses())
def test_near_misses(text: str) -> None:
    check(text)


@given(st.text(alphabet=st.sampled_from(list("AB1 .-+*/()[]_\t")), max_size=40))
def test_random_text(text: str) -> None:
    check(text)
