"""A plan's weight cells are read without Lark when plain, and the fast reader gives
what the value grammar gives."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula.plan import cells
from kpi_formula.plan.cells import plain_quantity, read_weight
from kpi_formula.plan.planfile import dump_plan, load_plan, read_plan
from kpi_formula.values import Quantity, format_value

from .conftest import EXAMPLES
from .oddvalues import NumpyLikeFloat

# Text near the shape of a weight cell: digits, separators, signs, spaces and units.
near_weights = st.text(alphabet="0123456789.,%+- €N", max_size=14)


def _same(fast: Quantity, slow: object) -> bool:
    """Equal, exponent and all: the fast reader must give the very same Decimal."""
    return isinstance(slow, Quantity) and (fast.unit, str(fast.amount), fast.note) == (
        slow.unit,
        str(slow.amount),
        slow.note,
    )


@settings(max_examples=400)
@given(near_weights)
def test_the_fast_reader_agrees_with_the_grammar_or_leaves_the_text_to_it(text: str) -> None:
    fast = plain_quantity(text)
    if fast is None:
        return
    assert _same(fast, kf.parse_value(text)), text


@given(
    st.decimals(min_value=-2, max_value=2, places=6, allow_nan=False, allow_infinity=False),
    st.sampled_from(["%", None]),
)
def test_cells_as_plans_write_them_take_the_fast_path(amount: Decimal, unit: str | None) -> None:
    text = format_value(Quantity(amount, unit))  # type: ignore[arg-type]
    fast = plain_quantity(text)
    assert fast is not None, text
    assert _same(fast, kf.parse_value(text))


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("33,33 %", Decimal("0.3333")),
        ("50 %", Decimal("0.50")),
        ("  5,00%", Decimal("0.0500")),
        ("0,25", Decimal("0.25")),
        ("0.25", Decimal("0.25")),
        ("1", Decimal(1)),
        ("100,00 %", Decimal("1.0000")),
        ("33,33\u00a0%", Decimal("0.3333")),  # a non-breaking space: the grammar's way
        ("1/3 %", None),
        ("60", None),
        ("1.100", None),
        ("10 N.", None),
        ("", None),
    ],
)
def test_weight_cells(text: str, weight: Decimal | None) -> None:
    if weight is None:
        with pytest.raises(kf.KpiFormulaError) as caught:
            read_weight(text)
        assert caught.value.hint
    else:
        assert read_weight(text) == weight


def test_loading_the_modena_plan_never_reaches_the_grammar(monkeypatch: pytest.MonkeyPatch) -> None:
    def grammar(text: str) -> object:
        raise AssertionError(f"the grammar read {text!r}")

    monkeypatch.setattr(cells, "parse_value", grammar)
    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    assert read_plan(dump_plan(plan)) == plan
    assert sum(1 for _ in plan.occurrences()) == 103


def test_a_weight_of_a_float_subclass_is_read_by_the_shortest_repr_of_its_value() -> None:
    assert read_weight(NumpyLikeFloat(0.25)) == Decimal("0.25")
    assert read_weight(NumpyLikeFloat(25.0), percent=True) == Decimal("25.0")
