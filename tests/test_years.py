"""One rule for years on every path: an int (not a bool) of at most 18 digits.

A longer year made the general evaluator fail writing ``A@year`` (Python's limit on
writing long ints) while the fast path answered, and a plan took any year it was given.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from decimal import Decimal

import pytest

import kpi_formula as kf
from kpi_formula.cli import main
from kpi_formula.data import load_data
from kpi_formula.plan import evaluate_plan, load_plan, validate_plan

from .conftest import EXAMPLES

TOO_LONG = 10**18


class _LyingInt(int):
    """An int that says it is within any bounds."""

    def __lt__(self, other: object) -> bool:
        return True

    def __gt__(self, other: object) -> bool:
        return True


@pytest.mark.parametrize(
    "year",
    [TOO_LONG, -TOO_LONG, 10**4300, _LyingInt(10**30)],
    ids=["1E18", "-1E18", "1E4300", "liar"],
)
def test_a_year_of_more_than_18_digits_is_refused_by_evaluation(year: int) -> None:
    evaluations: list[Callable[[], object]] = [
        lambda: kf.evaluate("A * 2", {"A": Decimal(3)}, year=year),
        lambda: kf.parse("A * 2").compile()({"A": Decimal(3)}, year=year),
    ]
    for evaluate in evaluations:
        with pytest.raises(kf.EvaluationError, match="more than 18 digits"):
            evaluate()
    assert kf.evaluate("A-1", {("A", -TOO_LONG): 1}, year=-TOO_LONG + 1).value == 1


@pytest.mark.parametrize(
    "year", [TOO_LONG, True, 2025.5, 10**4300], ids=["1E18", "bool", "float", "1E4300"]
)
def test_a_plan_is_evaluated_and_validated_for_a_year_only(year: object) -> None:
    plan = load_plan(EXAMPLES / "modena_2025" / "plan.toml")
    data = load_data(EXAMPLES / "modena_2025" / "data.csv")
    calls: list[Callable[[], object]] = [
        lambda: evaluate_plan(plan, data, year=year),  # type: ignore[arg-type]
        lambda: evaluate_plan(plan, data, year=2025, target_year=year),  # type: ignore[arg-type]
        lambda: validate_plan(plan, data, year=year),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(kf.PlanError, match="the year"):
            call()


@pytest.mark.parametrize(
    "arguments",
    [
        ["eval", "A * 2", "A=3"],
        ["drivers", "A * 2", "A=3"],
        [
            "plan",
            "evaluate",
            str(EXAMPLES / "modena_2025" / "plan.toml"),
            "--data",
            str(EXAMPLES / "modena_2025" / "data.csv"),
        ],
    ],
    ids=["eval", "drivers", "plan"],
)
@pytest.mark.parametrize("language", ["en", "it"])
def test_the_command_line_refuses_a_year_of_more_than_18_digits(
    arguments: list[str], language: str
) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(["--lang", language, *arguments, "--year", str(TOO_LONG)], out=out)
    assert status == 2
    assert out.getvalue() == ""
    said = {"en": "the year has more than 18 digits", "it": "l'anno ha più di 18 cifre"}
    assert said[language] in err.getvalue()


def test_the_inputs_of_a_result_are_keyed_by_years_it_can_write() -> None:
    """An input's year may be one digit longer than the year asked (a prior year of an
    18-digit year); a longer one, or a key that cannot be written, is said, not raised
    from inside."""
    with pytest.raises(kf.KpiFormulaError, match="more than 19 digits"):
        kf.Result(value=1, year=2025, formula="A", inputs={("A", 10**21): 1})
    with pytest.raises(kf.KpiFormulaError, match="not tuple"):
        kf.Result(value=1, year=2025, formula="A", inputs={(1, 10**5000): 1})  # type: ignore[dict-item]
    listed = [{"code": "A", "year": 10**5000, "value": "1"}] * 2
    with pytest.raises(kf.KpiFormulaError, match="listed twice"):
        kf.Result.from_dict({"value": "1", "year": 2025, "formula": "A", "inputs": listed})
    result = kf.evaluate("A-1", {("A", -TOO_LONG): 1}, year=-TOO_LONG + 1)
    assert kf.Result.from_dict(result.to_dict()) == result
