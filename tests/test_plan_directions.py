"""Plans judge with their indicators' directions, their targets of the year, one unit rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

import kpi_formula as kf
from kpi_formula.plan import evaluate_plan, validate_plan

from .test_plan_evaluation import indicator, plan_of


def _one(**fields: object) -> kf.plan.IndicatorResult:
    data = fields.pop("data")
    plan = plan_of(indicator("X", **fields))  # type: ignore[arg-type]
    (result,) = evaluate_plan(plan, data, year=2025).indicators  # type: ignore[arg-type]
    return result


def test_a_bare_target_on_a_falling_indicator_is_at_most() -> None:
    # average days to process a request: 25,7 against a bare 25 is missed, 97 %
    result = _one(unit="gg", direction="lower", targets={2025: "25"}, data={"X": Decimal("25.7")})
    assert result.met is False
    assert result.achievement == pytest.approx(Decimal(25) / Decimal("25.7"), abs=Decimal("1e-20"))
    assert result.notes == ()


def test_a_bare_target_without_a_direction_is_at_least_and_says_so() -> None:
    result = _one(unit="gg", targets={2025: "25"}, data={"X": Decimal("25.7")})
    assert result.met is True
    assert len(result.notes) == 1 and "read as at least" in result.notes[0]
    plan = plan_of(indicator("X", unit="gg", targets={2025: "25", 2026: "20"}))
    warnings = [p.message for p in validate_plan(plan) if p.severity == "warning"]
    assert warnings == [
        "2 targets are bare numbers, read as at least for want of a direction: X (2025), "
        "X (2026); give those indicators a direction (crescente or decrescente)"
    ]
    assert (
        validate_plan(plan_of(indicator("X", unit="gg", direction="lower", targets={2025: "25"})))
        == []
    )


def test_a_comparison_against_the_direction_is_a_warning() -> None:
    plan = plan_of(indicator("X", unit="gg", direction="higher", targets={2025: "<= 2 gg"}))
    (problem,) = validate_plan(plan)
    assert problem.severity == "warning"
    assert (
        problem.message
        == "target 2025 '<= 2 gg' asks for <=, but a higher value is better for the indicator"
    )


def test_a_cell_of_several_years_is_judged_by_the_target_years_own() -> None:
    cell = "2024: <= 150 gg  2025: <= 12 gg"
    result = _one(unit="gg", targets={2025: cell}, data={"X": 100})
    assert result.met is False and result.threshold == 12
    assert result.parsed_target == kf.parse_target("Anno 2025: <= 12 gg")


def test_a_cell_without_a_target_means_not_judged_that_year() -> None:
    result = _one(unit="gg", targets={2025: "n.d."}, data={"X": 10})
    assert result.value == 10 and result.met is None and result.outcome is None
    assert result.reasons == ("no target for 2025 ('n.d.'): the indicator is not judged that year",)
    plan = plan_of(indicator("X", unit="gg", targets={2025: "n.d."}))
    assert [p for p in validate_plan(plan) if p.severity == "error"] == []


def test_a_bare_baseline_in_a_percent_indicator_is_refused_not_read_as_8500_percent() -> None:
    result = _one(
        formula="A / B",
        unit="%",
        baselines={2024: "85"},
        targets={2025: "Aumento del 10% rispetto alla baseline"},
        data={("A", 2025): 90, ("B", 2025): 100},
    )
    assert result.baselines == {} and result.met is None
    assert result.reasons == (
        "target 'Aumento del 10% rispetto alla baseline': no value or baseline of 2024",
    )
    plan = plan_of(indicator("X", "A / B", unit="%", baselines={2024: "85"}))
    (error,) = [p for p in validate_plan(plan) if p.severity == "error"]
    assert "85" in error.message and "85 %" in error.message


def test_a_missed_target_never_shows_100_percent_anywhere_in_the_roll_up() -> None:
    from kpi_formula.plan import render_text

    plan = plan_of(indicator("X", targets={2025: "> 100"}))
    evaluation = evaluate_plan(plan, {"X": 100}, year=2025)
    (result,) = evaluation.indicators
    assert result.met is False and result.achievement is not None and result.achievement < 1
    assert evaluation.score is not None and evaluation.score < 1
    assert "100,0 %" not in render_text(evaluation)
