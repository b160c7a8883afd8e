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
        ("1.5.3", "at '.5.3'"),
        ("12 kg", "'kg'"),
        ("31-02-2024", "not a calendar date"),
        ("", "the value is empty"),
        ("1.100 N. N.", "cannot read the value '1.100 N. N.' at 'N.'"),
        ("12 %%", "at '%'"),
        ("mln", "cannot read the value 'mln'"),
        ("5 mln %", "a percentage with a scale"),
        ("€", "ends too early"),
        ("2025-13-01", "not a calendar date"),
        ("- 5 -", "cannot read"),
        ("n.d. 5", "cannot read"),
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4,15mln", kf.Quantity(Decimal("4150000"))),
        ("4,15 mln €", kf.Quantity(Decimal("4150000"), "€")),
        ("2,4 mld €", kf.Quantity(Decimal("2400000000"), "€")),
        ("7,2 milioni di euro", kf.Quantity(Decimal("7200000"), "€")),
        ("3 migliaia di euro", kf.Quantity(Decimal("3000"), "€")),
        ("20 mila", kf.Quantity(Decimal("20000"))),
        ("350 k€", kf.Quantity(Decimal("350000"), "€")),
        ("1,5 M€", kf.Quantity(Decimal("1500000"), "€")),
        ("€ 2.750,00", kf.Quantity(Decimal("2750"), "€")),
        ("€2.750", kf.Quantity(Decimal("2750"), "€")),
        ("EUR 12", kf.Quantity(Decimal("12"), "€")),
        ("71.90%", kf.Quantity(Decimal("0.719"), "%")),
        ("0.500", kf.Quantity(Decimal("0.5"))),
        ("1.1000", kf.Quantity(Decimal("1.1"))),
        ("1.100", kf.Quantity(Decimal("1100"))),  # the document's thousands, as always
        ("15 gg.", kf.Quantity(Decimal("15"), "gg")),
        ("n.d.", kf.ND),
        ("N.D.", kf.ND),
        ("n.a.", kf.ND),
        ("n.c.", kf.ND),
        ("-", kf.ND),
        ("–", kf.ND),
        ("2025-06-15", dt.date(2025, 6, 15)),
        ("31.12.2025", dt.date(2025, 12, 31)),
    ],
)
def test_what_other_bodies_write(text: str, expected: object) -> None:
    assert kf.parse_value(text) == expected


@given(kst.quantities())
def test_scaled_and_prefixed_amounts_equal_the_plain_ones(quantity: kf.Quantity) -> None:
    if quantity.unit != "€":
        return
    plain = kf.format_value(quantity).removesuffix(" €")
    assert kf.parse_value(f"€ {plain}") == quantity
    thousands = kf.Quantity(quantity.amount / 1000, "€") if quantity.amount else quantity
    written = kf.format_value(kf.Quantity(thousands.amount, None))
    assert kf.parse_value(f"{written} k€") == quantity
