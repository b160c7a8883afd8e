"""The hypothesis strategies kpi_formula exports for its users' test suites."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import kpi_formula as kf
from kpi_formula import strategies as kst


@given(kst.formula_texts(max_leaves=20))
def test_every_generated_formula_text_parses(text: str) -> None:
    assert str(kf.parse(text)) == text


@given(kst.codes())
def test_every_generated_code_is_one_reference(code: str) -> None:
    assert kf.parse(str(kf.Formula.from_node(kf.Ref(code)))).drivers == {code}


@given(st.from_type(kf.Formula))
def test_from_type_draws_formulas_through_the_plugin_entry_point(formula: kf.Formula) -> None:
    assert isinstance(formula, kf.Formula)
    assert kf.parse(str(formula)) == formula


@given(st.from_type(kf.Target), st.from_type(kf.Quantity))
def test_from_type_draws_targets_and_quantities(target: kf.Target, quantity: kf.Quantity) -> None:
    assert isinstance(target, kf.Target) and isinstance(quantity, kf.Quantity)


QUICK = settings(max_examples=300, database=None, derandomize=True)


def test_shrinking_gives_small_examples() -> None:
    smallest = find(kst.formulas(), lambda formula: len(formula.references) >= 2, settings=QUICK)
    assert len(kf.ast.walk(smallest.root)) == 3  # two references and one operator
    division = find(
        kst.formulas(),
        lambda formula: kf.evaluate(formula, {}, year=2025, on_missing="zero").missing,
        settings=QUICK,
    )
    assert len(kf.ast.walk(division.root)) <= 3  # a division of two leaves


@given(st.data())
def test_datasets_cover_every_reference_with_chosen_rates(data: st.DataObject) -> None:
    formula = data.draw(kst.formulas(max_leaves=6))
    table = data.draw(kst.datasets(formula, year=2025, nd_rate=0, zero_rate=0, absent_rate=0))
    assert set(table) == {(ref.code, 2025 + ref.offset) for ref in formula.references}
    assert all(value is not kf.ND and value != 0 for value in table.values())
    only_nd = data.draw(kst.datasets(formula, nd_rate=1, zero_rate=0, absent_rate=0))
    assert all(value is kf.ND for value in only_nd.values())


@given(kst.value_texts(), kst.target_texts())
def test_value_and_target_texts_parse(value: str, target: str) -> None:
    # the drawn texts spell things in many ways; their canonical text reads back the same
    parsed = kf.parse_value(value)
    assert kf.parse_value(kf.format_value(parsed)) == parsed
    cell = kf.parse_targets(target)
    assert [kf.parse_target(str(each)) for each in cell] == cell


@pytest.mark.parametrize(
    "build",
    [
        lambda: kst.formulas(max_leaves=0),
        lambda: kst.formulas(max_leaves="3"),  # type: ignore[arg-type]
        lambda: kst.codes(max_words=0),
        lambda: kst.numbers(max_integer_digits=0),
        lambda: kst.datasets(kf.parse("A"), nd_rate=2),
        lambda: kst.datasets(kf.parse("A"), nd_rate=0.6, zero_rate=0.6),
    ],
)
def test_bad_arguments_name_the_argument(build: object) -> None:
    with pytest.raises(InvalidArgument):
        build()  # type: ignore[operator]


def test_values_cover_dates_and_nd() -> None:
    drawn = find(kst.values(), lambda value: isinstance(value, dt.date))
    assert isinstance(drawn, dt.date)
    assert find(kst.values(), lambda value: value is kf.ND) is kf.ND


@given(kst.targets())
def test_drawn_targets_read_back_from_their_text(target: kf.Target) -> None:
    assert kf.parse_target(str(target)) == target


@given(kst.target_texts())
def test_drawn_target_texts_read(text: str) -> None:
    # a cell reads as targets, or as none where it says so (n.d., N/D, -)
    assert kf.parse_targets(text) or kf.parse_value(text) is kf.ND


@given(kst.value_texts())
def test_drawn_value_texts_read(text: str) -> None:
    kf.parse_value(text)


def test_zero_changes_are_one_change() -> None:
    from decimal import Decimal

    assert kf.Change(kf.Quantity(Decimal(0), "N."), 2023) == kf.Change(
        kf.Quantity(Decimal(0), "%"), 2023
    )


def test_the_strategies_import_first_and_register_with_hypothesis() -> None:
    # hypothesis loads its plugins while it is imported, here from inside the import of
    # kpi_formula.strategies: a fresh process must not find it half imported
    import subprocess
    import sys

    code = (
        "import kpi_formula.strategies\n"
        "from hypothesis import strategies as st\n"
        "import kpi_formula as kf\n"
        "print(type(st.from_type(kf.Formula).example()).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert (done.returncode, done.stdout.strip()) == (0, "Formula"), done.stderr[-1000:]
