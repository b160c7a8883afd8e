"""Plans evaluated by the library, judged again by the independent judge.

Plans and their data are drawn (``kpi_formula.strategies.plans`` and
``plan_datasets``) and evaluated with ``evaluate_plan``.  The judge then
recomputes, from what README documents:

* each indicator's verdict, from its value, its target of the target year, its
  direction and — for a relative target — the reference year README names
  (the year it names, the year before the target's, or the latest baseline year
  before the target's) and that year's value, computed from the data, else the
  plan's baseline cell;
* each group's score and the plan's, from the indicators' achievements and the
  weights, under both N/D policies, to the division's precision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.data import load_data
from kpi_formula.plan import Group, Indicator, Plan, PlanEvaluation, evaluate_plan, load_plan
from kpi_formula.plan.scores import IndicatorResult, NodeScore

from . import judge as J  # noqa: N812 - the judge's verdicts read J.judge(...)
from .conftest import EXAMPLES
from .test_judge_targets import rules, tolerance

ROLL_UP_PRECISION = Fraction(1, 10**25)
"""Scores are averages of achievements, each level a quotient of 28 digits."""

EXPENSIVE = settings(
    max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


# ----------------------------------------------------------------------------- reading


OPS: dict[str, J.Op] = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "=": "="}


def spec_of(target: kf.Target) -> J.Spec:
    """The judge's data for a target the library read: its fields, as documented."""
    comparison, threshold = target.comparison, target.threshold
    if target.kind == "deadline":
        assert isinstance(threshold, dt.date)
        return J.Deadline(threshold)
    if target.kind == "relative":
        change = target.change
        assert change is not None
        return J.Relative(
            None if target.implied else OPS[comparison],
            Fraction(change.amount.amount),
            change.relative,
            change.reference,
            change.amount.unit,
        )
    assert isinstance(threshold, kf.Quantity)
    if target.kind == "yes-no":
        return J.YesNo(threshold.amount == 1)
    if target.kind == "range":
        assert target.upper is not None
        return J.Range(Fraction(threshold.amount), Fraction(target.upper.amount), threshold.unit)
    return J.Comparison(
        None if target.implied else OPS[comparison], Fraction(threshold.amount), threshold.unit
    )


def plain(value: object) -> Fraction | dt.date | None:
    """An indicator's value for the judge: N/D is None."""
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, dt.date):
        return value
    assert value is kf.ND, value
    return None


def _unit(unit: str | None) -> J.Unit | None:
    """An indicator's unit, one the judge knows."""
    units: dict[str | None, J.Unit | None] = {
        None: None,
        "€": "€",
        "%": "%",
        "‰": "‰",
        "N.": "N.",
        "gg": "gg",
        "sì/no": "sì/no",
    }
    return units[unit]


@dataclass(frozen=True)
class Expected:
    """The judge's verdict on one indicator, and what it scores in a roll-up."""

    verdict: J.Verdict
    score: J.Score
    reference_year: int | None = None


