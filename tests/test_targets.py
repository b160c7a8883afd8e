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
    "text", ["", ">=", ">= abc", "Entro il", ">= 5 N. <", "Entro 31-13-2025"]
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
    # past the ceiling the rule gives 1, but a missed target never scores 100 %
    assert target.check(90, scoring=scoring).achievement == Decimal("0.999")
    assert target.check(95, scoring=scoring).met is False
    assert kf.parse_target(">= 98,00 %").check("90,32 %", scoring=scoring).achievement == (
        Decimal("0.999")
    )
    assert target.check(100, scoring=scoring).achievement == 1
    with pytest.raises(kf.KpiFormulaError):
        kf.RangeScoring(Decimal("0.9"), Decimal("0.7"))


def test_range_scoring_bounds_are_a_true_range_within_zero_and_one() -> None:
    widest = kf.RangeScoring(Decimal(0), Decimal(1))  # 0 and 100 % are bounds a plan may use
    assert kf.parse_target(">= 100 N.").check(50, scoring=widest).achievement == Decimal("0.5")
    for floor, ceiling in (("0.8", "0.8"), ("-0.1", "0.9"), ("0.7", "1.1")):
        with pytest.raises(kf.KpiFormulaError) as caught:
            kf.RangeScoring(Decimal(floor), Decimal(ceiling))
        # the error names both bounds as given, and says what to give instead
        assert f"Decimal('{floor}')" in caught.value.reason
        assert f"Decimal('{ceiling}')" in caught.value.reason
        assert caught.value.hint is not None and "Decimal('0.7')" in caught.value.hint


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


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("maggiore o uguale a 90%", ">= 90 %"),
        ("Maggiore o uguale al 90 %", ">= 90 %"),
        ("MINORE O UGUALE A 35%", "<= 35 %"),
        ("non inferiore al 95%", ">= 95 %"),
        ("non superiore a 30 gg", "<= 30 gg"),
        ("almeno 1.100 N.", ">= 1.100 N."),
        ("almeno l'80%", ">= 80 %"),
        ("al massimo 30 gg", "<= 30 gg"),
        ("superiore a 5", "> 5"),
        ("inferiore al 2%", "< 2 %"),
        ("maggiore di 10", "> 10"),
        ("minore di 10", "< 10"),
        ("pari al 100%", "= 100 %"),
        ("uguale a 1", "= 1"),
        ("<=35%", "<= 35 %"),
        ("=120.000", "= 120.000"),
        ("15 gg.", "15 gg"),
        (">= € 2.750,00", ">= 2.750,00 €"),
        ("Anno 2016: >= 95%", "Anno 2016: >= 95 %"),
        ("2026: <= 15 gg", "Anno 2026: <= 15 gg"),
        ("entro il 30/06/2025", "Entro 30-06-2025"),
        ("Entro il 31.12.2025", "Entro 31-12-2025"),
        ("Aumento del 20% rispetto alla baseline", "+20 % rispetto alla baseline"),
        ("Incremento del 20 % rispetto al 2023", "+20 % rispetto al 2023"),
        ("Riduzione del 10% rispetto al 2023", "-10 % rispetto al 2023"),
        ("Riduzione di 5 gg rispetto all'anno precedente", "-5 gg rispetto all'anno precedente"),
        ("Diminuzione del 10% rispetto all’anno precedente", "-10 % rispetto all'anno precedente"),
        ("+5% rispetto al 2024", "+5 % rispetto al 2024"),
        ("-5% rispetto al valore di baseline", "-5 % rispetto alla baseline"),
        ("Mantenimento", "Mantenimento"),
        ("mantenimento del valore", "Mantenimento"),
        (">= valore anno precedente", ">= valore anno precedente"),
        ("maggiore o uguale al valore dell'anno precedente", ">= valore anno precedente"),
        ("Mantenimento rispetto al 2022", "Mantenimento rispetto al 2022"),
    ],
)
def test_targets_other_bodies_write(text: str, canonical: str) -> None:
    target = kf.parse_target(text)
    assert str(target) == canonical
    assert kf.parse_target(canonical) == target


def test_a_year_in_front_is_kept_and_a_cell_holds_several() -> None:
    assert kf.parse_target("Anno 2016: >= 95%").year == 2016
    assert kf.parse_target(">= 95%").year is None
    cell = kf.parse_targets("2025: >= 90%   2026: >= 92%   Anno 2027: >= 95%")
    assert [(t.year, t.threshold) for t in cell] == [
        (2025, kf.parse_value("90%")),
        (2026, kf.parse_value("92%")),
        (2027, kf.parse_value("95%")),
    ]


