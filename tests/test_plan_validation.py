"""Plans validated whole: weights, identities, chains of any length, each problem said once."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest

import kpi_formula as kf
from kpi_formula.errors import Message
from kpi_formula.plan import Group, Indicator, Plan, evaluate_plan, validate_plan
from kpi_formula.plan.evaluate import dependency_order

from .test_plan_evaluation import indicator, plan_of


@contextmanager
def hang_guard(seconds: int = 60) -> Iterator[None]:
    """Fail rather than hang: a generous alarm, never a timing assertion."""

    def expired(signum: int, frame: object) -> None:
        raise AssertionError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def errors(plan: Plan) -> list[str]:
    return [str(p) for p in validate_plan(plan) if p.severity == "error"]


def test_weights_beyond_100_or_below_0_percent_are_errors_and_never_scored() -> None:
    plan = plan_of(
        indicator("A", weight=Decimal("1.5"), targets={2025: ">= 10"}),
        indicator("B", weight=Decimal("-0.5"), targets={2025: ">= 10"}),
    )
    found = errors(plan)
    assert "error: G › A: the weight 150 % is not within 0 % and 100 %" in found
    assert "error: G › B: the weight -50 % is not within 0 % and 100 %" in found
    # today's sum is 100 %: only the weights themselves are wrong, each said once
    assert len(found) == 2
    with pytest.raises(kf.PlanError, match="150 %"):
        evaluate_plan(plan, {"A": 10, "B": 0}, year=2025)


@pytest.mark.parametrize(
    "weight", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), float("nan"), "60 %", True]
)
def test_a_weight_that_is_not_a_finite_number_is_refused_where_the_node_is_built(
    weight: object,
) -> None:
    with pytest.raises(kf.PlanError, match="not a finite number"):
        Indicator("A", "a", weight)  # type: ignore[arg-type]
    with pytest.raises(kf.PlanError, match="not a finite number"):
        Group("G", "g", weight)  # type: ignore[arg-type]


def test_an_int_weight_is_a_decimal() -> None:
    assert Indicator("A", "a", 1).weight == Decimal(1)  # type: ignore[arg-type]
    assert isinstance(Indicator("A", "a", 1).weight, Decimal)  # type: ignore[arg-type]


def test_an_id_that_is_another_indicators_code_is_an_error_naming_both() -> None:
    # B was told apart as "A", the code of another indicator: a formula naming A
    # could mean either, and one of them vanished from the evaluation
    plan = plan_of(
        indicator("A", "X", weight=Decimal("0.5")),
        Indicator("B", "the other", Decimal("0.5"), "Y", id="A"),
    )
    found = errors(plan)
    assert any("share the id 'A' but not the code" in p for p in found), found
    with pytest.raises(kf.PlanError, match="share the id 'A'"):
        evaluate_plan(plan, {"X": 1, "Y": 2}, year=2025)
    told_apart = plan_of(
        indicator("A", "X", weight=Decimal("0.5")),
        Indicator("B", "the other", Decimal("0.25"), "Y", id="B#2"),
        Indicator("C", "a third", Decimal("0.25"), "Z", id="B"),
    )
    found = errors(told_apart)
    assert any("the id of B 'a third' is the code of B#2 'the other'" in p for p in found), found
    with pytest.raises(kf.PlanError, match="could mean either"):
        evaluate_plan(told_apart, {}, year=2025)


def test_one_indicator_listed_twice_with_two_formulas_is_an_error() -> None:
    plan = Plan(
        "p",
        groups=(
            Group("G1", "g", Decimal("0.5"), (indicator("A", "X"),)),
            Group("G2", "g", Decimal("0.5"), (indicator("A", "Y"),)),
        ),
    )
    assert any("listed twice, with two formulas ('X' and 'Y')" in p for p in errors(plan))
    # listed twice with the same formula (the seed does so) is one indicator
    same = Plan(
        "p",
        groups=(
            Group("G1", "g", Decimal("0.5"), (indicator("A", "X"),)),
            Group("G2", "g", Decimal("0.5"), (indicator("A", "X"),)),
        ),
    )
    assert errors(same) == []
    assert [r.value for r in evaluate_plan(same, {"X": 3}, year=2025).indicators] == [3]


def test_a_chain_of_ten_thousand_indicators_each_reading_the_next_ones_prior_year() -> None:
    size = 10_000
    chain = [indicator(f"I{k}", f"I{k + 1}-1 + 1", weight=Decimal(0)) for k in range(size - 1)]
    chain.append(indicator(f"I{size - 1}", weight=Decimal(1)))
    plan = plan_of(*chain)
    data = {(f"I{size - 1}", 2025 - (size - 1)): 7}
    with hang_guard():
        assert dependency_order(plan)[:2] == [f"I{size - 1}", f"I{size - 2}"]
        assert errors(plan) == []
        evaluation = evaluate_plan(plan, data, year=2025)
    by_id = {r.id: r.value for r in evaluation.indicators}
    assert by_id["I0"] == 7 + size - 1
    assert by_id[f"I{size - 2}"] is kf.ND  # I9999 of 2024 is not in the data


def test_a_tree_thousands_of_levels_deep_is_walked_and_rolled_up() -> None:
    depth = 5_000
    node: Group | Indicator = indicator("A", targets={2025: ">= 10"})
    for level in range(depth):
        node = Group(f"L{level}", "level", Decimal(1), (node,))
    plan = Plan("deep", groups=(node,))  # type: ignore[arg-type]
    with hang_guard():
        assert errors(plan) == []
        evaluation = evaluate_plan(plan, {"A": 5}, year=2025)
    assert evaluation.score == Decimal("0.5")
    assert [listing for listing, _ in plan.occurrences()] == ["L0"]


def test_an_unparsable_formula_is_reported_once() -> None:
    plan = plan_of(indicator("A", "X +", targets={2025: ">= 10"}))
    found = [p for p in validate_plan(plan) if "parse" in p.message]
    assert len(found) == 1, found
    assert found[0].where == "G › A"


def test_an_indicator_listed_twice_is_checked_once() -> None:
    twice = indicator("A", "X * 1.000", targets={2025: ">= 10 gg"}, unit="N.")
    plan = Plan(
        "p",
        groups=(
            Group("G1", "g", Decimal("0.5"), (twice,)),
            Group("G2", "g", Decimal("0.5"), (twice,)),
        ),
    )
    messages = [p.message for p in validate_plan(plan)]
    assert len(messages) == len(set(messages)), messages


def test_did_you_mean_suggests_codes_of_the_data_that_the_plan_does_not_read() -> None:
    # IMPRESE_A has no data; IMPRESE_B is another input of the plan, IMPRESE_X a
    # code of the data the plan never reads: only the latter can be the one meant
    plan = plan_of(
        indicator("IMPRESE_A", weight=Decimal("0.5")),
        indicator("IMPRESE_B", weight=Decimal("0.5")),
    )
    data = {("IMPRESE_B", 2025): 1, ("IMPRESE_X", 2025): 2}
    found = [p.message for p in validate_plan(plan, data, year=2025)]
    assert found == ["'IMPRESE_A' is not in the data for any year; did you mean 'IMPRESE_X'?"]
    without = {("IMPRESE_B", 2025): 1}
    found = [p.message for p in validate_plan(plan, without, year=2025)]
    assert found == ["'IMPRESE_A' is not in the data for any year"]


def test_every_problem_is_a_message_for_the_catalogs() -> None:
    plan = plan_of(
        indicator("A", "X +", weight=Decimal("1.5")),
        indicator("B", "ZZ * 1.000", baselines={2024: "boh"}, targets={2025: "xyz"}),
    )
    problems = validate_plan(plan, {("Q", 2025): 1}, year=2025)
    assert len(problems) >= 6
    for problem in problems:
        assert isinstance(problem.message, Message), problem
        assert problem.message.template != str(problem.message) or "{" not in problem.message