class Judging:
    """One plan and its data, judged for a year against a target year."""

    def __init__(self, plan: Plan, data: Mapping[Any, Any], year: int, target_year: int) -> None:
        self.plan, self.data, self.year, self.target_year = plan, data, year, target_year
        self._values: dict[int, dict[str, object]] = {}

    def value(self, indicator_id: str, year: int) -> object:
        """The indicator's value of ``year`` as the library computes it from the data
        (computing values is the evaluator's job, held to its own oracle)."""
        if year not in self._values:
            evaluation = evaluate_plan(self.plan, self.data, year=year)
            self._values[year] = {result.id: result.value for result in evaluation.indicators}
        return self._values[year][indicator_id]

    def expected(
        self, indicator: Indicator, result: IndicatorResult, rule: J.Rule
    ) -> Expected | None:
        """The judge's verdict, or None where README leaves the case open."""
        actual = plain(result.value)
        if actual is None:  # N/D, whether a target was set or not
            return Expected(J.Verdict(None, None), None)
        cell = indicator.targets.get(self.target_year)
        target = None if cell is None else kf.target_for_year(cell, self.target_year)
        if target is None:
            return Expected(J.Verdict(None, None), J.UNJUDGED)
        spec = spec_of(target)
        reference_value: Fraction | None = None
        reference_year = None
        if isinstance(spec, J.Relative):
            reference_year = J.reference_year(
                spec.reference,
                self.target_year,
                indicator.baselines.keys(),
                self.plan.baseline_years,
            )
            reference = plain(self.value(result.id, reference_year))
            if reference is None:
                reference = plain(result.baselines.get(reference_year, kf.ND))
            if reference is None:
                return Expected(J.Verdict(None, None), None, reference_year)
            assert isinstance(reference, Fraction)
            reference_value = reference
        if isinstance(actual, Fraction):
            try:
                actual = J.in_unit(actual, _unit(indicator.unit), spec)
            except J.UnitRefused:
                return None  # a target in another unit: validation's error, not a verdict
        try:
            verdict = J.judge(
                spec, actual, reference=reference_value, direction=indicator.direction, rule=rule
            )
        except J.ZeroReference:
            return None
        score = verdict.achievement if verdict.met is not None else None
        return Expected(verdict, score, reference_year)


# ----------------------------------------------------------------------------- the tree


def judge_tree(plan: Plan) -> J.Node:
    """The plan's tree as the judge's nodes, the plan itself at the root."""

    def node(item: Group | Indicator) -> J.Node:
        if isinstance(item, Indicator):
            return J.Node(Fraction(item.weight), key=item.id or item.code)
        return J.Node(Fraction(item.weight), tuple(node(child) for child in item.children))

    return J.Node(Fraction(1), tuple(node(group) for group in plan.tree()))


def pairs(scored: NodeScore, judged: J.Node) -> Iterator[tuple[NodeScore, J.Node]]:
    """The library's rolled-up tree beside the judge's, node by node."""
    yield scored, judged
    assert len(scored.children) == len(judged.children), scored.code
    for child, other in zip(scored.children, judged.children, strict=True):
        assert Fraction(child.weight) == other.weight, child.code
        yield from pairs(child, other)


def assert_rolled_up(evaluation: PlanEvaluation, plan: Plan, scores: Mapping[str, J.Score]) -> None:
    root = judge_tree(plan)
    for scored, judged in pairs(evaluation.tree, root):
        expected = J.roll_up(judged, scores, evaluation.nd_policy)
        if expected is None:
            assert scored.score is None, (scored.code, scored.score)
        else:
            assert scored.score is not None, (scored.code, expected)
            assert abs(Fraction(scored.score) - expected) <= ROLL_UP_PRECISION, scored.code
    whole = J.roll_up(root, scores, evaluation.nd_policy)
    assert (evaluation.score is None) == (whole is None)
    if whole is not None and evaluation.score is not None:
        assert abs(Fraction(evaluation.score) - whole) <= ROLL_UP_PRECISION


def library_scores(
    evaluation: PlanEvaluation, expected: Mapping[str, Expected]
) -> dict[str, J.Score]:
    """Each indicator's achievement as the library gave it, classified by the
    judge: N/D (no score because a value is missing) or unjudged."""
    scores: dict[str, J.Score] = {}
    for result in evaluation.indicators:
        if result.achievement is not None:
            scores[result.id] = Fraction(result.achievement)
        else:
            scores[result.id] = expected[result.id].score
    return scores


# ----------------------------------------------------------------------------- properties


