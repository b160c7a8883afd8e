"""People read Italian or English; programs read English and stable codes.

The language is chosen by ``--lang``, ``KPI_FORMULA_LANG``, the plan, the
locale, then English; a :class:`~kpi_formula.i18n.Translator` says every
Message — an error's whole paragraph included — in it.
"""

from __future__ import annotations

import pickle

import pytest

import kpi_formula as kf
from kpi_formula.errors import DataError, PlanError, msg
from kpi_formula.i18n import choose_language, translator

ITALIAN = translator("it")
ENGLISH = translator("en")


def _error(call: object) -> kf.KpiFormulaError:
    try:
        call()  # type: ignore[operator]
    except kf.KpiFormulaError as error:
        return error
    raise AssertionError("no error")


ERRORS = [
    lambda: kf.parse("(A - B) * / C"),
    lambda: kf.parse("A +"),
    lambda: kf.parse_value("12 kg"),
    lambda: kf.parse_target(">= 5 N.").check("5 gg"),
    lambda: kf.parse_target("Aumento del 20% rispetto alla baseline").check("5"),
    lambda: kf.resolve(kf.parse("A + B"), kf.Catalog([kf.Driver("A")])),
    lambda: kf.resolve(kf.parse("ABX + B"), kf.Catalog([kf.Driver("ABC"), kf.Driver("B")])),
]


@pytest.mark.parametrize("make", ERRORS)
def test_in_english_an_error_reads_as_it_always_did(make: object) -> None:
    error = _error(make)
    assert ENGLISH.error(error) == str(error)


@pytest.mark.parametrize("make", ERRORS)
def test_an_error_keeps_its_code_and_its_words_through_pickling(make: object) -> None:
    error = _error(make)
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), str(again), again.error_code) == (
        type(error),
        str(error),
        error.error_code,
    )
    assert again.details() == error.details() and ITALIAN.error(again) == ITALIAN.error(error)


def test_an_italian_officer_reads_an_italian_paragraph() -> None:
    error = _error(lambda: kf.resolve(kf.parse("A + B"), kf.Catalog([kf.Driver("A")])))
    assert error.error_code == "unknown-driver"
    assert ITALIAN.error(error) == (
        "driver sconosciuto: 'B' alla colonna 5\n"
        "suggerimento: dichiara il driver nel catalogo, o controllane la grafia"
    )
    unit = _error(lambda: kf.parse_target(">= 5 N.").check("5 gg"))
    assert ITALIAN.error(unit).splitlines()[0] == "il valore è in gg, ma il target è in N."


def test_the_words_around_a_located_error_are_translated() -> None:
    error = kf.ValueSyntaxError(msg("unknown direction {text}", text="'x'"), text="x", position=0)
    said = ITALIAN.error(error)
    assert said.splitlines()[0] == "direzione sconosciuta: 'x' (riga 1, colonna 1)"
    assert said.splitlines()[1:] == ["  x", "  ^"]
    located = PlanError(msg("unknown driver {code!r}", code="A"), source="piano.toml", line=4)
    assert ITALIAN.error(located) == "piano.toml:4: driver sconosciuto: 'A'"
    assert str(located) == "piano.toml:4: unknown driver 'A'"
    assert DataError("plain words", hint="a hint").details()["hint"] == "a hint"


def test_a_text_without_a_template_is_said_as_it_is() -> None:
    assert ITALIAN.say("B@2024 is N/D, said in plain text") == "B@2024 is N/D, said in plain text"
    assert ITALIAN.error(ValueError("not ours")) == "not ours"


def test_a_broken_translation_falls_back_to_english() -> None:
    broken = translator("it")
    original = broken._catalog  # a translation whose placeholder is misspelt
    try:

        class Misspelt:
            def gettext(self, text: str) -> str:
                return "driver sconosciuto: {codice!r}"

        broken._catalog = Misspelt()  # type: ignore[assignment]
        assert broken.say(msg("unknown driver {code!r}", code="A")) == "unknown driver 'A'"
    finally:
        broken._catalog = original


@pytest.mark.parametrize(
    ("explicit", "environ", "plan", "expected"),
    [
        ("it", {"KPI_FORMULA_LANG": "en"}, "en", "it"),
        (None, {"KPI_FORMULA_LANG": "it"}, "en", "it"),
        (None, {"LANG": "en_US.UTF-8"}, "it", "it"),
        (None, {"LC_ALL": "it_IT.UTF-8", "LANG": "en_US"}, None, "it"),
        (None, {"LC_ALL": "", "LC_MESSAGES": "it_IT", "LANG": "en_US"}, None, "it"),
        (None, {"LANG": "de_DE.UTF-8"}, None, "en"),
        (None, {}, None, "en"),
        ("Italian", {}, None, "it"),
    ],
)
def test_the_language_is_chosen_in_order(
    explicit: str | None, environ: dict[str, str], plan: str | None, expected: str
) -> None:
    assert choose_language(explicit, plan=plan, environ=environ) == expected


def test_a_language_we_do_not_speak_is_refused_when_asked_for() -> None:
    with pytest.raises(kf.KpiFormulaError, match="not spoken here"):
        choose_language("de")
    with pytest.raises(kf.KpiFormulaError, match="KPI_FORMULA_LANG"):
        choose_language(None, environ={"KPI_FORMULA_LANG": "klingon"})


def test_a_syntax_error_of_a_formula_reads_in_italian() -> None:
    said = ITALIAN.error(_error(lambda: kf.parse("(A - B) * / C")))
    assert said.splitlines() == [
        "due operatori di fila ('*' e poi '/') (riga 1, colonna 11)",
        "  (A - B) * / C",
        "            ^",
        "suggerimento: togline uno, o mettici in mezzo un operando",
    ]


def test_the_steps_of_a_value_read_in_italian_and_stay_english_as_text() -> None:
    result = kf.evaluate("A + B", {"A": 1}, year=2025, on_missing="zero")
    english = result.explain()
    assert english == "\n".join(
        [
            "A + B = 1  [year 2025]",
            "├─ A = 1  (A@2025)",
            "└─ B = 0  (B@2025)",
            "note:",
            "  - B@2025 is missing from the data; counted as 0",
        ]
    )
    assert ENGLISH.say(english) == english
    assert ITALIAN.say(english).splitlines() == [
        "A + B = 1  [anno 2025]",
        "├─ A = 1  (A@2025)",
        "└─ B = 0  (B@2025)",
        "nota:",
        "  - B@2025 manca nei dati; contato come 0",
    ]
    divided = kf.evaluate("A / B", {"A": 1, "B": 0}, year=2025)
    assert ITALIAN.say(divided.reasons[0]) == "divisione per zero in 'A / B' (B = 0)"