def test_relative_targets_are_judged_against_the_baseline_given() -> None:
    increase = kf.parse_target("Aumento del 20% rispetto alla baseline")
    assert increase.needs_baseline and not kf.parse_target(">= 1").needs_baseline
    assert increase.check(1800, baseline=1500).met is True  # 1.500 + 20 % = 1.800
    missed = increase.check("1.750 N.", baseline="1.500 N.")
    assert missed.met is False and missed.achievement == Decimal(1750) / Decimal(1800)
    assert missed.baseline == 1500
    reduction = kf.parse_target("Riduzione del 10% rispetto al 2023")
    assert reduction.check("36 gg", baseline="40 gg").met is True  # lower is better
    assert reduction.check("37 gg", baseline="40 gg").met is False
    assert kf.parse_target("Mantenimento").check(5, baseline=5).met is True
    assert kf.parse_target("Riduzione di 5 gg rispetto al 2023").check(35, baseline=40).met
    nd = increase.check(1800, baseline=kf.ND)
    assert (nd.met, nd.achievement) == (None, None)


def test_a_relative_target_without_a_baseline_is_an_error_never_a_verdict() -> None:
    relative = ("Aumento del 20% rispetto alla baseline", "Mantenimento", ">= valore 2023")
    for text in relative:
        with pytest.raises(kf.BaselineRequiredError, match="relative"):
            kf.parse_target(text).check(1800)
    with pytest.raises(kf.UnitMismatchError):
        kf.parse_target("Aumento del 20% rispetto alla baseline").check("5 gg", baseline="5 €")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("forse", "cannot read the target 'forse'"),
        ("Anno 2016:", "ends too early"),
        ("Anno 2016: 2017: >= 5", "cannot read"),
        ("maggiore di", "at 'di'"),
        ("maggiore o uguale", "ends too early"),
        ("Aumento del 20%", "ends too early"),
        ("Aumento del -20% rispetto alla baseline", "cannot read"),
        ("rispetto alla baseline", "cannot read"),
        ("entro il", "ends too early"),
        ("Entro il 31.13.2025", "not a calendar date"),
        ("mln", "cannot read"),
        (">= 5 mln %", "a percentage with a scale"),
        ("1.000 € 2.000 € €", "cannot read"),
    ],
)
def test_near_misses_quote_the_text_and_list_the_forms(text: str, fragment: str) -> None:
    with pytest.raises(kf.TargetSyntaxError) as caught:
        kf.parse_target(text)
    assert fragment in str(caught.value)
    assert "the forms known" in str(caught.value) or "calendar" in str(caught.value) or (
        "scale" in str(caught.value)
    )


# -- no negative zero, and a baseline that is not used is said -----------------------

_ZEROS = st.sampled_from(["0", "-0", "0,0", "-0,00", "+0"])


def _signed_zeros(outcome: kf.Outcome) -> list[str]:
    fields = {
        "achievement": outcome.achievement,
        "actual": outcome.actual,
        "baseline": outcome.baseline,
        "threshold": outcome.threshold,
    }
    return [
        name
        for name, value in fields.items()
        if isinstance(value, Decimal) and value.is_zero() and value.is_signed()
    ]


@given(
    st.sampled_from(["<=", ">=", "<", ">", "", "="]),
    st.one_of(_ZEROS, st.integers(-500, 500).map(str)),
    st.one_of(_ZEROS, st.integers(-500, 500).map(str)),
    st.sampled_from(["gg", "N.", "€", "%", ""]),
    st.sampled_from([kf.PROPORTIONAL, kf.BINARY, kf.RangeScoring()]),
)
def test_no_outcome_shows_a_negative_zero(
    comparison: str, threshold: str, actual: str, unit: str, scoring: kf.Scoring
) -> None:
    # "<= -19 gg" judged on 0 gg was "not met; achievement -0,0 %", "achievement": "-0"
    # in JSON (0 / -19): a zero has no sign, in the outcome, its dict and its text
    assume(not (unit == "%" and not comparison))
    target = kf.parse_target(f"{comparison} {threshold} {unit}".strip())
    outcome = target.check(f"{actual} {unit}".strip(), scoring=scoring)
    assert _signed_zeros(outcome) == []
    payload = outcome.to_dict()
    shown = [payload[key] for key in ("achievement", "actual", "threshold", "actual_text")]
    assert not any(isinstance(each, str) and each.lstrip("-").strip("0.,% gN€") == ""
                   and each.startswith("-") for each in shown), payload
    assert kf.Outcome.from_dict(payload) == outcome


