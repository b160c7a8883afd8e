"""One numeric policy: values and targets are read and judged exactly, in the
library's own decimal contexts, within documented limits — never in the host's."""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import Quantity
from kpi_formula import strategies as kst
from kpi_formula.display import display_percent, display_value, display_weight
from kpi_formula.units import in_unit

from .hostcontext import HOSTILE, same_under_hostile_context


def test_a_host_context_of_six_digits_does_not_round_a_value() -> None:
    with decimal.localcontext(prec=6):
        assert kf.parse_value("123456789 mln") == Quantity(Decimal("123456789000000"))
        assert kf.parse_value("72,123456789 %") == Quantity(Decimal("0.72123456789"), "%")


def test_text_past_28_digits_is_read_exactly() -> None:
    result = kf.evaluate(
        "A - 1234567890123456789012345678901233",
        {"A": "1234567890123456789012345678901234"},
        year=2025,
    )
    assert result.value == 1


def test_a_thousand_digits_are_read_exactly_and_one_more_is_refused_naming_the_limit() -> None:
    digits = "9" * 1000
    assert kf.parse_value(digits) == Quantity(Decimal(digits))
    for text in ("9" * 1001, digits + " mld", digits + " mln €", "1" * 998 + " mila"):
        with pytest.raises(kf.ValueSyntaxError, match="more than 1000 digits"):
            kf.parse_value(text)
    assert kf.parse_value("1" * 997 + " mila") == Quantity(Decimal("1" * 997 + "000"))


@pytest.mark.parametrize(
    "data",
    [
        {"amount": "1E+99999999"},
        {"amount": "1E-5000"},
        {"amount": "NaN"},
        {"amount": "sNaN"},
        {"amount": "-Infinity"},
        {"amount": "1" * 1001},
        {"amount": "0.5", "unit": "kg"},
        {"amount": "2", "unit": "sì/no"},
        {"amount": "1", "note": "(nested)"},
        {"amount": "1", "note": "x" * 1001},
        {"amount": 1},
        {"amount": "1" * 20_000},
    ],
)
def test_quantity_from_dict_holds_the_constructors_limits(data: dict[str, object]) -> None:
    with pytest.raises(kf.KpiFormulaError):
        Quantity.from_dict(data)


def test_quantities_refuse_what_could_not_be_written_back() -> None:
    for amount, unit in (
        (Decimal("NaN"), None),
        (Decimal("Infinity"), "€"),
        (Decimal("1E+1000"), None),  # 1.001 digits written out
        (Decimal("1E+998"), "%"),  # shown as 1E+1000 %
        (Decimal("1E-1000"), None),
        (Decimal("0.5"), "sì/no"),
    ):
        with pytest.raises(kf.KpiFormulaError):
            Quantity(amount, unit)  # type: ignore[arg-type]
    largest = Quantity(Decimal("9" * 1000))
    assert kf.parse_value(kf.format_value(largest)) == largest
    assert len(kf.format_value(largest)) < kf.text.MAX_TEXT_LENGTH


def _outcome_dict(**changes: object) -> dict[str, object]:
    payload = kf.parse_target(">= 1.100 N.").check("1.136 N.").to_dict()
    payload.update(changes)
    return payload


@pytest.mark.parametrize(
    "changes",
    [
        {"met": True, "achievement": "0"},
        {"met": False, "achievement": "1"},
        {"met": False, "achievement": "0.9995"},
        {"met": None, "achievement": "1"},
        {"met": True, "achievement": None},
        {"met": "yes"},
        {"achievement": "NaN"},
        {"actual": "1E+99999999"},
        {"actual": "Infinity"},
        {"actual": None},
        {"threshold": "1E+99999999"},
        {"notes": "not a list"},
        {"target": 5},
    ],
)
def test_outcome_from_dict_holds_the_constructors_invariants(changes: dict[str, object]) -> None:
    with pytest.raises(kf.KpiFormulaError):
        kf.Outcome.from_dict(_outcome_dict(**changes))


@pytest.mark.parametrize("actual", ["2025-1-1", "31-12-2025", "2025-02-30", "20251231", 5])
def test_a_deadlines_outcome_reads_iso_dates_only(actual: object) -> None:
    payload = kf.parse_target("Entro 31-12-2025").check(dt.date(2025, 6, 1)).to_dict()
    assert kf.Outcome.from_dict(payload).actual == dt.date(2025, 6, 1)
    payload["actual"] = actual
    with pytest.raises(kf.KpiFormulaError):
        kf.Outcome.from_dict(payload)


