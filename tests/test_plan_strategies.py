"""The plans strategy: whole plans that are valid, and that hold what plans hold."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.lint import scales_by_hundred
from kpi_formula.plan import Group, Indicator, Plan, evaluate_plan, validate_plan
from kpi_formula.plan.evaluate import dependency_order

SEARCH = settings(max_examples=2_000, database=None, derandomize=True)


def groups(plan: Plan) -> Iterator[tuple[int, Group]]:
    """Every group of the plan, with its depth (1 at the top)."""
    pending = [(1, group) for group in plan.tree()]
    while pending:
        depth, group = pending.pop()
        yield depth, group
        pending += [(depth + 1, child) for child in group.children if isinstance(child, Group)]


def formulas(plan: Plan) -> Iterator[tuple[Indicator, kf.Formula]]:
    for indicator in plan.indicators().values():
        formula = indicator.parsed_formula()
        if formula is not None:
            yield indicator, formula


@settings(max_examples=100)
@given(st.data())
def test_drawn_plans_are_valid_and_evaluate(data: st.DataObject) -> None:
    plan = data.draw(kst.plans())
    assert [problem for problem in validate_plan(plan) if problem.severity == "error"] == []
    assert sum((group.weight for group in plan.tree()), Decimal(0)) == 1
    for _, group in groups(plan):
        assert sum((child.weight for child in group.children), Decimal(0)) == 1
    assert len(dependency_order(plan)) == len(plan.indicators())
    values = data.draw(kst.plan_datasets(plan))
    evaluation = evaluate_plan(plan, values, year=2025)
    assert {result.id for result in evaluation.indicators} == set(plan.indicators())


def reads_own_code_among_others(plan: Plan) -> bool:
    return any(
        indicator.code in formula.drivers and len(formula.drivers) > 1
        for indicator, formula in formulas(plan)
    )


def numeric_driver_read_as_number(plan: Plan) -> bool:
    declared = {driver.code for driver in plan.drivers if driver.code.isdigit()}
    return any(formula.numbers & declared for _, formula in formulas(plan))


def prior_year_of_another_indicator(plan: Plan) -> bool:
    return any(
        ref.offset < 0 and ref.code in plan.indicators() and ref.code != indicator.code
        for indicator, formula in formulas(plan)
        for ref in formula.references
    )


def percentage_points(plan: Plan) -> bool:
    return any(
        indicator.unit == "%" and scales_by_hundred(formula)
        for indicator, formula in formulas(plan)
    )


def inputs_of_both_kinds(plan: Plan) -> bool:
    inputs = [indicator for indicator in plan.indicators().values() if indicator.is_input]
    return {indicator.formula is None for indicator in inputs} == {True, False}


def nested_three_deep(plan: Plan) -> bool:
    return max(depth for depth, _ in groups(plan)) >= 3


def judged_both_ways(plan: Plan) -> bool:
    indicators = plan.indicators().values()
    judged = [indicator for indicator in indicators if indicator.targets and indicator.baselines]
    return {indicator.direction for indicator in judged} >= {"higher", "lower"}


FEATURES = [
    reads_own_code_among_others,
    numeric_driver_read_as_number,
    prior_year_of_another_indicator,
    percentage_points,
    inputs_of_both_kinds,
    nested_three_deep,
    judged_both_ways,
]


@pytest.mark.parametrize("feature", FEATURES, ids=lambda feature: feature.__name__)
def test_plans_hold_what_real_plans_hold(feature: Callable[[Plan], bool]) -> None:
    # Each feature is searched for on its own, generation only: one derandomized stream of a
    # hundred plans held them all on one hypothesis release and missed one on the next.
    found = find(
        kst.plans(),
        feature,
        settings=settings(SEARCH, max_examples=1_000, phases=[Phase.generate]),
    )
    assert feature(found)


def test_a_failing_plan_shrinks_to_a_small_one() -> None:
    def divides(plan: Plan) -> bool:
        return any("/" in (indicator.formula or "") for indicator in plan.indicators().values())

    plan = find(kst.plans(), divides, settings=SEARCH)
    (indicator,) = plan.indicators().values()
    assert indicator.formula is not None and len(kf.parse(indicator.formula).references) == 1
    assert (indicator.baselines, indicator.targets, len(plan.tree())) == ({}, {}, 1)


def test_odd_texts_go_into_names_and_descriptions() -> None:
    starts: set[str] = set()

    @settings(max_examples=50, database=None, derandomize=True)
    @given(kst.plans(odd_texts=True, max_indicators=3))
    def record(plan: Plan) -> None:
        texts = [plan.title, *(group.name for _, group in groups(plan))]
        texts += [indicator.name for indicator in plan.indicators().values()]
        assert all(text.strip() for text in texts)
        starts.update(text[0] for text in texts)

    record()
    assert starts >= {"=", "+", "-", "@", "＝", " ", "\t", "\n", '"'}  # what sheets trip on


@settings(max_examples=60)
@given(st.data())
def test_plan_datasets_cover_every_code_read_in_every_year(data: st.DataObject) -> None:
    plan = data.draw(kst.plans(max_indicators=4))
    full = data.draw(
        kst.plan_datasets(
            plan, years=[2024, 2025], nd_rate=0, zero_rate=0, absent_rate=0, typed_percent_rate=0
        )
    )
    codes = {code for code, _ in full}
    for indicator, formula in formulas(plan):
        resolved = kf.resolve(formula, kf.Catalog(plan.drivers, strict=False)).formula
        assert resolved.drivers - set(plan.indicators()) <= codes, indicator.code
    for indicator in plan.indicators().values():
        if indicator.formula is None:
            assert indicator.code in codes
            if indicator.unit == "%":
                assert all(abs(full[(indicator.code, year)]) <= 1 for year in (2024, 2025))  # type: ignore[arg-type]
    assert {year for _, year in full} <= {2024, 2025}
    assert all(value is not kf.ND and value != 0 for value in full.values())
    missing = data.draw(kst.plan_datasets(plan, nd_rate=1, zero_rate=0, absent_rate=0))
    assert all(value is kf.ND for value in missing.values())


def test_shares_come_typed_without_their_sign_now_and_then() -> None:
    plan = Plan(
        "share",
        groups=(Group("G", "g", Decimal(1), (Indicator("Q", "q", Decimal(1), unit="%"),)),),
    )
    typed = find(
        kst.plan_datasets(plan, years=[2025], typed_percent_rate=0.5),
        lambda data: any(isinstance(v, Decimal) and v > 1 for v in data.values()),
        settings=SEARCH,
    )
    assert typed == {("Q", 2025): Decimal(2)}


@pytest.mark.parametrize(
    "build",
    [
        lambda: kst.plans(max_indicators=0),
        lambda: kst.plans(max_indicators=101),
        lambda: kst.plans(max_depth=True),
        lambda: kst.plans(max_leaves=0),
        lambda: kst.plans(max_years_back=-1),
        lambda: kst.plans(baseline_years="2024"),  # type: ignore[arg-type]
        lambda: kst.plans(target_years=[2025, 2025]),
        lambda: kst.plans(odd_texts=1),  # type: ignore[arg-type]
        lambda: kst.plan_datasets("plan"),  # type: ignore[arg-type]
        lambda: kst.plan_datasets(Plan("empty")),  # no years to draw data for
        lambda: kst.plan_datasets(Plan("p"), years=[2025], typed_percent_rate=1.5),
        lambda: kst.plan_datasets(Plan("p"), years=[2025], nd_rate=0.7, absent_rate=0.7),
    ],
)
def test_bad_arguments_are_refused_naming_them(build: Callable[[], object]) -> None:
    with pytest.raises(InvalidArgument):
        build()
