"""Targets and the degree of achievement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import Quantity, Target

from .test_values import seed_rows


@pytest.mark.parametrize(
    ("text", "comparison", "threshold"),
    [
        (">= 1.100 N.", ">=", Quantity(Decimal(1100), "N.")),
        ("=> 50,00 %", ">=", Quantity(Decimal("0.5"), "%")),
        ("≥ 3", ">=", Quantity(Decimal(3))),
        ("<= -19 gg", "<=", Quantity(Decimal(-19), "gg")),
        ("=< 2 gg", "<=", Quantity(Decimal(2), "gg")),
        ("≤ 2 gg", "<=", Quantity(Decimal(2), "gg")),
        ("> 8 N.", ">", Quantity(Decimal(8), "N.")),
        ("< 8 N.", "<", Quantity(Decimal(8), "N.")),
        ("= 100,00 %", "=", Quantity(Decimal(1), "%")),
        ("100,00 %", ">=", Quantity(Decimal(1), "%")),
        ("Entro 31-12-2025", "entro", dt.date(2025, 12, 31)),
        ("entro 30/06/2025", "entro", dt.date(2025, 6, 30)),
    ],
)
def test_target_forms(text: str, comparison: str, threshold: object) -> None:
    target = kf.parse_target(text)
    assert (target.comparison, target.threshold) == (comparison, threshold)
    assert kf.parse_target(str(target)) == target


def test_multi_year_cells_split_in_order() -> None:
    cell = "=> 50,00 %\u00a0\u00a0\u00a0 => 60,00 %\u00a0\u00a0\u00a0 => 65,00 %"
    assert [str(target) for target in kf.parse_targets(cell)] == [
        ">= 50,00 %",
        ">= 60,00 %",
        ">= 65,00 %",
    ]
    with pytest.raises(kf.TargetSyntaxError, match="3 targets"):
        kf.parse_target(cell)


@pytest.mark.parametrize(
    "text", ["", ">=", ">= abc", "Entro 2025", ">= 5 N. <", "Entro 31-13-2025"]
)
def test_unreadable_targets_are_target_syntax_errors(text: str) -> None:
    with pytest.raises(kf.TargetSyntaxError):
        kf.parse_targets(text)


def test_every_target_of_the_seed_parses() -> None:
    count = 0
    for row in seed_rows():
        for cell in row[5].split(" | "):
            count += len(kf.parse_targets(cell))
    assert count == 147  # 11 rows x 3 cells, 8 x 2, 7 cells x 3 targets, 77 x 1


def test_the_seed_2024_baselines_against_2025_targets_read_as_a_reader_would() -> None:
    verdicts = {True: "met", False: "not met", None: "N/D"}
    for row in seed_rows():
        line, baseline, cell, expected = row[0], row[4], row[5].split(" | ")[0], row[6]
        outcome = kf.parse_targets(cell)[0].check(baseline)
        assert verdicts[outcome.met] == expected, (line, baseline, cell)


@pytest.mark.parametrize(
    ("target", "actual", "met", "achievement"),
    [
        (">= 1.100 N.", "1.136 N.", True, "1"),
        (">= 1.100 N.", "550 N.", False, "0.5"),
        (">= 98,00 %", "90,32 %", False, "0.9216326530612244897959183673"),
        ("<= 2 gg", "4 gg", False, "0.5"),
        ("<= -19 gg", "-24,31 gg", True, "1"),
        ("<= -19 gg", "-9,5 gg", False, "0.5"),
        ("<= -19 gg", "3 gg", False, "0"),
        (">= -10,00 %", "-20,00 %", False, "0.5"),
        ("<= -10,00 %", "-16,60 %", True, "1"),
        (">= 0 N.", "-3 N.", False, "0"),
        ("<= 0 gg", "1 gg", False, "0"),
        ("= 100,00 %", "99,00 %", False, "0"),
        ("> 8 N.", "9 N.", True, "1"),
        ("Entro 31-12-2025", "25-12-2024", True, "1"),
        ("Entro 31-12-2025", "01-01-2026", False, "0"),
    ],
)
def test_proportional_scoring(target: str, actual: str, met: bool, achievement: str) -> None:
    outcome = kf.parse_target(target).check(actual)
    assert outcome.met is met
    assert outcome.achievement == Decimal(achievement)


def test_nd_gives_no_verdict() -> None:
    outcome = kf.parse_target(">= 5 N.").check("N/D")
    assert (outcome.met, outcome.achievement) == (None, None)
    assert kf.parse_target("Entro 31-12-2025").check(kf.ND).met is None


def test_range_scoring_is_the_range_di_valutazione() -> None:
    target = kf.parse_target(">= 100 N.")
    scoring = kf.RangeScoring(Decimal("0.7"), Decimal("0.9"))
    assert target.check(60, scoring=scoring).achievement == 0
    assert target.check(70, scoring=scoring).achievement == 0
    assert target.check(80, scoring=scoring).achievement == Decimal("0.5")
    assert target.check(90, scoring=scoring).achievement == 1
    assert target.check(95, scoring=scoring).met is False
    assert kf.parse_target(">= 98,00 %").check("90,32 %", scoring=scoring).achievement == 1
    with pytest.raises(kf.KpiFormulaError):
        kf.RangeScoring(Decimal("0.9"), Decimal("0.7"))


def test_binary_scoring() -> None:
    assert kf.parse_target(">= 100 N.").check(99, scoring=kf.BINARY).achievement == 0


def test_actual_values_in_every_accepted_form() -> None:
    target = kf.parse_target("=> 50,00 %")
    for actual in (
        "52,94 %",
        Decimal("0.5294"),
        Quantity(Decimal("0.5294"), "%"),
        Quantity(Decimal("0.5294")),
    ):
        assert target.check(actual).met is True
    assert kf.parse_target(">= 3 N.").check(3).met is True


def test_a_unit_that_does_not_match_is_an_error() -> None:
    with pytest.raises(kf.UnitMismatchError):
        kf.parse_target(">= 4 N.").check("5 gg")
    with pytest.raises(kf.UnitMismatchError):
        kf.parse_target("Entro 31-12-2025").check(5)
    with pytest.raises(kf.UnitMismatchError):
        kf.parse_target(">= 4 N.").check(dt.date(2025, 1, 1))
    with pytest.raises(kf.KpiFormulaError):
        kf.parse_target(">= 4 N.").check(True)


amounts = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)


@given(st.sampled_from([">=", ">", "<=", "<", "="]), amounts, amounts, amounts)
def test_achievement_is_monotone_and_within_bounds(
    comparison: str, threshold: Decimal, low: Decimal, high: Decimal
) -> None:
    assume(low <= high)
    target = Target(comparison, Quantity(threshold))  # type: ignore[arg-type]
    for scoring in (kf.PROPORTIONAL, kf.BINARY, kf.RangeScoring()):
        a = target.check(low, scoring=scoring).achievement
        b = target.check(high, scoring=scoring).achievement
        assert a is not None and b is not None
        assert 0 <= a <= 1 and 0 <= b <= 1
        if comparison in (">=", ">"):
            assert a <= b
        elif comparison in ("<=", "<"):
            assert a >= b


@given(st.text(max_size=60))
def test_parse_targets_raises_only_target_syntax_errors(text: str) -> None:
    try:
        kf.parse_targets(text)
    except kf.TargetSyntaxError as error:
        assert error.hint


def test_reprs_read_well_at_the_python_prompt() -> None:
    target = kf.parse_target("=> 1.100 N.")
    assert repr(target) == "Target('>= 1.100 N.')"
    assert repr(kf.parse_value("72,10 %")) == "Quantity(amount=Decimal('0.7210'), unit='%')"
    assert repr(target.check("1.136 N.")) == (
        "Outcome(met=True, achievement=Decimal('1'), actual='1.136 N.', target='>= 1.100 N.')"
    )