def test_the_negative_zero_of_the_finding() -> None:
    outcome = kf.parse_target("<= -19 gg").check("0 gg")
    assert (outcome.met, outcome.to_dict()["achievement"]) == (False, "0")
    assert not outcome.achievement.is_signed()  # type: ignore[union-attr]
    assert kf.parse_value("-0 gg") == Quantity(Decimal(0), "gg")
    assert not kf.parse_value("-0 gg").amount.is_signed()  # type: ignore[union-attr]
    assert not Quantity(Decimal("-0.0"), "gg").amount.is_signed()
    assert str(kf.parse_target("<= -0 gg")) == "<= 0 gg"
    made = kf.Outcome(False, Decimal("-0"), Decimal("-0"), kf.parse_target("<= -19 gg"))
    assert _signed_zeros(made) == []
    payload = outcome.to_dict() | {"achievement": "-0", "actual": "-0.0"}
    assert _signed_zeros(kf.Outcome.from_dict(payload)) == []
    relative = kf.parse_target("Riduzione di 0 N. rispetto al 2023").check("1 N.", baseline="-0 N.")
    assert _signed_zeros(relative) == []


@given(st.sampled_from([">= 5", "<= 12 gg", "Entro 31-12-2025", "SI", "tra 70% e 90%", "25"]))
def test_a_baseline_given_for_a_target_that_is_not_relative_is_said_unused(text: str) -> None:
    target = kf.parse_target(text)
    actual = {"Entro 31-12-2025": "30-06-2025", "SI": "SI", "tra 70% e 90%": "80 %"}.get(
        text, "5"
    )
    alone = target.check(actual)
    given_one = target.check(actual, baseline="3")
    assert (given_one.met, given_one.achievement) == (alone.met, alone.achievement)
    assert given_one.notes[:-1] == alone.notes
    assert "baseline was not used" in given_one.notes[-1]
    assert kf.Outcome.from_dict(given_one.to_dict()).met == alone.met
    relative = kf.parse_target("Aumento del 20% rispetto alla baseline")
    assert not any(
        "not used" in note for note in relative.check("1.750 N.", baseline="1.500 N.").notes
    )


class _NotADecimal:
    def __init__(self, score: object) -> None:
        self.given = score

    def score(self, ratio: Decimal) -> Decimal:
        return self.given  # type: ignore[return-value]


@pytest.mark.parametrize("score", [Decimal("NaN"), Decimal("Infinity"), 0.5])
def test_a_scoring_rule_must_give_a_finite_decimal(score: object) -> None:
    with pytest.raises(kf.KpiFormulaError) as caught:
        kf.parse_target(">= 10").check(8, scoring=_NotADecimal(score))
    assert caught.value.reason == f"a scoring rule gave {score!r}, not a finite Decimal"
    assert caught.value.hint == "a rule's score(ratio) returns a Decimal in [0, 1]"


def test_an_unused_baseline_changes_nothing_of_the_verdict() -> None:
    """A baseline given to a target that is not relative is said unused, and the
    verdict is the one without it: the direction, the scoring rule, the threshold
    and the unit the value was judged in all kept."""
    from kpi_formula.scoring import Binary, Proportional

    for scoring in (Proportional(), Binary()):
        target = kf.parse_target("25")
        plain = target.check("25,7 gg", direction="decrescente", scoring=scoring)
        told = target.check("25,7 gg", direction="decrescente", scoring=scoring, baseline="20 gg")
        assert (told.met, told.achievement, told.threshold, told.unit) == (
            plain.met,
            plain.achievement,
            plain.threshold,
            plain.unit,
        )
        assert told.unit == "gg" and told.met is False
        assert told.achievement == (0 if isinstance(scoring, Binary) else plain.achievement)
        assert any("baseline was not used" in note and "25 gg" not in note for note in told.notes)
        assert any("the target 25 " in note for note in told.notes)


def test_the_unit_a_value_was_judged_in_is_kept_on_every_path() -> None:
    """A target without a unit judges a value in the value's: the outcome says which,
    met or missed, N/D or not, for bare, range and relative targets alike."""
    assert kf.parse_target("25").check("30 gg").unit == "gg"
    assert kf.parse_target("tra 10 e 20").check("25 gg").unit == "gg"
    assert kf.parse_target("tra 10 e 20").check("15 gg").unit == "gg"
    relative = kf.parse_target("Aumento del 10% rispetto al 2024")
    assert relative.check("120 €", baseline="100 €").unit == "€"
    assert relative.check("N/D", baseline="100 €").unit == "€"
    assert kf.parse_target(">= 90 %").check("95 %").unit is None  # the target's own unit


def test_an_n_d_value_keeps_the_notes_of_its_target() -> None:
    outcome = kf.parse_target("25").check("N/D")
    assert outcome.met is None
    assert any("for want of a direction" in note for note in outcome.notes)


@pytest.mark.parametrize(("value", "nearest"), [(14, 10), (15, 10), (16, 20)])
def test_a_value_inside_a_range_shows_the_nearer_bound(value: int, nearest: int) -> None:
    """Inside a range the threshold shown is the nearer bound, the lower one at the
    middle."""
    outcome = kf.parse_target("tra 10 e 20").check(value)
    assert outcome.met is True and outcome.threshold == nearest
