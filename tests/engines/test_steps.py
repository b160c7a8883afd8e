"""Evaluation: exact decimals, N/D, division by zero, explain()."""

from __future__ import annotations

import decimal
import threading
from collections.abc import Callable
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest

import kpi_formula as kf

GROWTH = "(A - A-1) / A-1"


def test_growth_rate_of_the_contract() -> None:
    result = kf.evaluate(GROWTH, {("A", 2025): 110, ("A", 2024): 100}, year=2025)
    assert result.value == Decimal("0.1")
    assert str(result.value) == "0.1"
    assert not result.missing
    assert result.reasons == ()


def test_arithmetic_is_exact_and_division_keeps_28_digits() -> None:
    assert kf.evaluate("0.1 + 0.2", {}, year=2025).value == Decimal("0.3")
    assert kf.evaluate("1 / 3", {}, year=2025).value == Decimal("0.3333333333333333333333333333")
    assert kf.evaluate("2 / 3", {}, year=2025).value == Decimal("0.6666666666666666666666666667")
    big = "123456789012345678901234567890123456789"
    # exact, where the global context (28 digits) would round
    assert kf.evaluate(f"{big} + 1", {}, year=2025).value == Decimal(
        "123456789012345678901234567890123456790"
    )


def test_the_global_decimal_context_is_neither_used_nor_changed() -> None:
    before = decimal.getcontext().copy()
    with decimal.localcontext() as context:
        context.prec = 3
        context.traps[decimal.Inexact] = True
        assert kf.evaluate("1 / 3 + 0.12345", {}, year=2025).value == Decimal(
            "0.4567833333333333333333333333"
        )
    assert decimal.getcontext().prec == before.prec


