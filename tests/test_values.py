"""Document values: Italian numbers, units, dates, N/D, notes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf
from kpi_formula import Quantity
from kpi_formula import strategies as kst

from .conftest import EXAMPLES


def seed_rows() -> list[list[str]]:
    text = (EXAMPLES / "seed_values.tsv").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17.533.900.000 €", Quantity(Decimal("17533900000"), "€")),
        ("72,10 %", Quantity(Decimal("0.7210"), "%")),
        ("-23,24 gg", Quantity(Decimal("-23.24"), "gg")),
        ("1.655.340 N.", Quantity(Decimal("1655340"), "N.")),
        ("2,94 N.", Quantity(Decimal("2.94"), "N.")),
        ("0 N.", Quantity(Decimal("0"), "N.")),
        ("1100", Quantity(Decimal("1100"))),
        ("N/D", kf.ND),
        ("n.d.", kf.ND),
        ("31-08-2022", dt.date(2022, 8, 31)),
        ("10/10/2023", dt.date(2023, 10, 10)),
        ("\u2212 5 gg", Quantity(Decimal("-5"), "gg")),
        ("1.100\u00a0N.", Quantity(Decimal("1100"), "N.")),
        ("12  EUR", Quantity(Decimal("12"), "€")),
        ("3 giorni", Quantity(Decimal("3"), "gg")),
    ],
)
def test_document_values(text: str, expected: object) -> None:
    assert kf.parse_value(text) == expected


def test_a_trailing_note_is_kept() -> None:
    value = kf.parse_value("13.595.300.000 € (dato al 31/10/2024)")
    assert isinstance(value, Quantity)
    assert value.amount == Decimal("13595300000")
    assert value.note == "dato al 31/10/2024"
    assert kf.format_value(value) == "13.595.300.000 € (dato al 31/10/2024)"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1.5", "'.5'"),
        ("12 kg", "'kg'"),
        ("31-02-2024", "not a calendar date"),
        ("", "empty"),
        ("1.100 N. N.", "unexpected"),
        ("12 %%", "unexpected"),
    ],
)
def test_unreadable_values_are_value_syntax_errors(text: str, fragment: str) -> None:
    with pytest.raises(kf.ValueSyntaxError) as caught:
        kf.parse_value(text)
    assert fragment in str(caught.value)
    assert caught.value.hint


def test_every_value_of_the_seed_parses() -> None:
    count = 0
    for row in seed_rows():
        for text in row[2:5]:
            kf.parse_value(text)
            count += 1
    assert count == 3 * 103


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Quantity(Decimal("1100"), "N."), "1.100 N."),
        (Quantity(Decimal("-1234567.5"), "€"), "-1.234.567,5 €"),
        (Quantity(Decimal("0.7210"), "%"), "72,10 %"),
        (Quantity(Decimal("12")), "12"),
        (kf.ND, "N/D"),
        (dt.date(2025, 12, 31), "31-12-2025"),
        (Decimal("1000.25"), "1.000,25"),
    ],
)
def test_format_value_writes_the_document_way(value: object, text: str) -> None:
    assert kf.format_value(value) == text  # type: ignore[arg-type]


@given(kst.values())
def test_format_then_parse_round_trips(value: Quantity | dt.date | kf.NotAvailable) -> None:
    assert kf.parse_value(kf.format_value(value)) == value


@given(st.text(max_size=80))
def test_parse_value_raises_only_value_syntax_errors(text: str) -> None:
    try:
        kf.parse_value(text)
    except kf.ValueSyntaxError as error:
        assert error.hint