def test_outcomes_built_by_hand_are_checked_too() -> None:
    target = kf.parse_target(">= 5")
    with pytest.raises(kf.KpiFormulaError, match="achievement is 1"):
        kf.Outcome(True, Decimal("0.5"), Decimal(6), target)
    with pytest.raises(kf.KpiFormulaError, match="missed"):
        kf.Outcome(False, Decimal(1), Decimal(4), target)
    with pytest.raises(kf.KpiFormulaError):
        kf.Outcome(True, Decimal(1), kf.ND, target)
    assert kf.Outcome(None, None, kf.ND, target) == target.check(kf.ND)


@pytest.mark.parametrize(
    "actual", [Decimal("Infinity"), Decimal("-Infinity"), float("inf"), Decimal("1E+99999")]
)
def test_infinite_or_unbounded_values_are_refused(actual: object) -> None:
    with pytest.raises(kf.KpiFormulaError):
        kf.parse_target(">= 5").check(actual)


def test_nan_is_nd_wherever_numbers_enter() -> None:
    for nan in (Decimal("NaN"), float("nan")):
        assert kf.parse_target(">= 5").check(nan).met is None
        assert in_unit(nan, "%") is kf.ND


@pytest.mark.parametrize(
    ("floor", "ceiling"),
    [(Decimal("NaN"), Decimal("0.9")), (Decimal("0.7"), Decimal("Infinity")), (0.7, 0.9)],
)
def test_range_scoring_refuses_what_is_not_a_finite_decimal(floor: object, ceiling: object) -> None:
    with pytest.raises(kf.KpiFormulaError):
        kf.RangeScoring(floor, ceiling)  # type: ignore[arg-type]


def test_display_keeps_to_its_own_context() -> None:
    with decimal.localcontext(HOSTILE):
        assert display_value(Decimal("123456.789"), "€") == "123.456,79 €"
        assert display_value(Decimal("0.054236"), "‰") == "54,24 ‰"
        assert display_percent(Decimal("0.99949")) == "99,9 %"
        assert display_weight(Decimal("0.3333")) == "33,33 %"
    assert display_value(Decimal("1E+5000")) == "1E+5000"


# every public function of the layer, held to the default context's answer


@given(kst.value_texts())
def test_parse_value_is_the_same_under_a_hostile_context(text: str) -> None:
    same_under_hostile_context(kf.parse_value, text)


@given(kst.values())
def test_format_value_and_json_are_the_same_under_a_hostile_context(value: object) -> None:
    same_under_hostile_context(kf.format_value, value)
    if isinstance(value, Quantity):
        payload = same_under_hostile_context(value.to_dict)
        same_under_hostile_context(Quantity.from_dict, payload)
        same_under_hostile_context(display_value, value.amount, value.unit)


@given(kst.target_texts())
def test_parse_targets_is_the_same_under_a_hostile_context(text: str) -> None:
    same_under_hostile_context(kf.parse_targets, text)
    same_under_hostile_context(kf.target_for_year, text, 2025)


_DIRECTIONS = st.sampled_from([None, "higher", "lower", "decrescente"])
_SCORINGS = st.sampled_from([kf.PROPORTIONAL, kf.BINARY, kf.RangeScoring()])


@settings(max_examples=100)
@given(kst.targets(), kst.values(), kst.values(), _DIRECTIONS, _SCORINGS)
def test_check_and_its_json_are_the_same_under_a_hostile_context(
    target: kf.Target,
    actual: object,
    baseline: object,
    direction: str | None,
    scoring: kf.Scoring,
) -> None:
    same_under_hostile_context(target.to_dict)
    same_under_hostile_context(kf.Target.from_dict, target.to_dict())
    found = same_under_hostile_context(
        target.check,
        actual,
        baseline=baseline if target.needs_baseline else None,
        direction=direction,
        scoring=scoring,
    )
    if isinstance(found, kf.Outcome):
        payload = same_under_hostile_context(found.to_dict)
        assert same_under_hostile_context(kf.Outcome.from_dict, payload) == found
        same_under_hostile_context(display_percent, found.achievement)


@given(kst.values(), st.sampled_from(["€", "%", "‰", "N.", "gg", "sì/no", None]))
def test_the_unit_rule_is_the_same_under_a_hostile_context(value: object, unit: str) -> None:
    same_under_hostile_context(in_unit, value, unit)
    if isinstance(value, Quantity):
        same_under_hostile_context(in_unit, value.amount, unit)