def test_evaluation_is_safe_across_threads() -> None:
    formula = kf.parse("A / B + C * 2")
    failures: list[str] = []

    def work(offset: int) -> None:
        with decimal.localcontext() as context:
            context.prec = 2 + offset
            for i in range(200):
                data = {"A": i + offset, "B": 7, "C": offset}
                value = formula.evaluate(data, year=2025).value
                quotient = decimal.Context(prec=28).divide(Decimal(i + offset), 7)
                want = decimal.Context(prec=100).add(quotient, 2 * offset)
                if value != want:
                    failures.append(f"{value} != {want}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_missing_drivers_propagate_with_a_reason_for_each_code_and_year() -> None:
    result = kf.evaluate("A + B-1 + C", {("A", 2025): 1, ("B", 2024): None}, year=2025)
    assert result.value is kf.ND
    assert result.missing
    assert result.reasons == (
        "B@2024 is N/D",
        "C@2025 is missing from the data",
    )


def test_nd_in_every_spelling_is_missing() -> None:
    for nd in (None, kf.ND, "N/D", float("nan"), Decimal("NaN")):
        assert kf.evaluate("A", {"A": nd}, year=2025).missing, nd


def test_on_missing_zero_counts_missing_drivers_as_zero_and_says_so() -> None:
    result = kf.evaluate("A + B", {"A": 5}, year=2025, on_missing="zero")
    assert result.value == 5
    assert not result.missing
    assert result.reasons == ("B@2025 is missing from the data; counted as 0",)


def test_division_by_zero_is_nd_by_default_and_an_error_on_request() -> None:
    result = kf.evaluate("A / B", {"A": 5, "B": 0}, year=2025)
    assert result.value is kf.ND
    assert result.reasons == ("division by zero in 'A / B' (B = 0)",)
    with pytest.raises(kf.EvaluationError, match="division by zero") as caught:
        kf.evaluate("A / (B - 3)", {"A": 5, "B": 3}, year=2025, on_zero_division="error")
    assert caught.value.position == 0


def test_division_by_zero_stays_nd_under_the_zero_policy() -> None:
    result = kf.evaluate("A / B", {"A": 5}, year=2025, on_missing="zero")
    assert result.missing
    assert result.reasons == (
        "B@2025 is missing from the data; counted as 0",
        "division by zero in 'A / B' (B = 0)",
    )


def test_missing_numerator_over_zero_reports_both() -> None:
    result = kf.evaluate("A / B", {"B": 0}, year=2025)
    assert result.reasons == (
        "A@2025 is missing from the data",
        "division by zero in 'A / B' (B = 0)",
    )


def test_data_values_in_every_accepted_form() -> None:
    data = {
        ("A", 2025): "1.100 N.",
        ("B", 2025): 0.1,
        ("C", 2025): Decimal("2.5"),
        ("D", 2025): kf.Quantity(Decimal("0.7210"), "N."),
        "E": 3,
    }
    result = kf.evaluate("A + B + C + D + E", data, year=2025)
    assert result.value == Decimal("1106.3210")
    percent = {**data, ("D", 2025): kf.Quantity(Decimal("0.7210"), "%")}
    assert kf.evaluate("A * D", percent, year=2025).value == Decimal("793.1000")
    with pytest.raises(kf.UnitMismatchError):  # 1.100 N. + 72,10 %: no sum means that
        kf.evaluate("A + B + C + D + E", percent, year=2025)


def test_bad_data_values_are_evaluation_errors() -> None:
    for bad in (True, "abc", float("inf"), object(), [1]):
        with pytest.raises(kf.EvaluationError):
            kf.evaluate("A", {"A": bad}, year=2025)
    with pytest.raises(kf.EvaluationError, match="year"):
        kf.evaluate("A", {}, year="2025")  # type: ignore[arg-type]
    with pytest.raises(kf.EvaluationError, match="mapping"):
        kf.evaluate("A", [1, 2], year=2025)  # type: ignore[arg-type]
    with pytest.raises(kf.KpiFormulaError, match="policy"):
        kf.evaluate("A", {}, year=2025, on_missing="ignore")  # type: ignore[arg-type]


def test_huge_numbers_are_clear_errors_not_crashes() -> None:
    with pytest.raises(kf.EvaluationError, match="too large"):
        kf.evaluate("A * A", {"A": Decimal("1e999000")}, year=2025)
    with pytest.raises(kf.EvaluationError):
        kf.evaluate("A", {"A": Decimal("1e9999999")}, year=2025)
    with pytest.raises(kf.EvaluationError, match="digits"):
        kf.evaluate("A * A", {"A": Decimal("1." + "3" * 900)}, year=2025)


@pytest.mark.parametrize("mapping", [dict, MappingProxyType])  # fast path and general path
def test_a_value_past_the_limits_is_named(mapping: Callable[[dict[str, Decimal]], Any]) -> None:
    with pytest.raises(kf.EvaluationError, match=r"^A@2025: the result is too large"):
        kf.evaluate("A + 1", mapping({"A": Decimal("1e9999999")}), year=2025)
    with pytest.raises(kf.EvaluationError, match=r"^A@2025: .* more than 1000 significant"):
        kf.evaluate("A + 1", mapping({"A": Decimal("1." + "3" * 1500)}), year=2025)


def test_explain_shows_each_sub_expression() -> None:
    result = kf.evaluate(GROWTH, {("A", 2025): 110, ("A", 2024): 100}, year=2025)
    assert result.explain().splitlines() == [
        "(A - A-1) / A-1 = 0.1  [year 2025]",
        "├─ A - A-1 = 10",
        "│  ├─ A = 110  (A@2025)",
        "│  └─ A-1 = 100  (A@2024)",
        "└─ A-1 = 100  (A@2024)",
    ]


def test_explain_shows_why_a_result_is_nd() -> None:
    text = kf.evaluate("A / B * 2", {"B": 0}, year=2025).explain()
    assert "A = N/D  (A@2025 is missing from the data)" in text
    assert "B = 0" in text
    assert text.splitlines()[0].startswith("A / B * 2 = N/D")
    assert text.splitlines()[-3:] == [
        "N/D because:",
        "  - A@2025 is missing from the data",
        "  - division by zero in 'A / B' (B = 0)",
    ]


def test_compile_has_the_semantics_of_evaluate() -> None:
    formula = kf.parse(GROWTH)
    compiled = formula.compile()
    for data in ({("A", 2025): 110, ("A", 2024): 100}, {("A", 2025): 1}, {("A", 2024): 0}):
        assert compiled(data, year=2025) == kf.evaluate(formula, data, year=2025)
    strict = formula.compile(on_zero_division="error")
    with pytest.raises(kf.EvaluationError):
        strict({("A", 2025): 1, ("A", 2024): 0}, year=2025)


def test_result_repr_is_readable() -> None:
    result = kf.evaluate("A / 4", {"A": 1}, year=2025)
    assert repr(result) == "Result(value=Decimal('0.25'), year=2025, formula='A / 4')"
    assert "<b>0.25</b>" in result._repr_html_()


def test_catalog_turns_numeric_tokens_into_drivers_and_says_so() -> None:
    catalog = kf.Catalog(
        [kf.Driver("50", "Imprese iscritte nel Registro Imprese"), kf.Driver("D2.1_MIMIT.1")]
    )
    data = {"D2.1_MIMIT.1": 270, "50": 69948}
    result = kf.evaluate("D2.1_MIMIT.1 * 1000 / 50", data, year=2024, catalog=catalog)
    assert result.value == Decimal("270000") / Decimal("69948")
    assert result.notes == (
        "50 is read as the driver '50' (Imprese iscritte nel Registro Imprese), not as a number",
    )
    without = kf.evaluate("D2.1_MIMIT.1 * 1000 / 50", data, year=2024)
    assert without.value == Decimal(5400)