@st.composite
def evaluated(draw: st.DrawFn) -> tuple[Judging, J.Rule, kf.Scoring]:
    baseline_years = draw(st.sampled_from([(2022, 2023, 2024), (2021, 2023), (2024,), ()]))
    plan = draw(kst.plans(max_indicators=6, baseline_years=baseline_years))
    data = draw(kst.plan_datasets(plan, nd_rate=0.05, absent_rate=0.02, typed_percent_rate=0))
    target_year = draw(st.sampled_from(plan.target_years))
    year = draw(st.sampled_from([target_year, target_year - 1]))
    rule = draw(rules())
    return Judging(plan, data, year, target_year), rule[0], rule[1]


@EXPENSIVE
@given(evaluated())
def test_each_indicator_gets_the_judges_verdict(drawn: tuple[Judging, J.Rule, kf.Scoring]) -> None:
    judging, rule, scoring = drawn
    plan = judging.plan
    try:
        evaluation = evaluate_plan(
            plan, judging.data, year=judging.year, target_year=judging.target_year, scoring=scoring
        )
    except kf.KpiFormulaError:
        assume(False)
        raise
    indicators = plan.indicators()
    for result in evaluation.indicators:
        expected = judging.expected(indicators[result.id], result, rule)
        if expected is None:
            continue
        verdict = expected.verdict
        assert result.met is verdict.met, (result, verdict)
        if verdict.achievement is None:
            assert result.achievement is None, result
        elif verdict.met:
            assert result.achievement == 1
        else:
            assert result.achievement is not None
            assert abs(Fraction(result.achievement) - verdict.achievement) <= tolerance(rule), (
                result,
                verdict,
            )
        if expected.reference_year is not None and result.outcome is not None:
            reference = plain(judging.value(result.id, expected.reference_year))
            if reference is None:
                reference = plain(result.baselines.get(expected.reference_year, kf.ND))
            assert plain(result.outcome.baseline) == reference, (result, expected)


@EXPENSIVE
@given(evaluated(), st.sampled_from(["renormalise", "zero"]))
def test_groups_and_the_plan_score_the_judges_weighted_average(
    drawn: tuple[Judging, J.Rule, kf.Scoring], policy: J.Policy
) -> None:
    judging, rule, scoring = drawn
    plan = judging.plan
    try:
        evaluation = evaluate_plan(
            plan,
            judging.data,
            year=judging.year,
            target_year=judging.target_year,
            scoring=scoring,
            nd_policy=policy,
        )
    except kf.KpiFormulaError:
        assume(False)
        raise
    indicators = plan.indicators()
    expected = {
        result.id: judging.expected(indicators[result.id], result, rule)
        for result in evaluation.indicators
    }
    assume(all(each is not None for each in expected.values()))
    assert_rolled_up(
        evaluation,
        plan,
        library_scores(evaluation, {key: each for key, each in expected.items() if each}),
    )


def test_the_modena_plan_rolls_up_as_the_judge_does() -> None:
    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    data = load_data(EXAMPLES / "modena_2025" / "data.csv")
    judging = Judging(plan, data, 2024, 2025)
    indicators = plan.indicators()
    for policy in ("renormalise", "zero"):
        evaluation = evaluate_plan(plan, data, year=2024, target_year=2025, nd_policy=policy)
        expected: dict[str, Expected] = {}
        for result in evaluation.indicators:
            each = judging.expected(indicators[result.id], result, J.Proportional())
            assert each is not None, result
            assert result.met is each.verdict.met, (result, each)
            expected[result.id] = each
        assert_rolled_up(evaluation, plan, library_scores(evaluation, expected))


def test_an_unjudged_indicator_is_not_n_d_under_zero() -> None:
    """Two indicators, one met, one with a value but no target for the year: it is
    not judged (README: *non valutato*, a value but no target), so it is not N/D
    either, and the plan scores what was judged, 100 %, under either policy."""
    plan = Plan(
        title="Piano",
        groups=(
            Group(
                code="M1",
                name="Servizi",
                weight=Decimal(1),
                children=(
                    Indicator("A", "Pratiche", Decimal("0.5"), targets={2025: ">= 10"}),
                    Indicator("B", "Sportelli", Decimal("0.5"), targets={2026: ">= 10"}),
                ),
            ),
        ),
    )
    data = {("A", 2025): Decimal(12), ("B", 2025): Decimal(12)}
    renormalised = evaluate_plan(plan, data, year=2025)
    assert [result.met for result in renormalised.indicators] == [True, None]
    assert renormalised.score == 1
    assert evaluate_plan(plan, data, year=2025, nd_policy="zero").score == 1


