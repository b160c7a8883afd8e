"""Plan evaluation runs in the library's own decimal contexts, whatever the host's."""

from __future__ import annotations

import decimal
import json

import pytest

import kpi_formula as kf
from kpi_formula.data import load_data
from kpi_formula.display import display_value
from kpi_formula.plan import evaluate_plan, evaluation_payload, load_plan, validate_plan

from .conftest import EXAMPLES
from .test_plan_evaluation import indicator, plan_of


def _hostile() -> decimal.Context:
    """A host context that would change or stop any arithmetic done in it."""
    return decimal.Context(
        prec=3,
        rounding=decimal.ROUND_UP,
        Emin=-5,
        Emax=5,
        traps=[
            decimal.Inexact,
            decimal.Rounded,
            decimal.Overflow,
            decimal.Underflow,
            decimal.Subnormal,
            decimal.Clamped,
            decimal.InvalidOperation,
            decimal.DivisionByZero,
        ],
    )


@pytest.fixture(autouse=True)
def _values_layer_in_its_own_context() -> None:
    """What plans build on — reading a value, showing one — must itself ignore the
    host's context; where it does not yet, these tests cannot tell plans apart."""
    try:
        with decimal.localcontext(_hostile()):
            kf.parse_value("13.595.300.000 €")
            display_value(decimal.Decimal("0.6533333333333333333333333333"), "%")
    except ArithmeticError as error:
        pytest.skip(f"the values layer still reads the host's decimal context ({error!r})")


def test_the_modena_plan_scores_the_same_under_a_hostile_host_context() -> None:
    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    data = load_data(EXAMPLES / "modena_2025" / "data.csv")
    expected = evaluate_plan(plan, data, year=2024, target_year=2025)
    problems = validate_plan(plan, data, year=2024)
    fresh = load_plan(EXAMPLES / "modena_2025" / "plan.toml")  # prepared under the host's
    with decimal.localcontext(_hostile()):
        found = evaluate_plan(fresh, data, year=2024, target_year=2025)
        again = evaluate_plan(fresh, data, year=2024, target_year=2025)
        found_problems = validate_plan(fresh, data, year=2024)
        payload = json.dumps(evaluation_payload(found), default=str)
    assert found == expected == again
    assert found.score == expected.score
    assert found_problems == problems
    assert payload == json.dumps(evaluation_payload(expected), default=str)


def test_relative_targets_weights_and_notes_under_a_hostile_host_context() -> None:
    plan = plan_of(
        indicator(
            "SHARE",
            "A / B * 100",
            unit="%",
            weight=decimal.Decimal("0.3333"),
            targets={2025: "+5% rispetto all'anno precedente"},
        ),
        indicator("DAYS", weight=decimal.Decimal("0.6667"), unit="gg", targets={2025: "<= 7 gg"}),
    )
    data = {
        ("A", 2024): 196,
        ("B", 2024): 300,
        ("A", 2025): 70,
        ("B", 2025): 100,
        ("DAYS", 2025): 9,
    }
    expected = evaluate_plan(plan, data, year=2025)
    with decimal.localcontext(_hostile()):
        found = evaluate_plan(plan_of(*plan.groups[0].children), data, year=2025)  # type: ignore[arg-type]
        problems = validate_plan(plan)
    assert found == expected
    assert [str(p) for p in problems] == [str(p) for p in validate_plan(plan)]
