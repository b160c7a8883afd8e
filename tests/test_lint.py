"""Lint: formulas that read, but may not say what their writer meant."""

from __future__ import annotations

import importlib
import io
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import strategies as kst
from kpi_formula.cli import main
from kpi_formula.repl import Session

from .conftest import seed_formulas


@pytest.mark.parametrize(
    ("text", "kind", "column", "words"),
    [
        (
            "Titolo I + Titolo III / Titolo I + Titolo II + Titolo III",
            "precedence",
            23,
            "reads as Titolo I + (Titolo III / Titolo I) + Titolo II + Titolo III",
        ),
        ("A - B / C", "precedence", 7, "A - (B / C)"),
        ("A + B * C", "precedence", 7, "A + (B * C)"),
        ("peso x totale", "multiplication", 6, "write peso * totale"),
        ("PRATICHE_EVASE / PRATICHE_RICEVUTE * 100", "percent-scale", 38, "percentage points"),
        ("100 * A / B", "percent-scale", 1, "percentage points"),
        ("D2.1_MIMIT.1 * 1000 / 50", "number-driver", 23, 'write it in quotes ("50")'),
        ("A * 1.000", "thousands", 5, "for 1.000 write 1000"),
    ],
)
def test_each_kind(text: str, kind: str, column: int, words: str) -> None:
    (warning,) = kf.lint(text)
    assert (warning.kind, warning.column) == (kind, column)
    assert words in warning.message


@pytest.mark.parametrize(
    "text",
    [
        "(A + B) / C",
        "(Titolo I + Titolo III) / (Titolo I + Titolo II + Titolo III)",
        "A + (B / C)",
        "A + 2 * B",  # a coefficient, not a product of drivers
        "A / B",
        "Spese per il personale / Spese correnti",  # "per" is "for" in names
        '"peso x totale"',  # quoted: the writer said it is one name
        "A * 100 + B",  # not at the top level
        "A / 100",
        "A * 1000 / 1000000",
        "A * 0.5",
    ],
)
def test_near_misses_give_no_warning(text: str) -> None:
    assert kf.lint(text) == []


def test_one_thousand_million_in_a_formula_is_an_error_with_the_way_out() -> None:
    with pytest.raises(kf.FormulaSyntaxError, match="write the number without dots: 1000000"):
        kf.parse("A / 1.000.000")


def test_no_precedence_or_multiplication_warning_on_the_seed() -> None:
    kinds = {w.kind for _, _, text in seed_formulas() for w in kf.lint(text)}
    assert not kinds & {"precedence", "multiplication"}
    assert len(seed_formulas()) == 81


@given(kst.formulas(max_leaves=8))
def test_lint_never_fails_on_a_formula_and_points_inside_it(formula: kf.Formula) -> None:
    text = str(formula)
    for warning in kf.lint(formula):
        assert 1 <= warning.column <= len(text)


def test_the_command_line_and_the_prompt_show_warnings() -> None:
    out = io.StringIO()
    assert main(["lint", "A + B / C + D", "--json"], out=out) == 0
    (warning,) = json.loads(out.getvalue())["warnings"]
    assert warning["kind"] == "precedence" and warning["column"] == 7
    out = io.StringIO()
    assert main(["lint", "A / B"], out=out) == 0
    assert out.getvalue() == "no warnings\n"
    shown = Session(year=2025).handle("A + B / C + D")
    assert "warning: precedence" in shown


def test_plan_validate_reports_lint_warnings(tmp_path: pytest.TempPathFactory) -> None:
    from kpi_formula.plan import Area, Indicator, Plan, StrategicObjective, validate_plan

    half, whole = Decimal("0.5"), Decimal(1)

    def indicator(code: str, formula: str, unit: str | None) -> Indicator:
        return Indicator(code, code, half, formula, unit=unit)

    objective = StrategicObjective(
        "101",
        "Objective",
        whole,
        indicators=(
            indicator("I1", "Titolo I + Titolo III / Titolo I", None),
            indicator("I2", "EVASE / RICEVUTE * 100", "N."),
        ),
    )
    plan = Plan("p", (Area("1", "Area", whole, (objective,)),))
    messages = [str(problem) for problem in validate_plan(plan)]
    assert any("precedence" in message for message in messages)
    assert any("percent-scale" in message for message in messages)


def test_plan_validate_lints_as_the_plan_reads_a_declared_number() -> None:
    from kpi_formula.plan import Area, Indicator, Plan, StrategicObjective, validate_plan

    whole = Decimal(1)
    objective = StrategicObjective(
        "101", "o", whole, indicators=(Indicator("I", "i", whole, "A / 50 + B / 30"),)
    )
    plan = Plan("p", (Area("1", "a", whole, (objective,)),), (kf.Driver("50", "imprese"),))
    messages = [str(problem) for problem in validate_plan(plan) if "number-driver" in str(problem)]
    assert len(messages) == 1 and "30 is read as a number" in messages[0]  # 50 is its driver


@given(st.integers(1, 99), st.sampled_from(["TOTALE", "82.A3.1_INSTAGRAM", "N ImprAtt"]))
def test_a_prior_year_far_back_is_flagged_as_a_probable_subtraction(
    years: int, code: str
) -> None:
    # "TOTALE-50" reads TOTALE 50 years back; the writer probably meant TOTALE - 50
    text = f"A + {code}-{years}"
    flagged = [warning for warning in kf.lint(text) if warning.kind == "prior-year"]
    if years <= importlib.import_module("kpi_formula.lint").FAR_BACK:
        assert flagged == []
        return
    (warning,) = flagged
    assert warning.column == text.index(f"-{years}") + 1
    assert f"{code} - {years}" in warning.message and f"{code}[-{years}]" in warning.message
    # the fix reads as a subtraction, and the explicit spellings say the years were meant
    assert kf.parse(f"A + {code} - {years}").references == {kf.Ref("A", 0), kf.Ref(code, 0)}
    for meant in (f"A + {code}[-{years}]", f"A + {code}.anno-{years}"):
        assert not [w for w in kf.lint(meant) if w.kind == "prior-year"]


def test_the_command_line_flags_a_far_prior_year() -> None:
    out = io.StringIO()
    assert main(["lint", "TOTALE-50"], out=out) == 0
    assert "prior-year" in out.getvalue() and "TOTALE - 50" in out.getvalue()