# ----------------------------------------------------------------------------- reference years

RELATIVE_TEXTS: tuple[tuple[str, J.Reference], ...] = (
    ("Aumento del 10% rispetto alla baseline", "baseline"),
    ("Mantenimento", "baseline"),
    ("Aumento del 10% rispetto all'anno precedente", "previous"),
    (">= valore anno precedente", "previous"),
    ("Riduzione del 10% rispetto al 2021", 2021),
    ("+5 N. rispetto al 2023", 2023),
)
YEARS = range(2019, 2027)


@st.composite
def referring_plans(draw: st.DrawFn) -> tuple[Plan, dict[tuple[str, int], object], int, int]:
    """One input indicator with a relative target, baseline cells in some years
    (some N/D), the plan's baseline years, and data told apart year by year
    (the data of year Y is 100 × Y, a baseline cell Y + 0,5)."""
    target_year = draw(st.sampled_from([2024, 2025, 2026]))
    year = draw(st.sampled_from([target_year, target_year - 1]))
    text, _reference = draw(st.sampled_from(RELATIVE_TEXTS))
    cells = draw(st.sets(st.sampled_from(YEARS), max_size=4))
    nd_cells = draw(st.sets(st.sampled_from(sorted(cells)))) if cells else set()
    plan_years = draw(st.sets(st.sampled_from(YEARS), max_size=3))
    absent = draw(st.sets(st.sampled_from(YEARS), max_size=4))
    baselines = {y: "N/D" if y in nd_cells else f"{y},5" for y in sorted(cells)}
    indicator = Indicator(
        "A", "Pratiche evase", Decimal(1), baselines=baselines, targets={target_year: text}
    )
    plan = Plan(
        title="Piano",
        baseline_years=tuple(sorted(plan_years)),
        target_years=(target_year,),
        groups=(Group(code="M1", name="Servizi", weight=Decimal(1), children=(indicator,)),),
    )
    data: dict[tuple[str, int], object] = {
        ("A", y): Decimal(100 * y) for y in YEARS if y not in absent or y == year
    }
    return plan, data, year, target_year


@given(referring_plans())
def test_a_relative_target_refers_to_the_year_readme_names(
    drawn: tuple[Plan, dict[tuple[str, int], object], int, int],
) -> None:
    """The reference year — named, the year before the target's, or the latest
    baseline year before the target's (the indicator's cells, else the plan's
    years, else the year before) — and its value: the data's, else the cell's."""
    plan, data, year, target_year = drawn
    evaluation = evaluate_plan(plan, data, year=year, target_year=target_year)
    (result,) = evaluation.indicators
    indicator = plan.indicators()["A"]
    expected = Judging(plan, data, year, target_year).expected(indicator, result, J.Proportional())
    assert expected is not None
    assert expected.reference_year is not None
    reference_year = expected.reference_year
    if ("A", reference_year) in data:
        reference: object = data["A", reference_year]
    else:
        cell = indicator.baselines.get(reference_year, "N/D")
        reference = kf.ND if cell == "N/D" else Decimal(cell.replace(",", "."))
    assert result.met is expected.verdict.met, (result, reference_year)
    if reference is kf.ND:
        assert result.met is None
        return
    assert result.outcome is not None
    assert result.outcome.baseline == reference, (result, reference_year)
    assert result.achievement is not None
    assert expected.verdict.achievement is not None
    assert abs(Fraction(result.achievement) - expected.verdict.achievement) <= tolerance(
        J.Proportional()
    )
