"""Lint: a hyphen or slash glued between letters is probably part of a name."""

from __future__ import annotations

import pytest

import kpi_formula as kf

from .conftest import seed_formulas


@pytest.mark.parametrize(
    ("text", "columns", "reading", "fixed"),
    [
        (
            "Numero corsi su Comunica/Suap/Bilanci",
            [1],
            "Numero corsi su Comunica / Suap / Bilanci",
            '"Numero corsi su Comunica/Suap/Bilanci"',
        ),
        (
            "corsi e-learning + webinar AGID-CRUI",
            [1, 20],
            "corsi e - learning",
            '"corsi e-learning" + "webinar AGID-CRUI"',
        ),
        ("Città/Provincia di Modena", [1], "Città / Provincia di Modena", None),
    ],
)
def test_glued_hyphens_and_slashes_in_names_are_flagged_with_the_quoted_form(
    text: str, columns: list[int], reading: str, fixed: str | None
) -> None:
    warnings = kf.lint(text)
    assert [(warning.kind, warning.column) for warning in warnings] == [
        ("name", column) for column in columns
    ]
    assert f"is read as {reading}" in warnings[0].message
    quoted = warnings[0].message.rpartition(": ")[2]
    if fixed is not None:
        assert quoted == fixed
    # the fix reads as the names the writer meant
    names = {ref.code for ref in kf.parse(quoted).references}
    assert all("-" in name or "/" in name for name in names)


@pytest.mark.parametrize(
    "text",
    [
        "A-B",  # codes of one word each: a subtraction written tight
        "EVASE/RICEVUTE",
        "A - B / C + D",  # spaced: operators
        "corsi e - learning",
        "82.A3.1_INSTAGRAM-1 / 82.A3.1_INSTAGRAM",  # a prior year, digits after the hyphen
        '"corsi e-learning" + "webinar AGID-CRUI"',  # quoted already
        "Spese per il personale / Spese correnti",
        "Pratiche evase nell'anno/100",  # a letter, then a number
    ],
)
def test_near_misses_are_not_flagged(text: str) -> None:
    assert [w for w in kf.lint(text) if w.kind == "name"] == []


def test_the_seed_has_no_glued_names() -> None:
    assert [
        (code, text)
        for _, code, text in seed_formulas()
        if any(w.kind == "name" for w in kf.lint(text))
    ] == []
