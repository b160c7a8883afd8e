"""The fast paths agree with the specification paths they stand in for.

Formulas: the hand-written parser for well-formed text against the Lark
grammar, spans included.  Evaluation: the straight-line fast path against the
general evaluator, on data with N/D values, zeros and odd types.
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.ast import walk
from kpi_formula.evaluator import CompiledFormula, MappingSource, _compile_node, _Env, _Missing
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
    # well-formed ASCII text always takes the fast path; other letters go to Lark
    assert (parse_fast(text) is not None) == text.isascii()
    check(text)


@given(near_misses())
def test_near_misses(text: str) -> None:
    check(text)


@given(st.text(alphabet=st.sampled_from(list("AB1 .-+*/()[]_\t")), max_size=40))
def test_random_text(text: str) -> None:
    check(text)


def general(compiled: CompiledFormula, data: dict[tuple[str, int], object], year: int) -> object:
    step = _compile_node(compiled.formula.root, compiled.on_missing, compiled.on_zero_division)
    value = step(_Env(MappingSource(data), year, None))
    return kf.ND if isinstance(value, _Missing) else value


@st.composite
def odd_values(draw: st.DrawFn) -> object:
    return draw(
        st.one_of(
            st.integers(-(10**6), 10**6),
            st.decimals(allow_nan=True, allow_infinity=False, places=3),
            st.sampled_from(
                [None, kf.ND, "1.100 N.", "N/D", 0, Decimal(0), Decimal("NaN"), 10**1000]
            ),
        )
    )


@given(kst.formulas(max_leaves=8, driver_codes=st.sampled_from(["A", "B", "C"])), st.data())
def test_fast_evaluation_agrees_with_the_general_evaluator(
    formula: kf.Formula, data: st.DataObject
) -> None:
    table = {(ref.code, 2025 + ref.offset): data.draw(odd_values()) for ref in formula.references}
    compiled = formula.compile()
    fast = compiled._fast(table, 2025)
    try:
        expected = general(compiled, table, 2025)
    except kf.KpiFormulaError:
        assert fast is None
        return
    if fast is not None:
        assert fast == expected
