"""Values users build are checked where they are built: syntax trees and results.

A tree made by hand must be one the language could have read: its canonical text
parses back to it, and nothing but the library's checked values reaches the code a
compiled formula generates.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst


@pytest.mark.parametrize(
    "offset",
    ["1", 1.0, -1.5, True, None, Decimal(-1), 10**9, -1000, 1000, 2**70],
    ids=repr,
)
def test_an_offset_is_a_plain_int_within_the_limit(offset: object) -> None:
    with pytest.raises(kf.FormulaSyntaxError) as raised:
        kf.Formula(kf.Ref("A", offset))  # type: ignore[arg-type]
    expected = kf.LimitExceededError if isinstance(offset, int) and offset is not True else None
    assert expected is None or isinstance(raised.value, expected)
    assert len(str(raised.value)) < 400


def test_the_offsets_at_the_limit_print_text_that_reads_back() -> None:
    for offset in (-999, 999, 0):
        formula = kf.Formula(kf.Ref("A", offset))
        assert kf.parse(str(formula)) == formula


@pytest.mark.parametrize(
    "code",
    [
        5,
        None,
        b"A",
        "",
        "   ",
        'Spesa "corrente"',
        "A\nB",
        "A\rB",
        "zero\u200bwidth",
        "l\u2019anno",  # the typographic apostrophe reads as '
        "A \u2212 B",  # the minus sign reads as -
        "A\u00a0B",  # a non-breaking space reads as a space
        "\x00",
    ],
    ids=repr,
)
def test_a_code_is_text_that_reads_back_as_itself(code: object) -> None:
    with pytest.raises(kf.FormulaSyntaxError):
        kf.Ref(code)  # type: ignore[arg-type]
    with pytest.raises(kf.KpiFormulaError):
        kf.Driver(code)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "build",
    [
        lambda: kf.Number("1e5"),
        lambda: kf.Number(5),  # type: ignore[arg-type]
        lambda: kf.Number("NaN"),
        lambda: kf.Number("-1"),
        lambda: kf.BinOp("^", kf.Ref("A"), kf.Ref("B")),  # type: ignore[arg-type]
        lambda: kf.BinOp("+", 1, kf.Ref("B")),  # type: ignore[arg-type]
        lambda: kf.BinOp("+", kf.Ref("A"), "B"),  # type: ignore[arg-type]
        lambda: kf.Neg("A"),  # type: ignore[arg-type]
        lambda: kf.Formula("A"),  # type: ignore[arg-type]
        lambda: kf.Formula(None),  # type: ignore[arg-type]
    ],
)
def test_numbers_operators_and_children_are_checked(build: object) -> None:
    with pytest.raises(kf.FormulaSyntaxError):
        build()  # type: ignore[operator]


def test_a_tree_deeper_than_the_limit_is_refused_where_the_formula_is_built() -> None:
    node: kf.Node = kf.Ref("A")
    for _ in range(199):
        node = kf.Neg(node)
    assert kf.Formula(node).root.depth == 200  # the limit itself
    with pytest.raises(kf.LimitExceededError, match="201 operators deep"):
        kf.Formula(kf.Neg(node))


@given(st.text(max_size=12), st.integers(-2000, 2000))
def test_a_reference_built_from_any_text_reads_back_or_is_refused(code: str, offset: int) -> None:
    try:
        formula = kf.Formula(kf.Ref(code, offset))
    except kf.FormulaSyntaxError:
        return
    assert kf.parse(str(formula)) == formula
    compiled = formula.compile()
    assert compiled({(code, 2025 + offset): 3}, year=2025).value == 3


@given(kst.codes())
def test_every_code_the_strategies_draw_is_accepted(code: str) -> None:
    assert kf.Ref(code).code == code


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"value": "1E+99999999"}, "too large"),
        ({"value": "1" * 1200}, "more than 1000 significant digits"),
        ({"value": None, "missing": False}, "contradicts"),
        ({"year": True}, "the year must be an int"),
        ({"formula": "A[-1000]"}, "beyond the limit"),
        (
            {
                "inputs": [
                    {"code": "A", "year": 2025, "value": "1"},
                    {"code": "A", "year": 2025, "value": "2"},
                ]
            },
            "A@2025 is listed twice",
        ),
        ({"inputs": [{"code": "A", "year": 2025, "value": "Infinity"}]}, "infinite"),
    ],
)
def test_a_result_read_from_a_dict_holds_to_what_its_constructor_holds(
    change: dict[str, object], words: str
) -> None:
    made = kf.Result(value="0.1", year=2025, formula="A / B").to_dict()
    with pytest.raises(kf.KpiFormulaError, match=words):
        kf.Result.from_dict({**made, **change})
